#include "bench/relay_bench.h"

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

#include "bench/bench_fixture.h"
#include "bench/rtp_generator.h"
#include "dataplane/packet_pool.h"
#include "dataplane/worker_clock.h"

namespace sbc::bench {
namespace {

using dataplane::kMaxBurst;

// kClassify and kHomes run the pipeline's first stages alone (sbcbench relay --stages).
enum class Mode { kBaseline, kClassify, kHomes, kRelay };

struct RunRequest {
  BenchFixture* fixture;
  RtpGenerator* generator;     // bursts received on the access interface (0)
  Mode mode;
  uint64_t packets;            // stop after this many, or
  const std::atomic<bool>* stop;  // when this is set (if not null)
  uint64_t generated = 0;
  uint64_t cycles = 0;
  uint16_t burst = kMaxBurst;
  RtpGenerator* reverse = nullptr;  // if set, every other burst comes from it, on the core interface (1)
};

int discard(uint8_t, rte_mbuf** packets, uint16_t count) {
  rte_pktmbuf_free_bulk(packets, count);
  return count;
}

// The pipeline's first stages as the worker runs them, the packets freed where the relay would
// take them: classify alone, or classify finding the burst's home slots as it goes, and asking
// for their lines where the worker's classify would (Worker::kFlowsAskedInClassify), the burst
// held for a call (as Worker::processBurstPipelined does). What each adds to the one before is
// its cost; the relay reads the lines (and asks for them where classify did not).
class FirstStages {
 public:
  explicit FirstStages(BenchFixture& f) : fixture_(f) {}

  void classify(uint8_t iface, rte_mbuf** packets, uint16_t count) {
    dataplane::ClassifiedBurst& c = classified_[0];
    dataplane::classifyBurst(fixture_.interfaces().interfaces[iface], packets, count, c, counters_,
                              fixture_.worker().fastPath());
    release(c);
  }

  void classifyAndLocate(uint8_t iface, rte_mbuf** packets, uint16_t count) {
    dataplane::ClassifiedBurst& c = classified_[current_];
    dataplane::FlowTable::Locator locator(fixture_.flows(), cache_, dataplane::Worker::classifyAsks(fixture_.flows()));
    dataplane::classifyBurst(fixture_.interfaces().interfaces[iface], packets, count, c, counters_,
                              fixture_.worker().fastPath(), &locator);
    drainHeld();
    current_ ^= 1;
  }
  // The held burst let go.
  void drainHeld() { release(classified_[current_ ^ 1]); }

 private:
  static void release(dataplane::ClassifiedBurst& c) {
    rte_pktmbuf_free_bulk(c.udp, c.udpCount);
    rte_pktmbuf_free_bulk(c.arp, c.arpCount);
    rte_pktmbuf_free_bulk(c.neighborDiscovery, c.neighborDiscoveryCount);
    rte_pktmbuf_free_bulk(c.local, c.localCount);
    c.udpCount = c.arpCount = c.neighborDiscoveryCount = c.localCount = 0;
  }

  BenchFixture& fixture_;
  dataplane::ClassifiedBurst classified_[2];
  dataplane::FlowTable::AddressCache cache_;
  dataplane::WorkerCounters counters_{};
  unsigned current_ = 0;
};

// Runs on the worker lcore: the generator feeding either the pipeline or nothing.
int runOnWorker(void* arg) {
  auto* r = static_cast<RunRequest*>(arg);
  dataplane::Worker& worker = r->fixture->worker();
  rte_rcu_qsbr* rcu = r->fixture->rcu();
  rte_rcu_qsbr_thread_register(rcu, 0);
  rte_rcu_qsbr_thread_online(rcu, 0);
  auto sink = [](uint8_t iface, rte_mbuf** p, uint16_t n) -> uint16_t { return discard(iface, p, n); };
  rte_mbuf* packets[kMaxBurst];
  dataplane::TxBuffer idle;
  auto firstStages = std::make_unique<FirstStages>(*r->fixture);
  uint64_t done = 0;
  uint64_t bursts = 0;
  uint64_t now = 0;
  dataplane::WorkerClock clock;
  uint64_t start = rte_rdtsc_precise();
  while (done < r->packets && !(r->stop && r->stop->load(std::memory_order_relaxed))) {
    // Both ways: the worker polls the access port, then the core port, as Worker::run does.
    const uint8_t iface = r->reverse != nullptr ? static_cast<uint8_t>(bursts++ & 1) : 0;
    RtpGenerator* generator = iface == 0 ? r->generator : r->reverse;
    uint16_t n = generator->generate(r->fixture->pool(), packets, r->burst);
    if (r->mode == Mode::kRelay) {
      // As Worker::run does: the stamp taken once per pass over the ports (both ways: every other
      // burst) from its WorkerClock, pipelined, a quiescent state reported within each call.
      if (iface == 0) now = clock.now();
      worker.processBurstPipelined(iface, packets, n, now, sink);
    } else if (r->mode == Mode::kClassify) {
      firstStages->classify(iface, packets, n);
    } else if (r->mode == Mode::kHomes) {
      firstStages->classifyAndLocate(iface, packets, n);
    } else {
      // The no-work forwarder: what arrives on one port is queued, untouched, for the other
      // and flushed through the same sink, as a port-to-port forwarder (testpmd io) does.
      std::memcpy(idle.packets, packets, n * sizeof(rte_mbuf*));
      idle.count = n;
      sink(iface ^ 1, idle.packets, idle.count);
      idle.count = 0;
    }
    if (r->mode != Mode::kRelay) rte_rcu_qsbr_quiescent(rcu, 0);
    done += n;
  }
  worker.drainPipeline();
  worker.flush(sink);
  firstStages->drainHeld();
  r->cycles = rte_rdtsc_precise() - start;
  r->generated = done;
  rte_rcu_qsbr_thread_offline(rcu, 0);
  rte_rcu_qsbr_thread_unregister(rcu, 0);
  return 0;
}

unsigned workerLcore() { return rte_get_next_lcore(rte_get_main_lcore(), 1, 0); }

RunRequest runOnce(BenchFixture& f, RtpGenerator& g, Mode mode, uint64_t packets,
                   const std::atomic<bool>* stop = nullptr, uint16_t burst = kMaxBurst,
                   RtpGenerator* reverse = nullptr) {
  RunRequest r{&f, &g, mode, packets, stop};
  r.burst = burst;
  r.reverse = reverse;
  rte_eal_remote_launch(runOnWorker, &r, workerLcore());
  rte_eal_wait_lcore(workerLcore());
  return r;
}

// What a stage adds per packet: the time per packet with it less the time without it.
double stageNs(double withMpps, double withoutMpps) { return 1000.0 / withMpps - 1000.0 / withoutMpps; }

double mpps(const RunRequest& r) {
  return static_cast<double>(r.generated) / (static_cast<double>(r.cycles) / rte_get_tsc_hz()) / 1e6;
}

}  // namespace

// Updates `pct` percent of the fixture's sessions, spread over them, and with `rehome` brings
// their flows home again as soon as the old flows are freed (no worker is running: at once).
bool updateSessions(BenchFixture& fixture, uint32_t sessions, uint32_t pct, bool rehome) {
  for (uint32_t i = 0; i < sessions; ++i) {
    if (i % 100 >= pct) continue;
    if (dataplane::Status s = fixture.sessions().update(fixture.spec(i), rte_rdtsc()); !s.ok()) {
      std::fprintf(stderr, "sbcbench relay: update of session %u: %s\n", i, s.error.c_str());
      return false;
    }
  }
  // Each reclaim frees a bounded batch; each rehome moves what those freed.
  for (unsigned idle = 0; rehome && fixture.sessions().awayFromHome() != 0 && idle < 3;) {
    fixture.flows().reclaim();
    idle = fixture.sessions().rehome(rte_rdtsc(), UINT32_MAX) == 0 ? idle + 1 : 0;
  }
  if (rehome && fixture.sessions().awayFromHome() != 0) {
    std::fprintf(stderr, "sbcbench relay: %zu sessions still away from home\n", fixture.sessions().awayFromHome());
    return false;
  }
  return true;
}

RelayRate measureRelay(BenchFixture& fixture, RtpGenerator& generator, uint64_t packets, unsigned rounds) {
  RelayRate rate;
  const uint64_t before = fixture.worker().counters().mediaPackets;
  for (unsigned round = 0; round < rounds; ++round) {
    RunRequest r = runOnce(fixture, generator, Mode::kRelay, packets);
    rate.generated += r.generated;
    rate.mpps = std::max(rate.mpps, mpps(r));
  }
  rate.forwarded = fixture.worker().counters().mediaPackets - before;
  return rate;
}

int runRelayBench(const RelayOptions& o) {
  struct Row {
    uint32_t sessions;
    double mpps, baseline, forwardedPct;
    double coreSharePct;  // of the relayed packets, those received on the core interface
    double classify = 0, homes = 0;  // Mpps of the first stages alone (--stages)
  };
  std::vector<Row> rows;
  bool packedMbufs = false;  // how the fixtures' pools lay their mbufs out (dataplane/packet_pool.h)
  dataplane::FastPath fastPath = dataplane::FastPath::kScalar;
  for (uint32_t sessions : o.sessionCounts) {
    std::string error;
    auto fixture = BenchFixture::create(sessions, error, o.pageAlignedMbufs);
    if (!fixture || !fixture->addSessions(sessions, error)) {
      std::fprintf(stderr, "sbcbench relay: %s\n", error.c_str());
      return 1;
    }
    if (o.updatedPct != 0 && !updateSessions(*fixture, sessions, o.updatedPct, o.rehome)) return 1;
    // Hugepages hold many mbufs each; 4 KiB pages one each, unless the pool may cross them.
    packedMbufs = usingHugepages || dataplane::packsAcrossPages(fixture->pool());
    if (o.scalar) fixture->worker().setFastPath(dataplane::FastPath::kScalar);
    fastPath = fixture->worker().fastPath();
    RtpGenerator generator(fixture->addressing(), sessions, fixture->interfaces().interfaces[0].mac,
                           o.nicChecksumOffload);
    RtpGenerator reverse(fixture->addressing(), sessions, fixture->interfaces().interfaces[1].mac,
                         o.nicChecksumOffload, 0, RtpGenerator::Side::kCore);
    RtpGenerator* other = o.bothWays ? &reverse : nullptr;
    // One pass over every flow latches them all; steady state is what we measure.
    const uint64_t warmUp = std::max<uint64_t>((other ? 2 : 1) * uint64_t{sessions}, 1'000'000);
    runOnce(*fixture, generator, Mode::kRelay, warmUp, nullptr, kMaxBurst, other);
    auto run = [&](Mode mode) { return runOnce(*fixture, generator, mode, o.packetsPerRun, nullptr, o.burst, other); };
    const dataplane::WorkerCounters& counters = fixture->worker().counters();
    const uint64_t forwardedBefore = counters.mediaPackets;
    const uint64_t accessBefore = counters.rxPackets[0], coreBefore = counters.rxPackets[1];
    uint64_t relayed = 0;
    double best = 0, bestBaseline = 0, bestClassify = 0, bestHomes = 0;
    for (unsigned round = 0; round < o.rounds; ++round) {
      bestBaseline = std::max(bestBaseline, mpps(run(Mode::kBaseline)));
      if (o.stages) {
        bestClassify = std::max(bestClassify, mpps(run(Mode::kClassify)));
        bestHomes = std::max(bestHomes, mpps(run(Mode::kHomes)));
      }
      RunRequest r = run(Mode::kRelay);
      relayed += r.generated;
      best = std::max(best, mpps(r));
    }
    const uint64_t forwarded = counters.mediaPackets - forwardedBefore;
    const uint64_t core = counters.rxPackets[1] - coreBefore;
    const uint64_t received = counters.rxPackets[0] - accessBefore + core;
    rows.push_back({sessions, best, bestBaseline, 100.0 * static_cast<double>(forwarded) / static_cast<double>(relayed),
                    100.0 * static_cast<double>(core) / static_cast<double>(std::max<uint64_t>(received, 1)),
                    bestClassify, bestHomes});
    const Row& row = rows.back();
    if (!o.json) {
      std::printf("%8u sessions: %6.2f Mpps (%5.1f ns/packet), baseline %6.2f Mpps, ratio %.3f, forwarded %.2f%% "
                  "(%s fast paths, %s)\n",
                  sessions, best, 1000.0 / best, bestBaseline, best / bestBaseline, row.forwardedPct,
                  dataplane::fastPathName(fastPath), o.bothWays ? "both ways" : "one way");
      if (o.stages)
        std::printf("%8s  ns/packet beyond the baseline's %.2f: classify %.2f, homes found %.2f, "
                    "relay and transmit %.2f\n",
                    "", 1000.0 / bestBaseline, stageNs(bestClassify, bestBaseline), stageNs(bestHomes, bestClassify),
                    stageNs(best, bestHomes));
    }
  }
  if (o.json) {
    std::printf("{\"bench\":\"relay\",\"rx_checksum\":\"%s\",\"memory\":\"%s\",\"mbufs\":\"%s\","
                "\"fast_path\":\"%s\",\"traffic\":\"%s\",",
                o.nicChecksumOffload ? "nic-offload" : "software", usingHugepages ? "hugepages" : "4k-pages",
                packedMbufs ? "packed" : "page-aligned", dataplane::fastPathName(fastPath),
                o.bothWays ? "both-ways" : "one-way");
    if (o.updatedPct != 0) std::printf("\"updated_pct\":%u,\"rehome\":%s,", o.updatedPct, o.rehome ? "true" : "false");
    std::printf("\"results\":[");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf("%s{\"sessions\":%u,\"mpps\":%.3f,\"ns_per_packet\":%.2f,\"baseline_mpps\":%.3f,"
                  "\"ratio\":%.3f,\"forwarded_pct\":%.3f,\"received_core_pct\":%.1f",
                  i ? "," : "", r.sessions, r.mpps, 1000.0 / r.mpps, r.baseline, r.mpps / r.baseline,
                  r.forwardedPct, r.coreSharePct);
      if (o.stages)
        std::printf(",\"stages_ns\":{\"baseline\":%.2f,\"classify\":%.2f,\"homes\":%.2f,\"relay\":%.2f}",
                    1000.0 / r.baseline, stageNs(r.classify, r.baseline), stageNs(r.homes, r.classify),
                    stageNs(r.mpps, r.homes));
      std::printf("}");
    }
    std::printf("]}\n");
  }
  for (const Row& r : rows)
    if (r.forwardedPct < 99.999) {
      std::fprintf(stderr, "sbcbench relay: only %.3f%% of packets forwarded at %u sessions\n", r.forwardedPct, r.sessions);
      return 1;
    }
  return 0;
}

int runChurnBench(const ChurnOptions& o) {
  std::string error;
  uint32_t churnSlots = o.churnPerSecond;  // a separate id range, so measured traffic keeps flowing
  auto fixture = BenchFixture::create(o.sessions + churnSlots, error);
  if (!fixture || !fixture->addSessions(o.sessions, error)) {
    std::fprintf(stderr, "sbcbench churn: %s\n", error.c_str());
    return 1;
  }
  RtpGenerator generator(fixture->addressing(), o.sessions, fixture->interfaces().interfaces[0].mac, true);
  runOnce(*fixture, generator, Mode::kRelay, std::max<uint64_t>(o.sessions, 1'000'000));
  const uint64_t hz = rte_get_tsc_hz();
  const uint64_t runCycles = static_cast<uint64_t>(o.seconds * hz);
  double quietBest = 0, churnBest = 0;
  double churnRateAchieved = 0;
  for (unsigned round = 0; round < o.rounds; ++round) {
    // Quiet: the control lcore only waits.
    std::atomic<bool> stop{false};
    RunRequest quiet{fixture.get(), &generator, Mode::kRelay, UINT64_MAX, &stop};
    rte_eal_remote_launch(runOnWorker, &quiet, workerLcore());
    uint64_t end = rte_rdtsc() + runCycles;
    while (rte_rdtsc() < end) rte_pause();
    stop = true;
    rte_eal_wait_lcore(workerLcore());
    quietBest = std::max(quietBest, mpps(quiet));

    // Churn: the control lcore adds one session and deletes an older one at the set pace.
    stop = false;
    RunRequest busy{fixture.get(), &generator, Mode::kRelay, UINT64_MAX, &stop};
    rte_eal_remote_launch(runOnWorker, &busy, workerLcore());
    uint64_t start = rte_rdtsc();
    end = start + runCycles;
    const uint64_t interval = hz / o.churnPerSecond;
    uint64_t next = start;
    uint32_t added = 0, removed = 0;
    const uint32_t window = churnSlots / 2;  // sessions alive at once in the churn range
    while (rte_rdtsc() < end) {
      if (rte_rdtsc() < next) continue;
      next += interval;
      uint32_t slot = o.sessions + (added % churnSlots);
      if (added - removed >= window) {
        fixture->removeSession(o.sessions + (removed % churnSlots));
        ++removed;
      }
      if (fixture->addSession(slot).ok()) ++added;
      fixture->flows().reclaim();
    }
    stop = true;
    rte_eal_wait_lcore(workerLcore());
    while (removed < added) fixture->removeSession(o.sessions + (removed++ % churnSlots));
    fixture->flows().reclaim();
    churnRateAchieved = added / o.seconds;
    churnBest = std::max(churnBest, mpps(busy));
  }
  double costPct = 100.0 * (1.0 - churnBest / quietBest);
  if (o.json) {
    std::printf("{\"bench\":\"churn\",\"sessions\":%u,\"churn_per_s\":%.0f,\"mpps_quiet\":%.3f,"
                "\"mpps_churn\":%.3f,\"cost_pct\":%.2f}\n",
                o.sessions, churnRateAchieved, quietBest, churnBest, costPct);
  } else {
    std::printf("%u sessions, %.0f adds + deletes/s: %.2f Mpps quiet, %.2f Mpps under churn, cost %.2f%%\n",
                o.sessions, churnRateAchieved, quietBest, churnBest, costPct);
  }
  return 0;
}

}  // namespace sbc::bench
