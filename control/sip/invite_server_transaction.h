#pragma once
// The INVITE server transaction: RFC 3261 17.2.1 with RFC 6026's Accepted state.
//
//   Proceeding ──300-699──► Completed ──ACK──► Confirmed (timer I) ──► Terminated
//       │                      └──timer H (no ACK): user told──► Terminated
//       └────2xx────► Accepted (INVITE retransmissions absorbed, ACKs passed up; timer L)
//
// The layer sends 100 Trying itself when the user has not answered within 200 ms (17.2.1).
// Timer G re-sends a final non-2xx over UDP (T1, doubling up to T2) until the ACK comes;
// timer H gives up after 64*T1. Timer I (T4 over UDP, 0 over TCP/TLS) absorbs ACKs.

#include "control/sip/server_transaction.h"

namespace sbc::sip {

class InviteServerTransaction final : public ServerTransaction {
 public:
  enum class State { Proceeding, Completed, Confirmed, Accepted };
  static constexpr control::Millis kTryingDelay = 200;

  InviteServerTransaction(TransactionContext& context, TransactionId id, Message request,
                          Peer from, RequestIdentity identity);

  void start() override;
  void onRetransmission() override;
  void respond(Message response) override;
  void onAck(const Message& ack, const Peer& from) override;
  bool hasFinalResponse() const override { return state_ != State::Proceeding; }

  State state() const { return state_; }

 protected:
  void onSendFailure() override;

 private:
  void sendTrying();
  void onTimerG();
  void onTimerH();

  State state_ = State::Proceeding;
  control::Millis timerGInterval_ = 0;
  TransactionTimer trying_;
  TransactionTimer timerG_;
  TransactionTimer timerH_;
  TransactionTimer timerI_;
  TransactionTimer timerL_;
};

}  // namespace sbc::sip
