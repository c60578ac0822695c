#pragma once
// The SIP transaction layer (RFC 3261 section 17, with RFC 6026's Accepted states): client and
// server transactions for INVITE and non-INVITE, timers A to K, retransmission over unreliable
// transports, and the matching rules of 17.1.3 and 17.2.3 (RFC 2543 matching as fallback).
//
// It sits between the transports (sip_transport.h) and the transaction user (the B2BUA). It
// never blocks and owns no thread: the owner feeds it received messages and calls onTimers()
// when the TimerQueue says a timer is due. The transports and the TimerQueue must outlive it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

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

// What the layer saw and did, for show commands and tests. Every message that the layer drops
// is counted under one reason.
struct TransactionCounters {
  std::uint64_t requestsReceived = 0;
  std::uint64_t responsesReceived = 0;
  std::uint64_t requestRetransmissionsAbsorbed = 0;   // matched a live server transaction
  std::uint64_t responseRetransmissionsAbsorbed = 0;  // final responses again in Completed
  std::uint64_t retransmissionsSent = 0;  // requests by timers A/E, responses by G or on demand
  std::uint64_t tryingSent = 0;           // 100 Trying sent by the layer itself
  std::uint64_t acksSent = 0;             // ACKs for non-2xx built by client transactions
  std::uint64_t strayResponses = 0;       // matched no client transaction: dropped
  std::uint64_t strayAcks = 0;            // ACK to a transaction that waits for none: dropped
  std::uint64_t malformedResponses = 0;   // no usable Via or CSeq: dropped
  std::uint64_t malformedRequests = 0;    // answered 400 (or dropped when there is no Via)
  std::uint64_t cancelsMatched = 0;
  std::uint64_t cancelsUnmatched = 0;     // answered 481
  std::uint64_t clientTimeouts = 0;       // timer B or F, or no final 64*T1 after a CANCEL
  std::uint64_t serverTimeouts = 0;       // timer H
  std::uint64_t transportErrors = 0;      // sends that the transport refused, and failures
  std::uint64_t refusedRequests = 0;      // sendRequest() without a usable Via/CSeq, or ACK
};

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
  // Also for an INVITE given up 64*T1 after its CANCEL without a final (9.1). Never called
  // from inside sendRequest(): a refused first send is reported from a 0 ms timer.
  virtual void onClientTimeout(TransactionId client, bool transportError) = 0;
  // The INVITE server transaction got no ACK for its final non-2xx response (timer H), or
  // the transport could not send its response (RFC 3261 17.2.4): the call is over. Never
  // called from inside respond().
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
  // Sends a response in a server transaction, to where the request came from (over a stream,
  // on its connection); a final response moves it on. An unknown id is ignored.
  void respond(TransactionId server, Message response);
  // Sends a CANCEL for the INVITE client transaction (RFC 3261 9.1) once it has had a
  // provisional response; before that, the CANCEL waits for one.
  void cancel(TransactionId inviteClient);
  // Sends without a transaction (ACK for 2xx, 2xx retransmissions by the UAS core).
  void sendStateless(const Message& message, const Peer& to);

  // Everything received from the transports goes here (the owner wires TransportSet's receive
  // callback to it). A malformed request gets a 400 with a Warning naming the fault.
  void onMessage(const Message& message, const Peer& from);
  // Bytes that framed but did not parse (TransportSet's malformed callback): a request whose
  // Via, From, To, Call-ID and CSeq can still be read gets a 400 with a Warning naming the
  // fault; anything else is dropped. Counted either way.
  void onMalformed(std::string_view bytes, const ParseError& error, const Peer& from);
  // TransportSet's failure callback: client transactions still waiting on `to` end with
  // onClientTimeout(transportError=true).
  void onTransportFailure(const Peer& to);
  // Wires the three callbacks above to `transports` (the one given to the constructor); the
  // destructor unwires them.
  void attachToTransports();

  // The number of live transactions (for show commands and leak tests).
  std::size_t clientCount() const;
  std::size_t serverCount() const;
  const TransactionCounters& counters() const;

  std::string newBranch();  // "z9hG4bK" and a value unique to this process
  std::string newTag();     // for To tags of the responses the layer answers itself

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sbc::sip
