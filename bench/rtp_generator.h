#pragma once
// Makes valid RTP/UDP/IPv4 frames as a NIC would hand them over: one per call slot, aimed at
// the sessions of a BenchFixture in a stride order that visits every session before repeating
// one (so a million sessions really are a million cache footprints, not a hot few).

#include <rte_mbuf.h>

#include <cstdint>

#include "bench/bench_fixture.h"

namespace sbc::bench {

class RtpGenerator {
 public:
  // Which way the frames go: from the carriers' hosts to the SBC's access addresses (received on
  // port 0), or from the contact center's hosts to its core addresses (port 1).
  enum class Side { kAccess, kCore };

  // `nicChecksumOffload`: mark frames as a NIC with rx checksum offload does (IP and L4 good);
  // otherwise the classify stage verifies both checksums in software.
  // Frames go to sessions firstSession .. firstSession + sessions - 1 of the addressing plan
  // (past those a fixture created: traffic that no flow owns). `sbcMac` is the MAC of the
  // interface on `side`.
  RtpGenerator(const SessionAddressing& addressing, uint32_t sessions, const dataplane::MacAddress& sbcMac,
               bool nicChecksumOffload, uint32_t firstSession = 0, Side side = Side::kAccess);

  // Allocates and fills up to `count` frames; returns how many.
  uint16_t generate(rte_mempool* pool, rte_mbuf** out, uint16_t count);

  static constexpr uint16_t kPayloadBytes = 160;  // 20 ms of G.711

 private:
  const SessionAddressing& addressing_;
  uint32_t sessions_;
  uint32_t firstSession_;
  uint32_t stride_;
  uint32_t next_ = 0;
  Side side_;
  uint64_t offloadFlags_;
  uint16_t frameLength_ = 0;
  uint16_t ipChecksumSeed_ = 0;
  uint16_t udpChecksumSeed_ = 0;
  alignas(64) uint8_t template_[256];
};

}  // namespace sbc::bench
