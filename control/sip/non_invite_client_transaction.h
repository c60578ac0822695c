#pragma once
// The non-INVITE client transaction (RFC 3261 17.1.2).
//
//   Trying ──1xx──► Proceeding ──200-699──► Completed (timer K) ──► Terminated
//      └────────────200-699─────────────────────┘
//
// Timer E re-sends the request over UDP: T1, doubling up to T2 while Trying, every T2 once
// Proceeding. Timer F ends it after 64*T1 without a final response. Timer K (T4 over UDP, 0
// over TCP/TLS) absorbs retransmitted finals.

#include "control/sip/client_transaction.h"

namespace sbc::sip {

class NonInviteClientTransaction final : public ClientTransaction {
 public:
  enum class State { Trying, Proceeding, Completed };

  NonInviteClientTransaction(TransactionContext& context, TransactionId id, Message request,
                             Peer to, bool reportToUser);

  void start() override;
  void onResponse(const Message& response) override;
  void onTransportFailure() override;

  State state() const { return state_; }

 private:
  void onTimerE();
  void onTimerF();

  State state_ = State::Trying;
  control::Millis timerEInterval_ = 0;
  TransactionTimer timerE_;
  TransactionTimer timerF_;
  TransactionTimer timerK_;
};

}  // namespace sbc::sip
