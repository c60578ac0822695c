#include "dataplane/neighbor_resolver.h"

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>

namespace sbc::dataplane {
namespace {
constexpr uint64_t kScanEveryMs = 100;
constexpr uint64_t kRetryUnresolvedMs = 1000;
constexpr uint64_t kRefreshResolvedMs = 30000;
}  // namespace

NeighborResolver::NeighborResolver(const InterfaceTable& interfaces, NeighborTable& neighbors,
                                   ExceptionPath& exceptionPath, rte_mempool* pool, uint64_t tscHz)
    : interfaces_(interfaces),
      neighbors_(neighbors),
      exceptionPath_(exceptionPath),
      pool_(pool),
      tscHz_(tscHz),
      lastRequestTsc_(neighbors.capacity(), 0) {}

void NeighborResolver::poll(uint64_t nowTsc) {
  if (nowTsc < nextScanTsc_) return;
  nextScanTsc_ = nowTsc + kScanEveryMs * tscHz_ / 1000;
  for (uint16_t index : neighbors_.entriesInUse()) {
    const Neighbor& n = neighbors_.at(index);
    if (n.isStatic.load(std::memory_order_relaxed)) continue;
    bool resolved = neighbors_.macState(index) & kNeighborResolved;
    uint64_t heard = n.updatedTsc.load(std::memory_order_relaxed);
    uint64_t interval = (resolved ? kRefreshResolvedMs : kRetryUnresolvedMs) * tscHz_ / 1000;
    uint64_t since = std::max(lastRequestTsc_[index], resolved ? heard : 0);
    if (since != 0 && nowTsc - since < interval) continue;
    const InterfaceRuntime& iface = interfaces_.interfaces[n.interfaceIndex];
    bool sent = n.address.isV4() ? sendArpRequest(iface, n.address)
                                 : sendNeighborSolicitation(iface, n.address);
    lastRequestTsc_[index] = nowTsc;
    requestsSent_ += sent;
  }
}

bool NeighborResolver::sendArpRequest(const InterfaceRuntime& iface, const IpAddress& target) {
  if (iface.v4Count == 0) return false;
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (m == nullptr) return false;
  auto* eth = reinterpret_cast<rte_ether_hdr*>(rte_pktmbuf_append(m, sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)));
  if (eth == nullptr) {
    rte_pktmbuf_free(m);
    return false;
  }
  std::memset(eth->dst_addr.addr_bytes, 0xff, 6);
  std::memcpy(eth->src_addr.addr_bytes, iface.mac.data(), 6);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
  arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
  arp->arp_hlen = 6;
  arp->arp_plen = 4;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
  std::memcpy(arp->arp_data.arp_sha.addr_bytes, iface.mac.data(), 6);
  arp->arp_data.arp_sip = iface.v4[0];
  std::memset(arp->arp_data.arp_tha.addr_bytes, 0, 6);
  std::memcpy(&arp->arp_data.arp_tip, target.bytes.data(), 4);
  return exceptionPath_.sendFromControl(iface.index, m);
}

bool NeighborResolver::sendNeighborSolicitation(const InterfaceRuntime& iface, const IpAddress& target) {
  if (iface.v6Count == 0) return false;
  constexpr uint16_t kIcmpLength = 24 + 8;  // NS header with target, source link-layer option
  rte_mbuf* m = rte_pktmbuf_alloc(pool_);
  if (m == nullptr) return false;
  auto* eth = reinterpret_cast<rte_ether_hdr*>(
      rte_pktmbuf_append(m, sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr) + kIcmpLength));
  if (eth == nullptr) {
    rte_pktmbuf_free(m);
    return false;
  }
  uint8_t solicited[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
                           target.bytes[13], target.bytes[14], target.bytes[15]};
  uint8_t multicastMac[6] = {0x33, 0x33, 0xff, target.bytes[13], target.bytes[14], target.bytes[15]};
  std::memcpy(eth->dst_addr.addr_bytes, multicastMac, 6);
  std::memcpy(eth->src_addr.addr_bytes, iface.mac.data(), 6);
  eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
  auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
  ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
  ip->payload_len = rte_cpu_to_be_16(kIcmpLength);
  ip->proto = 58;
  ip->hop_limits = 255;  // RFC 4861 §7.1.1: receivers drop ND with any other hop limit
  std::memcpy(ip->src_addr, iface.v6[0], 16);
  std::memcpy(ip->dst_addr, solicited, 16);
  auto* icmp = reinterpret_cast<uint8_t*>(ip + 1);
  std::memset(icmp, 0, kIcmpLength);
  icmp[0] = 135;
  std::memcpy(icmp + 8, target.bytes.data(), 16);
  icmp[24] = 1;  // source link-layer address option, 8 bytes
  icmp[25] = 1;
  std::memcpy(icmp + 26, iface.mac.data(), 6);
  uint16_t checksum = rte_ipv6_udptcp_cksum(ip, icmp);
  std::memcpy(icmp + 2, &checksum, 2);
  return exceptionPath_.sendFromControl(iface.index, m);
}

}  // namespace sbc::dataplane
