#pragma once
// A server transaction (RFC 3261 17.2): what the layer needs of one, whatever its method.
// The two state machines live in invite_server_transaction.* and
// non_invite_server_transaction.*; makeServerTransaction() picks by method.

#include <memory>
#include <string>

#include "control/sip/sip_message.h"
#include "control/sip/sip_transport.h"
#include "control/sip/transaction_context.h"
#include "control/sip/transaction_timer.h"
#include "control/sip/transaction_matching.h"

namespace sbc::sip {

class ServerTransaction {
 public:
  ServerTransaction(TransactionContext& context, TransactionId id, Message request, Peer from,
                    RequestIdentity identity);
  virtual ~ServerTransaction() = default;
  ServerTransaction(const ServerTransaction&) = delete;
  ServerTransaction& operator=(const ServerTransaction&) = delete;

  // Called once the layer has indexed the transaction.
  virtual void start() {}
  // The request arrived again: re-send the latest response where the state asks for it.
  virtual void onRetransmission() = 0;
  // A response from the user (or from the layer, for CANCEL).
  virtual void respond(Message response) = 0;
  // An ACK that matched (INVITE only).
  virtual void onAck(const Message& ack, const Peer& from) {}
  virtual bool hasFinalResponse() const = 0;

  TransactionId id() const { return id_; }
  const RequestIdentity& identity() const { return identity_; }
  const Peer& peer() const { return peer_; }
  // The To tag of the latest response sent ("" before any, or for a 100 without one): an RFC
  // 2543 ACK is matched by it, and the 200 for a CANCEL reuses it (9.2).
  const std::string& responseToTag() const { return responseToTag_; }

 protected:
  bool reliable() const { return peer_.reliable(); }
  // Sends `response` and remembers it as the one to re-send.
  bool sendNew(Message response);
  bool resendLatest();  // counted as a retransmission
  bool hasResponse() const { return latest_.statusCode != 0; }
  // A refused send ends the transaction (17.2.4); reported from a 0 ms timer, so the user is
  // not re-entered from inside its own respond() call.
  void failSoon();
  virtual void onSendFailure() { context_.terminate(id_); }

  TransactionContext& context_;
  const TransactionId id_;
  const Message request_;
  const Peer peer_;
  const RequestIdentity identity_;
  Message latest_;  // statusCode 0: none sent yet

 private:
  std::string responseToTag_;
  TransactionTimer sendFailure_;
};

std::unique_ptr<ServerTransaction> makeServerTransaction(TransactionContext& context,
                                                         TransactionId id, Message request,
                                                         Peer from, RequestIdentity identity);

}  // namespace sbc::sip
