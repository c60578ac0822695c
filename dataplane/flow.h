#pragma once
// One direction of media as the worker sees it: packets arriving at (port, local address,
// local UDP port) and where they go next. A media session owns two flows (one per leg), four
// when RTCP runs on the next port instead of rtcp-mux.
//
// Who writes what:
//  - the control side fills a Flow before publishing it in the FlowTable, and never writes a
//    published Flow again (an update publishes a new one; the old is freed after a grace period);
//  - a worker writes only the latch state, counters and sequence state of the flow it received
//    on (with the RtpLoss in its cold part, at rare moments), and the destination of the
//    opposite flow when it latches (tiny, written rarely, and read with a seqlock).

#include <rte_prefetch.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/checksum.h"
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

// The relay's fast path adjusts a packet's IPv4 and UDP checksums for the words it rewrites
// (RFC 1624: HC' = ~(~HC + ~m + m')). Those words are the same for every packet a flow relays
// from its latched source: the packet's source and destination addresses and ports leave, ours
// on the egress leg and the peer's enter. So their sums are made once, when they change (the
// latch, a destination), not per packet: the IP checksum's term (addresses) in the low 16 bits,
// the UDP checksum's (addresses and ports) in the high 16. `addressA`, `addressB` and `ports`
// are words as they sit in the headers, complemented for words that leave.
inline uint32_t checksumTerms(uint32_t addressA, uint32_t addressB, uint32_t ports) {
  const uint64_t addresses = uint64_t{addressA} + addressB;
  return foldOnesComplement(addresses) | uint32_t{foldOnesComplement(addresses + ports)} << 16;
}
// The terms for a packet's own words, which its rewrite takes out.
inline uint32_t checksumTermsLeaving(uint32_t sourceBe, uint32_t destinationBe, uint32_t portsBe) {
  return checksumTerms(~sourceBe, ~destinationBe, ~portsBe);
}
// A relayed IPv4 packet's header checksum, from its old one, its old and new (TTL, protocol)
// words, and the terms of its addresses leaving and entering.
inline uint16_t ipv4ChecksumRelayed(uint16_t old, uint16_t oldTtlProtocol, uint16_t newTtlProtocol,
                                    uint32_t termsLeaving, uint32_t termsEntering) {
  const uint64_t sum = uint64_t{static_cast<uint16_t>(~old)} + static_cast<uint16_t>(~oldTtlProtocol) +
                       newTtlProtocol + (termsLeaving & 0xffff) + (termsEntering & 0xffff);
  return static_cast<uint16_t>(~foldOnesComplement(sum));
}
// Its UDP checksum (old not 0: a packet without one is relayed without one), as sent.
inline uint16_t udpChecksumRelayed(uint16_t old, uint32_t termsLeaving, uint32_t termsEntering) {
  const uint64_t sum = uint64_t{static_cast<uint16_t>(~old)} + (termsLeaving >> 16) + (termsEntering >> 16);
  return udpChecksumForWire(static_cast<uint16_t>(~foldOnesComplement(sum)));
}

// Where a flow's packets are sent. Written by the control side before publication and by the
// worker that latches the opposite leg; readers retry while `sequence` is odd or changed
// (readDestination). 24 bytes in the flow's line; an IPv6 peer's address is in its FlowCold
// (destinationV6), under the same sequence.
struct FlowDestination {
  // The peer's fields first: with the flow's own fields before them, they end within the line's
  // first 32 bytes, which the AVX-512 fast path reads in one 256-bit load (media_relay_avx512.cc).
  uint16_t peerPortBe = 0;
  IpFamily peerFamily = IpFamily::kNone;  // kNone: nowhere to send yet
  // Not the destination's: the flow line's one spare byte, which holds Flow's home mark. Written
  // by the control side alone (FlowTable), never under the sequence.
  uint8_t homeMark = 0;
  uint32_t peerV4 = 0;                    // network order, when peerFamily is kV4
  // checksumTerms of the words a relayed IPv4 packet takes on: the flow's egress address and
  // port, the peer's address and port (when both are IPv4).
  uint32_t checksumEntering = 0;
  std::atomic<uint32_t> sequence{0};
  uint16_t neighborIndex = kNoNeighbor;  // next hop in the NeighborTable, or:
  MacAddress directMac{};                // the MAC a latched peer's packets came from
};
static_assert(sizeof(FlowDestination) == 24);

enum class LatchState : uint32_t { kUnlatched = 0, kLatching = 1, kLatched = 2 };

namespace flow_flags {
inline constexpr uint8_t kLatchAnySource = 1 << 0;  // peer is behind NAT: latch whoever speaks first
inline constexpr uint8_t kRelatchAllowed = 1 << 1;  // latch again after relatchSilenceTsc of silence
inline constexpr uint8_t kRtcp = 1 << 2;            // this flow carries RTCP (port + 1)
inline constexpr uint8_t kAnyPeerPort = 1 << 3;     // expected peer's port is not known
inline constexpr uint8_t kTaggedEgress = 1 << 4;    // the egress interface tags its frames (802.1Q)
}  // namespace flow_flags

// What the fast path compares a packet's source with: the v4Identity of an IPv4 peer, or this,
// which equals no v4Identity (bit 48 clear), so that every packet takes the general path: for an
// IPv6 peer, on a flow of RTCP (a few packets a minute; the fast path is for RTP), and toward a
// tagged interface (the fast path writes untagged Ethernet headers). So the fast path tests none
// of these per packet.
inline constexpr uint64_t kNotFast = uint64_t{1} << 49;
inline uint64_t admittedIdentityOf(const WireAddress& w, uint8_t flowFlags) {
  constexpr uint8_t kGeneralOnly = flow_flags::kRtcp | flow_flags::kTaggedEgress;
  return w.family == IpFamily::kV4 && !(flowFlags & kGeneralOnly) ? v4IdentityOf(w) : kNotFast;
}

// A flow's hot line: everything a relayed IPv4 packet reads or writes, 64 bytes, in a pool of
// such lines, one per slot. What the general path, latching and the control side read is in
// the flow's FlowCold, an array beside it with the same slots: so the lines a worker touches per
// packet lie side by side, and a pool of a million flows spans half the pages (and TLB entries)
// that 128-byte flows did. sbcbench relay at 1M sessions, 3 alternated pairs: ratio 0.452 ->
// 0.464 one way, 0.421 -> 0.432 both ways; at 100k, the same within 0.01.
struct alignas(64) Flow {
  // 0 from the moment a source is latched until its first packet has been through the general
  // path (for an RTP flow: its first RTP packet, which starts the loss count, RtpLoss); then
  // admittedIdentityOf(latched, flags). One compare with the packet's source admits it (the
  // relay's fast path).
  std::atomic<uint64_t> latchedV4{0};
  // checksumTermsLeaving of the packets latchedV4 admits (the latched source's address and port,
  // ours where they arrive); set before latchedV4, read after it by the scalar path, and in the
  // same 256-bit load by the AVX-512 path. A worker that read the old latchedV4 just before
  // another relatched the flow (two workers on one flow: RSS moved, and the old peer, silent
  // long enough to allow the relatch, spoke again at that instant) may pair it with the new
  // terms, as the vector load might pair the new latchedV4 with the old terms should the line
  // change under it: one packet with a wrong checksum, which its receiver drops.
  uint32_t checksumLeaving = 0;
  uint32_t egressV4 = 0;        // the SBC's IPv4 address on the egress leg, network order
  uint8_t flags = 0;
  uint8_t egressInterface = 0;  // index into the dataplane's interface table
  uint16_t egressPortBe = 0;    // the SBC's UDP port on the egress leg (= egressSource.portBe)
  FlowDestination destination;  // where this flow's packets go (an IPv6 peer's address: FlowCold)

  // When the flow last carried a packet, in coarse ticks (see coarseTime). Shared by all
  // workers, not per worker: with RSS a forged source lands on another worker than the real
  // peer, and that worker must still see that the peer spoke a moment ago.
  std::atomic<uint32_t> lastSeenCoarse{0};
  // Bytes and packets relayed. Written by the worker that receives the flow's traffic (RSS
  // keeps one peer's 5-tuple on one queue), with plain loads and stores, no atomic
  // read-modify-write: in the line the packet has already brought in, where a per-worker array
  // cost one more cache miss per packet (8% at 100k sessions, measured). Should two workers
  // ever relay one flow at once (RSS reprogrammed mid-call), a count may be lost, never torn.
  // 32 bits of packets (2.7 years of a 50 pps stream) leave room for highestSequence.
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint32_t> packets{0};
  // RFC 3550 A.1's extended highest sequence number received (cycles in the top 16 bits) in the
  // latched source's current stream, once its first RTP packet set it (RtpLoss); written like
  // packets. Meaningless on a kRtcp flow.
  std::atomic<uint32_t> highestSequence{0};
  // Set while this flow is the one published for its key and sits in the key's home slot
  // (FlowTable): a worker that finds the mark in the line it prefetched from the key alone knows
  // the flow without reading the table. Set by the control side when it publishes the flow (after
  // filling it: release), cleared when it retires it. A worker reads it (acquire) before anything
  // else in the line: a home is filled again for a new flow of its key once the old one's grace
  // period is over, and a read before the mark could see the old flow's fields. Read on memory
  // the table may never have written (the home lines of a port nobody uses read as zero: no
  // mark).
  bool atHome() const { return __atomic_load_n(&destination.homeMark, __ATOMIC_ACQUIRE) != 0; }
  void setHome(bool home) { __atomic_store_n(&destination.homeMark, uint8_t{home}, __ATOMIC_RELEASE); }

  void countPacket(uint32_t length) {
    packets.store(packets.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    bytes.store(bytes.load(std::memory_order_relaxed) + length, std::memory_order_relaxed);
  }
  // RFC 3550 A.1: a sequence number `ahead` of the highest (sequenceAhead) moves it there,
  // carrying into the cycle count across 65535 → 0; one behind it (late, duplicated) leaves it.
  // The branch is as predictable as the stream is in order (fewer instructions than a cmov and
  // an unconditional store), and the store laid out inline (GCC had put it out of line: two taken
  // jumps a packet). Call it before countPacket, so that a reader who loads
  // highestSequence before packets never takes a packet that arrived for a lost one (rtpLost).
  void advanceSequence(uint32_t highest, int32_t ahead) {
    if (__builtin_expect(ahead > 0, 1))
      highestSequence.store(highest + static_cast<uint32_t>(ahead), std::memory_order_relaxed);
  }
  // The same for a packet that is `notRtp` (RTCP): it leaves the highest as it is.
  void countSequence(uint16_t sequence, bool notRtp) {
    const uint32_t highest = highestSequence.load(std::memory_order_relaxed);
    advanceSequence(highest, notRtp ? 0 : sequenceAhead(highest, sequence));
  }
  // Where advanceSequence leaves the highest, as a value: the relay's fast paths store it
  // unconditionally (a cmov and a store), computed as soon as the packet's sequence number is
  // read. With the branch's store at the end of the path, `highest` and `ahead` lived through it,
  // and GCC kept both on the stack.
  static uint32_t highestAfter(uint32_t highest, int32_t ahead) {
    return highest + static_cast<uint32_t>(ahead > 0 ? ahead : 0);
  }
  // How far `sequence` is ahead of the extended `highest` (negative: behind), modulo 2^16.
  static int32_t sequenceAhead(uint32_t highest, uint16_t sequence) {
    return static_cast<int16_t>(static_cast<uint16_t>(sequence - static_cast<uint16_t>(highest)));
  }
};

static_assert(sizeof(Flow) == 64, "one cache line");

// Asks for the flow line in `slot` of `pool` into L2, not L1 (prefetcht2: AMD fills L2 alone for
// it), a call before the relay reads it: as classify finds the homes (FlowTable::Locator), or as
// the relay of the burst before goes (MediaContext::askForNextLine, Worker::relayHeld).
inline void askForFlowLine(const Flow* pool, uint32_t slot) { rte_prefetch2(&pool[slot]); }

// RFC 3550 A.1's bounds: a sequence number more than kMaxDropout ahead of the highest or more
// than kMaxMisorder behind it is a jump (the stream restarted: a new SSRC behind the same
// address, a replayed file), not loss or reordering. The fast path leaves jumps to the general
// path (RtpLoss), so a restarted stream is never taken for thousands of lost packets.
inline constexpr int32_t kMaxDropout = 3000;
inline constexpr int32_t kMaxMisorder = 100;
inline bool isSequenceJump(int32_t ahead) {
  return static_cast<uint32_t>(ahead + kMaxMisorder) >= static_cast<uint32_t>(kMaxDropout + kMaxMisorder);
}

// RTP loss of one flow (RFC 3550 A.3): expected = highest - base + 1, received = what
// Flow::packets counted since the base, corrected by `uncounted`; lost = expected - received,
// never below 0. Written by the worker that relays the flow, only at rare moments: the first RTP
// packet of a latched source sets the base; a relatch to a new source, or a stream that restarts
// (two packets in sequence after a jump, RFC 3550 A.1), sets it again and keeps what was lost
// before; an RTCP packet on an rtcp-mux flow, the packet of a jump and an RTP packet dropped
// after its source was admitted correct the count of received. Read by the control side
// (rtpLost).
struct RtpLoss {
  uint32_t base = 0;           // extended sequence number of the stream's first RTP packet
  uint32_t packetsAtBase = 0;  // Flow::packets before that packet
  // RTP packets received but not in Flow::packets (dropped after admission: no next hop, no
  // headroom), less packets in Flow::packets that are not counted as RTP (RTCP with rtcp-mux,
  // the packet of a jump).
  int32_t uncounted = 0;
  uint32_t lostBefore = 0;     // lost by earlier sources and streams of this flow
  uint16_t afterJump = 0;      // while `jumped`: the sequence number that confirms a restart
  bool jumped = false;         // a jump came, and no restart has confirmed it yet
  bool started = false;        // a base is set: an RTP packet came from a latched source
};

// Packets lost from the current stream: expected - received in 32-bit arithmetic (both wrap
// alike), 0 when duplicates make it negative.
inline uint32_t lostSinceBase(uint32_t highest, uint32_t packets, const RtpLoss& l) {
  const uint32_t expected = highest - l.base + 1;
  const uint32_t received = packets - l.packetsAtBase + static_cast<uint32_t>(l.uncounted);
  const int32_t lost = static_cast<int32_t>(expected - received);
  return lost > 0 ? static_cast<uint32_t>(lost) : 0;
}

// The rest of a flow: what the general path (IPv6, RTCP, latching) and the control side read,
// and the rare writes of RtpLoss, kept out of the per-packet line, in an array beside the pool.
struct alignas(64) FlowCold {
  // ---- line 0: the general path's ----
  std::atomic<uint32_t> latchState{static_cast<uint32_t>(LatchState::kUnlatched)};
  WireAddress latched{};       // valid when latchState == kLatched
  WireAddress egressSource{};  // the SBC's address and port on the egress leg
  // The destination's address when its peerFamily is kV6, under Flow::destination's sequence.
  uint8_t destinationV6[16]{};
  // ---- line 1: latching's and the control side's ----
  alignas(64) WireAddress expected{};  // peer named by the SDP (may be unspecified)
  Flow* opposite = nullptr;  // whose destination this flow's latch sets
  RtpLoss loss;
  uint32_t sessionId = 0;
  uint32_t relatchSilenceCoarse = 0;
};
static_assert(sizeof(FlowCold) == 128);

// A flow's RTP loss so far, for the control side, which reads while the worker writes: the
// highest sequence number is read before the packet count, so a packet in flight reads as
// received early rather than as lost, and the result is clamped at 0 in any case.
inline uint64_t rtpLost(const Flow& f, const FlowCold& c) {
  if (!c.loss.started) return 0;
  const uint32_t highest = f.highestSequence.load(std::memory_order_acquire);
  const uint32_t packets = f.packets.load(std::memory_order_relaxed);
  return uint64_t{c.loss.lostBefore} + lostSinceBase(highest, packets, c.loss);
}

// A flow's destination read consistently: a worker latching the opposite leg may be rewriting
// it at this moment. `c` is the flow's cold part.
struct DestinationSnapshot {
  uint16_t neighborIndex = kNoNeighbor;
  MacAddress directMac{};
  WireAddress peer{};
};
inline DestinationSnapshot readDestination(const Flow& f, const FlowCold& c) {
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
      std::memcpy(s.peer.address, c.destinationV6, 16);
    else
      std::memcpy(s.peer.address, &d.peerV4, 4);
    std::atomic_thread_fence(std::memory_order_acquire);
    after = d.sequence.load(std::memory_order_relaxed);
  } while ((before & 1) || before != after);
  return s;
}
// Rewrites a flow's destination; the caller is the only writer at this moment (the control side
// before publication, or the worker that won the opposite flow's latch).
inline void writeDestination(Flow& f, FlowCold& c, const DestinationSnapshot& s) {
  FlowDestination& d = f.destination;
  const uint32_t seq = d.sequence.load(std::memory_order_relaxed);
  d.sequence.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  d.neighborIndex = s.neighborIndex;
  d.directMac = s.directMac;
  d.peerPortBe = s.peer.portBe;
  d.peerFamily = s.peer.family;
  std::memcpy(&d.peerV4, s.peer.address, 4);
  std::memcpy(c.destinationV6, s.peer.address, 16);
  d.checksumEntering = checksumTerms(f.egressV4, d.peerV4, f.egressPortBe | uint32_t{d.peerPortBe} << 16);
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
// source lands wherever RSS puts it): each worker owns its own array, indexed by flow slot.
struct FlowStats {
  uint32_t sourceDrops;  // forged or unexpected sources (RTP bleed)
  uint32_t latches;
};
static_assert(sizeof(FlowStats) == 8);

}  // namespace sbc::dataplane
