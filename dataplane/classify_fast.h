#pragma once
// Classify's common case: what its scalar build (classifyFastIpv4Udp, classify.cc) and its AVX-512
// build (classify_avx512.cc: the same checks and key for a whole burst) share. A packet the
// common case refuses is left for the full parser, which knows every drop reason.

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/checksum.h"
#include "dataplane/classify.h"

namespace sbc::dataplane {

// The checksums of an untagged IPv4/UDP frame whose port gave no verdicts (af_packet, most
// virtual ports), checked in software: the header's, and the UDP one unless it is 0 (none).
inline bool ipv4UdpFrameChecksumsHold(const uint8_t* frame, uint16_t udpLength) {
  auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(frame + sizeof(rte_ether_hdr));
  auto* udp = reinterpret_cast<const rte_udp_hdr*>(ip + 1);
  return onesComplementSum(ip, sizeof *ip) == 0xffff &&
         (udp->dgram_cksum == 0 || ipv4UdpChecksumHolds(ip, udp, udpLength));
}

// Writes an IPv4 key from its words (see FlowKey): the address, zero, then the UDP port with the
// port id and family. Three separate stores: built in an array, GCC copies the words through the
// stack, and the wide load that follows two narrow stores stalls on store forwarding (half of
// classify's time, measured with perf).
inline void storeFlowKeyWords(FlowKey& key, uint64_t address, uint64_t rest) {
  static_assert(offsetof(FlowKey, udpPortBe) == 16 && offsetof(FlowKey, portId) == 18 &&
                offsetof(FlowKey, family) == 20 && sizeof(FlowKey) == 24);
  const uint64_t zero = 0;
  auto* k = reinterpret_cast<uint8_t*>(&key);
  std::memcpy(k, &address, 8);
  std::memcpy(k + 8, &zero, 8);
  std::memcpy(k + 16, &rest, 8);
}

// Puts every packet in out.udp (in order) and, for each that passes, its home slot in
// out.udpHomes with a `locator`, else its key in out.udpKeys, and its l2_len, l3_len and packet
// type in the mbuf; adds the frames' lengths to `rxBytes`. Returns the packets it refused, as
// bits. `mac` is the interface's. Call only where fastPathSupported(FastPath::kAvx512).
uint32_t classifyFastBurstAvx512(const uint8_t* mac, rte_mbuf** packets, uint16_t count, ClassifiedBurst& out,
                                 uint64_t& rxBytes, FlowTable::Locator* locator);

}  // namespace sbc::dataplane
