#pragma once
// The exception path (VPP's linux-cp design): traffic for the SBC itself that is not media —
// SIP, ICMP, ARP, neighbour discovery, management — goes into a kernel TAP interface holding
// the interface's own MAC and addresses; what the kernel sends out of the TAP leaves through
// the interface's port. The control plane therefore uses ordinary sockets.
//
// Runs on the control lcore. Reads the workers' exception ring and each TAP's rx queue; writes
// to each TAP's tx queue and to each interface's control tx ring (worker 0 sends from it).
//
// The TAP takes frames up to its MTU and no larger (net_tap refuses them at tx, and ethdev will
// not raise its MTU past 1500), while a port may receive larger ones (max-frame: an af_packet
// port hands over a fragmented IPv4 datagram the kernel reassembled). Such an IPv4 packet is
// cut into fragments again, copied into mbufs of `fragmentPool`, for the kernel behind the TAP
// to reassemble, as a router on the way would have done.

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstdint>

#include "dataplane/interface_table.h"

namespace sbc::dataplane {

struct ExceptionCounters {
  uint64_t toKernel[kMaxInterfaces] = {};
  uint64_t fromKernel[kMaxInterfaces] = {};
  uint64_t fragmentsToKernel[kMaxInterfaces] = {};  // of toKernel: IP fragments, for it to reassemble
  uint64_t splitForKernel[kMaxInterfaces] = {};  // larger than the TAP's MTU: sent as fragments
  uint64_t dropped = 0;  // TAP or port refused the packet, or it could not be cut to fit the TAP
};

class ExceptionPath {
 public:
  ExceptionPath(const InterfaceTable& interfaces, rte_ring* ring, rte_mempool* fragmentPool)
      : interfaces_(interfaces), ring_(ring), fragmentPool_(fragmentPool) {}

  // Moves up to a few bursts each way; returns the number of packets moved.
  unsigned poll();

  // Sends a frame the control side built (ARP request, neighbour solicitation) out of a port.
  bool sendFromControl(uint8_t interfaceIndex, rte_mbuf* m);

  const ExceptionCounters& counters() const { return counters_; }

 private:
  unsigned toKernel();
  unsigned fromKernel(const InterfaceRuntime& iface);
  // Hands `m` (untagged) to interface `index`'s TAP, as fragments when it is larger than the
  // TAP's MTU; frees it either way. False when the TAP did not take it all.
  bool sendToTap(uint8_t index, rte_mbuf* m);

  const InterfaceTable& interfaces_;
  rte_ring* ring_;
  rte_mempool* fragmentPool_;
  ExceptionCounters counters_;
};

}  // namespace sbc::dataplane
