#pragma once
// Stage 3 of the packet path: for UDP packets whose flow was found, check the source against
// the latch (symmetric RTP; RTP bleed protection), re-latch after silence where the session
// allows it, check that the payload is RTP/RTCP, rewrite Ethernet/IP/UDP toward the other leg
// and queue the packet for its egress interface.
//
// Reads:  Flow (latch state, destination), NeighborTable, the interface table.
// Writes: Flow latch state and the opposite flow's destination (on latch only); the worker's
//         FlowStats and counters; packet headers.
// Passes: rewritten packets to the TxBuffers; everything else is freed and counted.

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/flow.h"
#include "dataplane/interface_table.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/worker_counters.h"

namespace sbc::dataplane {

inline constexpr uint16_t kTxBufferSize = 64;

struct TxBuffer {
  rte_mbuf* packets[kTxBufferSize];
  uint16_t count = 0;
};

struct MediaContext {
  Flow* flows;           // the FlowTable's pool, indexed by slot
  const FlowCold* cold;  // its cold parts, same index
  const InterfaceTable* interfaces;
  const NeighborTable* neighbors;
  FlowStats* flowStats;  // this worker's array, indexed by Flow::index
  WorkerCounters* counters;
  TxBuffer* tx;          // one per interface
  uint32_t nowCoarse;               // coarseTime() of the burst's arrival
  const InterfaceRuntime* ingress;  // where the burst arrived
};

// Asks for the cache lines of the flows in `slots` (both lines of each).
void prefetchFlows(const Flow* flows, const uint32_t* slots, uint16_t count);

// Relays `count` packets; slots[i] is the flow slot found for packets[i]. Their flows should
// have been prefetched (prefetchFlows) a while before.
void relayBurst(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots, uint16_t count);

// Reads a flow's destination consistently (seqlock): a worker latching the opposite leg may
// be rewriting it at this moment.
struct DestinationSnapshot {
  uint16_t neighborIndex;
  MacAddress directMac;
  WireAddress peer;
};
inline DestinationSnapshot readDestination(const FlowDestination& d) {
  DestinationSnapshot s;
  uint32_t before, after;
  do {
    before = d.sequence.load(std::memory_order_acquire);
    s.neighborIndex = d.neighborIndex;
    s.directMac = d.directMac;
    s.peer = d.peer;
    std::atomic_thread_fence(std::memory_order_acquire);
    after = d.sequence.load(std::memory_order_relaxed);
  } while ((before & 1) || before != after);
  return s;
}

}  // namespace sbc::dataplane
