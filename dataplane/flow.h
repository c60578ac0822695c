#pragma once
// One direction of media as the worker sees it: packets arriving at (port, local address,
// local UDP port) and where they go next. A media session owns two flows (one per leg), four
// when RTCP runs on the next port instead of rtcp-mux.
//
// Who writes what:
//  - the control side fills a Flow before publishing it in the FlowTable, and never writes a
//    published Flow again (an update publishes a new one; the old is freed after a grace period);
//  - a worker writes only the latch state of the flow it received on, and the destination of
//    the opposite flow when it latches (both are tiny, written rarely, and read with a seqlock).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/config.h"
#include "dataplane/ip_address.h"

namespace sbc::dataplane {

// Flow table key: where a packet arrived. 24 bytes, three 8-byte words: the address in words 0-1,
// the rest in word 2 (the UDP port in its low 16 bits, which index the table's port array).
struct FlowKey {
  uint8_t address[16];  // network order; IPv4 in the first 4 bytes, rest zero
  uint16_t udpPortBe;   // network order, straight from the UDP header
  uint16_t portId;      // DPDK port the packet arrived on
  uint8_t family;       // IpFamily
  uint8_t pad[3];

  static FlowKey make(uint16_t portId, const SocketAddress& local);
};
static_assert(sizeof(FlowKey) == 24 && offsetof(FlowKey, udpPortBe) == 16);

// An address ready to be written into a header: network byte order, no conversion per packet.
struct WireAddress {
  uint8_t address[16];
  uint16_t portBe;
  IpFamily family;
  uint8_t pad;

  static WireAddress from(const SocketAddress& a);
  SocketAddress toSocketAddress() const;
  bool sameAs(const uint8_t* addr, uint16_t portBe, IpFamily f) const {
    if (family != f || this->portBe != portBe) return false;
    // Fixed-size compares: a memcmp with a variable length is a library call per packet.
    if (f == IpFamily::kV4) return std::memcmp(address, addr, 4) == 0;
    return std::memcmp(address, addr, 16) == 0;
  }
};
static_assert(sizeof(WireAddress) == 20);

inline constexpr uint16_t kNoNeighbor = 0xffff;

// The identity of an IPv4 source or peer in one word: address and UDP port as they sit in the
// headers, and a marker bit, so that 0 is never an identity.
inline uint64_t v4Identity(uint32_t addressBe, uint16_t portBe) {
  return uint64_t{addressBe} | uint64_t{portBe} << 32 | uint64_t{1} << 48;
}
inline uint64_t v4IdentityOf(const WireAddress& w) {
  if (w.family != IpFamily::kV4) return 0;
  uint32_t a;
  std::memcpy(&a, w.address, 4);
  return v4Identity(a, w.portBe);
}

// Where a flow's packets are sent. Written by the control side before publication and by the
// worker that latches the opposite leg; readers retry while `sequence` is odd or changed
// (readDestination). 20 bytes in the flow's first line; an IPv6 peer's address is in the
// second (Flow::destinationV6), under the same sequence.
struct FlowDestination {
  std::atomic<uint32_t> sequence{0};
  uint16_t neighborIndex = kNoNeighbor;  // next hop in the NeighborTable, or:
  MacAddress directMac{};                // the MAC a latched peer's packets came from
  uint16_t peerPortBe = 0;
  IpFamily peerFamily = IpFamily::kNone;  // kNone: nowhere to send yet
  uint8_t pad = 0;
  uint32_t peerV4 = 0;                    // network order, when peerFamily is kV4
};
static_assert(sizeof(FlowDestination) == 20);

enum class LatchState : uint32_t { kUnlatched = 0, kLatching = 1, kLatched = 2 };

namespace flow_flags {
inline constexpr uint8_t kLatchAnySource = 1 << 0;  // peer is behind NAT: latch whoever speaks first
inline constexpr uint8_t kRelatchAllowed = 1 << 1;  // latch again after relatchSilenceTsc of silence
inline constexpr uint8_t kRtcp = 1 << 2;            // this flow carries RTCP (port + 1)
inline constexpr uint8_t kAnyPeerPort = 1 << 3;     // expected peer's port is not known
}  // namespace flow_flags

struct alignas(64) Flow {
  // ---- cache line 0: everything a relayed IPv4 packet reads or writes ----
  std::atomic<uint32_t> latchState{static_cast<uint32_t>(LatchState::kUnlatched)};
  uint8_t flags = 0;
  uint8_t egressInterface = 0;  // index into the dataplane's interface table
  uint16_t egressPortBe = 0;    // the SBC's UDP port on the egress leg (= egressSource.portBe)
  // v4Identity of the latched peer while latchState is kLatched and the peer is IPv4; else 0.
  // One compare with the packet's source admits it (the relay's fast path).
  std::atomic<uint64_t> latchedV4{0};
  uint32_t egressV4 = 0;        // the SBC's IPv4 address on the egress leg, network order
  // When the flow last carried a packet, in coarse ticks (see coarseTime). Shared by all
  // workers, not per worker: with RSS a forged source lands on another worker than the real
  // peer, and that worker must still see that the peer spoke a moment ago.
  std::atomic<uint32_t> lastSeenCoarse{0};
  // Packets and bytes relayed. Written by the worker that receives the flow's traffic (RSS
  // keeps one peer's 5-tuple on one queue), with plain loads and stores, no atomic
  // read-modify-write: in the line the packet has already brought in, where a per-worker array
  // cost one more cache miss per packet (8% at 100k sessions, measured). Should two workers
  // ever relay one flow at once (RSS reprogrammed mid-call), a count may be lost, never torn.
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> bytes{0};
  FlowDestination destination;  // where this flow's packets go
  uint32_t index = 0;           // slot in the pool, of the cold part and of FlowStats
  // ---- cache line 1: IPv6, and what only latching and the control side read ----
  alignas(64) WireAddress latched{};  // valid when latchState == kLatched
  WireAddress egressSource{};         // the SBC's address and port on the egress leg
  uint8_t destinationV6[16]{};        // destination's address when its peerFamily is kV6
  uint32_t sessionId = 0;
  uint32_t relatchSilenceCoarse = 0;

  void countPacket(uint32_t length) {
    packets.store(packets.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    bytes.store(bytes.load(std::memory_order_relaxed) + length, std::memory_order_relaxed);
  }
};
static_assert(sizeof(Flow) == 128);
static_assert(offsetof(Flow, index) + sizeof(uint32_t) <= 64, "per-packet fields must stay in line 0");

// What only latching reads: kept out of the per-packet lines, in an array beside the pool.
struct FlowCold {
  WireAddress expected{};  // peer named by the SDP (may be unspecified)
  Flow* opposite = nullptr;  // whose destination this flow's latch sets
};

// A flow's destination read consistently: a worker latching the opposite leg may be rewriting
// it at this moment.
struct DestinationSnapshot {
  uint16_t neighborIndex = kNoNeighbor;
  MacAddress directMac{};
  WireAddress peer{};
};
inline DestinationSnapshot readDestination(const Flow& f) {
  const FlowDestination& d = f.destination;
  DestinationSnapshot s;
  uint32_t before, after;
  do {
    before = d.sequence.load(std::memory_order_acquire);
    s.neighborIndex = d.neighborIndex;
    s.directMac = d.directMac;
    s.peer = WireAddress{};
    s.peer.portBe = d.peerPortBe;
    s.peer.family = d.peerFamily;
    if (d.peerFamily == IpFamily::kV6)
      std::memcpy(s.peer.address, f.destinationV6, 16);
    else
      std::memcpy(s.peer.address, &d.peerV4, 4);
    std::atomic_thread_fence(std::memory_order_acquire);
    after = d.sequence.load(std::memory_order_relaxed);
  } while ((before & 1) || before != after);
  return s;
}
// Rewrites a flow's destination; the caller is the only writer at this moment (the control side
// before publication, or the worker that won the opposite flow's latch).
inline void writeDestination(Flow& f, const DestinationSnapshot& s) {
  FlowDestination& d = f.destination;
  const uint32_t seq = d.sequence.load(std::memory_order_relaxed);
  d.sequence.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  d.neighborIndex = s.neighborIndex;
  d.directMac = s.directMac;
  d.peerPortBe = s.peer.portBe;
  d.peerFamily = s.peer.family;
  std::memcpy(&d.peerV4, s.peer.address, 4);
  std::memcpy(f.destinationV6, s.peer.address, 16);
  d.sequence.store(seq + 2, std::memory_order_release);
}

// Coarse time for per-packet timestamps: the TSC in units of 2^16 cycles (about 20 µs at
// 3 GHz), so that it fits 32 bits and one store. Compare two readings with elapsedCoarse:
// it is right across the 32-bit wrap for spans up to 2^31 ticks (about half a day).
inline constexpr unsigned kCoarseShift = 16;
inline uint32_t coarseTime(uint64_t tsc) { return static_cast<uint32_t>(tsc >> kCoarseShift); }
// Ticks from `then` to `now`; negative when `then` is later (another core's newer reading).
inline int32_t elapsedCoarse(uint32_t now, uint32_t then) { return static_cast<int32_t>(now - then); }

// Per-worker, per-flow counters of rare events, which any worker may see for any flow (a forged
// source lands wherever RSS puts it): each worker owns its own array, indexed by Flow::index.
struct FlowStats {
  uint32_t sourceDrops;  // forged or unexpected sources (RTP bleed)
  uint32_t latches;
};
static_assert(sizeof(FlowStats) == 8);

}  // namespace sbc::dataplane
