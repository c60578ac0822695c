#pragma once
// The exception path (VPP's linux-cp design): traffic for the SBC itself that is not media —
// SIP, ICMP, ARP, neighbour discovery, management — goes into a kernel TAP interface holding
// the interface's own MAC and addresses; what the kernel sends out of the TAP leaves through
// the interface's port. The control plane therefore uses ordinary sockets.
//
// Runs on the control lcore. Reads the workers' exception ring and each TAP's rx queue; writes
// to each TAP's tx queue and to each interface's control tx ring (worker 0 sends from it).

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstdint>

#include "dataplane/interface_table.h"

namespace sbc::dataplane {

struct ExceptionCounters {
  uint64_t toKernel[kMaxInterfaces] = {};
  uint64_t fromKernel[kMaxInterfaces] = {};
  uint64_t dropped = 0;  // TAP or port refused the packet
};

class ExceptionPath {
 public:
  ExceptionPath(const InterfaceTable& interfaces, rte_ring* ring)
      : interfaces_(interfaces), ring_(ring) {}

  // Moves up to a few bursts each way; returns the number of packets moved.
  unsigned poll();

  // Sends a frame the control side built (ARP request, neighbour solicitation) out of a port.
  bool sendFromControl(uint8_t interfaceIndex, rte_mbuf* m);

  const ExceptionCounters& counters() const { return counters_; }

 private:
  unsigned toKernel();
  unsigned fromKernel(const InterfaceRuntime& iface);

  const InterfaceTable& interfaces_;
  rte_ring* ring_;
  ExceptionCounters counters_;
};

}  // namespace sbc::dataplane
