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
};

int runRelayBench(const RelayOptions& options);

struct ChurnOptions {
  uint32_t sessions = 100000;
  uint32_t churnPerSecond = 10000;  // sessions added and as many deleted, each second
  double seconds = 2.0;
  unsigned rounds = 3;
  bool json = false;
};

int runChurnBench(const ChurnOptions& options);

}  // namespace sbc::bench
