#pragma once
// A worker lcore: a short loop over its own rx queues that passes each burst through the
// stages (classify → flow lookup → media relay | neighbour learning | exception) and flushes
// what the stages queued for transmission. It reports a quiescent state once per pass so the
// control side can free retired flows.

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/classify.h"
#include "dataplane/firewall.h"
#include "dataplane/flow_table.h"
#include "dataplane/interface_table.h"
#include "dataplane/media_relay.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/packet_capture.h"
#include "dataplane/sip_flood_guard.h"
#include "dataplane/worker_counters.h"

namespace sbc::dataplane {

// What every worker shares, read-only (the tables themselves are built for concurrent reads).
struct SharedTables {
  const InterfaceTable* interfaces = nullptr;
  FlowTable* flows = nullptr;
  NeighborTable* neighbors = nullptr;
  rte_ring* exceptionRing = nullptr;  // multi-producer; drained by the control lcore
  rte_rcu_qsbr* rcu = nullptr;
  // The SIP flood guard's settings (null or disabled: off) and the running capture's filter
  // (null: none); each read once per burst. Null pointers here: neither stage exists.
  const std::atomic<const SipFloodGuardSettings*>* floodGuard = nullptr;
  std::atomic<CaptureFilter*>* capture = nullptr;
  const Firewall* firewall = nullptr;  // null: no firewall stage at all (benches, most tests)
};

struct RxQueue {
  uint16_t portId;
  uint16_t queueId;
  uint8_t interfaceIndex;
};

class Worker {
 public:
  Worker(const SharedTables& tables, unsigned index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The stages for one received burst (≤ kMaxBurst), all of them now, with whatever burst the
  // pipeline held. Forwarded packets wait in the tx buffers, which hold two bursts: flush after
  // the call. Reports no quiescent state (tests and tools that feed bursts by hand).
  void processBurst(uint8_t interfaceIndex, rte_mbuf** packets, uint16_t count, uint64_t nowTsc) {
    HeldMedia& next = held_[1 - current_];
    prepareBurst(interfaceIndex, packets, count, nowTsc, next);
    relayHeld(held_[current_]);
    resolveBurst(next);
    relayHeld(next);
  }

  // The same, pipelined, as the worker loop runs it: the flow lines of this burst are asked for
  // now, and the burst relayed on the next call (or drainPipeline), while the media of the
  // previous burst, whose lines were asked for a call ago, are relayed now. The wait for a
  // flow's cache lines then overlaps a whole burst of other work instead of stalling this one.
  // Within the call: classify this burst, finding its keys' home slots and, for a table whose
  // pages fit the TLB, asking for their lines (FlowTable::Locator); relay the held burst (each
  // line brought into L1 a few packets ahead, each flow taken on the mark in its line), asking for
  // this burst's lines a packet at a time as it goes where classify did not, and hand it to
  // `sink`; report a quiescent state; hold this burst.
  // The report sits at a point of the pass where the worker refers to no flow: the held burst
  // has left, and this burst's homes are only addresses until the next call reads their marks.
  // So RCU never needs the pipeline drained, and a flow the control side retires is free a pass
  // later. The report is for this worker's thread index in the RCU variable.
  template <typename Sink>
  void processBurstPipelined(uint8_t interfaceIndex, rte_mbuf** packets, uint16_t count,
                             uint64_t nowTsc, Sink& sink) {
    HeldMedia& next = held_[1 - current_];
    prepareBurst(interfaceIndex, packets, count, nowTsc, next);
    relayHeld(held_[current_]);
    flush(sink);
    rte_rcu_qsbr_quiescent(tables_.rcu, index_);
    resolveBurst(next);
    current_ = 1 - current_;
  }
  // Relays the held burst. Flush after it; then the worker holds no flow.
  void drainPipeline() { relayHeld(held_[current_]); }

  // Hands every non-empty tx buffer to `sink(interfaceIndex, packets, count)`, which returns
  // how many it took; the rest are freed and counted.
  template <typename Sink>
  void flush(Sink& sink) {
    const FirewallTables* firewall = firewallTables();
    for (uint8_t i = 0; i < tables_.interfaces->count; ++i) {
      TxBuffer& b = tx_[i];
      if (b.count == 0) continue;
      // Relayed media toward a realm with an 'out' list, with the headers it leaves with.
      if (firewall != nullptr && firewall->out[i] != nullptr) {
        const uint16_t kept = filterDeparting(*firewall, *firewall->out[i], b, i);
        if (kept != b.count) {
          b.count = kept;
          b.bytes = totalLength(b.packets, kept);
        }
        if (kept == 0) continue;
      }
      transmit(i, b.packets, b.count, b.bytes, sink);
      b.count = 0;
      b.bytes = 0;
    }
  }

  // The lcore loop over real ports; returns when `stop` becomes true.
  void run(const std::vector<RxQueue>& queues, uint16_t txQueueId, uint32_t idleSleepUs,
           const std::atomic<bool>& stop);

  // The build of classify's and the relay's fast paths this worker runs (fast_path.h): the best
  // the CPU and DPDK's SIMD limit allow, unless set (tests and benches compare them). False for
  // a path this CPU cannot run.
  bool setFastPath(FastPath path) {
    if (!fastPathSupported(path)) return false;
    fastPath_ = path;
    return true;
  }
  FastPath fastPath() const { return fastPath_; }

  // Flows in use up to which classify asks for the burst's flow lines as it finds the homes;
  // beyond, the relay asks for them, spread over the burst before (MediaContext::askForNextLine).
  // Up to it, the lines' pages (8 MiB of lines, 2,048 pages) have their translations in the TLB
  // (`sbcbench translation` on the Intel Xeon guest we measure on: a load through 1,024 pages
  // of one line each costs 1.3 times a load through the same lines packed, through 4,096 pages
  // 2.7 times), and 32 asks at once cost classify little, where they give the lines a longer
  // lead. Beyond, most asks need a page walk (nested, in a VM), each holding its miss buffer,
  // and 32 at once stall classify. sbcbench relay, alternated pairs on that guest, relay's asks
  // -> classify's (the relay bringing the lines into L1 four ahead): 100k sessions one way (100k
  // flows) 0.5505 -> 0.5605 (4), then 0.551 -> 0.5535 (6); both ways (200k) 0.5565 -> 0.558
  // (4); 300k one way 0.557 -> 0.548 (3), both ways 0.544 -> 0.505 (3); 1M one way 0.515 ->
  // 0.488 (3), both ways 0.492 -> 0.474 (3). (With the lines loaded together before the relay,
  // the bound was 32,768, where they fit L2: at 1k sessions both ways, the relay's asks gave
  // 0.540 against classify's 0.549.)
  static constexpr uint32_t kFlowsAskedInClassify = 131072;
  static bool classifyAsks(const FlowTable& flows) { return flows.inUse() <= kFlowsAskedInClassify; }

  unsigned index() const { return index_; }
  const WorkerCounters& counters() const { return counters_; }
  const FlowStats* flowStats() const { return flowStats_; }
  const SipFloodGuard& floodGuard() const { return floodGuard_; }

 private:
  const FirewallTables* firewallTables() const {
    return tables_.firewall != nullptr ? tables_.firewall->tables() : nullptr;
  }
  // The tables in force and, in them, the 'in' set of the interface's realm (null when nothing
  // filters it). The tables pointer is read once: a set is only ever used with its own tables.
  struct ArrivingFilter {
    const FirewallTables* tables = nullptr;
    const AclSet* set = nullptr;
  };
  ArrivingFilter arrivingFilter(uint8_t interfaceIndex) const {
    const FirewallTables* firewall = firewallTables();
    return {firewall, firewall != nullptr ? firewall->in[interfaceIndex] : nullptr};
  }
  // The firewall's 'in' stage, in three places: over the burst's traffic for the SBC itself
  // that is not UDP (filterLocal; ARP and neighbour discovery are not IP rules' business), over
  // UDP without a flow (dropMisses) and over media with their flows (filterHeld, before
  // they are relayed: verdicts remembered per flow).
  void filterLocal(const FirewallTables& firewall, const AclSet& set, ClassifiedBurst& c, uint64_t nowTsc);
  // The 'out' stage over a tx buffer (rate limits on the clock of the last burst received);
  // returns how many packets remain, compacted in place.
  uint16_t filterDeparting(const FirewallTables& firewall, const AclSet& set, TxBuffer& buffer, uint8_t interfaceIndex);

  void handleUnmatchedUdp(const InterfaceRuntime& iface, rte_mbuf* m);
  void toException(const InterfaceRuntime& iface, rte_mbuf* m) {
    if (unlikely(iface.tapPortId == kNoPort)) {
      counters_.drop(DropReason::kNoExceptionPath);
      rte_pktmbuf_free(m);
      return;
    }
    if (unlikely(hasOwnSource(iface, m))) {
      counters_.drop(DropReason::kIpBadSource);
      rte_pktmbuf_free(m);
      return;
    }
    exception_[exceptionCount_++] = m;
  }
  void flushException();
  // toException for what the SIP flood guard meters (everything for the SBC but ARP and ND):
  // a flood is dropped here, before the exception ring.
  void toExceptionMetered(const InterfaceRuntime& iface, rte_mbuf* m) {
    if (unlikely(floodSettings_ != nullptr) && !admitByFloodGuard(iface, m)) return;
    toException(iface, m);
  }
  bool admitByFloodGuard(const InterfaceRuntime& iface, rte_mbuf* m);

  static uint32_t totalLength(rte_mbuf* const* packets, uint16_t count) {
    uint32_t bytes = 0;
    for (uint16_t k = 0; k < count; ++k) bytes += rte_pktmbuf_pkt_len(packets[k]);
    return bytes;
  }
  // Sends `count` packets of `bytes` in all out of interface `i` through `sink`; counts what
  // went, frees and counts what did not.
  template <typename Sink>
  void transmit(uint8_t i, rte_mbuf** packets, uint16_t count, uint32_t bytes, Sink& sink) {
    // The total is known before the call: a PMD may free what it sent before tx_burst returns.
    // What it did not take is still ours to read.
    uint16_t sent = sink(i, packets, count);
    counters_.txPackets[i] += sent;
    if (unlikely(sent < count)) {
      bytes -= totalLength(packets + sent, count - sent);
      counters_.drop(DropReason::kTxQueueFull, count - sent);
      rte_pktmbuf_free_bulk(packets + sent, count - sent);
    }
    counters_.txBytes[i] += bytes;
  }
  // Worker 0 transmits what the control lcore queued for each port; returns whether it sent.
  template <typename Sink>
  bool sendControlFrames(Sink& sink);

  // Media of one burst between classify and relay, left where classify put them: held_[k] is the
  // UDP of classified_[k] (its udp and udpHomes). Copied into arrays of their own, the copy's
  // 16-byte loads waited on classify's 4- and 8-byte stores, which cannot be forwarded to them:
  // perf put 42 % of resolveBurst's samples on one of those loads. sbcbench relay at 1k sessions,
  // 4 alternated pairs: 0.580 -> 0.5865 (24.10 -> 23.87 ns a packet).
  struct HeldMedia {
    rte_mbuf** packets = nullptr;
    // The home slot of each packet's key (FlowTable), until the relay finds the flows (relayHeld):
    // then each flow's slot. Padded for the relay's look ahead (relayBurst).
    uint32_t* slots = nullptr;
    uint32_t fastMask = 0;  // bit i: packets[i] may take the relay's fast path (fastCandidate)
    uint16_t count = 0;
    uint8_t interfaceIndex = 0;
    uint32_t nowCoarse = 0;

    // Keeps the packets whose bit is set in `mask`, closed up in their order (the firewall
    // dropped the others, or they had no flow).
    void keepOnly(uint64_t mask) {
      uint16_t kept = 0;
      uint32_t fast = 0;
      for (uint16_t i = 0; i < count; ++i) {
        if (!((mask >> i) & 1)) continue;
        packets[kept] = packets[i];
        slots[kept] = slots[i];
        fast |= ((fastMask >> i) & 1) << kept;
        ++kept;
      }
      count = kept;
      fastMask = fast;
    }
  };
  void prepareBurst(uint8_t interfaceIndex, rte_mbuf** packets, uint16_t count, uint64_t nowTsc,
                    HeldMedia& media);
  void resolveBurst(HeldMedia& media);
  // The flows of the packets of `which` (bits of media), whose slots are still their homes: the
  // home itself where its flow is marked, else what the table's entry holds. Those without a flow
  // leave media (dropMisses).
  void findFlows(HeldMedia& media, uint32_t which, const ArrivingFilter& filter);
  // Takes the packets of `misses` (bits of media) out of `media`, through the firewall's 'in'
  // stage (when `filter` has a set) to the exception path or a drop.
  void dropMisses(HeldMedia& media, uint32_t misses, const ArrivingFilter& filter);
  // Relays the held burst, and asks for the lines of the burst classify found last unless
  // classify did.
  void relayHeld(HeldMedia& media);
  void relayHeldMedia(HeldMedia& media, const uint32_t* nextHomes);
  void filterHeld(const FirewallTables& firewall, const AclSet& set, HeldMedia& media);

  SharedTables tables_;
  unsigned index_;
  HeldMedia held_[2];
  ClassifiedBurst classified_[2];  // held_[k]'s packets are classified_[k]'s UDP
  static_assert(MediaContext::kFlowLinesAhead <= ClassifiedBurst::kHomesReadAhead);
  ClassifiedBurst& classifiedOf(const HeldMedia& media) { return classified_[&media - held_]; }
  unsigned current_ = 0;
  FlowStats* flowStats_ = nullptr;    // a slot array of the flow table (mapSlotArray), ours
  AclFlowMemos* aclMemos_ = nullptr;  // the verdicts last found per flow slot (firewall.h), the same
  alignas(64) WorkerCounters counters_{};
  TxBuffer tx_[kMaxInterfaces];
  FlowTable::AddressCache addressCache_;  // for classify's FlowTable::Locator
  bool askInRelay_ = false;  // set for each burst by prepareBurst
  rte_mbuf* exception_[kMaxBurst];
  uint16_t exceptionCount_ = 0;
  SipFloodGuard floodGuard_;
  const SipFloodGuardSettings* floodSettings_ = nullptr;  // this burst's; null when off
  uint64_t burstTsc_ = 0;
  FastPath fastPath_ = bestFastPath();
};

}  // namespace sbc::dataplane
