#pragma once
// A client transaction (RFC 3261 17.1): what the layer needs of one, whatever its method.
// The two state machines live in invite_client_transaction.* and
// non_invite_client_transaction.*; makeClientTransaction() picks by method.

#include <memory>

#include "control/sip/sip_message.h"
#include "control/sip/sip_transport.h"
#include "control/sip/transaction_context.h"
#include "control/sip/transaction_timer.h"

namespace sbc::sip {

class ClientTransaction {
 public:
  // `reportToUser` is false for the CANCELs the layer sends by itself: nobody asked for them,
  // so their responses and their end are for the layer alone.
  ClientTransaction(TransactionContext& context, TransactionId id, Message request, Peer to,
                    bool reportToUser);
  virtual ~ClientTransaction() = default;
  ClientTransaction(const ClientTransaction&) = delete;
  ClientTransaction& operator=(const ClientTransaction&) = delete;

  // Sends the request and starts the timers. A send the transport refuses is reported a
  // moment later (a 0 ms timer), so that the user already holds the id it is reported with.
  virtual void start() = 0;
  // A response that matched this transaction (17.1.3).
  virtual void onResponse(const Message& response) = 0;
  // The transport reports that the request was lost (17.1.4): ends the transaction unless its
  // final response is in.
  virtual void onTransportFailure() = 0;
  // INVITE only (9.1): send a CANCEL now, or as soon as a provisional response arrives.
  virtual void cancel() {}

  TransactionId id() const { return id_; }
  const Message& request() const { return request_; }
  const Peer& peer() const { return peer_; }

 protected:
  bool reliable() const { return peer_.reliable(); }
  // Sends (or re-sends) the request; false when the transport refused it.
  bool sendRequest();
  bool resendRequest();  // the same, counted as a retransmission
  void reportResponse(const Message& response);
  // Ends the transaction without a final response: timer B/F, or a transport failure.
  void endWithoutFinalResponse(bool transportError);
  // After a refused first send: reports the failure from a 0 ms timer (see start()).
  void reportSendFailureSoon();

  TransactionContext& context_;
  const TransactionId id_;
  const Message request_;
  const Peer peer_;
  const bool reportToUser_;

 private:
  TransactionTimer sendFailure_;
};

std::unique_ptr<ClientTransaction> makeClientTransaction(TransactionContext& context,
                                                         TransactionId id, Message request,
                                                         Peer to, bool reportToUser);

}  // namespace sbc::sip
