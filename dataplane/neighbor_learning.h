#pragma once
// Stage for ARP and IPv6 neighbour discovery received by a worker: refresh the MAC of next hops
// the NeighborTable already knows (a gratuitous ARP from a moved VIP included), then say whether
// the kernel behind the exception path must see the packet too (it answers for our addresses).

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/interface_table.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/worker_counters.h"

namespace sbc::dataplane {

// True when the ARP packet is for one of our addresses or is gratuitous.
bool learnFromArp(const InterfaceRuntime& iface, NeighborTable& neighbors, rte_mbuf* m,
                  uint64_t nowTsc, WorkerCounters& counters);

// Neighbour solicitations and advertisements always go on to the kernel (classify only lets
// through the ones addressed to us or to our solicited-node groups), which judges them itself;
// only valid ones (hop limit 255, code 0, good checksum) teach the NeighborTable.
void learnFromNeighborDiscovery(const InterfaceRuntime& iface, NeighborTable& neighbors,
                                rte_mbuf* m, uint64_t nowTsc, WorkerCounters& counters);

}  // namespace sbc::dataplane
