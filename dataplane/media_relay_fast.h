#pragma once
// The media relay's fast path, in two builds that do the same thing to the same packets: scalar
// (media_relay.cc) and AVX-512 (media_relay_avx512.cc). Each relays a run of a burst's packets
// and stops at the first one it does not take; relayBurst hands that one to the general path,
// outside the run's loop, so that the loop makes no call and keeps its constants in registers.
//
// The fast path takes RTP over IPv4 from the flow's latched peer, toward an IPv4 peer whose MAC
// is known, out of an untagged interface. It rewrites MACs, addresses, ports and TTL, adjusts
// both checksums for the words that changed (RFC 1624) and counts the packet. Anything else is
// left unchanged for the general path to decide.

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/media_relay.h"

namespace sbc::dataplane {

// The TTL (hop limit) relayed packets leave with: the SBC originates them, as an endpoint.
inline constexpr uint8_t kOriginTtl = 64;

// Relays packets[start], packets[start + 1], ... (each a fastCandidate where its bit of
// `fastMask` is set) while the fast path takes them; returns the index of the first it did not
// take, which it left unchanged, or `count`. With `homes`, the slots are the keys' home slots
// (FlowTable), and a packet whose home line holds no marked flow ends the run too: the mark is
// read (acquire) before anything else in the line, and nothing else is read where it is missing.
// Where ctx.nextHomes is set, each packet it comes to also asks for a line of the next burst
// (MediaContext::askForNextLine).
uint16_t relayFastRunScalar(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots, uint32_t fastMask,
                            uint16_t start, uint16_t count, bool homes);
// The same in AVX-512 (F, BW, VL, VBMI); call only where fastPathSupported(FastPath::kAvx512).
uint16_t relayFastRunAvx512(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots, uint32_t fastMask,
                            uint16_t start, uint16_t count, bool homes);

// The MAC of the next hop a flow's destination names (`hop`: its neighbour index, then its
// direct MAC, as one word): false while that neighbour is unresolved.
// A next hop in the neighbour table is the common case (a peer behind NAT has a direct MAC):
// laid out inline, where GCC had put it out of line, two taken jumps a packet.
inline bool nextHopMac(const MediaContext& ctx, uint64_t hop, uint64_t& mac) {
  mac = hop >> 16;
  if (const uint16_t neighbor = static_cast<uint16_t>(hop); likely(neighbor != kNoNeighbor)) {
    const uint64_t state = ctx.neighborMac(neighbor);
    if (!(state & kNeighborResolved)) return false;
    mac = state & 0xffffffffffffull;
  }
  return true;
}

// A packet the fast path relayed, after which its flow's highest sequence number is `newHighest`
// (Flow::highestAfter): counted on the flow and queued in `out`, the buffer of the flow's egress
// interface. The highest is stored before the count, as Flow::advanceSequence says.
inline void queueRelayed(const MediaContext& ctx, TxBuffer& out, rte_mbuf* m, Flow& flow, uint32_t slot,
                         uint32_t newHighest) {
  const uint32_t length = rte_pktmbuf_pkt_len(m);  // the rewrite keeps it
  flow.highestSequence.store(newHighest, std::memory_order_relaxed);
  flow.countPacket(length);
  flow.lastSeenCoarse.store(ctx.nowCoarse, std::memory_order_relaxed);
  out.append(m, length, slot);
}

// Where a run of fast candidates from `start` ends: the first packet whose bit is clear, or count.
inline uint16_t fastRunEnd(uint32_t fastMask, uint16_t start, uint16_t count) {
  const uint64_t refused = ~(uint64_t{fastMask} >> start);  // start < count <= 32
  const uint16_t run = static_cast<uint16_t>(__builtin_ctzll(refused));
  return run < count - start ? static_cast<uint16_t>(start + run) : count;
}

}  // namespace sbc::dataplane
