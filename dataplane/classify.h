#pragma once
// Stage 1 of the packet path: parse Ethernet (with one 802.1Q tag), ARP, IPv4, IPv6 and UDP,
// check every length and checksum, and sort a received burst into arrays by what happens next.
//
// Reads:  the frame; mbuf ol_flags (a NIC's checksum verdicts are trusted when present).
// Writes: mbuf l2_len, l3_len, packet_type; trims Ethernet padding.
// Passes: UDP to a unicast address → `udp` with its FlowKey (the flow stage decides media or
//         exception); ARP → `arp`; ICMPv6 neighbour discovery → `neighborDiscovery`; other IP
//         for one of our addresses → `local`, IP fragments for one of them included (packet
//         type L4_FRAG: the kernel reassembles them; media never see a fragment). Everything
//         else, fragments for other addresses among it, is freed and counted.
// A source address of our own is refused by the stages it could fool (the exception path and
// latching; see hasOwnSource), not here: that is a scan of the interface's addresses that
// relayed media, whose source must equal the latched peer anyway, does not need.

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/fast_path.h"
#include "dataplane/flow.h"
#include "dataplane/flow_table.h"
#include "dataplane/interface_table.h"
#include "dataplane/worker_counters.h"

namespace sbc::dataplane {

inline constexpr uint16_t kMaxBurst = 32;

// The UDP datagrams the relay's fast path may take carry an RTP header's 12 bytes at least;
// classify tells (fastCandidate), so that the relay need not.
inline constexpr uint16_t kMinFastUdpLength = 8 + 12;

// A packet the relay's fast path may take: untagged IPv4 without options, UDP of
// kMinFastUdpLength at least, with a checksum to adjust (the path still checks everything about
// the flow). Classify's own fast path makes only such packets; the full parser, others too.
inline bool fastCandidate(const rte_mbuf* m) {
  constexpr uint64_t kLengths = 14 | 20 << 7;  // l2_len, l3_len: the low bits of tx_offload
  if (m->packet_type != (RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP) ||
      (m->tx_offload & 0xffff) != kLengths ||
      (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE)
    return false;
  const uint8_t* udpLength = rte_pktmbuf_mtod_offset(m, const uint8_t*, 14 + 20 + 4);  // the UDP header's
  return (udpLength[0] << 8 | udpLength[1]) >= kMinFastUdpLength;
}

struct ClassifiedBurst {
  rte_mbuf* udp[kMaxBurst];
  // The UDP packets' flow keys, without a locator; with one, not always written (the AVX-512
  // path stores none): their home slots (FlowTable) are what a worker needs.
  FlowKey udpKeys[kMaxBurst];
  // The home slots of the keys (FlowTable), when classify had a locator. Padded: the relay reads
  // the homes of a few packets past the burst's end to bring their lines in early
  // (MediaContext::kFlowLinesAhead), stale slot numbers there, whose prefetches fault nowhere.
  static constexpr unsigned kHomesReadAhead = 4;
  uint32_t udpHomes[kMaxBurst + kHomesReadAhead] = {};
  uint32_t udpFastMask = 0;  // bit i: fastCandidate(udp[i])
  uint16_t udpCount = 0;
  rte_mbuf* arp[kMaxBurst];
  uint16_t arpCount = 0;
  rte_mbuf* neighborDiscovery[kMaxBurst];
  uint16_t neighborDiscoveryCount = 0;
  rte_mbuf* local[kMaxBurst];
  uint16_t localCount = 0;
};

// Classifies `count` (≤ kMaxBurst) packets received on `iface`, the common case with the build
// `path` (which must be supported). Dropped packets are freed. With a `locator`, it also finds
// the UDP packets' home slots in the flow table (out.udpHomes): the AVX-512 path on its way, from
// each key's words, storing no key.
void classifyBurst(const InterfaceRuntime& iface, rte_mbuf** packets, uint16_t count,
                   ClassifiedBurst& out, WorkerCounters& counters, FastPath path = FastPath::kScalar,
                   FlowTable::Locator* locator = nullptr);

// True when an IP packet claims one of the interface's own addresses as its source (spoofed).
bool hasOwnSource(const InterfaceRuntime& iface, const rte_mbuf* m);

// Accessors for later stages, valid after classification.
inline bool isIpv6(const rte_mbuf* m) { return (m->packet_type & RTE_PTYPE_L3_MASK) == RTE_PTYPE_L3_IPV6; }

}  // namespace sbc::dataplane
