#include "control/sip/non_invite_server_transaction.h"

namespace sbc::sip {

NonInviteServerTransaction::NonInviteServerTransaction(TransactionContext& context,
                                                       TransactionId id, Message request,
                                                       Peer from, RequestIdentity identity)
    : ServerTransaction(context, id, std::move(request), std::move(from), std::move(identity)),
      timerJ_(context) {}

void NonInviteServerTransaction::onRetransmission() {
  ++context_.counters().requestRetransmissionsAbsorbed;
  if (state_ != State::Trying) resendLatest();
}

void NonInviteServerTransaction::respond(Message response) {
  if (state_ == State::Completed) return;  // the final response is out already
  if (response.statusCode < 200) {
    state_ = State::Proceeding;
    sendNew(std::move(response));
    return;
  }
  state_ = State::Completed;
  if (reliable())
    context_.terminate(id_);
  else
    timerJ_.start(64 * context_.settings().t1, [this] { context_.terminate(id_); });
  sendNew(std::move(response));
}

}  // namespace sbc::sip
