// `sbcbench acl`: what the firewall costs the relay. The pipeline of `sbcbench relay` (one
// worker, 1,000 sessions by default), first with nothing bound, then with lists of 100, 1,000
// and 10,000 rules bound on the access realm's 'in' direction: rules that never match the
// bench's media (bench/acl_rule_set.h) ahead of a final permit, so every packet goes through
// the whole list and is still relayed. The ratio is the rate against the rate with no rules.

#include <rte_cycles.h>

#include <algorithm>
#include <cstdio>

#include "bench/acl_rule_set.h"
#include "bench/bench_fixture.h"
#include "bench/relay_bench.h"
#include "bench/rtp_generator.h"

namespace sbc::bench {

int runAclBench(const AclBenchOptions& o) {
  std::string error;
  auto fixture = BenchFixture::create(o.sessions, error);
  if (!fixture || !fixture->addSessions(o.sessions, error)) {
    std::fprintf(stderr, "sbcbench acl: %s\n", error.c_str());
    return 1;
  }
  RtpGenerator generator(fixture->addressing(), o.sessions, fixture->interfaces().interfaces[0].mac, true);
  // One pass latches every session; steady state is what we measure.
  measureRelay(*fixture, generator, std::max<uint64_t>(o.sessions, 1'000'000), 1);

  struct Row {
    uint32_t rules;
    double mpps, commitMs, forwardedPct;
  };
  std::vector<Row> rows;
  for (uint32_t rules : o.ruleCounts) {
    dataplane::FirewallConfig config;
    if (rules != 0) {
      config.lists.push_back(syntheticAclList("bench", rules));
      config.bindings.push_back({"access", dataplane::AclDirection::kIn, "bench"});
    }
    dataplane::Status s = fixture->firewall().apply(config);
    if (!s.ok()) {
      std::fprintf(stderr, "sbcbench acl: %u rules: %s\n", rules, s.error.c_str());
      return 1;
    }
    RelayRate rate = measureRelay(*fixture, generator, o.packetsPerRun, o.rounds);
    rows.push_back({rules, rate.mpps, static_cast<double>(fixture->firewall().lastCommitMicros()) / 1000,
                    100.0 * static_cast<double>(rate.forwarded) / static_cast<double>(rate.generated)});
    const double ratio = rate.mpps / rows.front().mpps;
    if (!o.json)
      std::printf("%6u rules: %6.2f Mpps (%5.1f ns/packet), ratio %.3f, commit %.1f ms, forwarded %.2f%%\n",
                  rules, rate.mpps, 1000.0 / rate.mpps, ratio, rows.back().commitMs, rows.back().forwardedPct);
  }
  if (o.json) {
    std::printf("{\"bench\":\"acl\",\"sessions\":%u,\"results\":[", o.sessions);
    for (size_t i = 0; i < rows.size(); ++i)
      std::printf("%s{\"rules\":%u,\"mpps\":%.3f,\"ratio\":%.3f,\"commit_ms\":%.1f,\"forwarded_pct\":%.3f}",
                  i ? "," : "", rows[i].rules, rows[i].mpps, rows[i].mpps / rows.front().mpps, rows[i].commitMs,
                  rows[i].forwardedPct);
    std::printf("]}\n");
  }
  for (const Row& r : rows)
    if (r.forwardedPct < 99.999) {
      std::fprintf(stderr, "sbcbench acl: only %.3f%% of packets forwarded with %u rules\n", r.forwardedPct, r.rules);
      return 1;
    }
  return 0;
}

}  // namespace sbc::bench
