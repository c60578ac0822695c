#pragma once
// The SIP transaction layer (RFC 3261 section 17, with RFC 6026's Accepted states): client and
// server transactions for INVITE and non-INVITE, timers A to K, retransmission over unreliable
// transports, and the matching rules of 17.1.3 and 17.2.3 (RFC 2543 matching as fallback).
//
// It sits between the transports (sip_transport.h) and the transaction user (the B2BUA). It
// never blocks and owns no thread: the owner feeds it received messages and calls onTimers()
// when the TimerQueue says a timer is due.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "control/common/clock.h"
#include "control/common/timer_queue.h"
#include "control/sip/sip_message.h"
#include "control/sip/sip_transport.h"

namespace sbc::sip {

// Timer base values (RFC 3261 table 4); configurable per deployment.
struct TimerSettings {
  control::Millis t1 = 500;
  control::Millis t2 = 4000;
  control::Millis t4 = 5000;
};

using TransactionId = std::uint64_t;  // 0: none

// What the transaction layer tells its user.
class TransactionUser {
 public:
  virtual ~TransactionUser() = default;
  // A new request (not a retransmission) created a server transaction. ACK for a 2xx and
  // requests that match no transaction but need none (a stray ACK) come with id 0.
  virtual void onRequest(TransactionId server, const Message& request, const Peer& from) = 0;
  // A CANCEL matched the INVITE server transaction `invite`; the layer already answered the
  // CANCEL with 200 (RFC 3261 9.2). The user answers the INVITE with 487.
  virtual void onCancel(TransactionId invite, const Message& cancel) = 0;
  // A response for a client transaction (1xx-6xx; retransmitted 2xx of an INVITE too, so the
  // user can re-send its ACK).
  virtual void onResponse(TransactionId client, const Message& response) = 0;
  // Timer B/F fired or the transport failed: the client transaction ended without a final
  // response. The user treats it as a 408 (or 503 for a transport error, RFC 3261 8.1.3.1).
  virtual void onClientTimeout(TransactionId client, bool transportError) = 0;
  // The INVITE server transaction got no ACK for its final non-2xx response (timer H).
  virtual void onServerTimeout(TransactionId server) {}
};

class TransactionLayer {
 public:
  TransactionLayer(TransportSet& transports, control::TimerQueue& timers, TransactionUser& user,
                   TimerSettings settings = {});
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  // Starts a client transaction and sends `request` to `to`. The caller has put the top Via
  // (with a fresh z9hG4bK branch, from newBranch()). ACK for a 2xx is not a transaction: send
  // it with sendStateless().
  TransactionId sendRequest(Message request, const Peer& to);
  // Sends a response in a server transaction; a final response moves it on.
  void respond(TransactionId server, Message response);
  // Sends a CANCEL for the INVITE client transaction (RFC 3261 9.1) once it has had a
  // provisional response; before that, the CANCEL waits for one.
  void cancel(TransactionId inviteClient);
  // Sends without a transaction (ACK for 2xx, 2xx retransmissions by the UAS core).
  void sendStateless(const Message& message, const Peer& to);

  // Everything received from the transports goes here (the owner wires TransportSet's receive
  // callback to it). A malformed request gets a 400 with a Warning naming the fault.
  void onMessage(const Message& message, const Peer& from);

  // The number of live transactions (for show commands and leak tests).
  std::size_t clientCount() const;
  std::size_t serverCount() const;

  std::string newBranch();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sbc::sip
