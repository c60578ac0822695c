#include "control/sip/invite_client_transaction.h"

#include "control/sip/transaction_messages.h"

namespace sbc::sip {

InviteClientTransaction::InviteClientTransaction(TransactionContext& context, TransactionId id,
                                                 Message request, Peer to, bool reportToUser)
    : ClientTransaction(context, id, std::move(request), std::move(to), reportToUser),
      timerA_(context),
      timerB_(context),
      timerD_(context),
      timerM_(context),
      cancelGiveUp_(context) {}

void InviteClientTransaction::start() {
  const control::Millis t1 = context_.settings().t1;
  if (!sendRequest()) {
    reportSendFailureSoon();
    return;
  }
  if (!reliable()) {
    timerAInterval_ = t1;
    timerA_.start(timerAInterval_, [this] { onTimerA(); });
  }
  timerB_.start(64 * t1, [this] { onTimerB(); });
}

void InviteClientTransaction::onTimerA() {
  if (state_ != State::Calling) return;
  if (!resendRequest()) return onTransportFailure();
  timerAInterval_ *= 2;
  timerA_.start(timerAInterval_, [this] { onTimerA(); });
}

void InviteClientTransaction::onTimerB() {
  if (state_ == State::Calling) endWithoutFinalResponse(false);
}

void InviteClientTransaction::onResponse(const Message& response) {
  const int code = response.statusCode;
  switch (state_) {
    case State::Calling:
    case State::Proceeding:
      if (code < 200) return onProvisional(response);
      if (code < 300) return onSuccess(response);
      return onFailure(response);
    case State::Completed:
      // A retransmitted final: the server did not get our ACK (17.1.1.2).
      if (code >= 300) {
        ++context_.counters().responseRetransmissionsAbsorbed;
        context_.sendRequest(ack_, peer_);
      }
      return;
    case State::Accepted:
      // RFC 6026 7.2: every 2xx goes up (the UAC core ACKs each, forks included).
      if (code >= 200 && code < 300) return reportResponse(response);
      ++context_.counters().responseRetransmissionsAbsorbed;
      return;
  }
}

void InviteClientTransaction::onProvisional(const Message& response) {
  state_ = State::Proceeding;
  timerA_.stop();
  timerB_.stop();  // B guards Calling only: once a server answers, the wait is the TU's call
  if (cancelWanted_) sendCancel();
  reportResponse(response);
}

void InviteClientTransaction::onSuccess(const Message& response) {
  state_ = State::Accepted;
  stopWaitingTimers();
  timerM_.start(64 * context_.settings().t1, [this] { context_.terminate(id_); });
  reportResponse(response);
}

void InviteClientTransaction::onFailure(const Message& response) {
  state_ = State::Completed;
  stopWaitingTimers();
  sendAck(response);
  if (reliable())
    context_.terminate(id_);
  else
    timerD_.start(kTimerDUnreliable, [this] { context_.terminate(id_); });
  reportResponse(response);
}

void InviteClientTransaction::sendAck(const Message& response) {
  ack_ = makeAckForNon2xx(request_, response);
  ++context_.counters().acksSent;
  context_.sendRequest(ack_, peer_);
}

void InviteClientTransaction::onTransportFailure() {
  if (state_ == State::Calling || state_ == State::Proceeding) endWithoutFinalResponse(true);
}

void InviteClientTransaction::cancel() {
  cancelWanted_ = true;
  if (state_ == State::Proceeding) sendCancel();
  // Calling: onProvisional() sends it. Completed/Accepted: the final is in; nothing to cancel.
}

void InviteClientTransaction::sendCancel() {
  if (cancelSent_) return;
  cancelSent_ = true;
  context_.startCancel(makeCancel(request_), peer_);
  // 9.1: with no final response 64*T1 after the CANCEL, the INVITE is considered cancelled.
  cancelGiveUp_.start(64 * context_.settings().t1, [this] {
    if (state_ == State::Calling || state_ == State::Proceeding) endWithoutFinalResponse(false);
  });
}

void InviteClientTransaction::stopWaitingTimers() {
  timerA_.stop();
  timerB_.stop();
  cancelGiveUp_.stop();
}

}  // namespace sbc::sip
