#include "dataplane/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <sys/mman.h>

#include <algorithm>

#include "dataplane/neighbor_learning.h"
#include "dataplane/unaligned.h"
#include "dataplane/worker_clock.h"

namespace sbc::dataplane {

Worker::Worker(const SharedTables& tables, unsigned index) : tables_(tables), index_(index) {
  for (unsigned k = 0; k < 2; ++k) {
    held_[k].packets = classified_[k].udp;
    held_[k].slots = classified_[k].udpHomes;
  }
  // The interface table is frozen before workers are made.
  for (uint8_t i = 0; i < tables.interfaces->count; ++i)
    tx_[i].egress = makeEgressHeader(tables.interfaces->interfaces[i]);
  // Arrays for this worker alone, indexed by flow slot, committed by the flow table with its
  // flows: a page fault on the hot path would cost more than the memory.
  flowStats_ = static_cast<FlowStats*>(tables.flows->mapSlotArray(sizeof(FlowStats)));
  // Only a dataplane with a firewall stage remembers verdicts.
  if (tables.firewall != nullptr)
    aclMemos_ = static_cast<AclFlowMemos*>(tables.flows->mapSlotArray(sizeof(AclFlowMemos)));
}

Worker::~Worker() {
  if (flowStats_ != nullptr) tables_.flows->unmapSlotArray(flowStats_);
  if (aclMemos_ != nullptr) tables_.flows->unmapSlotArray(aclMemos_);
}

void Worker::prepareBurst(uint8_t interfaceIndex, rte_mbuf** packets, uint16_t count,
                          uint64_t nowTsc, HeldMedia& media) {
  const InterfaceRuntime& iface = tables_.interfaces->interfaces[interfaceIndex];
  counters_.rxPackets[interfaceIndex] += count;
  // `monitor capture` sees frames as received, before anything is dropped or rewritten.
  if (tables_.capture != nullptr) {
    CaptureFilter* capture = tables_.capture->load(std::memory_order_acquire);
    if (unlikely(capture != nullptr)) captureBurst(*capture, interfaceIndex, packets, count, nowTsc);
  }
  floodSettings_ = nullptr;
  if (tables_.floodGuard != nullptr) {
    const SipFloodGuardSettings* flood = tables_.floodGuard->load(std::memory_order_acquire);
    if (flood != nullptr && flood->enabled) floodSettings_ = flood;
  }
  burstTsc_ = nowTsc;
  // Where the flow of every UDP packet is at home: classify finds those slots for the whole
  // burst now (FlowTable::Locator), and the next call relays them. Their lines are asked for by
  // classify as it finds them, or, for a table whose live lines' pages are beyond the TLB, by the
  // relay of the held burst, spread over it.
  askInRelay_ = !classifyAsks(*tables_.flows);
  FlowTable::Locator locator(*tables_.flows, addressCache_, !askInRelay_);
  ClassifiedBurst& classified = classifiedOf(media);
  classifyBurst(iface, packets, count, classified, counters_, fastPath_, &locator);
  // One predictable branch per burst when nothing filters this interface's realm. UDP waits
  // for its flows (resolveBurst, relayHeld): a media flow remembers its verdict.
  if (classified.localCount != 0) {
    if (const ArrivingFilter f = arrivingFilter(interfaceIndex); f.set != nullptr)
      filterLocal(*f.tables, *f.set, classified, nowTsc);
  }

  media.interfaceIndex = interfaceIndex;
  media.nowCoarse = coarseTime(nowTsc);

  for (uint16_t i = 0; i < classified.arpCount; ++i) {
    rte_mbuf* m = classified.arp[i];
    if (learnFromArp(iface, *tables_.neighbors, m, nowTsc, counters_)) {
      toException(iface, m);
    } else {
      counters_.drop(DropReason::kNotForUs);
      rte_pktmbuf_free(m);
    }
  }
  for (uint16_t i = 0; i < classified.neighborDiscoveryCount; ++i) {
    rte_mbuf* m = classified.neighborDiscovery[i];
    learnFromNeighborDiscovery(iface, *tables_.neighbors, m, nowTsc, counters_);
    toException(iface, m);
  }
  for (uint16_t i = 0; i < classified.localCount; ++i) toExceptionMetered(iface, classified.local[i]);
}

void Worker::filterLocal(const FirewallTables& firewall, const AclSet& set, ClassifiedBurst& c, uint64_t nowTsc) {
  const uint64_t keep = filterBurst(firewall, set, c.local, c.localCount, index_, nowTsc, counters_);
  uint16_t kept = 0;
  for (uint16_t i = 0; i < c.localCount; ++i)
    if ((keep >> i) & 1) c.local[kept++] = c.local[i];
  c.localCount = kept;
}

void Worker::filterHeld(const FirewallTables& firewall, const AclSet& set, HeldMedia& media) {
  const uint64_t keep =
      aclMemos_ != nullptr
          ? filterFlows(firewall, set, media.packets, media.slots, media.count, aclMemos_, AclDirection::kIn,
                        media.interfaceIndex, index_, burstTsc_, counters_)
          : filterBurst(firewall, set, media.packets, media.count, index_, burstTsc_, counters_);
  if (unlikely(keep != (uint64_t{1} << media.count) - 1)) media.keepOnly(keep);
}

uint16_t Worker::filterDeparting(const FirewallTables& firewall, const AclSet& set, TxBuffer& buffer,
                                 uint8_t interfaceIndex) {
  uint16_t kept = 0;
  for (uint16_t start = 0; start < buffer.count; start += kMaxFilterBurst) {
    const uint16_t n = std::min<uint16_t>(kMaxFilterBurst, buffer.count - start);
    rte_mbuf** packets = buffer.packets + start;
    const uint64_t keep =
        aclMemos_ != nullptr
            ? filterFlows(firewall, set, packets, buffer.slots + start, n, aclMemos_, AclDirection::kOut,
                          interfaceIndex, index_, burstTsc_, counters_)
            : filterBurst(firewall, set, packets, n, index_, burstTsc_, counters_);
    for (uint16_t i = 0; i < n; ++i)
      if ((keep >> i) & 1) {
        buffer.slots[kept] = buffer.slots[start + i];
        buffer.packets[kept++] = packets[i];
      }
  }
  return kept;
}

void Worker::resolveBurst(HeldMedia& media) {
  // At 100k+ sessions every flow is a cache miss. Classify found each key's home slot, from the
  // key alone (FlowTable), and the line there was asked for (by classify, or by the relay of the
  // burst before), which the relay reads a call later, where the mark in it says whether it is
  // the key's flow. So nothing is read here: the burst is held with its homes as slots, and what
  // a few packets need (their cold lines, the firewall's memos) is asked for, each behind one
  // test per burst. Reading the marks here, as the entries were read before homes, cost about
  // 0.8 ns a packet (sbcbench relay --stages).
  ClassifiedBurst& classified = classifiedOf(media);
  const uint16_t udpCount = classified.udpCount;
  const uint32_t all = static_cast<uint32_t>((uint64_t{1} << udpCount) - 1);  // udpCount may be 32
  media.count = udpCount;
  media.fastMask = classified.udpFastMask;
  const FlowCold* const cold = tables_.flows->coldPool();
  for (uint32_t slow = all & ~media.fastMask; slow != 0; slow &= slow - 1)
    rte_prefetch0(&cold[media.slots[__builtin_ctz(slow)]]);
  const ArrivingFilter filter = arrivingFilter(media.interfaceIndex);
  if (filter.set != nullptr && aclMemos_ != nullptr)  // the flows' verdicts are asked for too
    for (uint32_t h = all; h != 0; h &= h - 1) rte_prefetch0(&aclMemos_[media.slots[__builtin_ctz(h)]]);
  classified.udpCount = 0;
  // What prepareBurst queued, at most one burst's worth: the exception array holds it.
  if (exceptionCount_ != 0) flushException();
}

void Worker::findFlows(HeldMedia& media, uint32_t which, const ArrivingFilter& filter) {
  const FlowTable& table = *tables_.flows;
  uint32_t misses = 0;
  for (uint32_t w = which; w != 0; w &= w - 1) {
    const unsigned i = static_cast<unsigned>(__builtin_ctz(w));
    const uint32_t slot = table.slotFrom(media.slots[i]);
    media.slots[i] = slot;
    misses |= uint32_t{slot == FlowTable::kNoSlot} << i;
  }
  if (likely(misses == 0)) return;
  // The exception array has room for a burst: what the burst received since is sent first.
  if (exceptionCount_ != 0) flushException();
  dropMisses(media, misses, filter);
  if (exceptionCount_ != 0) flushException();
}

void Worker::dropMisses(HeldMedia& media, uint32_t misses, const ArrivingFilter& filter) {
  // No flow: the firewall judges them one by one (probes, SIP, a flood of strangers). The
  // matched packets close up, in their order.
  rte_mbuf* unmatched[kMaxBurst];
  uint16_t n = 0;
  for (uint32_t m = misses; m != 0; m &= m - 1) unmatched[n++] = media.packets[__builtin_ctz(m)];
  media.keepOnly(~uint64_t{misses});
  const uint64_t keep = filter.set != nullptr
                            ? filterBurst(*filter.tables, *filter.set, unmatched, n, index_, burstTsc_, counters_)
                            : ~uint64_t{0};
  const InterfaceRuntime& iface = tables_.interfaces->interfaces[media.interfaceIndex];
  for (uint16_t k = 0; k < n; ++k)
    if ((keep >> k) & 1) handleUnmatchedUdp(iface, unmatched[k]);
}

void Worker::relayHeld(HeldMedia& media) {
  // Unless classify asked for them, the relay asks for the lines of the burst classify found
  // last (the other ClassifiedBurst's udpHomes, until resolveBurst takes it), one per packet it
  // comes to; here, for those it did not.
  const ClassifiedBurst& next = classified_[1 - (&media - held_)];
  const uint16_t held = media.count;
  const bool ask = askInRelay_ && next.udpCount != 0;
  relayHeldMedia(media, ask ? next.udpHomes : nullptr);
  if (ask)
    for (uint16_t i = held; i < next.udpCount; ++i) askForFlowLine(tables_.flows->pool(), next.udpHomes[i]);
}

void Worker::relayHeldMedia(HeldMedia& media, const uint32_t* nextHomes) {
  if (media.count == 0) return;
  const uint32_t all = static_cast<uint32_t>((uint64_t{1} << media.count) - 1);
  bool known = false;  // whether media.slots are the flows' slots, not just homes
  if (const ArrivingFilter f = arrivingFilter(media.interfaceIndex); f.set != nullptr) {
    // The firewall remembers its verdicts per flow: the flows are found first.
    findFlows(media, all, f);
    known = true;
    filterHeld(*f.tables, *f.set, media);
    if (media.count == 0) return;
  }
  MediaContext ctx{tables_.flows->pool(), tables_.flows->coldPool(), tables_.interfaces,
                   tables_.neighbors->macStates(), flowStats_, &counters_, tx_, media.nowCoarse,
                   &tables_.interfaces->interfaces[media.interfaceIndex], fastPath_, nextHomes};
  if (const uint16_t done = relayBurst(ctx, media.packets, media.slots, media.fastMask, media.count, known);
      unlikely(done != media.count)) {
    // A flow away from home (after an update), or none (probes, SIP): the rest of the burst, from
    // that packet on, is relayed once its flows are found. No filter here: with one, every flow
    // was found above.
    media.keepOnly(all & ~((uint64_t{1} << done) - 1));  // the relayed packets are in tx_ now
    findFlows(media, static_cast<uint32_t>((uint64_t{1} << media.count) - 1), ArrivingFilter{});
    if (media.count != 0) relayBurst(ctx, media.packets, media.slots, media.fastMask, media.count, true);
  }
  media.count = 0;
}

void Worker::handleUnmatchedUdp(const InterfaceRuntime& iface, rte_mbuf* m) {
  // Where it was sent, from its headers (classified: l2_len and l3_len are set).
  const uint8_t* l3 = rte_pktmbuf_mtod_offset(m, const uint8_t*, m->l2_len);
  const bool v6 = isIpv6(m);
  const uint8_t* destination = l3 + (v6 ? offsetof(rte_ipv6_hdr, dst_addr) : offsetof(rte_ipv4_hdr, dst_addr));
  const uint16_t portBe = load16(l3 + m->l3_len + offsetof(rte_udp_hdr, dst_port));
  bool ours = v6 ? iface.ownsV6(destination) : iface.ownsV4(load32(destination));
  if (!ours) {
    counters_.drop(DropReason::kNotForUs);
    rte_pktmbuf_free(m);
    return;
  }
  // Our media range belongs to sessions: a packet there without one is probing or stale.
  if (iface.isMediaPort(rte_be_to_cpu_16(portBe))) {
    counters_.drop(DropReason::kMediaNoSession);
    rte_pktmbuf_free(m);
    return;
  }
  toExceptionMetered(iface, m);
}

bool Worker::admitByFloodGuard(const InterfaceRuntime& iface, rte_mbuf* m) {
  const bool v6 = isIpv6(m);
  const uint8_t* source = rte_pktmbuf_mtod_offset(m, const uint8_t*, m->l2_len + (v6 ? 8 : 12));
  const FloodVerdict verdict = floodGuard_.check(*floodSettings_, iface.index, v6 ? 6 : 4, source, burstTsc_);
  if (likely(verdict == FloodVerdict::kAdmit)) return true;
  counters_.drop(verdict == FloodVerdict::kBlocked ? DropReason::kBlockedSource : DropReason::kSipFlood);
  rte_pktmbuf_free(m);
  return false;
}

void Worker::flushException() {
  // No exception ring at all (a bench or test pipeline): the packets have nowhere to go.
  const DropReason reason = tables_.exceptionRing ? DropReason::kExceptionQueueFull : DropReason::kNoExceptionPath;
  unsigned queued = 0;
  if (tables_.exceptionRing != nullptr)
    queued = rte_ring_mp_enqueue_burst(tables_.exceptionRing, reinterpret_cast<void**>(exception_),
                                       exceptionCount_, nullptr);
  counters_.exceptionPackets += queued;
  if (queued < exceptionCount_) {
    counters_.drop(reason, exceptionCount_ - queued);
    rte_pktmbuf_free_bulk(exception_ + queued, exceptionCount_ - queued);
  }
  exceptionCount_ = 0;
}

template <typename Sink>
bool Worker::sendControlFrames(Sink& sink) {
  bool any = false;
  for (uint8_t i = 0; i < tables_.interfaces->count; ++i) {
    rte_ring* ring = tables_.interfaces->interfaces[i].controlTx;
    if (ring == nullptr) continue;
    rte_mbuf* packets[kMaxBurst];
    unsigned n = rte_ring_sc_dequeue_burst(ring, reinterpret_cast<void**>(packets), kMaxBurst, nullptr);
    if (n == 0) continue;
    any = true;
    transmit(i, packets, static_cast<uint16_t>(n), totalLength(packets, static_cast<uint16_t>(n)), sink);
  }
  return any;
}

void Worker::run(const std::vector<RxQueue>& queues, uint16_t txQueueId, uint32_t idleSleepUs,
                 const std::atomic<bool>& stop) {
  const InterfaceTable& interfaces = *tables_.interfaces;
  auto portSink = [&](uint8_t iface, rte_mbuf** packets, uint16_t count) -> uint16_t {
    return rte_eth_tx_burst(interfaces.interfaces[iface].portId, txQueueId, packets, count);
  };
  rte_rcu_qsbr_thread_register(tables_.rcu, index_);
  rte_rcu_qsbr_thread_online(tables_.rcu, index_);
  constexpr unsigned kIdlePollsBeforeSleep = 256;
  unsigned idlePolls = 0;
  rte_mbuf* packets[kMaxBurst];
  WorkerClock clock;
  while (!stop.load(std::memory_order_relaxed)) {
    const uint64_t now = clock.now();
    bool received = false;
    for (const RxQueue& q : queues) {
      uint16_t n = rte_eth_rx_burst(q.portId, q.queueId, packets, kMaxBurst);
      if (n == 0) continue;
      received = true;
      processBurstPipelined(q.interfaceIndex, packets, n, now, portSink);  // reports quiescence
    }
    // Nothing came in: the held burst leaves now, not when traffic resumes, and RCU hears from us.
    if (!received) {
      clock.idle();
      drainPipeline();
      flush(portSink);
      rte_rcu_qsbr_quiescent(tables_.rcu, index_);
    }
    bool busy = received;
    if (index_ == 0) busy |= sendControlFrames(portSink);
    ++counters_.polls;
    counters_.busyPolls += busy;
    if (busy) {
      idlePolls = 0;
    } else if (idleSleepUs != 0 && ++idlePolls > kIdlePollsBeforeSleep) {
      // Off the hot path: only after a run of empty polls (as l3fwd-power does).
      rte_delay_us_sleep(idleSleepUs);
    }
  }
  drainPipeline();
  flush(portSink);
  rte_rcu_qsbr_thread_offline(tables_.rcu, index_);
  rte_rcu_qsbr_thread_unregister(tables_.rcu, index_);
}

}  // namespace sbc::dataplane
