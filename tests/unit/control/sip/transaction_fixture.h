#pragma once
// The harness of the transaction layer tests: a FakeClock, a TransportSet that records every
// send with the time it happened, and a TransactionUser that records every callback. Time
// moves only through runFor()/runUntil(), which stop at each timer's due time, so a test can
// assert the exact millisecond of every retransmission.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "control/common/clock.h"
#include "control/common/timer_queue.h"
#include "control/sip/sip_transport.h"
#include "control/sip/transaction_layer.h"
#include "control/sip/transaction_messages.h"

namespace sbc::sip::test_support {

struct SentMessage {
  control::Millis at;  // relative to the fixture's start
  Message message;
  Peer to;
};

class RecordingTransports final : public TransportSet {
 public:
  explicit RecordingTransports(const control::Clock& clock) : clock_(clock) {}

  void setHandlers(ReceiveHandler, MalformedHandler) override {}
  bool send(const Message& message, const Peer& to, std::string& error) override {
    const bool refuse = refuseAll || (refuseConnections && to.connectionId != 0);
    if (refuse) {
      error = "refused by the test";
      ++refused;
      return false;
    }
    sent.push_back({clock_.now() - start, message, to});
    return true;
  }
  dataplane::SocketAddress localAddressFor(const Peer&) const override {
    return *dataplane::SocketAddress::parse("198.18.0.1:5060");
  }

  std::vector<SentMessage> sent;
  control::Millis start = 0;
  bool refuseAll = false;
  bool refuseConnections = false;  // sends on a given connection fail (it has closed)
  int refused = 0;

 private:
  const control::Clock& clock_;
};

struct RecordedCall {
  enum Kind { Request, Cancel, Response, ClientTimeout, ServerTimeout } kind;
  TransactionId id;
  Message message;  // empty for timeouts
  Peer from;
  bool transportError = false;
  control::Millis at = 0;
};

class RecordingUser final : public TransactionUser {
 public:
  explicit RecordingUser(const control::Clock& clock) : clock_(clock) {}

  void onRequest(TransactionId server, const Message& request, const Peer& from) override {
    record({RecordedCall::Request, server, request, from});
    if (onRequestHook) onRequestHook(server, request);
  }
  void onCancel(TransactionId invite, const Message& cancel) override {
    record({RecordedCall::Cancel, invite, cancel, {}});
  }
  void onResponse(TransactionId client, const Message& response) override {
    record({RecordedCall::Response, client, response, {}});
  }
  void onClientTimeout(TransactionId client, bool transportError) override {
    record({RecordedCall::ClientTimeout, client, {}, {}, transportError});
  }
  void onServerTimeout(TransactionId server) override {
    record({RecordedCall::ServerTimeout, server, {}, {}});
  }

  std::vector<RecordedCall> calls;
  control::Millis start = 0;
  std::function<void(TransactionId, const Message&)> onRequestHook;

 private:
  void record(RecordedCall call) {
    call.at = clock_.now() - start;
    calls.push_back(std::move(call));
  }
  const control::Clock& clock_;
};

inline Peer udpPeer(std::string_view address = "198.18.0.2:5060") {
  return Peer{TransportKind::Udp, *dataplane::SocketAddress::parse(address), 0, {}};
}

inline Peer tcpPeer(std::string_view address = "198.18.0.2:5060", std::uint64_t connection = 0) {
  return Peer{TransportKind::Tcp, *dataplane::SocketAddress::parse(address), connection, {}};
}

// A request as a UAC would send it; `branch` "" leaves the branch out (an RFC 2543 peer).
inline Message makeRequest(std::string_view method, std::string_view branch,
                           std::string_view sentBy = "198.18.0.2:5060",
                           std::uint32_t cseq = 1) {
  Message request;
  request.method = std::string(method);
  request.requestUri = "sip:bob@198.18.0.1";
  std::string via = "SIP/2.0/UDP " + std::string(sentBy);
  if (!branch.empty()) via += ";branch=" + std::string(branch);
  request.add(HeaderId::Via, via);
  request.add(HeaderId::MaxForwards, "70");
  request.add(HeaderId::From, "\"Alice\" <sip:alice@198.18.0.2>;tag=from1");
  request.add(HeaderId::To, "<sip:bob@198.18.0.1>");
  request.add(HeaderId::CallId, "call-1@198.18.0.2");
  request.add(HeaderId::CSeq, std::to_string(cseq) + " " + std::string(method));
  return request;
}

class TransactionFixture : public ::testing::Test {
 protected:
  TransactionFixture() : transports(clock), timers(clock), user(clock) {
    transports.start = clock.now();
    user.start = clock.now();
    layer = std::make_unique<TransactionLayer>(transports, timers, user, settings);
  }

  control::Millis elapsed() const { return clock.now() - transports.start; }

  // Moves time to `at` (ms since the start), running each timer at its own due time.
  void runUntil(control::Millis at) {
    const control::Millis until = transports.start + at;
    timers.runDue();
    while (std::optional<control::Millis> due = timers.nextDue()) {
      if (*due > until) break;
      clock.set(*due);
      timers.runDue();
    }
    clock.set(until);
    timers.runDue();
  }
  void runFor(control::Millis duration) { runUntil(elapsed() + duration); }

  std::vector<control::Millis> sendTimes(std::string_view method) const {
    std::vector<control::Millis> times;
    for (const SentMessage& sent : transports.sent)
      if (sent.message.isRequest() && sent.message.method == method) times.push_back(sent.at);
    return times;
  }
  std::vector<control::Millis> responseTimes(int statusCode) const {
    std::vector<control::Millis> times;
    for (const SentMessage& sent : transports.sent)
      if (sent.message.statusCode == statusCode) times.push_back(sent.at);
    return times;
  }
  std::vector<const RecordedCall*> callsOf(RecordedCall::Kind kind) const {
    std::vector<const RecordedCall*> found;
    for (const RecordedCall& call : user.calls)
      if (call.kind == kind) found.push_back(&call);
    return found;
  }

  // A response from the far end to a request we sent.
  static Message answer(const Message& request, int code, std::string_view toTag = "to1") {
    return makeResponse(request, code, "Reason", code == 100 ? "" : toTag);
  }

  TimerSettings settings;  // RFC 3261 defaults: T1 500, T2 4000, T4 5000
  control::FakeClock clock;
  RecordingTransports transports;
  control::TimerQueue timers;
  RecordingUser user;
  std::unique_ptr<TransactionLayer> layer;
};

}  // namespace sbc::sip::test_support
