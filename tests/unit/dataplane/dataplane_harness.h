#pragma once
// The worker pipeline without ports, as bench/bench_fixture builds it: an InterfaceTable filled by
// hand, the FlowTable, NeighborTable, SessionTable and one Worker the appliance uses, a real
// exception ring, and a sink that captures what the worker transmits. Time is whatever TSC value
// a test passes in; the TSC runs at kTscHz, so one millisecond is kTscPerMs ticks.
//
// Four interfaces:
//   0 access0  203.0.113.1/24, 2001:db8:a::1/64, gateways .254 / ::fe, exception path
//   1 core0    198.51.100.1/24, 2001:db8:c::1/64, no gateway,          exception path
//   2 vlan0    VLAN 100, 192.0.2.1/24,                                 exception path
//   3 notap0   100.64.0.1/24, no exception path
// Every interface's media range is 20000-29999.

#include <gtest/gtest.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/dataplane.h"
#include "dataplane/firewall.h"
#include "dataplane/flow_table.h"
#include "dataplane/interface_table.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/session_table.h"
#include "dataplane/worker.h"
#include "tests/unit/dataplane/packet_builder.h"

namespace sbc::dataplane::test {

inline constexpr uint8_t kAccess = 0;
inline constexpr uint8_t kCore = 1;
inline constexpr uint8_t kVlan = 2;
inline constexpr uint8_t kNoTap = 3;
inline constexpr uint16_t kVlanId = 100;
inline constexpr uint16_t kMediaPortMin = 20000;
inline constexpr uint16_t kMediaPortMax = 29999;

inline constexpr uint64_t kTscHz = 1'000'000'000;
inline constexpr uint64_t kTscPerMs = kTscHz / 1000;
// A start time far from 0, so that "never seen" (0) is not mistaken for "seen just now".
inline constexpr uint64_t kT0 = 1'000'000 * kTscPerMs;

// The SBC's MACs, one per interface, and the peers'.
inline constexpr MacAddress kSbcMac[4] = {{0x02, 0x5b, 0xc0, 0, 0, 0xa0},
                                          {0x02, 0x5b, 0xc0, 0, 0, 0xc0},
                                          {0x02, 0x5b, 0xc0, 0, 0, 0xb0},
                                          {0x02, 0x5b, 0xc0, 0, 0, 0xd0}};
inline constexpr MacAddress kAccessPeerMac{0x02, 0xaa, 0, 0, 0, 0x10};
inline constexpr MacAddress kAccessGatewayMac{0x02, 0xaa, 0, 0, 0, 0xfe};
inline constexpr MacAddress kCorePeerMac{0x02, 0xcc, 0, 0, 0, 0x20};
inline constexpr MacAddress kVlanPeerMac{0x02, 0xbb, 0, 0, 0, 0x30};
inline constexpr MacAddress kOtherMac{0x02, 0xee, 0, 0, 0, 0x01};

struct Captured {
  uint8_t interfaceIndex;
  Bytes frame;
};

class DataplaneHarness {
 public:
  explicit DataplaneHarness(uint32_t flowCapacity = 64, unsigned exceptionRingSize = 256);
  ~DataplaneHarness();
  DataplaneHarness(const DataplaneHarness&) = delete;
  DataplaneHarness& operator=(const DataplaneHarness&) = delete;

  // Runs `frames` (≤ kMaxBurst) through Worker::processBurst as received on `iface` at `nowTsc`,
  // then Worker::flush; returns copies of what was transmitted (the mbufs are freed).
  std::vector<Captured> receive(uint8_t iface, const std::vector<Bytes>& frames, uint64_t nowTsc,
                                uint64_t olFlags = 0);
  std::vector<Captured> receive(uint8_t iface, const Bytes& frame, uint64_t nowTsc) {
    return receive(iface, std::vector<Bytes>{frame}, nowTsc);
  }
  // The same through Worker::processBurstPipelined: media of this burst are held, those held
  // from the previous call are relayed (and returned).
  std::vector<Captured> receivePipelined(uint8_t iface, const Bytes& frame, uint64_t nowTsc) {
    return receivePipelined(iface, std::vector<Bytes>{frame}, nowTsc);
  }
  std::vector<Captured> receivePipelined(uint8_t iface, const std::vector<Bytes>& frames, uint64_t nowTsc);
  // Worker::drainPipeline, then flush; returns what was transmitted.
  std::vector<Captured> drainPipeline();
  // Worker::flush into copies (the mbufs are freed).
  std::vector<Captured> flushCaptured();
  // Takes everything out of the exception ring; returns the frames and the port each arrived on.
  std::vector<Captured> drainException();

  uint64_t drops(DropReason r) const { return worker->counters().drops[static_cast<unsigned>(r)]; }
  uint64_t totalDrops() const;
  // "name=count" for every nonzero drop counter: context for a failed expectation.
  std::string dropSummary() const;
  const WorkerCounters& counters() const { return worker->counters(); }
  unsigned mbufsInUse() const;

  // Frame headers as a peer on `iface` writes them toward the SBC.
  L2 toSbc(uint8_t iface, const MacAddress& peerMac) const;

  // A session access0 ↔ core0 with known peers, rtcp-mux:
  //   leg-a 203.0.113.1:20000 ↔ peer 203.0.113.10:4000
  //   leg-b 198.51.100.1:20002 ↔ peer 198.51.100.20:6000
  MediaSessionSpec accessCoreSpec(uint32_t id = 1) const;
  // Makes both peers of accessCoreSpec() resolved neighbours.
  void resolvePeers();
  // accessCoreSpec() with leg-b on IPv6, and leg-a too when `bothLegs`, its peers resolved:
  //   leg-a [2001:db8:a::1]:20000 ↔ peer [2001:db8:a::10]:4000   (bothLegs)
  //   leg-b [2001:db8:c::1]:20002 ↔ peer [2001:db8:c::20]:6000
  MediaSessionSpec ipv6Spec(bool bothLegs);

  rte_mempool* pool = nullptr;
  unsigned mbufCount = 0;
  InterfaceTable interfaces{};
  std::vector<InterfaceConfig> configs;
  rte_rcu_qsbr* rcu = nullptr;
  rte_ring* exceptionRing = nullptr;
  std::unique_ptr<FlowTable> flows;
  std::unique_ptr<NeighborTable> neighbors;
  // No lists until a test applies some (firewall->apply): the stage is then a null check.
  std::unique_ptr<Firewall> firewall;
  std::unique_ptr<Worker> worker;
  std::unique_ptr<SessionTable> sessions;

 private:
  // `frames` (≤ kMaxBurst) as mbufs received on `iface`, in `burst`; their count, or -1 (the
  // mbufs made so far freed) when there are too many frames or no mbufs.
  int toBurst(uint8_t iface, const std::vector<Bytes>& frames, uint64_t olFlags, rte_mbuf** burst);
};

// Addresses of the plan above.
struct Plan {
  static SocketAddress accessLocal() { return sock("203.0.113.1:20000"); }
  static SocketAddress accessPeer() { return sock("203.0.113.10:4000"); }
  static SocketAddress coreLocal() { return sock("198.51.100.1:20002"); }
  static SocketAddress corePeer() { return sock("198.51.100.20:6000"); }
};

// A gtest fixture owning a harness; every test ends with every mbuf back in the pool.
class HarnessTest : public ::testing::Test {
 protected:
  void TearDown() override {
    h_.drainException();
    EXPECT_EQ(h_.mbufsInUse(), 0u) << "mbufs leaked";
  }
  DataplaneHarness h_;
};

}  // namespace sbc::dataplane::test

namespace sbc::dataplane {
inline void PrintTo(FastPath p, std::ostream* os) { *os << fastPathName(p); }
// gtest prints drop reasons by name.
inline void PrintTo(DropReason r, std::ostream* os) {
  *os << (r < DropReason::kCount ? kDropReasonInfo[static_cast<unsigned>(r)].name : "none");
}
}  // namespace sbc::dataplane
