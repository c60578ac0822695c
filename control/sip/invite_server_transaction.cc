#include "control/sip/invite_server_transaction.h"

#include <algorithm>

#include "control/sip/transaction_messages.h"

namespace sbc::sip {

InviteServerTransaction::InviteServerTransaction(TransactionContext& context, TransactionId id,
                                                 Message request, Peer from,
                                                 RequestIdentity identity)
    : ServerTransaction(context, id, std::move(request), std::move(from), std::move(identity)),
      trying_(context),
      timerG_(context),
      timerH_(context),
      timerI_(context),
      timerL_(context) {}

void InviteServerTransaction::start() {
  trying_.start(kTryingDelay, [this] { sendTrying(); });
}

void InviteServerTransaction::sendTrying() {
  if (state_ != State::Proceeding || hasResponse()) return;
  ++context_.counters().tryingSent;
  sendNew(makeResponse(request_, 100, "Trying"));
}

void InviteServerTransaction::onRetransmission() {
  ++context_.counters().requestRetransmissionsAbsorbed;
  switch (state_) {
    case State::Proceeding:
      // 17.2.1: the latest provisional goes out again; before any, the 100 timer still runs.
      if (hasResponse()) resendLatest();
      return;
    case State::Completed:
      resendLatest();
      return;
    case State::Confirmed:
    case State::Accepted:
      // RFC 6026 8.7: in Accepted the UAS core re-sends its 2xx itself; the INVITE is absorbed.
      return;
  }
}

void InviteServerTransaction::respond(Message response) {
  const int code = response.statusCode;
  if (state_ == State::Accepted) {
    // RFC 6026 8.7: the UAS core re-sends the 2xx until its ACK arrives.
    if (code >= 200 && code < 300) context_.sendResponse(response, peer_);
    return;
  }
  if (state_ != State::Proceeding) return;  // the final response is out already
  trying_.stop();
  const control::Millis t1 = context_.settings().t1;
  if (code < 200) {
    sendNew(std::move(response));
  } else if (code < 300) {
    state_ = State::Accepted;
    timerL_.start(64 * t1, [this] { context_.terminate(id_); });
    sendNew(std::move(response));
  } else {
    state_ = State::Completed;
    if (!reliable()) {
      timerGInterval_ = t1;
      timerG_.start(timerGInterval_, [this] { onTimerG(); });
    }
    timerH_.start(64 * t1, [this] { onTimerH(); });
    sendNew(std::move(response));
  }
}

void InviteServerTransaction::onTimerG() {
  if (state_ != State::Completed) return;
  if (!resendLatest()) return;
  timerGInterval_ = std::min(2 * timerGInterval_, context_.settings().t2);
  timerG_.start(timerGInterval_, [this] { onTimerG(); });
}

void InviteServerTransaction::onTimerH() {
  if (state_ != State::Completed) return;
  ++context_.counters().serverTimeouts;
  context_.terminate(id_);
  context_.user().onServerTimeout(id_);
}

void InviteServerTransaction::onAck(const Message& ack, const Peer& from) {
  switch (state_) {
    case State::Completed:
      state_ = State::Confirmed;
      timerG_.stop();
      timerH_.stop();
      if (reliable())
        context_.terminate(id_);
      else
        timerI_.start(context_.settings().t4, [this] { context_.terminate(id_); });
      return;
    case State::Confirmed:
      ++context_.counters().requestRetransmissionsAbsorbed;
      return;
    case State::Accepted:
      // RFC 6026 8.7: an ACK matching the transaction in Accepted is the ACK for the 2xx.
      context_.user().onRequest(0, ack, from);
      return;
    case State::Proceeding:
      ++context_.counters().strayAcks;  // nothing final was sent: there is nothing to ACK
      return;
  }
}

void InviteServerTransaction::onSendFailure() {
  // The user learns as it would from timer H: the caller will not hear from this call.
  context_.terminate(id_);
  context_.user().onServerTimeout(id_);
}

}  // namespace sbc::sip
