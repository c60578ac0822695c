#include "dataplane/exception_path.h"

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ring.h>

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
    const InterfaceRuntime& iface = interfaces_.interfaces[index];
    stripVlan(m);
    if (rte_eth_tx_burst(iface.tapPortId, 0, &m, 1) == 1) {
      ++counters_.toKernel[index];
    } else {
      ++counters_.dropped;
      rte_pktmbuf_free(m);
    }
  }
  return n;
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
