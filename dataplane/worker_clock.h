#pragma once
// The time a worker stamps its bursts with: the TSC, read once every few passes over its queues
// while they keep it busy, rather than once a pass.
//
// A read of the TSC (rdtsc, microcoded) cost the worker about 14 ns a pass in perf: 0.4 ns a
// packet with one queue and 32-packet bursts, where the whole of classify costs about 2 ns.
// sbcbench relay, 4 alternated pairs, a read every fourth burst against every burst: 1k sessions
// 0.582 -> 0.5985 (23.78 -> 23.09 ns a packet), 1M 0.5465 -> 0.5595.
//
// What a stamp is for bears its age, at most kBusyPassesPerRead - 1 busy passes (each a burst's
// work per queue, about 1 µs for 32 packets): flows' last-seen times (coarse ticks of about
// 20 µs, coarseTime, held against idle timeouts and relatch silences of milliseconds and more),
// the firewall's meters and the SIP flood guard (rates in packets a second), neighbours' ages
// (seconds), and `monitor capture`'s timestamps, off by no more than the time frames wait in the
// rx ring under such load. A pass that receives nothing makes the next one read the TSC: a burst
// after a quiet spell is never stamped with a time from before it.

#include <rte_cycles.h>

#include <cstdint>

namespace sbc::dataplane {

class WorkerClock {
 public:
  static constexpr unsigned kBusyPassesPerRead = 4;

  // The stamp for a pass that is about to poll.
  uint64_t now() {
    if (passesLeft_ == 0) {
      now_ = rte_rdtsc();
      passesLeft_ = kBusyPassesPerRead;
    }
    --passesLeft_;
    return now_;
  }
  // The pass received nothing: the next one reads the TSC.
  void idle() { passesLeft_ = 0; }

 private:
  uint64_t now_ = 0;
  unsigned passesLeft_ = 0;
};

}  // namespace sbc::dataplane
