// `sbcbench acl`: what the firewall costs the relay. The pipeline of `sbcbench relay` (one
// worker, 1,000 sessions by default), first with nothing bound, then with lists of 100, 1,000
// and 10,000 rules bound on the access realm's 'in' direction: rules that never match the
// bench's media (bench/acl_rule_set.h) ahead of a final permit, so every packet goes through
// the whole list and is still relayed. The ratio is the rate against the rate with no rules.

#include <rte_cycles.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "control/config/config_parser.h"
#include "control/config/config_render.h"

#include "bench/acl_rule_set.h"
#include "bench/bench_fixture.h"
#include "bench/relay_bench.h"
#include "bench/rtp_generator.h"

namespace sbc::bench {
namespace {

// What a startup file holds around the list: the demo's interfaces and the binding.
constexpr const char* kConfigHead =
    "interface access0\n device net_null0\n realm access\n address 198.18.1.1/24\nexit\n"
    "interface core0\n device net_null1\n realm core\n address 198.18.2.1/24\nexit\n";

// Milliseconds parseConfig takes over the list's lines; negative when the file is refused.
double loadMilliseconds(const dataplane::FirewallConfig& config) {
  const std::string text = std::string(kConfigHead) + control::renderFirewallConfig(config);
  const auto start = std::chrono::steady_clock::now();
  const control::ConfigParseResult parsed = control::parseConfig(text);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!parsed.ok()) {
    std::fprintf(stderr, "sbcbench acl: the rendered list does not load: %s\n", parsed.errors.front().toString().c_str());
    return -1;
  }
  return ms;
}

}  // namespace

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

  // Strangers: as many streams again, to the ports of sessions the fixture did not create.
  RtpGenerator strangers(fixture->addressing(), o.sessions, fixture->interfaces().interfaces[0].mac, true,
                         /*firstSession=*/o.sessions);
  struct Row {
    uint32_t rules;
    double mpps, commitMs, forwardedPct, strangerMpps, loadMs;
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
    RelayRate stranger = measureRelay(*fixture, strangers, o.packetsPerRun, o.rounds);
    const double loadMs = loadMilliseconds(config);
    if (loadMs < 0) return 1;
    rows.push_back({rules, rate.mpps, static_cast<double>(fixture->firewall().lastCommitMicros()) / 1000,
                    100.0 * static_cast<double>(rate.forwarded) / static_cast<double>(rate.generated),
                    stranger.mpps, loadMs});
    const double ratio = rate.mpps / rows.front().mpps;
    if (!o.json)
      std::printf("%6u rules: %6.2f Mpps (%5.1f ns/packet), ratio %.3f, commit %.1f ms, forwarded %.2f%%; "
                  "without a flow %6.2f Mpps (ratio %.3f); startup file %.1f ms\n",
                  rules, rate.mpps, 1000.0 / rate.mpps, ratio, rows.back().commitMs, rows.back().forwardedPct,
                  stranger.mpps, stranger.mpps / rows.front().strangerMpps, loadMs);
  }
  if (o.json) {
    std::printf("{\"bench\":\"acl\",\"sessions\":%u,\"results\":[", o.sessions);
    for (size_t i = 0; i < rows.size(); ++i)
      std::printf("%s{\"rules\":%u,\"mpps\":%.3f,\"ratio\":%.3f,\"commit_ms\":%.1f,\"forwarded_pct\":%.3f,"
                  "\"stranger_mpps\":%.3f,\"stranger_ratio\":%.3f,\"load_ms\":%.1f}",
                  i ? "," : "", rows[i].rules, rows[i].mpps, rows[i].mpps / rows.front().mpps, rows[i].commitMs,
                  rows[i].forwardedPct, rows[i].strangerMpps, rows[i].strangerMpps / rows.front().strangerMpps,
                  rows[i].loadMs);
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
