#pragma once
// Timers for the control plane's event loop: a min-heap of (due time, callback) read against a
// Clock. The loop sleeps until nextDue() and then calls runDue(); tests advance a FakeClock and
// call runDue() themselves. Cancelling is O(1) (the entry is marked and skipped).

#include <cstdint>
#include <functional>
#include <optional>

#include "control/common/clock.h"

namespace sbc::control {

using TimerId = std::uint64_t;  // 0: no timer

class TimerQueue {
 public:
  explicit TimerQueue(const Clock& clock);
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  TimerId schedule(Millis after, std::function<void()> callback);
  // False when the timer already ran or was cancelled.
  bool cancel(TimerId id);
  // Runs every callback due at clock.now(), in due order (ties in scheduling order). A callback
  // may schedule or cancel timers; new ones due now run in the same call.
  std::size_t runDue();
  // When the earliest live timer is due, if any.
  std::optional<Millis> nextDue() const;
  std::size_t size() const;
  const Clock& clock() const { return clock_; }

 private:
  struct Impl;
  const Clock& clock_;
  Impl* impl_;
};

}  // namespace sbc::control
