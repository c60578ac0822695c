#pragma once
// Stage 3 of the packet path: for UDP packets whose flow was found, check the source against
// the latch (symmetric RTP; RTP bleed protection), re-latch after silence where the session
// allows it, check that the payload is RTP/RTCP, rewrite Ethernet/IP/UDP toward the other leg
// and queue the packet for its egress interface.
//
// Reads:  Flow (latch state, destination), NeighborTable, the interface table.
// Writes: Flow latch state and the opposite flow's destination (on latch only); the checksum
//         terms of a latched source (its first packet); Flow counters and highest RTP sequence
//         number, the cold part's RtpLoss (rarely); the worker's FlowStats and counters; packet
//         headers.
// The common case has a scalar and an AVX-512 build (media_relay_fast.h).
// Passes: rewritten packets to the TxBuffers; everything else is freed and counted.

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <cstdint>

#include "dataplane/classify.h"
#include "dataplane/fast_path.h"
#include "dataplane/flow.h"
#include "dataplane/interface_table.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/worker_counters.h"

namespace sbc::dataplane {

inline constexpr uint16_t kTxBufferSize = 64;

// What the fast path writes into an Ethernet header for an egress interface, prepared once
// (makeEgressHeader): the source MAC's first two bytes in the top of the word that starts with
// the destination MAC, and its last four bytes.
struct EgressHeader {
  uint64_t sourceHead = 0;  // bytes 6-7 of the frame, in bits 48-63
  uint32_t sourceTail = 0;  // bytes 8-11
  uint16_t vlan = 0;
};
EgressHeader makeEgressHeader(const InterfaceRuntime& egress);

// What a worker sends through one interface: the packets queued for it and the header the fast
// path gives them. The header sits with the buffer so that one index finds both (the relay took
// them from two arrays).
struct TxBuffer {
  rte_mbuf* packets[kTxBufferSize];
  uint16_t count = 0;
  // The frames' lengths added up as they are queued (append), where the length is at hand:
  // the transmitter then counts bytes without touching the mbufs again.
  uint32_t bytes = 0;
  // The flow slot each packet was relayed for: an 'out' access list remembers its verdict per
  // flow (filterFlows).
  uint32_t slots[kTxBufferSize];
  EgressHeader egress;  // the interface's (makeEgressHeader)

  void append(rte_mbuf* m, uint32_t length, uint32_t slot) {
    slots[count] = slot;
    packets[count++] = m;
    bytes += length;
  }
};

struct MediaContext {
  Flow* flows;           // the FlowTable's pool, indexed by slot
  FlowCold* cold;        // its cold parts, same index
  const InterfaceTable* interfaces;
  const std::atomic<uint64_t>* neighborMacs;  // NeighborTable::macStates, indexed by neighbour
  FlowStats* flowStats;  // this worker's array, indexed by slot
  WorkerCounters* counters;
  TxBuffer* tx;          // one per interface
  uint32_t nowCoarse;               // coarseTime() of the burst's arrival
  const InterfaceRuntime* ingress;  // where the burst arrived
  FastPath path = FastPath::kScalar;
  // The home slots (FlowTable) of the burst received after this one, kMaxBurst of them (slot
  // numbers all, past that burst's count too: an earlier burst's, or 0), whose lines the relay
  // asks for as it relays this burst, one per packet (askForNextLine), and relays a call later.
  // Null where classify asked for them (FlowTable::Locator; Worker::kFlowsAskedInClassify).
  const uint32_t* nextHomes = nullptr;

  // Asks for the flow line of the next burst's packet i (askForFlowLine), into L2: the relay
  // brings each into L1 a few packets ahead (bringLineAhead). Spread over the relay, a line per
  // packet, rather than asked for all at once as classify finds the homes, the misses of a large
  // table (page walks included: each line is on a page of its own) do not pile up behind the few
  // miss buffers of L1: perf put 70 % of classify's samples at 1M sessions on the instruction
  // after its prefetch. sbcbench relay, 3 alternated pairs on an
  // Intel Xeon guest whose host backs it with 4 KiB pages: 1M sessions both ways 0.461 -> 0.483
  // (31.8 -> 29.9 ns a packet), one way 0.474 -> 0.510; 100k both ways the same (4 pairs, 0.532
  // against 0.531). With prefetcht0 in classify instead, 1M both ways went from 0.454 to 0.431
  // on that guest, and 100k from 0.496 to 0.4465 on a Zen 4 guest.
  void askForNextLine(uint16_t i) const { askForFlowLine(flows, nextHomes[i]); }

  // Brings the flow lines of a run's first kFlowLinesAhead packets into L1 (prefetcht0), and
  // then, as the run comes to packet i, the line of packet i + kFlowLinesAhead: asked for into L2
  // a call before, each arrives in L1 a few packets before the relay reads it. Before, a loop
  // loaded a byte of every line of the burst first, so that all its misses were in flight at
  // once; it then waited for them together. sbcbench relay both ways, alternated pairs on an
  // Intel Xeon guest, loop -> asks 4 ahead: 1k 0.564 -> 0.576 (5), 100k 0.546 -> 0.559 (5),
  // 1M 0.489 -> 0.495 (3); 2 and 8 ahead did as 4 at 100k. Past the burst's end, `slots` holds
  // stale slot numbers (ClassifiedBurst::udpHomes pads it; kNoSlot too): the address is made as an integer, and
  // a prefetch of any address faults nowhere.
  static constexpr uint16_t kFlowLinesAhead = 4;
  void bringLine(uint32_t slot) const {
    rte_prefetch0(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(flows) + uintptr_t{slot} * sizeof(Flow)));
  }
  void bringFirstLines(const uint32_t* slots, uint16_t start) const {
    for (uint16_t k = start; k < start + kFlowLinesAhead; ++k) bringLine(slots[k]);
  }
  void bringLineAhead(const uint32_t* slots, uint16_t i) const { bringLine(slots[i + kFlowLinesAhead]); }

  uint32_t slotOf(const Flow& flow) const { return static_cast<uint32_t>(&flow - flows); }
  // A neighbour's MAC state (NeighborTable::macState), read as the table would.
  uint64_t neighborMac(uint16_t neighbor) const { return neighborMacs[neighbor].load(std::memory_order_acquire); }
  FlowCold& coldOf(const Flow& flow) const { return cold[slotOf(flow)]; }
};

// Relays `count` packets; slots[i] is the flow slot for packets[i], and bit i of `fastMask` is
// fastCandidate(packets[i]). Their flows should have been prefetched a while before: the line of
// each, and its cold part's first line for packets that are not fast candidates. `slots` is
// readable to count + MediaContext::kFlowLinesAhead (any slot numbers past count).
// Unless the slots are `known` to hold the packets' flows, each is only its key's home slot
// (FlowTable): at the first packet whose home holds no marked flow (the flow is away from home,
// or there is none), the relay stops and returns its index; the packets before it are relayed,
// it and those after it untouched, for the caller to look up (FlowTable::slotFrom) and pass
// again, known. Otherwise it returns `count`.
uint16_t relayBurst(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots, uint32_t fastMask,
                    uint16_t count, bool known);

}  // namespace sbc::dataplane
