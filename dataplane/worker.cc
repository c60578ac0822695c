#include "dataplane/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "dataplane/neighbor_learning.h"

namespace sbc::dataplane {

namespace {

// An array for this worker alone, committed now (a page fault on the hot path would cost more
// than the memory) and on huge pages where the kernel has them, for the TLB's sake. Null when
// the memory is not there.
void* mapWorkerArray(size_t bytes) {
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  madvise(mem, bytes, MADV_HUGEPAGE);
  // After the advice, so that the pages it commits are huge ones.
  if (madvise(mem, bytes, MADV_POPULATE_WRITE) != 0) std::memset(mem, 0, bytes);
  return mem;
}

}  // namespace

Worker::Worker(const SharedTables& tables, unsigned index) : tables_(tables), index_(index) {
  // The interface table is frozen before workers are made.
  for (uint8_t i = 0; i < tables.interfaces->count; ++i)
    egressHeaders_[i] = makeEgressHeader(tables.interfaces->interfaces[i]);
  const size_t flows = tables.flows->capacity();
  flowStatsBytes_ = sizeof(FlowStats) * flows;
  flowStats_ = static_cast<FlowStats*>(mapWorkerArray(flowStatsBytes_));
  if (flowStats_ == nullptr) flowStatsBytes_ = 0;
  // Only a dataplane with a firewall stage remembers verdicts.
  if (tables.firewall != nullptr) {
    aclMemosBytes_ = sizeof(AclFlowMemos) * flows;
    aclMemos_ = static_cast<AclFlowMemos*>(mapWorkerArray(aclMemosBytes_));
    if (aclMemos_ == nullptr) aclMemosBytes_ = 0;
  }
}

Worker::~Worker() {
  if (flowStats_ != nullptr) munmap(flowStats_, flowStatsBytes_);
  if (aclMemos_ != nullptr) munmap(aclMemos_, aclMemosBytes_);
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
  // Where the flow of every UDP packet is published: classify asks for the table's entries for
  // the whole burst now; resolveBurst reads them after the previous burst has been relayed.
  FlowTable::Locator locator(*tables_.flows, addressCache_);
  classifyBurst(iface, packets, count, classified_, counters_, fastPath_, &locator);
  // One predictable branch per burst when nothing filters this interface's realm. UDP waits
  // for its flows (resolveBurst, relayHeld): a media flow remembers its verdict.
  if (classified_.localCount != 0) {
    if (const ArrivingFilter f = arrivingFilter(interfaceIndex); f.set != nullptr) filterLocal(*f.tables, *f.set, nowTsc);
  }

  media.interfaceIndex = interfaceIndex;
  media.nowCoarse = coarseTime(nowTsc);

  for (uint16_t i = 0; i < classified_.arpCount; ++i) {
    rte_mbuf* m = classified_.arp[i];
    if (learnFromArp(iface, *tables_.neighbors, m, nowTsc, counters_)) {
      toException(iface, m);
    } else {
      counters_.drop(DropReason::kNotForUs);
      rte_pktmbuf_free(m);
    }
  }
  for (uint16_t i = 0; i < classified_.neighborDiscoveryCount; ++i) {
    rte_mbuf* m = classified_.neighborDiscovery[i];
    learnFromNeighborDiscovery(iface, *tables_.neighbors, m, nowTsc, counters_);
    toException(iface, m);
  }
  for (uint16_t i = 0; i < classified_.localCount; ++i) toExceptionMetered(iface, classified_.local[i]);
}

void Worker::filterLocal(const FirewallTables& firewall, const AclSet& set, uint64_t nowTsc) {
  ClassifiedBurst& c = classified_;
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
  // At 100k+ sessions every flow is a cache miss. The slot gives its address without reading
  // anything, so the whole burst's flows are asked for now and relayed a burst later: the
  // flow's line, which is all that the fast path reads, and the first line of its cold part
  // too for a packet that cannot take it. The loop does only what every packet needs; what a
  // few need (the cold lines, the firewall's memos, compacting out packets without a flow)
  // follows it, each behind one test per burst.
  const uint16_t udpCount = classified_.udpCount;
  const uint32_t all = static_cast<uint32_t>((uint64_t{1} << udpCount) - 1);  // udpCount may be 32
  const Flow* const flows = tables_.flows->pool();
  uint32_t highest = 0;  // kNoSlot when a packet has no flow: no valid slot is that high
  for (uint16_t i = 0; i < udpCount; ++i) {
    const uint32_t slot = FlowTable::slotAt(classified_.udpEntries[i]);
    media.slots[i] = slot;
    highest = std::max(highest, slot);
    if (likely(slot != FlowTable::kNoSlot)) rte_prefetch0(&flows[slot]);
  }
  uint32_t misses = 0;
  if (unlikely(highest == FlowTable::kNoSlot))
    for (uint16_t i = 0; i < udpCount; ++i) misses |= uint32_t{media.slots[i] == FlowTable::kNoSlot} << i;
  // All of the array, whatever the count: a fixed-size copy is a few vector moves, where a
  // variable one is a call.
  static_assert(sizeof media.packets == sizeof classified_.udp);
  std::memcpy(media.packets, classified_.udp, sizeof media.packets);
  media.count = udpCount;
  media.fastMask = classified_.udpFastMask;
  const uint32_t hits = all & ~misses;
  const FlowCold* const cold = tables_.flows->coldPool();
  for (uint32_t slow = hits & ~media.fastMask; slow != 0; slow &= slow - 1)
    rte_prefetch0(&cold[media.slots[__builtin_ctz(slow)]]);
  const ArrivingFilter filter = arrivingFilter(media.interfaceIndex);
  if (filter.set != nullptr && aclMemos_ != nullptr)  // the flows' verdicts are asked for too
    for (uint32_t h = hits; h != 0; h &= h - 1) rte_prefetch0(&aclMemos_[media.slots[__builtin_ctz(h)]]);
  if (unlikely(misses != 0)) dropMisses(media, misses, filter);
  classified_.udpCount = 0;
  // Together with what prepareBurst queued, at most one burst's worth: the exception array holds it.
  if (exceptionCount_ != 0) flushException();
}

void Worker::dropMisses(HeldMedia& media, uint32_t misses, const ArrivingFilter& filter) {
  // No flow: the firewall judges them one by one (probes, SIP, a flood of strangers). The
  // matched packets close up, in their order.
  rte_mbuf* unmatched[kMaxBurst];
  uint8_t from[kMaxBurst];
  uint16_t n = 0;
  for (uint32_t m = misses; m != 0; m &= m - 1) {
    const unsigned i = static_cast<unsigned>(__builtin_ctz(m));
    from[n] = static_cast<uint8_t>(i);
    unmatched[n++] = media.packets[i];
  }
  media.keepOnly(~uint64_t{misses});
  const uint64_t keep = filter.set != nullptr
                            ? filterBurst(*filter.tables, *filter.set, unmatched, n, index_, burstTsc_, counters_)
                            : ~uint64_t{0};
  const InterfaceRuntime& iface = tables_.interfaces->interfaces[media.interfaceIndex];
  for (uint16_t k = 0; k < n; ++k)
    if ((keep >> k) & 1) handleUnmatchedUdp(iface, unmatched[k], classified_.udpKeys[from[k]]);
}

void Worker::relayHeld(HeldMedia& media) {
  if (media.count == 0) return;
  if (const ArrivingFilter f = arrivingFilter(media.interfaceIndex); f.set != nullptr) {
    filterHeld(*f.tables, *f.set, media);
    if (media.count == 0) return;
  }
  MediaContext ctx{tables_.flows->pool(), tables_.flows->coldPool(), tables_.interfaces,
                   tables_.neighbors, flowStats_, &counters_, tx_, media.nowCoarse,
                   &tables_.interfaces->interfaces[media.interfaceIndex], egressHeaders_, fastPath_};
  relayBurst(ctx, media.packets, media.slots, media.fastMask, media.count);
  media.count = 0;
}

void Worker::handleUnmatchedUdp(const InterfaceRuntime& iface, rte_mbuf* m, const FlowKey& key) {
  bool ours = key.family == static_cast<uint8_t>(IpFamily::kV4)
                  ? iface.ownsV4(*reinterpret_cast<const uint32_t*>(key.address))
                  : iface.ownsV6(key.address);
  if (!ours) {
    counters_.drop(DropReason::kNotForUs);
    rte_pktmbuf_free(m);
    return;
  }
  // Our media range belongs to sessions: a packet there without one is probing or stale.
  if (iface.isMediaPort(rte_be_to_cpu_16(key.udpPortBe))) {
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
  while (!stop.load(std::memory_order_relaxed)) {
    uint64_t now = rte_rdtsc();
    bool received = false;
    for (const RxQueue& q : queues) {
      uint16_t n = rte_eth_rx_burst(q.portId, q.queueId, packets, kMaxBurst);
      if (n == 0) continue;
      received = true;
      processBurstPipelined(q.interfaceIndex, packets, n, now, portSink);  // reports quiescence
    }
    // Nothing came in: the held burst leaves now, not when traffic resumes, and RCU hears from us.
    if (!received) {
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
