#pragma once
// The non-INVITE server transaction (RFC 3261 17.2.2).
//
//   Trying ──1xx──► Proceeding ──200-699──► Completed (timer J) ──► Terminated
//      └────────────200-699─────────────────────┘
//
// A retransmitted request is absorbed while Trying and answered with the latest response
// after that. Timer J (64*T1 over UDP, 0 over TCP/TLS) keeps the final for retransmissions.

#include "control/sip/server_transaction.h"

namespace sbc::sip {

class NonInviteServerTransaction final : public ServerTransaction {
 public:
  enum class State { Trying, Proceeding, Completed };

  NonInviteServerTransaction(TransactionContext& context, TransactionId id, Message request,
                             Peer from, RequestIdentity identity);

  void onRetransmission() override;
  void respond(Message response) override;
  bool hasFinalResponse() const override { return state_ == State::Completed; }

  State state() const { return state_; }

 private:
  State state_ = State::Trying;
  TransactionTimer timerJ_;
};

}  // namespace sbc::sip
