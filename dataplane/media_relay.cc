#include "dataplane/media_relay.h"

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "dataplane/checksum.h"
#include "dataplane/classify.h"
#include "dataplane/media_relay_fast.h"
#include "dataplane/unaligned.h"

namespace sbc::dataplane {
namespace {

struct PacketSource {
  const uint8_t* address;
  uint16_t portBe;
  IpFamily family;
};

// Where the headers of a classified UDP packet are, computed once per packet.
struct MediaPacket {
  uint8_t* frame;
  uint8_t* l3;
  rte_udp_hdr* udp;
  bool v6;

  explicit MediaPacket(rte_mbuf* m)
      : frame(rte_pktmbuf_mtod(m, uint8_t*)),
        l3(frame + m->l2_len),
        udp(reinterpret_cast<rte_udp_hdr*>(l3 + m->l3_len)),
        v6(isIpv6(m)) {}

  PacketSource source() const {
    if (v6) return {reinterpret_cast<rte_ipv6_hdr*>(l3)->src_addr, udp->src_port, IpFamily::kV6};
    return {reinterpret_cast<const uint8_t*>(&reinterpret_cast<rte_ipv4_hdr*>(l3)->src_addr),
            udp->src_port, IpFamily::kV4};
  }
  const uint8_t* sourceMac() const { return reinterpret_cast<rte_ether_hdr*>(frame)->src_addr.addr_bytes; }
};

inline WireAddress wireOf(const PacketSource& s) {
  WireAddress w{};
  std::memcpy(w.address, s.address, s.family == IpFamily::kV4 ? 4 : 16);
  w.portBe = s.portBe;
  w.family = s.family;
  return w;
}

// Moves `flow` from `from` to latched on `source`, and points the opposite flow (which sends
// toward this peer) at it. Only one worker wins the compare-and-swap; a loser drops its packet.
// The fast path stays closed (latchedV4 0) until startSource has seen the source's first packet.
bool latch(const MediaContext& ctx, Flow& flow, const PacketSource& source, const uint8_t* sourceMac,
           LatchState from) {
  FlowCold& cold = ctx.coldOf(flow);
  uint32_t expected = static_cast<uint32_t>(from);
  if (!cold.latchState.compare_exchange_strong(expected,
                                               static_cast<uint32_t>(LatchState::kLatching),
                                               std::memory_order_acq_rel))
    return false;
  // While latching, the fast path admits nobody (the general path sees kLatching and drops).
  flow.latchedV4.store(0, std::memory_order_relaxed);
  WireAddress w = wireOf(source);
  cold.latched = w;
  if (Flow* opposite = cold.opposite; opposite != nullptr) {
    FlowCold& oppositeCold = ctx.coldOf(*opposite);
    DestinationSnapshot d = readDestination(*opposite, oppositeCold);  // we are its only writer now
    bool sameHost = d.peer.family == w.family &&
                    std::memcmp(d.peer.address, w.address, sizeof w.address) == 0;
    if (!sameHost) {
      // A NATed peer: answer through whatever sent us its packets (its router or itself).
      d.neighborIndex = kNoNeighbor;
      std::memcpy(d.directMac.data(), sourceMac, 6);
    }
    d.peer = w;
    writeDestination(*opposite, oppositeCold, d);
  }
  cold.latchState.store(static_cast<uint32_t>(LatchState::kLatched), std::memory_order_release);
  return true;
}

inline bool matchesExpected(const MediaContext& ctx, const Flow& flow, const PacketSource& s) {
  const WireAddress& e = ctx.coldOf(flow).expected;
  if (e.family != s.family) return false;
  if (std::memcmp(e.address, s.address, s.family == IpFamily::kV4 ? 4 : 16) != 0) return false;
  return (flow.flags & flow_flags::kAnyPeerPort) || e.portBe == s.portBe;
}

// Returns false (and counts why) when the packet's source may not use this flow.
inline bool admitSource(MediaContext& ctx, Flow& flow, rte_mbuf* m, const MediaPacket& p) {
  const PacketSource s = p.source();
  const FlowCold& cold = ctx.coldOf(flow);
  uint32_t state = cold.latchState.load(std::memory_order_acquire);
  const uint8_t* sourceMac = p.sourceMac();
  if (likely(state == static_cast<uint32_t>(LatchState::kLatched))) {
    if (likely(cold.latched.sameAs(s.address, s.portBe, s.family))) return true;
    FlowStats& st = ctx.flowStats[ctx.slotOf(flow)];
    const int32_t silence = elapsedCoarse(ctx.nowCoarse, flow.lastSeenCoarse.load(std::memory_order_relaxed));
    if ((flow.flags & flow_flags::kRelatchAllowed) &&
        silence > static_cast<int32_t>(cold.relatchSilenceCoarse) &&
        (flow.flags & flow_flags::kLatchAnySource || matchesExpected(ctx, flow, s)) &&
        !hasOwnSource(*ctx.ingress, m) && latch(ctx, flow, s, sourceMac, LatchState::kLatched)) {
      ++ctx.counters->relatches;
      ++st.latches;
      return true;
    }
    ++st.sourceDrops;
    ctx.counters->drop(DropReason::kMediaSourceMismatch);
    return false;
  }
  // Never latch onto our own address: a spoofed packet would make us send media to ourselves.
  if (((flow.flags & flow_flags::kLatchAnySource) || matchesExpected(ctx, flow, s)) &&
      !hasOwnSource(*ctx.ingress, m) && latch(ctx, flow, s, sourceMac, LatchState::kUnlatched)) {
    ++ctx.counters->latches;
    ++ctx.flowStats[ctx.slotOf(flow)].latches;
    return true;
  }
  ++ctx.flowStats[ctx.slotOf(flow)].sourceDrops;
  ctx.counters->drop(DropReason::kMediaUnexpectedSource);
  return false;
}

inline void writeEthernet(uint8_t* frame, const uint8_t* dstMac, const InterfaceRuntime& egress,
                          uint16_t etherTypeBe) {
  auto* eth = reinterpret_cast<rte_ether_hdr*>(frame);
  std::memcpy(eth->dst_addr.addr_bytes, dstMac, 6);
  std::memcpy(eth->src_addr.addr_bytes, egress.mac.data(), 6);
  if (egress.vlan != 0) {
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
    auto* vlan = reinterpret_cast<rte_vlan_hdr*>(eth + 1);
    vlan->vlan_tci = rte_cpu_to_be_16(egress.vlan);
    vlan->eth_proto = etherTypeBe;
  } else {
    eth->ether_type = etherTypeBe;
  }
}

// Same family, same L2 size: the common case, rewritten in place with incremental checksums.
inline void rewriteInPlace(const MediaPacket& p, const InterfaceRuntime& egress,
                           const uint8_t* dstMac, const WireAddress& from, const WireAddress& to) {
  writeEthernet(p.frame, dstMac, egress,
                rte_cpu_to_be_16(p.v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4));
  rte_udp_hdr* udp = p.udp;
  ChecksumDelta delta;
  if (!p.v6) {
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(p.l3);
    delta.remove(&ip->src_addr, 8);  // source and destination are adjacent
    std::memcpy(&ip->src_addr, from.address, 4);
    std::memcpy(&ip->dst_addr, to.address, 4);
    delta.insert(&ip->src_addr, 8);
    // The IP header checksum covers the same addresses plus the TTL/protocol word.
    ChecksumDelta header = delta;
    header.remove(&ip->time_to_live, 4);  // TTL, protocol, checksum: the checksum word is
    ip->time_to_live = kOriginTtl;        // taken out and put back unchanged below
    uint16_t oldChecksum = ip->hdr_checksum;
    header.insert(&ip->time_to_live, 4);
    ip->hdr_checksum = header.apply(oldChecksum);
  } else {
    auto* ip = reinterpret_cast<rte_ipv6_hdr*>(p.l3);
    delta.remove(ip->src_addr, 32);
    std::memcpy(ip->src_addr, from.address, 16);
    std::memcpy(ip->dst_addr, to.address, 16);
    delta.insert(ip->src_addr, 32);
    ip->hop_limits = kOriginTtl;
  }
  delta.remove(&udp->src_port, 4);
  udp->src_port = from.portBe;
  udp->dst_port = to.portBe;
  delta.insert(&udp->src_port, 4);
  if (udp->dgram_cksum != 0 || p.v6) udp->dgram_cksum = udpChecksumForWire(delta.apply(udp->dgram_cksum));
}

inline void recomputeChecksums(const MediaPacket& p) {
  p.udp->dgram_cksum = 0;
  if (p.v6) {
    p.udp->dgram_cksum = rte_ipv6_udptcp_cksum(reinterpret_cast<rte_ipv6_hdr*>(p.l3), p.udp);
  } else {
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(p.l3);
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    p.udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, p.udp);
  }
}

// Family or VLAN change: headers are rebuilt in front of the UDP header and the UDP checksum is
// computed afresh (the pseudo-header changed shape).
inline bool rewriteRebuild(rte_mbuf* m, bool inV6, const InterfaceRuntime& egress,
                           const uint8_t* dstMac, const WireAddress& from, const WireAddress& to) {
  const bool outV6 = to.family == IpFamily::kV6;
  uint8_t* l3 = rte_pktmbuf_mtod_offset(m, uint8_t*, m->l2_len);
  uint8_t trafficClass = inV6 ? static_cast<uint8_t>(rte_be_to_cpu_32(reinterpret_cast<rte_ipv6_hdr*>(l3)->vtc_flow) >> 20)
                              : reinterpret_cast<rte_ipv4_hdr*>(l3)->type_of_service;
  // Read before the headers move: what a rewrite within one IP version keeps unchanged (the
  // in-place path keeps them too). Across versions there is nothing to keep: ID 0 with DF,
  // flow label 0.
  const uint32_t flowLabel = inV6 ? rte_be_to_cpu_32(reinterpret_cast<rte_ipv6_hdr*>(l3)->vtc_flow) & 0xfffff : 0;
  const uint16_t packetId = inV6 ? 0 : reinterpret_cast<rte_ipv4_hdr*>(l3)->packet_id;
  const uint16_t fragmentField = inV6 ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)
                                      : reinterpret_cast<rte_ipv4_hdr*>(l3)->fragment_offset;
  int oldHeaders = m->l2_len + m->l3_len;
  uint16_t newL2 = egress.vlan != 0 ? sizeof(rte_ether_hdr) + sizeof(rte_vlan_hdr) : sizeof(rte_ether_hdr);
  uint16_t newL3 = outV6 ? sizeof(rte_ipv6_hdr) : sizeof(rte_ipv4_hdr);
  int delta = newL2 + newL3 - oldHeaders;
  if (delta > 0 && rte_pktmbuf_prepend(m, static_cast<uint16_t>(delta)) == nullptr) return false;
  if (delta < 0) rte_pktmbuf_adj(m, static_cast<uint16_t>(-delta));
  m->l2_len = newL2;
  m->l3_len = newL3;
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  auto* udp = reinterpret_cast<rte_udp_hdr*>(frame + newL2 + newL3);
  uint16_t udpLength = rte_be_to_cpu_16(udp->dgram_len);
  writeEthernet(frame, dstMac, egress, rte_cpu_to_be_16(outV6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4));
  udp->src_port = from.portBe;
  udp->dst_port = to.portBe;
  udp->dgram_cksum = 0;
  if (outV6) {
    auto* ip = reinterpret_cast<rte_ipv6_hdr*>(frame + newL2);
    ip->vtc_flow = rte_cpu_to_be_32((6u << 28) | (uint32_t{trafficClass} << 20) | flowLabel);
    ip->payload_len = rte_cpu_to_be_16(udpLength);
    ip->proto = IPPROTO_UDP;
    ip->hop_limits = kOriginTtl;
    std::memcpy(ip->src_addr, from.address, 16);
    std::memcpy(ip->dst_addr, to.address, 16);
    udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
    m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP;
  } else {
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(frame + newL2);
    ip->version_ihl = RTE_IPV4_VHL_DEF;
    ip->type_of_service = trafficClass;
    ip->total_length = rte_cpu_to_be_16(static_cast<uint16_t>(udpLength + sizeof(rte_ipv4_hdr)));
    ip->packet_id = packetId;
    ip->fragment_offset = fragmentField;
    ip->time_to_live = kOriginTtl;
    ip->next_proto_id = IPPROTO_UDP;
    std::memcpy(&ip->src_addr, from.address, 4);
    std::memcpy(&ip->dst_addr, to.address, 4);
    ip->hdr_checksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
    m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
  }
  return true;
}

inline bool looksLikeRtpOrRtcp(const MediaPacket& p, bool& isRtcp) {
  uint16_t payloadLength = rte_be_to_cpu_16(p.udp->dgram_len) - sizeof(rte_udp_hdr);
  auto* payload = reinterpret_cast<const uint8_t*>(p.udp + 1);
  // RTCP's smallest packet (an empty RR) is 8 bytes; RTP's fixed header is 12.
  if (payloadLength < 8 || (payload[0] & 0xc0) != 0x80) return false;
  // RFC 5761 §4: with rtcp-mux, RTCP packet types 192..223 sit where RTP payload types 64..95
  // (with the marker bit) would be.
  isRtcp = payload[1] >= 192 && payload[1] <= 223;
  return isRtcp || payloadLength >= 12;
}

// The sequence number field of an RTP header (bytes 2-3); an RTCP packet's length there.
inline uint16_t rtpSequence(const MediaPacket& p) {
  return rte_be_to_cpu_16(load16(reinterpret_cast<const uint8_t*>(p.udp + 1) + 2));
}

// Starts the loss count of a stream at its first RTP packet (RFC 3550 A.1: base and highest are
// its sequence number, no cycles yet), keeping what the flow lost before.
void restartCount(RtpLoss& loss, Flow& flow, uint16_t sequence) {
  const uint32_t packets = flow.packets.load(std::memory_order_relaxed);
  if (loss.started)
    loss.lostBefore += lostSinceBase(flow.highestSequence.load(std::memory_order_relaxed), packets, loss);
  loss.base = sequence;
  loss.packetsAtBase = packets;
  loss.uncounted = 0;
  loss.jumped = false;
  loss.started = true;
  flow.highestSequence.store(sequence, std::memory_order_relaxed);
}

// The first packet from a newly latched source (or from the latched source of a flow an update
// just published), admitted: on an RTP flow, an RTP packet starts the loss count; RTCP
// (rtcp-mux) leaves the fast path closed until RTP comes. Then the fast path opens, with the
// checksum terms of the addresses and ports its packets arrive with: this packet's.
void startSource(MediaContext& ctx, Flow& flow, const MediaPacket& p, uint16_t sequence, bool isRtcp) {
  FlowCold& cold = ctx.coldOf(flow);
  if (!(flow.flags & flow_flags::kRtcp)) {
    if (isRtcp) return;
    restartCount(cold.loss, flow, sequence);
  }
  if (!p.v6) {
    auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(p.l3);
    flow.checksumLeaving = checksumTermsLeaving(ip->src_addr, ip->dst_addr, load32(p.udp));
  }
  flow.latchedV4.store(admittedIdentityOf(cold.latched, flow.flags), std::memory_order_release);
}

// RFC 3550 A.1's "very large jump" (isSequenceJump): the packet is relayed but not counted,
// unless it continues the jump the one before made: then the stream restarted (a new SSRC from
// the same address), and the count starts again here. Returns whether the packet counts as RTP.
bool sequenceJump(MediaContext& ctx, Flow& flow, uint16_t sequence) {
  RtpLoss& loss = ctx.coldOf(flow).loss;
  if (loss.jumped && sequence == loss.afterJump) {
    restartCount(loss, flow, sequence);
    return true;
  }
  loss.jumped = true;
  loss.afterJump = static_cast<uint16_t>(sequence + 1);
  return false;
}

// An admitted packet dropped on the way out (no next hop, no headroom) was received all the
// same: RTP counts toward the sequence and as received, though Flow::packets does not hold it.
inline void countDroppedAfterAdmission(MediaContext& ctx, Flow& flow, uint16_t sequence, bool sequenced) {
  if (!sequenced) return;
  ++ctx.coldOf(flow).loss.uncounted;
  flow.countSequence(sequence, false);
}

// What relayGeneral did with a packet, for the burst's totals.
enum class Relayed : uint8_t { kDropped, kRtp, kRtcp };


// The common case in straight-line code: RTP over IPv4 from the flow's latched peer, toward an
// IPv4 peer whose MAC is known, out of an untagged interface (a flow toward a tagged one never
// admits a source here: admittedIdentityOf). Only the flow's first line is read.
// The checksums are adjusted for the words that change (RFC 1624): the addresses and ports by
// the flow's terms for them (checksumTerms), the TTL here. Returns false, having changed nothing,
// for anything else: relayGeneral then decides, with every check and drop reason.
// `m` must be a fastCandidate, `flow` the flow in `slot`; with kHomes, `slot` is the key's home,
// and its mark is read first (relayFastRunScalar).
template <bool kHomes>
__attribute__((always_inline)) inline bool relayFastV4(MediaContext& ctx, rte_mbuf* m, Flow& flow, uint32_t slot) {
  if (kHomes && unlikely(!flow.atHome())) return false;
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  constexpr unsigned kIp = sizeof(rte_ether_hdr);
  constexpr unsigned kUdp = kIp + sizeof(rte_ipv4_hdr);
  constexpr unsigned kRtp = kUdp + sizeof(rte_udp_hdr);
  const uint32_t source = load32(frame + kIp + offsetof(rte_ipv4_hdr, src_addr));
  const uint32_t ports = load32(frame + kUdp);  // source, destination: as on the wire
  if (v4Identity(source, static_cast<uint16_t>(ports)) != flow.latchedV4.load(std::memory_order_acquire))
    return false;
  const uint32_t leaving = flow.checksumLeaving;  // set before latchedV4
  // RTP: version 2 and not RTCP (RFC 5761 §4 for telling them apart); its 12 bytes are there, as
  // in every fast candidate (fastCandidate). RTCP
  // (a few packets a minute, muxed here or on a flow of its own, which never matches latchedV4)
  // takes the general path, and so does a jump in the sequence number: both are for the loss
  // count to judge.
  // Byte swaps by the compiler (one rotate), not rte_be_to_cpu_16's inline asm (an exchange of
  // byte registers, three micro-ops on x86).
  const uint8_t first = frame[kRtp], second = frame[kRtp + 1];
  if ((first & 0xc0) != 0x80 || static_cast<uint8_t>(second - 192) < 32) return false;
  const uint32_t highest = flow.highestSequence.load(std::memory_order_relaxed);
  const int32_t ahead = Flow::sequenceAhead(highest, __builtin_bswap16(load16(frame + kRtp + 2)));
  if (unlikely(isSequenceJump(ahead))) return false;

  // The destination, read under its sequence: neighbour index and direct MAC are one word,
  // port, family and IPv4 address another.
  const FlowDestination& d = flow.destination;
  const uint32_t sequence = d.sequence.load(std::memory_order_acquire);
  const uint64_t hop = load64(&d.neighborIndex);
  const uint64_t peer = load64(&d.peerPortBe);
  const uint32_t entering = d.checksumEntering;
  std::atomic_thread_fence(std::memory_order_acquire);
  // Even (no write under way) and unchanged: the writers only ever add to it.
  if (d.sequence.load(std::memory_order_relaxed) != (sequence & ~1u)) return false;
  static_assert(offsetof(FlowDestination, directMac) == offsetof(FlowDestination, neighborIndex) + 2 &&
                offsetof(FlowDestination, peerV4) == offsetof(FlowDestination, peerPortBe) + 4 &&
                offsetof(FlowDestination, peerFamily) == offsetof(FlowDestination, peerPortBe) + 2);
  if (((peer >> 16) & 0xff) != static_cast<uint8_t>(IpFamily::kV4)) return false;
  uint64_t dstMac;
  if (!nextHopMac(ctx, hop, dstMac)) return false;
  TxBuffer& tx = ctx.tx[flow.egressInterface];
  const EgressHeader& egress = tx.egress;

  // Ethernet: destination and source MACs; the type stays IPv4.
  const uint64_t macs = dstMac | egress.sourceHead;
  std::memcpy(frame, &macs, 8);
  std::memcpy(frame + 8, &egress.sourceTail, 4);
  // IPv4: addresses and TTL; UDP: ports; and both checksums.
  const uint32_t newDestination = static_cast<uint32_t>(peer >> 32);
  const uint32_t newPorts = flow.egressPortBe | static_cast<uint32_t>(peer & 0xffff) << 16;
  const uint32_t egressV4 = flow.egressV4;  // read once: the frame's stores might alias it
  uint8_t* ttlProtocol = frame + kIp + offsetof(rte_ipv4_hdr, time_to_live);
  // A fast candidate is UDP (classify set its packet type so only for protocol 17).
  constexpr uint16_t newTtlProtocol = kOriginTtl | IPPROTO_UDP << 8;
  uint8_t* ipChecksum = frame + kIp + offsetof(rte_ipv4_hdr, hdr_checksum);
  const uint16_t ipCk = ipv4ChecksumRelayed(load16(ipChecksum), load16(ttlProtocol), newTtlProtocol, leaving, entering);
  std::memcpy(ttlProtocol, &newTtlProtocol, 2);
  std::memcpy(ipChecksum, &ipCk, 2);
  const uint64_t newAddresses = egressV4 | uint64_t{newDestination} << 32;
  std::memcpy(frame + kIp + offsetof(rte_ipv4_hdr, src_addr), &newAddresses, 8);
  std::memcpy(frame + kUdp, &newPorts, 4);
  uint8_t* udpChecksum = frame + kUdp + offsetof(rte_udp_hdr, dgram_cksum);
  if (const uint16_t old = load16(udpChecksum); old != 0) {  // 0: sent without one, stays so
    const uint16_t ck = udpChecksumRelayed(old, leaving, entering);
    std::memcpy(udpChecksum, &ck, 2);
  }

  queueRelayed(ctx, tx, m, flow, slot, Flow::highestAfter(highest, ahead));
  return true;
}

}  // namespace

namespace {
template <bool kHomes, bool kAsk>
uint16_t relayFastRunScalarOf(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots, uint32_t fastMask,
                              uint16_t start, uint16_t count) {
  const uint16_t end = fastRunEnd(fastMask, start, count);
  uint16_t i = start;
  ctx.bringFirstLines(slots, start);
  while (i < end) {
    if constexpr (kAsk) ctx.askForNextLine(i);
    ctx.bringLineAhead(slots, i);
    if (!relayFastV4<kHomes>(ctx, packets[i], ctx.flows[slots[i]], slots[i])) break;
    ++i;
  }
  return i;
}
}  // namespace

uint16_t relayFastRunScalar(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots, uint32_t fastMask,
                            uint16_t start, uint16_t count, bool homes) {
  if (ctx.nextHomes != nullptr)
    return homes ? relayFastRunScalarOf<true, true>(ctx, packets, slots, fastMask, start, count)
                 : relayFastRunScalarOf<false, true>(ctx, packets, slots, fastMask, start, count);
  return homes ? relayFastRunScalarOf<true, false>(ctx, packets, slots, fastMask, start, count)
               : relayFastRunScalarOf<false, false>(ctx, packets, slots, fastMask, start, count);
}

namespace {

// Everything else: any family, tags, latching, relatching and every drop. Out of line: inlined,
// it crowds the fast path's loop out of registers.
__attribute__((noinline)) Relayed relayGeneral(MediaContext& ctx, rte_mbuf* m, Flow& flow) {
  WorkerCounters& counters = *ctx.counters;
  const MediaPacket p(m);
  bool isRtcp = false;
  if (unlikely(!looksLikeRtpOrRtcp(p, isRtcp))) {
    counters.drop(DropReason::kMediaNotRtp);
    rte_pktmbuf_free(m);
    return Relayed::kDropped;
  }
  if (unlikely(!admitSource(ctx, flow, m, p))) {
    rte_pktmbuf_free(m);
    return Relayed::kDropped;
  }
  // Whether the packet counts toward the loss count as RTP: not RTCP, and not a jump.
  const uint16_t sequence = rtpSequence(p);
  const bool rtcpFlow = (flow.flags & flow_flags::kRtcp) != 0;
  bool sequenced = !isRtcp && !rtcpFlow;
  if (unlikely(flow.latchedV4.load(std::memory_order_relaxed) == 0))
    startSource(ctx, flow, p, sequence, isRtcp);
  else if (sequenced && unlikely(isSequenceJump(Flow::sequenceAhead(
                            flow.highestSequence.load(std::memory_order_relaxed), sequence))))
    sequenced = sequenceJump(ctx, flow, sequence);
  FlowCold& cold = ctx.coldOf(flow);
  DestinationSnapshot dest = readDestination(flow, cold);
  const uint8_t* dstMac;
  uint64_t macState;
  if (dest.neighborIndex != kNoNeighbor) {
    macState = ctx.neighborMac(dest.neighborIndex);
    dstMac = reinterpret_cast<const uint8_t*>(&macState);
    if (unlikely(!(macState & kNeighborResolved))) dstMac = nullptr;
  } else {
    dstMac = dest.directMac.data();
    if (unlikely(dest.peer.family == IpFamily::kNone)) dstMac = nullptr;
  }
  if (unlikely(dstMac == nullptr)) {
    countDroppedAfterAdmission(ctx, flow, sequence, sequenced);
    counters.drop(DropReason::kNoNeighbor);
    rte_pktmbuf_free(m);
    return Relayed::kDropped;
  }
  const InterfaceRuntime& egress = ctx.interfaces->interfaces[flow.egressInterface];
  const bool outV6 = dest.peer.family == IpFamily::kV6;
  const uint16_t egressL2 = egress.vlan != 0 ? 18 : 14;
  const uint32_t inLength = rte_pktmbuf_pkt_len(m);
  if (likely(outV6 == p.v6 && egressL2 == m->l2_len)) {
    rewriteInPlace(p, egress, dstMac, cold.egressSource, dest.peer);
    // The NIC vouched for the data but not for the checksum field (virtio, veth offload):
    // there is no valid checksum to adjust, so compute it whole.
    if (unlikely((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE))
      recomputeChecksums(p);
  } else if (unlikely(!rewriteRebuild(m, p.v6, egress, dstMac, cold.egressSource, dest.peer))) {
    countDroppedAfterAdmission(ctx, flow, sequence, sequenced);
    counters.drop(DropReason::kTruncatedFrame);
    rte_pktmbuf_free(m);
    return Relayed::kDropped;
  }
  flow.countSequence(sequence, !sequenced);
  if (unlikely(!sequenced && !rtcpFlow)) --cold.loss.uncounted;
  flow.countPacket(inLength);
  flow.lastSeenCoarse.store(ctx.nowCoarse, std::memory_order_relaxed);
  ctx.tx[flow.egressInterface].append(m, rte_pktmbuf_pkt_len(m), ctx.slotOf(flow));  // as rewritten
  return isRtcp || rtcpFlow ? Relayed::kRtcp : Relayed::kRtp;
}

}  // namespace

EgressHeader makeEgressHeader(const InterfaceRuntime& egress) {
  EgressHeader h;
  uint16_t head;
  std::memcpy(&head, egress.mac.data(), 2);
  h.sourceHead = uint64_t{head} << 48;
  std::memcpy(&h.sourceTail, egress.mac.data() + 2, 4);
  h.vlan = egress.vlan;
  return h;
}

uint16_t relayBurst(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots, uint32_t fastMask,
                    uint16_t count, bool known) {
  // Unless the flows are known, each packet's mark is read first, with acquire, as the packet
  // comes (in the fast run's loop, or here for the general path): a line whose mark is set holds
  // its key's flow as the control side published it, for every read after this one (a home line
  // is filled again for a new flow once the old one's grace period is over: a read before the
  // mark could see the old contents). The first packet without one ends the burst here, for the
  // caller to find the rest's flows. A loop over the whole burst that read the marks first and
  // tested them (and asked for the next hops' entries: a few hundred bytes per next hop, which
  // the relay's reads find in cache anyway) cost about 0.3 ns a packet on a Zen 5 host (sbcbench
  // relay at 100k sessions both ways, 8 alternated pairs: ratio 0.5445 -> 0.5505).
  // The burst's totals, in registers until its end.
  uint64_t relayed = 0, rtcp = 0;
  uint16_t i = 0;
  while (i < count) {
    const uint16_t stop = ctx.path == FastPath::kAvx512
                              ? relayFastRunAvx512(ctx, packets, slots, fastMask, i, count, !known)
                              : relayFastRunScalar(ctx, packets, slots, fastMask, i, count, !known);
    relayed += stop - i;  // RTP
    i = stop;
    if (stop == count) break;
    Flow& flow = ctx.flows[slots[stop]];
    if (!known && unlikely(!flow.atHome())) break;
    if (ctx.nextHomes != nullptr) ctx.askForNextLine(stop);
    const Relayed r = relayGeneral(ctx, packets[stop], flow);
    relayed += r != Relayed::kDropped;
    rtcp += r == Relayed::kRtcp;
    ++i;
  }
  ctx.counters->mediaPackets += relayed;
  ctx.counters->rtcpPackets += rtcp;
  return i;
}

}  // namespace sbc::dataplane
