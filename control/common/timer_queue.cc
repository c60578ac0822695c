#include "control/common/timer_queue.h"

#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sbc::control {

namespace {

struct HeapEntry {
  Millis due;
  TimerId id;  // ids grow with every schedule(), so they also order ties by scheduling
};

struct LaterFirst {
  bool operator()(const HeapEntry& a, const HeapEntry& b) const {
    return a.due != b.due ? a.due > b.due : a.id > b.id;
  }
};

}  // namespace

struct LiveTimer {
  Millis due;
  std::function<void()> callback;
};

// The heap holds the entries scheduled and not yet run, cancelled ones included; `live` holds
// the timers that may still run. cancel() only erases from `live`, and the heap drops a
// cancelled entry when it reaches the top: no search through the heap. So that a pattern of
// schedule-then-cancel (the 100 Trying timer, idle timers) cannot grow the heap without bound,
// it is rebuilt from `live` once cancelled entries outnumber live ones.
struct TimerQueue::Impl {
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, LaterFirst> heap;
  std::unordered_map<TimerId, LiveTimer> live;
  TimerId lastId = 0;

  void dropCancelledTop() {
    while (!heap.empty() && !live.contains(heap.top().id)) heap.pop();
  }

  void compactIfMostlyCancelled() {
    constexpr std::size_t kSlack = 64;
    if (heap.size() <= 2 * live.size() + kSlack) return;
    std::vector<HeapEntry> entries;
    entries.reserve(live.size());
    for (const auto& [id, timer] : live) entries.push_back({timer.due, id});
    heap = decltype(heap)(LaterFirst{}, std::move(entries));
  }
};

TimerQueue::TimerQueue(const Clock& clock) : clock_(clock), impl_(new Impl) {}

TimerQueue::~TimerQueue() { delete impl_; }

TimerId TimerQueue::schedule(Millis after, std::function<void()> callback) {
  const TimerId id = ++impl_->lastId;
  const Millis due = clock_.now() + (after > 0 ? after : 0);
  impl_->heap.push({due, id});
  impl_->live.emplace(id, LiveTimer{due, std::move(callback)});
  return id;
}

bool TimerQueue::cancel(TimerId id) {
  if (impl_->live.erase(id) == 0) return false;
  impl_->compactIfMostlyCancelled();
  return true;
}

std::size_t TimerQueue::runDue() {
  std::size_t ran = 0;
  // Read the clock on every round: a FakeClock does not move during a callback, and a real
  // one moving forward only lets timers that became due meanwhile run now instead of later.
  while (true) {
    impl_->dropCancelledTop();
    if (impl_->heap.empty() || impl_->heap.top().due > clock_.now()) break;
    const TimerId id = impl_->heap.top().id;
    impl_->heap.pop();
    auto it = impl_->live.find(id);
    // Moved out before the call: the callback may cancel itself (a no-op then) or schedule
    // new timers, which can rehash `live`.
    std::function<void()> callback = std::move(it->second.callback);
    impl_->live.erase(it);
    callback();
    ++ran;
  }
  return ran;
}

std::optional<Millis> TimerQueue::nextDue() const {
  impl_->dropCancelledTop();
  if (impl_->heap.empty()) return std::nullopt;
  return impl_->heap.top().due;
}

std::size_t TimerQueue::size() const { return impl_->live.size(); }

}  // namespace sbc::control
