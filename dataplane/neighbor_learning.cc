#include "dataplane/neighbor_learning.h"

#include <rte_arp.h>
#include <rte_ip.h>

namespace sbc::dataplane {
namespace {
constexpr uint8_t kNeighborSolicitation = 135;
constexpr uint8_t kNeighborAdvertisement = 136;
constexpr uint8_t kOptionSourceLinkLayer = 1;
constexpr uint8_t kOptionTargetLinkLayer = 2;
constexpr unsigned kNdHeaderLength = 24;  // type, code, checksum, flags/reserved, target
}  // namespace

bool learnFromArp(const InterfaceRuntime& iface, NeighborTable& neighbors, rte_mbuf* m,
                  uint64_t nowTsc, WorkerCounters& counters) {
  auto* arp = rte_pktmbuf_mtod_offset(m, const rte_arp_hdr*, m->l2_len);
  const rte_arp_ipv4& body = arp->arp_data;
  bool gratuitous = body.arp_sip == body.arp_tip;
  bool forUs = iface.ownsV4(body.arp_tip);
  if (!gratuitous && !forUs) return false;
  if (neighbors.learn(iface.index, reinterpret_cast<const uint8_t*>(&body.arp_sip), IpFamily::kV4,
                      body.arp_sha.addr_bytes, nowTsc))
    ++counters.neighborUpdates;
  return true;
}

void learnFromNeighborDiscovery(const InterfaceRuntime& iface, NeighborTable& neighbors,
                                rte_mbuf* m, uint64_t nowTsc, WorkerCounters& counters) {
  auto* ip = rte_pktmbuf_mtod_offset(m, const rte_ipv6_hdr*, m->l2_len);
  uint16_t length = rte_be_to_cpu_16(ip->payload_len);
  if (length < kNdHeaderLength) return;
  auto* icmp = reinterpret_cast<const uint8_t*>(ip + 1);
  // RFC 4861 §7.1: a hop limit below 255 means a router forwarded it (an off-link sender, who
  // must not redirect our next hops); the code must be 0; the checksum must hold.
  if (ip->hop_limits != 255 || icmp[1] != 0 || rte_ipv6_udptcp_cksum_verify(ip, icmp) != 0) return;
  const uint8_t* target = icmp + 8;
  bool solicitation = icmp[0] == kNeighborSolicitation;
  // The address whose MAC an option gives: the sender for NS, the target for NA.
  const uint8_t* address = solicitation ? ip->src_addr : target;
  uint8_t wanted = solicitation ? kOptionSourceLinkLayer : kOptionTargetLinkLayer;
  if (!solicitation && icmp[0] != kNeighborAdvertisement) return;
  for (unsigned offset = kNdHeaderLength; offset + 8 <= length;) {
    uint8_t type = icmp[offset];
    unsigned optionLength = icmp[offset + 1] * 8u;
    if (optionLength == 0 || offset + optionLength > length) return;  // malformed: learn nothing
    if (type == wanted && optionLength >= 8) {
      if (neighbors.learn(iface.index, address, IpFamily::kV6, icmp + offset + 2, nowTsc))
        ++counters.neighborUpdates;
      return;
    }
    offset += optionLength;
  }
}

}  // namespace sbc::dataplane
