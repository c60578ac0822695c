#pragma once
// A transaction's handle on one of RFC 3261's timers (A to M).

#include <functional>

#include "control/sip/transaction_context.h"

namespace sbc::sip {

// One of RFC 3261's timers (A to M) held by a transaction: at most one pending callback,
// stopped when restarted or destroyed.
class TransactionTimer {
 public:
  explicit TransactionTimer(TransactionContext& context) : context_(context) {}
  ~TransactionTimer() { stop(); }
  TransactionTimer(const TransactionTimer&) = delete;
  TransactionTimer& operator=(const TransactionTimer&) = delete;

  void start(control::Millis after, std::function<void()> fire) {
    stop();
    id_ = context_.startTimer(after, [this, fire = std::move(fire)] {
      id_ = 0;
      fire();
    });
  }
  void stop() {
    if (id_ != 0) context_.stopTimer(id_);
    id_ = 0;
  }
  bool running() const { return id_ != 0; }

 private:
  TransactionContext& context_;
  control::TimerId id_ = 0;
};

}  // namespace sbc::sip
