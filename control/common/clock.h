#pragma once
// Time for the control plane. Everything that waits (SIP timers, health checks, session timers)
// reads a Clock, so tests drive time by hand with a FakeClock instead of sleeping.

#include <chrono>
#include <cstdint>

namespace sbc::control {

using Millis = std::int64_t;  // milliseconds on a monotonic clock

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  Millis now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

class FakeClock final : public Clock {
 public:
  Millis now() const override { return now_; }
  void advance(Millis by) { now_ += by; }
  void set(Millis at) { now_ = at; }

 private:
  Millis now_ = 1'000'000;
};

}  // namespace sbc::control
