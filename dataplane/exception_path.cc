#include "dataplane/exception_path.h"

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_ring.h>

#include <cstring>

namespace sbc::dataplane {
namespace {
constexpr unsigned kBurst = 32;

// The kernel's TAP carries untagged frames; the VLAN belongs to the wire side only.
void stripVlan(rte_mbuf* m) {
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) return;
  rte_vlan_strip(m);
  m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
}

// A 65,535-byte datagram in fragments of a 576-byte MTU's 552 bytes of data.
constexpr unsigned kMaxPieces = 128;

// Cuts the untagged IPv4 frame `m` (one segment) into frames of at most `maxFrame` bytes with
// DPDK's fragmenter, which copies into mbufs of `pool` and leaves the header checksums to us;
// each piece gets the Ethernet header back. Returns how many it made into `pieces`, 0 when it
// cannot: no IPv4, too many pieces, or no mbufs.
unsigned splitIpv4(rte_mbuf* m, uint32_t maxFrame, rte_mempool* pool, rte_mbuf** pieces) {
  rte_ether_hdr eth;
  if (rte_pktmbuf_data_len(m) < sizeof eth + sizeof(rte_ipv4_hdr)) return 0;
  std::memcpy(&eth, rte_pktmbuf_mtod(m, const void*), sizeof eth);
  if (eth.ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) return 0;
  rte_pktmbuf_adj(m, sizeof eth);
  // The datagram is for us: DF speaks to routers on the way, not to our own TAP, whose MTU is
  // an artefact of the exception path. The fragmenter refuses DF, so it goes.
  auto* ip = rte_pktmbuf_mtod(m, rte_ipv4_hdr*);
  ip->fragment_offset &= rte_cpu_to_be_16(static_cast<uint16_t>(~RTE_IPV4_HDR_DF_FLAG));
  const int32_t made = rte_ipv4_fragment_copy_nonseg_packet(
      m, pieces, kMaxPieces, static_cast<uint16_t>(maxFrame - sizeof eth), pool);
  if (made <= 0) return 0;
  const auto count = static_cast<unsigned>(made);
  for (unsigned i = 0; i < count; ++i) {
    auto* pieceIp = rte_pktmbuf_mtod(pieces[i], rte_ipv4_hdr*);
    pieceIp->hdr_checksum = 0;
    pieceIp->hdr_checksum = rte_ipv4_cksum(pieceIp);
    void* head = rte_pktmbuf_prepend(pieces[i], sizeof eth);
    if (head == nullptr) {
      rte_pktmbuf_free_bulk(pieces, count);
      return 0;
    }
    std::memcpy(head, &eth, sizeof eth);
  }
  return count;
}
}  // namespace

unsigned ExceptionPath::poll() {
  unsigned moved = toKernel();
  for (uint8_t i = 0; i < interfaces_.count; ++i)
    if (interfaces_.interfaces[i].tapPortId != kNoPort) moved += fromKernel(interfaces_.interfaces[i]);
  return moved;
}

unsigned ExceptionPath::toKernel() {
  rte_mbuf* packets[kBurst];
  unsigned n = rte_ring_sc_dequeue_burst(ring_, reinterpret_cast<void**>(packets), kBurst, nullptr);
  for (unsigned i = 0; i < n; ++i) {
    rte_mbuf* m = packets[i];
    uint8_t index = interfaces_.byPort[m->port];
    // Read before the TAP takes the mbuf: classify marks a fragment for us so.
    const bool fragment = (m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_FRAG;
    stripVlan(m);
    if (sendToTap(index, m)) {
      ++counters_.toKernel[index];
      counters_.fragmentsToKernel[index] += fragment;
    } else {
      ++counters_.dropped;
    }
  }
  return n;
}

bool ExceptionPath::sendToTap(uint8_t index, rte_mbuf* m) {
  const uint16_t tapPortId = interfaces_.interfaces[index].tapPortId;
  uint16_t mtu = RTE_ETHER_MTU;
  rte_eth_dev_get_mtu(tapPortId, &mtu);
  const uint32_t maxFrame = uint32_t{mtu} + sizeof(rte_ether_hdr);
  if (likely(rte_pktmbuf_pkt_len(m) <= maxFrame)) {
    if (rte_eth_tx_burst(tapPortId, 0, &m, 1) == 1) return true;
    rte_pktmbuf_free(m);
    return false;
  }
  rte_mbuf* pieces[kMaxPieces];
  const unsigned count = rte_pktmbuf_is_contiguous(m) && fragmentPool_ != nullptr
                             ? splitIpv4(m, maxFrame, fragmentPool_, pieces)
                             : 0;
  rte_pktmbuf_free(m);
  if (count == 0) return false;
  ++counters_.splitForKernel[index];
  const uint16_t sent = rte_eth_tx_burst(tapPortId, 0, pieces, static_cast<uint16_t>(count));
  rte_pktmbuf_free_bulk(pieces + sent, count - sent);
  return sent == count;
}

unsigned ExceptionPath::fromKernel(const InterfaceRuntime& iface) {
  rte_mbuf* packets[kBurst];
  uint16_t n = rte_eth_rx_burst(iface.tapPortId, 0, packets, kBurst);
  uint16_t ready = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = packets[i];
    if (iface.vlan != 0) {
      m->vlan_tci = iface.vlan;
      if (rte_vlan_insert(&m) != 0) {
        ++counters_.dropped;
        rte_pktmbuf_free(m);
        continue;
      }
    }
    packets[ready++] = m;
  }
  unsigned sent = ready == 0 || iface.controlTx == nullptr
                      ? 0
                      : rte_ring_sp_enqueue_burst(iface.controlTx, reinterpret_cast<void**>(packets), ready, nullptr);
  counters_.fromKernel[iface.index] += sent;
  if (sent < ready) {
    counters_.dropped += ready - sent;
    rte_pktmbuf_free_bulk(packets + sent, ready - sent);
  }
  return n;
}

bool ExceptionPath::sendFromControl(uint8_t interfaceIndex, rte_mbuf* m) {
  const InterfaceRuntime& iface = interfaces_.interfaces[interfaceIndex];
  if (iface.controlTx == nullptr) {
    rte_pktmbuf_free(m);
    return false;
  }
  if (iface.vlan != 0) {
    m->vlan_tci = iface.vlan;
    if (rte_vlan_insert(&m) != 0) {
      rte_pktmbuf_free(m);
      return false;
    }
  }
  if (rte_ring_sp_enqueue(iface.controlTx, m) == 0) return true;
  ++counters_.dropped;
  rte_pktmbuf_free(m);
  return false;
}

}  // namespace sbc::dataplane
