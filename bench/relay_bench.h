#pragma once
// `sbcbench relay` and `sbcbench churn`: packet rate of the real worker pipeline on one worker
// lcore against a forwarder that does no work, fed by the same in-process generator.

#include <cstdint>
#include <string>
#include <vector>

namespace sbc::bench {

struct RelayOptions {
  std::vector<uint32_t> sessionCounts{1000, 100000, 1000000};
  uint64_t packetsPerRun = 20'000'000;
  unsigned rounds = 3;           // baseline/relay pairs; the best of each is reported
  bool nicChecksumOffload = true;
  bool json = false;
  bool stages = false;  // also run the first stages alone, to cost each (FirstStages)
  bool pageAlignedMbufs = false;  // mbufs one per 4 KiB page, as rte_pktmbuf_pool_create makes them here
  bool scalar = false;            // the scalar fast paths (fast_path.h) even where AVX-512 runs
  uint16_t burst = 32;            // packets per rx burst (at most dataplane::kMaxBurst)
  // Media both ways, as in a call: bursts from the carriers' side and from the contact center's
  // side in turn, so that both flows of every session are in use. Otherwise one way (access to
  // core), one flow per session.
  bool bothWays = false;
  // Sessions updated once before the run (a re-INVITE that changes nothing), as a share of all:
  // their flows are published away from their homes (FlowTable). With `rehome`, the bench then
  // moves them back as sbcd's control loop does (SessionTable::rehome), once their homes are
  // free; without it, the run measures what flows away from home cost the worker.
  uint32_t updatedPct = 0;
  bool rehome = true;
};

int runRelayBench(const RelayOptions& options);

class BenchFixture;
class RtpGenerator;
// The relay's best rate over `rounds` runs of `packets` through the fixture's worker on the
// worker lcore (Mpps), and how many of the packets it forwarded.
struct RelayRate {
  double mpps = 0;
  uint64_t generated = 0;
  uint64_t forwarded = 0;
};
RelayRate measureRelay(BenchFixture& fixture, RtpGenerator& generator, uint64_t packets, unsigned rounds);

// `sbcbench acl`: the relay with 0, 100, 1,000 and 10,000 rules bound on the ingress realm.
struct AclBenchOptions {
  std::vector<uint32_t> ruleCounts{0, 100, 1000, 10000};
  uint32_t sessions = 1000;
  uint64_t packetsPerRun = 10'000'000;
  unsigned rounds = 3;
  bool json = false;
};
int runAclBench(const AclBenchOptions& options);

struct ChurnOptions {
  uint32_t sessions = 100000;
  uint32_t churnPerSecond = 10000;  // sessions added and as many deleted, each second
  double seconds = 2.0;
  unsigned rounds = 3;
  bool json = false;
};

int runChurnBench(const ChurnOptions& options);

}  // namespace sbc::bench
