#include "control/sip/non_invite_client_transaction.h"

#include <algorithm>

namespace sbc::sip {

NonInviteClientTransaction::NonInviteClientTransaction(TransactionContext& context,
                                                       TransactionId id, Message request,
                                                       Peer to, bool reportToUser)
    : ClientTransaction(context, id, std::move(request), std::move(to), reportToUser),
      timerE_(context),
      timerF_(context),
      timerK_(context) {}

void NonInviteClientTransaction::start() {
  const control::Millis t1 = context_.settings().t1;
  if (!sendRequest()) {
    reportSendFailureSoon();
    return;
  }
  if (!reliable()) {
    timerEInterval_ = t1;
    timerE_.start(timerEInterval_, [this] { onTimerE(); });
  }
  timerF_.start(64 * t1, [this] { onTimerF(); });
}

void NonInviteClientTransaction::onTimerE() {
  if (state_ == State::Completed) return;
  if (!resendRequest()) return onTransportFailure();
  const control::Millis t2 = context_.settings().t2;
  timerEInterval_ = state_ == State::Trying ? std::min(2 * timerEInterval_, t2) : t2;
  timerE_.start(timerEInterval_, [this] { onTimerE(); });
}

void NonInviteClientTransaction::onTimerF() {
  if (state_ != State::Completed) endWithoutFinalResponse(false);
}

void NonInviteClientTransaction::onResponse(const Message& response) {
  if (state_ == State::Completed) {
    ++context_.counters().responseRetransmissionsAbsorbed;
    return;
  }
  if (response.statusCode < 200) {
    state_ = State::Proceeding;
    return reportResponse(response);
  }
  state_ = State::Completed;
  timerE_.stop();
  timerF_.stop();
  if (reliable())
    context_.terminate(id_);
  else
    timerK_.start(context_.settings().t4, [this] { context_.terminate(id_); });
  reportResponse(response);
}

void NonInviteClientTransaction::onTransportFailure() {
  if (state_ != State::Completed) endWithoutFinalResponse(true);
}

}  // namespace sbc::sip
