#pragma once
// The INVITE client transaction: RFC 3261 17.1.1 with RFC 6026's Accepted state.
//
//   Calling ──1xx──► Proceeding ──300-699──► Completed (ACK sent; timer D) ──► Terminated
//      │                 │
//      └──────2xx────────┴──► Accepted (2xx retransmissions passed up; timer M) ──► Terminated
//
// Timer A re-sends the INVITE over UDP while Calling (T1, doubling, no cap); timer B ends it
// after 64*T1 without a response. A CANCEL asked for before the first provisional response
// waits for one (9.1); once sent, the INVITE is given up 64*T1 later if no final arrives.

#include "control/sip/client_transaction.h"

namespace sbc::sip {

class InviteClientTransaction final : public ClientTransaction {
 public:
  enum class State { Calling, Proceeding, Completed, Accepted };

  InviteClientTransaction(TransactionContext& context, TransactionId id, Message request,
                          Peer to, bool reportToUser);

  void start() override;
  void onResponse(const Message& response) override;
  void onTransportFailure() override;
  void cancel() override;

  State state() const { return state_; }

 private:
  // Timer D: at least 32 s over UDP, to absorb the server's retransmitted finals (17.1.1.2).
  static constexpr control::Millis kTimerDUnreliable = 32'000;

  void onTimerA();
  void onTimerB();
  void onProvisional(const Message& response);
  void onSuccess(const Message& response);
  void onFailure(const Message& response);
  void sendAck(const Message& response);
  void sendCancel();
  void stopWaitingTimers();

  State state_ = State::Calling;
  control::Millis timerAInterval_ = 0;
  bool cancelWanted_ = false;
  bool cancelSent_ = false;
  Message ack_;  // the ACK for our final non-2xx, re-sent for each retransmitted final
  TransactionTimer timerA_;
  TransactionTimer timerB_;
  TransactionTimer timerD_;
  TransactionTimer timerM_;
  TransactionTimer cancelGiveUp_;
};

}  // namespace sbc::sip
