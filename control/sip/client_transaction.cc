#include "control/sip/client_transaction.h"

#include "control/sip/invite_client_transaction.h"
#include "control/sip/non_invite_client_transaction.h"

namespace sbc::sip {

ClientTransaction::ClientTransaction(TransactionContext& context, TransactionId id,
                                     Message request, Peer to, bool reportToUser)
    : context_(context),
      id_(id),
      request_(std::move(request)),
      peer_(std::move(to)),
      reportToUser_(reportToUser),
      sendFailure_(context) {}

bool ClientTransaction::sendRequest() { return context_.sendRequest(request_, peer_); }

bool ClientTransaction::resendRequest() {
  ++context_.counters().retransmissionsSent;
  return sendRequest();
}

void ClientTransaction::reportResponse(const Message& response) {
  if (reportToUser_) context_.user().onResponse(id_, response);
}

void ClientTransaction::endWithoutFinalResponse(bool transportError) {
  if (!transportError) ++context_.counters().clientTimeouts;
  context_.terminate(id_);
  if (reportToUser_) context_.user().onClientTimeout(id_, transportError);
}

void ClientTransaction::reportSendFailureSoon() {
  sendFailure_.start(0, [this] { onTransportFailure(); });
}

std::unique_ptr<ClientTransaction> makeClientTransaction(TransactionContext& context,
                                                         TransactionId id, Message request,
                                                         Peer to, bool reportToUser) {
  if (request.method == "INVITE")
    return std::make_unique<InviteClientTransaction>(context, id, std::move(request),
                                                     std::move(to), reportToUser);
  return std::make_unique<NonInviteClientTransaction>(context, id, std::move(request),
                                                      std::move(to), reportToUser);
}

}  // namespace sbc::sip
