#include "control/sip/server_transaction.h"

#include "control/sip/invite_server_transaction.h"
#include "control/sip/non_invite_server_transaction.h"
#include "control/sip/transaction_messages.h"

namespace sbc::sip {

ServerTransaction::ServerTransaction(TransactionContext& context, TransactionId id,
                                     Message request, Peer from, RequestIdentity identity)
    : context_(context),
      id_(id),
      request_(std::move(request)),
      peer_(std::move(from)),
      identity_(std::move(identity)),
      sendFailure_(context) {}

bool ServerTransaction::sendNew(Message response) {
  latest_ = std::move(response);
  if (std::string tag = tagOf(latest_.value(HeaderId::To)); !tag.empty())
    responseToTag_ = std::move(tag);
  if (context_.sendResponse(latest_, peer_)) return true;
  failSoon();
  return false;
}

bool ServerTransaction::resendLatest() {
  ++context_.counters().retransmissionsSent;
  if (context_.sendResponse(latest_, peer_)) return true;
  failSoon();
  return false;
}

void ServerTransaction::failSoon() {
  if (!sendFailure_.running()) sendFailure_.start(0, [this] { onSendFailure(); });
}

std::unique_ptr<ServerTransaction> makeServerTransaction(TransactionContext& context,
                                                         TransactionId id, Message request,
                                                         Peer from, RequestIdentity identity) {
  if (request.method == "INVITE")
    return std::make_unique<InviteServerTransaction>(context, id, std::move(request),
                                                     std::move(from), std::move(identity));
  return std::make_unique<NonInviteServerTransaction>(context, id, std::move(request),
                                                      std::move(from), std::move(identity));
}

}  // namespace sbc::sip
