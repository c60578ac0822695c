#include "dataplane/classify.h"

#include "dataplane/checksum.h"
#include "dataplane/classify_fast.h"
#include "dataplane/unaligned.h"

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

namespace sbc::dataplane {
namespace {

constexpr uint8_t kIcmpv6 = 58;
constexpr uint8_t kNeighborSolicitation = 135;
constexpr uint8_t kNeighborAdvertisement = 136;

enum class Verdict : uint8_t { kUdp, kArp, kNeighborDiscovery, kLocal, kDrop };

struct Outcome {
  Verdict verdict;
  DropReason reason;
};

inline Outcome drop(DropReason r) { return {Verdict::kDrop, r}; }

inline bool isV4MulticastOrBroadcast(uint32_t addressBe) {
  uint32_t a = rte_be_to_cpu_32(addressBe);
  return (a >> 28) == 0xe || a == 0xffffffffu;
}

// No packet from the wire may claim "this network" (0/8), loopback (127/8), multicast or
// broadcast as its source: a latch-any leg would otherwise send media there.
inline bool isV4ImpossibleSource(uint32_t addressBe) {
  uint32_t a = rte_be_to_cpu_32(addressBe);
  uint32_t first = a >> 24;
  return first == 0 || first == 127 || (a >> 28) == 0xe || a == 0xffffffffu;
}

inline bool isV6UnspecifiedOrLoopback(const uint8_t* a) {
  static constexpr uint8_t kZero[15] = {};
  return std::memcmp(a, kZero, 15) == 0 && (a[15] == 0 || a[15] == 1);
}

// The L4 checksum as the NIC judged it: GOOD, or NONE ("the field is not valid but the data
// is": virtio and veths with offload) are accepted; BAD is refused; UNKNOWN is checked here.
template <typename VerifyFn>
inline bool l4Acceptable(const rte_mbuf* m, VerifyFn verify) {
  uint64_t flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
  if (flags == RTE_MBUF_F_RX_L4_CKSUM_GOOD || flags == RTE_MBUF_F_RX_L4_CKSUM_NONE) return true;
  if (flags == RTE_MBUF_F_RX_L4_CKSUM_BAD) return false;
  return verify();
}

Outcome classifyUdpV4(rte_mbuf* m, const rte_ipv4_hdr* ip, uint16_t l4Offset, uint16_t ipLength,
                      FlowKey& key) {
  if (ipLength < sizeof(rte_ipv4_hdr) + sizeof(rte_udp_hdr)) return drop(DropReason::kUdpBadLength);
  auto* udp = rte_pktmbuf_mtod_offset(m, const rte_udp_hdr*, l4Offset);
  if (rte_be_to_cpu_16(udp->dgram_len) != ipLength - sizeof(rte_ipv4_hdr))
    return drop(DropReason::kUdpBadLength);
  if (udp->dgram_cksum != 0 &&
      !l4Acceptable(m, [&] { return ipv4UdpChecksumHolds(ip, udp, ipLength - sizeof(rte_ipv4_hdr)); }))
    return drop(DropReason::kUdpBadChecksum);
  std::memset(&key, 0, sizeof key);
  std::memcpy(key.address, &ip->dst_addr, 4);
  key.udpPortBe = udp->dst_port;
  key.portId = m->port;
  key.family = static_cast<uint8_t>(IpFamily::kV4);
  return {Verdict::kUdp, DropReason::kCount};
}

Outcome classifyIpv4(const InterfaceRuntime& iface, rte_mbuf* m, uint16_t l2Length,
                     FlowKey& key) {
  uint32_t frameLength = rte_pktmbuf_pkt_len(m);
  if (frameLength < l2Length + sizeof(rte_ipv4_hdr)) return drop(DropReason::kTruncatedFrame);
  auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, l2Length);
  if ((ip->version_ihl >> 4) != 4) return drop(DropReason::kIpBadVersion);
  uint8_t ihl = ip->version_ihl & 0xf;
  if (ihl < 5) return drop(DropReason::kIpBadHeaderLength);
  if (ihl > 5) return drop(DropReason::kIpOptions);
  uint16_t ipLength = rte_be_to_cpu_16(ip->total_length);
  if (ipLength < sizeof(rte_ipv4_hdr) || ipLength > frameLength - l2Length)
    return drop(DropReason::kIpBadTotalLength);
  uint64_t ipFlags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
  if (ipFlags == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
      (ipFlags != RTE_MBUF_F_RX_IP_CKSUM_GOOD && onesComplementSum(ip, sizeof *ip) != 0xffff))
    return drop(DropReason::kIpBadChecksum);
  // A fragment for one of our addresses goes whole to the kernel behind the exception path,
  // which reassembles the datagram (a SIP message larger than a frame); media never arrives so.
  // One for anyone else is not ours to forward.
  const bool fragment =
      (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
  if (fragment && !iface.ownsV4(ip->dst_addr)) return drop(DropReason::kIpFragment);
  if (ip->time_to_live == 0) return drop(DropReason::kIpTtlExpired);
  if (isV4ImpossibleSource(ip->src_addr)) return drop(DropReason::kIpBadSource);
  if (isV4MulticastOrBroadcast(ip->dst_addr)) return drop(DropReason::kNotForUs);

  // Ethernet pads short frames to 60 bytes; the IP length says where the packet ends.
  if (frameLength > l2Length + ipLength) rte_pktmbuf_trim(m, frameLength - l2Length - ipLength);
  m->l2_len = l2Length;
  m->l3_len = sizeof(rte_ipv4_hdr);
  m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4;

  if (fragment) {
    m->packet_type |= RTE_PTYPE_L4_FRAG;
    return {Verdict::kLocal, DropReason::kCount};
  }
  if (ip->next_proto_id == IPPROTO_UDP) {
    m->packet_type |= RTE_PTYPE_L4_UDP;
    return classifyUdpV4(m, ip, l2Length + sizeof(rte_ipv4_hdr), ipLength, key);
  }
  if (!iface.ownsV4(ip->dst_addr)) return drop(DropReason::kNotForUs);
  return {Verdict::kLocal, DropReason::kCount};
}

bool isOurSolicitedNode(const InterfaceRuntime& iface, const uint8_t* dst) {
  static constexpr uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  if (std::memcmp(dst, kPrefix, 13) != 0) return false;
  uint32_t low24 = (uint32_t{dst[13]} << 16) | (uint32_t{dst[14]} << 8) | dst[15];
  for (unsigned i = 0; i < iface.v6Count; ++i)
    if (iface.v6SolicitedLow24[i] == low24) return true;
  return false;
}

bool isAllNodes(const uint8_t* dst) {
  static constexpr uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return std::memcmp(dst, kAllNodes, 16) == 0;
}

Outcome classifyIpv6(const InterfaceRuntime& iface, rte_mbuf* m, uint16_t l2Length,
                     FlowKey& key) {
  uint32_t frameLength = rte_pktmbuf_pkt_len(m);
  if (frameLength < l2Length + sizeof(rte_ipv6_hdr)) return drop(DropReason::kTruncatedFrame);
  auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv6_hdr*, l2Length);
  if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6) return drop(DropReason::kIpBadVersion);
  uint16_t payloadLength = rte_be_to_cpu_16(ip->payload_len);
  if (payloadLength > frameLength - l2Length - sizeof(rte_ipv6_hdr))
    return drop(DropReason::kIpBadTotalLength);
  if (ip->hop_limits == 0) return drop(DropReason::kIpTtlExpired);
  // The unspecified source is legitimate only in duplicate address detection (an NS).
  if (ip->src_addr[0] == 0xff || (isV6UnspecifiedOrLoopback(ip->src_addr) && ip->proto != kIcmpv6))
    return drop(DropReason::kIpBadSource);
  uint32_t end = l2Length + sizeof(rte_ipv6_hdr) + payloadLength;
  if (frameLength > end) rte_pktmbuf_trim(m, frameLength - end);
  m->l2_len = l2Length;
  m->l3_len = sizeof(rte_ipv6_hdr);
  m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6;
  uint16_t l4Offset = l2Length + sizeof(rte_ipv6_hdr);
  bool multicast = ip->dst_addr[0] == 0xff;

  switch (ip->proto) {
    case IPPROTO_UDP: {
      if (multicast) return drop(DropReason::kNotForUs);
      if (payloadLength < sizeof(rte_udp_hdr)) return drop(DropReason::kUdpBadLength);
      auto* udp = rte_pktmbuf_mtod_offset(m, const rte_udp_hdr*, l4Offset);
      if (rte_be_to_cpu_16(udp->dgram_len) != payloadLength) return drop(DropReason::kUdpBadLength);
      if (udp->dgram_cksum == 0) return drop(DropReason::kUdpZeroChecksumV6);
      if (!l4Acceptable(m, [&] { return rte_ipv6_udptcp_cksum_verify(ip, udp) == 0; }))
        return drop(DropReason::kUdpBadChecksum);
      m->packet_type |= RTE_PTYPE_L4_UDP;
      std::memcpy(key.address, ip->dst_addr, 16);
      key.udpPortBe = udp->dst_port;
      key.portId = m->port;
      key.family = static_cast<uint8_t>(IpFamily::kV6);
      std::memset(key.pad, 0, sizeof key.pad);
      return {Verdict::kUdp, DropReason::kCount};
    }
    case kIcmpv6: {
      if (payloadLength < 4) return drop(DropReason::kTruncatedFrame);
      auto* icmp = rte_pktmbuf_mtod_offset(m, const uint8_t*, l4Offset);
      bool nd = icmp[0] == kNeighborSolicitation || icmp[0] == kNeighborAdvertisement;
      bool forUs = iface.ownsV6(ip->dst_addr) ||
                   (nd && (isOurSolicitedNode(iface, ip->dst_addr) || isAllNodes(ip->dst_addr)));
      if (!forUs) return drop(DropReason::kNotForUs);
      return {nd ? Verdict::kNeighborDiscovery : Verdict::kLocal, DropReason::kCount};
    }
    case IPPROTO_TCP:
      if (!iface.ownsV6(ip->dst_addr)) return drop(DropReason::kNotForUs);
      return {Verdict::kLocal, DropReason::kCount};
    case IPPROTO_FRAGMENT:  // as for IPv4: ours to the kernel, which reassembles
      if (multicast || !iface.ownsV6(ip->dst_addr)) return drop(DropReason::kIpFragment);
      m->packet_type |= RTE_PTYPE_L4_FRAG;
      return {Verdict::kLocal, DropReason::kCount};
    case IPPROTO_HOPOPTS:
    case IPPROTO_ROUTING:
    case IPPROTO_DSTOPTS:
    case IPPROTO_AH:
    case IPPROTO_ESP:
      return drop(DropReason::kIpv6ExtensionHeader);
    default:
      if (multicast || !iface.ownsV6(ip->dst_addr)) return drop(DropReason::kNotForUs);
      return {Verdict::kLocal, DropReason::kCount};
  }
}

Outcome classifyArp(rte_mbuf* m, uint16_t l2Length) {
  if (rte_pktmbuf_pkt_len(m) < l2Length + sizeof(rte_arp_hdr)) return drop(DropReason::kTruncatedFrame);
  auto* arp = rte_pktmbuf_mtod_offset(m, const rte_arp_hdr*, l2Length);
  if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
      arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != 6 ||
      arp->arp_plen != 4)
    return drop(DropReason::kArpMalformed);
  m->l2_len = l2Length;
  m->packet_type = RTE_PTYPE_L2_ETHER_ARP;
  return {Verdict::kArp, DropReason::kCount};
}


// The common case — an untagged IPv4/UDP datagram without options or fragments, for our MAC,
// from and to unicast addresses, with consistent lengths and good checksums — checked with
// five word loads and a few compares (as VPP's ip4-input does). Anything else, valid or not,
// returns false and goes through the full parser below, which knows every drop reason.
// `ourMac` is the interface's MAC in the low 48 bits, as an 8-byte load from the frame gives it.
inline bool classifyFastIpv4Udp(uint64_t ourMac, rte_mbuf* m, FlowKey& key) {
  const uint32_t frameLength = rte_pktmbuf_pkt_len(m);
  // Ethernet, IPv4 and UDP headers, and an RTP header's 12 bytes: shorter datagrams are for the
  // full parser, and no fast candidates (fastCandidate).
  constexpr uint32_t kHeaders = sizeof(rte_ether_hdr) + sizeof(rte_ipv4_hdr) + kMinFastUdpLength;
  // One segment: the frame is all in the first (the full parser linearises the others).
  if (unlikely(frameLength < kHeaders || !rte_pktmbuf_is_contiguous(m))) return false;
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  const uint64_t macs = load64(frame);            // destination MAC, 2 bytes of the source
  const uint64_t typeToId = load64(frame + 12);   // ethertype, version/IHL, TOS, length, ID
  const uint64_t fragmentToSource = load64(frame + 20);  // flags/offset, TTL, protocol, ...
  const uint32_t source = load32(frame + 26);
  const uint32_t destination = load32(frame + 30);
  const uint64_t udp = load64(frame + 34);        // ports, length, checksum
  // Byte swaps by the compiler (a rotate), not rte_be_to_cpu_16's inline asm (an exchange of
  // byte registers: three micro-ops, and perf finds both in this loop's hot spots).
  const uint32_t ipLength = __builtin_bswap16(static_cast<uint16_t>(typeToId >> 32));
  const uint32_t udpLength = __builtin_bswap16(static_cast<uint16_t>(udp >> 32));
  const uint8_t sourceFirst = static_cast<uint8_t>(source), destinationFirst = static_cast<uint8_t>(destination);
  // What must be zero, in one word (byte order of the masks: the words as loaded, little-endian,
  // from wire-order bytes): destination MAC; 08 00 45 (IPv4, IHL 5); no MF, offset 0, UDP.
  const uint64_t fields = ((macs ^ ourMac) << 16) | ((typeToId & 0xffffff) ^ 0x450008) |
                          ((fragmentToSource & 0xff00ff3f) ^ 0x11000000);
  // Then: a TTL; 40 <= IP length <= what the frame holds (one unsigned compare, frameLength being
  // at least kHeaders); UDP length = IP length - 20; no source in 0/8, 127/8 or 224/3 and no
  // destination in 224/3 (those go to the full parser, which decides).
  const bool bad = (fields != 0) | ((fragmentToSource & 0x00ff0000) == 0) |
                   (ipLength - (sizeof(rte_ipv4_hdr) + kMinFastUdpLength) > frameLength - kHeaders) |
                   (udpLength + sizeof(rte_ipv4_hdr) != ipLength) |
                   (static_cast<uint8_t>(sourceFirst - 1) >= 223) | (sourceFirst == 127) |
                   (destinationFirst >= 224);
  if (unlikely(bad)) return false;
  const uint64_t checksumFlags = m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK);
  if (unlikely(checksumFlags != (RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD))) {
    // A port that gives no verdict (af_packet, most virtual ports): verify here. A verdict of
    // BAD, or anything that fails, goes to the full parser, which names the fault.
    if (checksumFlags != (RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN | RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN)) return false;
    if (!ipv4UdpFrameChecksumsHold(frame, static_cast<uint16_t>(udpLength))) return false;
  }
  // Ethernet padding off; one segment, so without rte_pktmbuf_trim's walk to the last one.
  if (unlikely(frameLength > ipLength + sizeof(rte_ether_hdr))) {
    const uint16_t padding = static_cast<uint16_t>(frameLength - ipLength - sizeof(rte_ether_hdr));
    m->data_len = static_cast<uint16_t>(m->data_len - padding);
    m->pkt_len -= padding;
  }
  // l2_len and l3_len: the low 16 bits of tx_offload.
  m->tx_offload = (m->tx_offload & ~uint64_t{0xffff}) | sizeof(rte_ether_hdr) | sizeof(rte_ipv4_hdr) << 7;
  m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
  const uint64_t rest = ((udp >> 16) & 0xffff) | uint64_t{m->port} << 16 |
                        uint64_t{static_cast<uint8_t>(IpFamily::kV4)} << 32;
  storeFlowKeyWords(key, destination, rest);
  return true;
}

// Kept out of line: inlined, it crowds the fast loop out of registers.
__attribute__((noinline)) Outcome classifyOne(const InterfaceRuntime& iface, rte_mbuf* m, FlowKey& key) {
  if (rte_pktmbuf_pkt_len(m) < sizeof(rte_ether_hdr)) return drop(DropReason::kTruncatedFrame);
  auto* eth = rte_pktmbuf_mtod(m, const rte_ether_hdr*);
  // Unicast frames for another station (a promiscuous or bridged port sees them) are not ours.
  if (rte_is_unicast_ether_addr(&eth->dst_addr) &&
      std::memcmp(eth->dst_addr.addr_bytes, iface.mac.data(), 6) != 0)
    return drop(DropReason::kNotForUs);
  uint16_t etherType = eth->ether_type;
  uint16_t l2Length = sizeof(rte_ether_hdr);
  if (etherType == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
    if (rte_pktmbuf_pkt_len(m) < sizeof(rte_ether_hdr) + sizeof(rte_vlan_hdr))
      return drop(DropReason::kTruncatedFrame);
    auto* vlan = reinterpret_cast<const rte_vlan_hdr*>(eth + 1);
    if ((rte_be_to_cpu_16(vlan->vlan_tci) & 0xfff) != iface.vlan) return drop(DropReason::kWrongVlan);
    etherType = vlan->eth_proto;
    l2Length += sizeof(rte_vlan_hdr);
  } else if (iface.vlan != 0) {
    return drop(DropReason::kWrongVlan);
  }
  switch (etherType) {
    case RTE_BE16(RTE_ETHER_TYPE_IPV4):
      return classifyIpv4(iface, m, l2Length, key);
    case RTE_BE16(RTE_ETHER_TYPE_IPV6):
      return classifyIpv6(iface, m, l2Length, key);
    case RTE_BE16(RTE_ETHER_TYPE_ARP):
      return classifyArp(m, l2Length);
    default:
      return drop(DropReason::kUnknownEthertype);
  }
}

}  // namespace

bool hasOwnSource(const InterfaceRuntime& iface, const rte_mbuf* m) {
  const uint32_t l3 = m->packet_type & RTE_PTYPE_L3_MASK;
  if (l3 == RTE_PTYPE_L3_IPV4)
    return iface.ownsV4(rte_pktmbuf_mtod_offset(m, const rte_ipv4_hdr*, m->l2_len)->src_addr);
  if (l3 == RTE_PTYPE_L3_IPV6)
    return iface.ownsV6(rte_pktmbuf_mtod_offset(m, const rte_ipv6_hdr*, m->l2_len)->src_addr);
  return false;
}

namespace {

// Classifies the packets the fast path refused, which the burst loop left in place among the
// UDP packets (bits of `pending`), so that UDP keeps its order of arrival: UDP gets its key and
// stays, anything else goes to its array or is dropped, and the UDP array closes up. Returns
// the new UDP count. With `homes`, the UDP packets' homes are in out.udpHomes, not their keys
// in out.udpKeys (the AVX-512 path's, with a locator): those it classifies get theirs from it.
__attribute__((noinline)) uint16_t classifyPending(const InterfaceRuntime& iface, ClassifiedBurst& out,
                                                   uint16_t udpCount, uint32_t pending, WorkerCounters& counters,
                                                   FlowTable::Locator* homes) {
  uint32_t fastMask = out.udpFastMask;
  uint32_t gone = 0;  // bits of packets that left the UDP array
  for (uint32_t p = pending; p != 0; p &= p - 1) {
    const unsigned j = static_cast<unsigned>(__builtin_ctz(p));
    rte_mbuf* m = out.udp[j];
    gone |= uint32_t{1} << j;
    // Scattered frames are not produced by the ports we configure (no scatter rx); one that
    // arrives anyway is linearised rather than mis-parsed.
    if (unlikely(!rte_pktmbuf_is_contiguous(m)) && rte_pktmbuf_linearize(m) != 0) {
      counters.drop(DropReason::kTruncatedFrame);
      rte_pktmbuf_free(m);
      continue;
    }
    Outcome o = classifyOne(iface, m, out.udpKeys[j]);
    switch (o.verdict) {
      case Verdict::kUdp:
        gone &= ~(uint32_t{1} << j);
        fastMask |= uint32_t{fastCandidate(m)} << j;
        if (homes != nullptr) out.udpHomes[j] = homes->locateKey(out.udpKeys[j]);
        break;
      case Verdict::kArp:
        out.arp[out.arpCount++] = m;
        break;
      case Verdict::kNeighborDiscovery:
        out.neighborDiscovery[out.neighborDiscoveryCount++] = m;
        break;
      case Verdict::kLocal:
        out.local[out.localCount++] = m;
        break;
      case Verdict::kDrop:
        counters.drop(o.reason);
        rte_pktmbuf_free(m);
        break;
    }
  }
  uint16_t kept = 0;
  uint32_t keptFast = 0;
  for (uint16_t j = 0; j < udpCount; ++j) {
    if ((gone >> j) & 1) continue;
    out.udp[kept] = out.udp[j];
    if (kept != j) {
      if (homes != nullptr)
        out.udpHomes[kept] = out.udpHomes[j];
      else
        out.udpKeys[kept] = out.udpKeys[j];
    }
    keptFast |= ((fastMask >> j) & 1) << kept;
    ++kept;
  }
  out.udpFastMask = keptFast;
  return kept;
}

}  // namespace

void classifyBurst(const InterfaceRuntime& iface, rte_mbuf** packets, uint16_t count,
                   ClassifiedBurst& out, WorkerCounters& counters, FastPath path, FlowTable::Locator* locator) {
  out.arpCount = out.neighborDiscoveryCount = out.localCount = 0;
  uint32_t fastMask = 0;  // in registers: stores through `out` would make the compiler reload them
  // The fast path runs only on untagged interfaces: chosen once per burst, not per packet.
  const bool fast = iface.vlan == 0;
  const bool vectorPath = fast && path == FastPath::kAvx512;
  uint64_t rxBytes = 0;
  if (vectorPath) {
    fastMask = static_cast<uint32_t>((uint64_t{1} << count) - 1) &
               ~classifyFastBurstAvx512(iface.mac.data(), packets, count, out, rxBytes, locator);
  } else {
    constexpr uint16_t kPrefetchAhead = 3;
    for (uint16_t i = 0; i < count && i < kPrefetchAhead; ++i)
      rte_prefetch0(rte_pktmbuf_mtod(packets[i], void*));
    const uint64_t ourMac = load32(iface.mac.data()) | uint64_t{load16(iface.mac.data() + 4)} << 32;
    // No call in this loop (the full parser runs after it, on what the fast path refused): its
    // state stays in registers. Every packet takes its place among the UDP packets for now.
    for (uint16_t i = 0; i < count; ++i) {
      if (i + kPrefetchAhead < count) rte_prefetch0(rte_pktmbuf_mtod(packets[i + kPrefetchAhead], void*));
      rte_mbuf* m = packets[i];
      rxBytes += rte_pktmbuf_pkt_len(m);
      const bool done = fast && classifyFastIpv4Udp(ourMac, m, out.udpKeys[i]);
      out.udp[i] = m;
      fastMask |= uint32_t{done} << i;
    }
  }
  out.udpFastMask = fastMask;
  uint16_t udpCount = count;
  // Those the fast path refused, not classified yet.
  const uint32_t pending = static_cast<uint32_t>((uint64_t{1} << count) - 1) & ~fastMask;
  // The AVX-512 path found its packets' homes (and stored no keys); the full parser finds theirs.
  FlowTable::Locator* const homes = vectorPath ? locator : nullptr;
  if (unlikely(pending != 0)) udpCount = classifyPending(iface, out, udpCount, pending, counters, homes);
  if (locator != nullptr && !vectorPath) locator->locateAll(out.udpKeys, udpCount, out.udpHomes);
  out.udpCount = udpCount;
  counters.rxBytes[iface.index] += rxBytes;
}

}  // namespace sbc::dataplane
