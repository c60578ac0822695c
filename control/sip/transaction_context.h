#pragma once
// What a single transaction needs from the layer that owns it: sending, timers, the user to
// report to, counters, and a way to end itself. Transactions see only this, so each state
// machine stays a small class that tests reach through the layer.

#include <functional>

#include "control/common/timer_queue.h"
#include "control/sip/sip_message.h"
#include "control/sip/sip_transport.h"
#include "control/sip/transaction_layer.h"

namespace sbc::sip {

class TransactionContext {
 public:
  virtual ~TransactionContext() = default;

  virtual const TimerSettings& settings() const = 0;
  virtual TransactionUser& user() = 0;
  virtual TransactionCounters& counters() = 0;

  // False when the transport refused the message (counted as a transport error already).
  virtual bool sendRequest(const Message& request, const Peer& to) = 0;
  // Sends a response to where its request came from; over a stream whose connection has
  // closed, opens a new one to the top Via's received/sent-by (RFC 3261 18.2.2).
  virtual bool sendResponse(const Message& response, const Peer& to) = 0;

  // Timers run inside the layer's re-entry guard, so a transaction that ends itself from a
  // timer is destroyed only after the callback has returned.
  virtual control::TimerId startTimer(control::Millis after, std::function<void()> fire) = 0;
  virtual void stopTimer(control::TimerId id) = 0;

  // Removes the transaction from every index at once; the object lives until the layer
  // returns to its caller, so the transaction may still read its members after this.
  virtual void terminate(TransactionId id) = 0;

  // Starts the client transaction of a CANCEL the layer sends on its own (RFC 3261 9.1): its
  // responses and its end are not reported to the user.
  virtual void startCancel(Message cancel, const Peer& to) = 0;

  virtual std::string newTag() = 0;
};

}  // namespace sbc::sip
