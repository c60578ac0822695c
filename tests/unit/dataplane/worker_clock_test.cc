// The worker's clock: one read of the TSC serves kBusyPassesPerRead busy passes, and a pass that
// received nothing makes the next read it again.

#include "dataplane/worker_clock.h"

#include <gtest/gtest.h>

namespace sbc::dataplane {
namespace {

TEST(WorkerClockTest, OneReadServesSeveralBusyPasses) {
  WorkerClock clock;
  const uint64_t first = clock.now();
  for (unsigned pass = 1; pass < WorkerClock::kBusyPassesPerRead; ++pass) EXPECT_EQ(clock.now(), first) << pass;
  // The TSC moves on between reads (it counts at GHz rates): the next pass has a later stamp.
  EXPECT_GT(clock.now(), first);
}

TEST(WorkerClockTest, APassAfterAnIdleOneReadsTheTsc) {
  WorkerClock clock;
  const uint64_t busy = clock.now();
  clock.idle();
  const uint64_t after = clock.now();
  EXPECT_GT(after, busy);
  // And that read serves the passes after it.
  EXPECT_EQ(clock.now(), after);
}

}  // namespace
}  // namespace sbc::dataplane
