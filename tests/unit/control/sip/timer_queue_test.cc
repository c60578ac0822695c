// TimerQueue (control/common/timer_queue.h) on a FakeClock. It lives with the SIP tests
// because the transaction timers are its main user.
#include "control/common/timer_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbc::control {
namespace {

class TimerQueueTest : public ::testing::Test {
 protected:
  FakeClock clock;
  TimerQueue timers{clock};
  std::vector<std::string> ran;

  std::function<void()> note(std::string name) {
    return [this, name] { ran.push_back(name); };
  }
};

TEST_F(TimerQueueTest, NothingRunsBeforeItsTime) {
  timers.schedule(100, note("a"));
  clock.advance(99);
  EXPECT_EQ(timers.runDue(), 0u);
  EXPECT_TRUE(ran.empty());
  clock.advance(1);
  EXPECT_EQ(timers.runDue(), 1u);
  EXPECT_EQ(ran, (std::vector<std::string>{"a"}));
  EXPECT_EQ(timers.size(), 0u);
}

TEST_F(TimerQueueTest, RunsInDueOrderAndTiesInSchedulingOrder) {
  timers.schedule(300, note("late"));
  timers.schedule(100, note("first"));
  timers.schedule(200, note("tie-1"));
  timers.schedule(200, note("tie-2"));
  clock.advance(1000);
  EXPECT_EQ(timers.runDue(), 4u);
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "tie-1", "tie-2", "late"}));
}

TEST_F(TimerQueueTest, CancelStopsATimerOnceAndOnlyBeforeItRuns) {
  const TimerId a = timers.schedule(10, note("a"));
  const TimerId b = timers.schedule(10, note("b"));
  EXPECT_TRUE(timers.cancel(a));
  EXPECT_FALSE(timers.cancel(a));
  EXPECT_EQ(timers.size(), 1u);
  clock.advance(10);
  timers.runDue();
  EXPECT_EQ(ran, (std::vector<std::string>{"b"}));
  EXPECT_FALSE(timers.cancel(b));  // already ran
  EXPECT_FALSE(timers.cancel(0));
}

TEST_F(TimerQueueTest, NextDueSkipsCancelledTimers) {
  EXPECT_FALSE(timers.nextDue().has_value());
  const TimerId early = timers.schedule(5, note("early"));
  timers.schedule(50, note("late"));
  EXPECT_EQ(timers.nextDue(), clock.now() + 5);
  timers.cancel(early);
  EXPECT_EQ(timers.nextDue(), clock.now() + 50);
}

TEST_F(TimerQueueTest, TimersScheduledDueNowByACallbackRunInTheSameCall) {
  timers.schedule(10, [this] {
    ran.push_back("outer");
    timers.schedule(0, note("inner"));
    timers.schedule(1, note("next-ms"));
  });
  clock.advance(10);
  EXPECT_EQ(timers.runDue(), 2u);
  EXPECT_EQ(ran, (std::vector<std::string>{"outer", "inner"}));
  clock.advance(1);
  timers.runDue();
  EXPECT_EQ(ran.back(), "next-ms");
}

TEST_F(TimerQueueTest, ACallbackMayCancelAnotherDueAtTheSameTime) {
  TimerId second = 0;
  timers.schedule(10, [&] {
    ran.push_back("first");
    EXPECT_TRUE(timers.cancel(second));
  });
  second = timers.schedule(10, note("second"));
  clock.advance(10);
  EXPECT_EQ(timers.runDue(), 1u);
  EXPECT_EQ(ran, (std::vector<std::string>{"first"}));
}

TEST_F(TimerQueueTest, ACallbackCancellingItselfIsHarmless) {
  TimerId self = 0;
  self = timers.schedule(1, [&] { EXPECT_FALSE(timers.cancel(self)); });
  clock.advance(1);
  EXPECT_EQ(timers.runDue(), 1u);
}

TEST_F(TimerQueueTest, NegativeDelayIsDueNow) {
  timers.schedule(-5, note("now"));
  EXPECT_EQ(timers.nextDue(), clock.now());
  EXPECT_EQ(timers.runDue(), 1u);
}

TEST_F(TimerQueueTest, ManyScheduledAndCancelledTimersLeaveTheLiveOnesIntact) {
  // The churn of the 100 Trying timer: scheduled, then cancelled almost every time.
  std::vector<TimerId> keep;
  for (int i = 0; i < 10'000; ++i) {
    const TimerId id = timers.schedule(1000 + i, note("x"));
    if (i % 1000 == 0)
      keep.push_back(id);
    else
      timers.cancel(id);
  }
  EXPECT_EQ(timers.size(), keep.size());
  EXPECT_EQ(timers.nextDue(), clock.now() + 1000);
  clock.advance(20'000);
  EXPECT_EQ(timers.runDue(), keep.size());
  EXPECT_EQ(timers.size(), 0u);
  EXPECT_FALSE(timers.nextDue().has_value());
}

}  // namespace
}  // namespace sbc::control
