// Server transactions (RFC 3261 17.2, RFC 6026 7.1) on a fake clock: 100 Trying, timers G, H,
// I, J and L, absorption of retransmitted requests, over UDP and over TCP.
#include <gtest/gtest.h>

#include "tests/unit/control/sip/transaction_fixture.h"

namespace sbc::sip::test_support {
namespace {

using Times = std::vector<control::Millis>;

class ServerTransactionTest : public TransactionFixture {
 protected:
  // Delivers `request` from `from` and returns the id the user got (0 if none).
  TransactionId receive(const Message& request, const Peer& from = udpPeer()) {
    const std::size_t before = user.calls.size();
    layer->onMessage(request, from);
    for (std::size_t i = before; i < user.calls.size(); ++i)
      if (user.calls[i].kind == RecordedCall::Request) return user.calls[i].id;
    return 0;
  }
  Message reply(const Message& request, int code) {
    return makeResponse(request, code, "Reason", code == 100 ? "" : "uas-tag");
  }
  std::size_t requestsSeen() const { return callsOf(RecordedCall::Request).size(); }

  const Message invite = makeRequest("INVITE", "z9hG4bKinvite1");
  const Message options = makeRequest("OPTIONS", "z9hG4bKoptions1");
};

// --- INVITE server: 100 Trying, G, H, I, L ---------------------------------------------------

TEST_F(ServerTransactionTest, InviteGets100TryingFromTheLayerAfter200ms) {
  Message withTimestamp = invite;
  withTimestamp.add(HeaderId::Timestamp, "54.23");
  const TransactionId id = receive(withTimestamp);
  ASSERT_NE(id, 0u);
  runUntil(199);
  EXPECT_TRUE(transports.sent.empty());
  runUntil(200);
  ASSERT_EQ(responseTimes(100), (Times{200}));
  const Message& trying = transports.sent.back().message;
  EXPECT_EQ(trying.values(HeaderId::Via), withTimestamp.values(HeaderId::Via));
  EXPECT_EQ(trying.value(HeaderId::From), invite.value(HeaderId::From));
  EXPECT_EQ(trying.value(HeaderId::To), invite.value(HeaderId::To));
  EXPECT_EQ(trying.value(HeaderId::CallId), invite.value(HeaderId::CallId));
  EXPECT_EQ(trying.value(HeaderId::CSeq), invite.value(HeaderId::CSeq));
  EXPECT_EQ(trying.value(HeaderId::Timestamp), "54.23");
  EXPECT_EQ(transports.sent.back().to.address, udpPeer().address);
  EXPECT_EQ(layer->counters().tryingSent, 1u);
  runUntil(10'000);
  EXPECT_EQ(responseTimes(100), (Times{200}));  // sent once; only retransmissions repeat it
}

TEST_F(ServerTransactionTest, NoTryingWhenTheUserAnswersWithin200ms) {
  const TransactionId id = receive(invite);
  runUntil(150);
  layer->respond(id, reply(invite, 180));
  runUntil(1000);
  EXPECT_TRUE(responseTimes(100).empty());
  EXPECT_EQ(responseTimes(180), (Times{150}));
}

TEST_F(ServerTransactionTest, RetransmittedInviteIsAbsorbedAndGetsTheLatestProvisional) {
  const TransactionId id = receive(invite);
  receive(invite);  // before any response: absorbed silently
  EXPECT_TRUE(transports.sent.empty());
  layer->respond(id, reply(invite, 183));
  runUntil(500);
  EXPECT_EQ(receive(invite), 0u);
  EXPECT_EQ(requestsSeen(), 1u);
  EXPECT_EQ(responseTimes(183), (Times{0, 500}));
  EXPECT_EQ(layer->counters().requestRetransmissionsAbsorbed, 2u);
  EXPECT_EQ(layer->serverCount(), 1u);
}

TEST_F(ServerTransactionTest, FailureOverUdpIsRetransmittedByTimerGUntilTheAck) {
  const TransactionId id = receive(invite);
  layer->respond(id, reply(invite, 486));
  runUntil(9000);
  EXPECT_EQ(responseTimes(486), (Times{0, 500, 1500, 3500, 7500}));
  Message ack = makeRequest("ACK", "z9hG4bKinvite1");
  ack.set(HeaderId::To, std::string(transports.sent.back().message.value(HeaderId::To)));
  EXPECT_EQ(receive(ack), 0u);
  EXPECT_TRUE(user.calls.size() == 1u);  // the ACK for a non-2xx stays in the transaction
  runUntil(9000 + 4999);
  EXPECT_EQ(responseTimes(486).size(), 5u);  // G stopped
  receive(ack);                               // absorbed in Confirmed
  EXPECT_EQ(layer->serverCount(), 1u);
  runUntil(9000 + 5000);  // timer I = T4
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_TRUE(callsOf(RecordedCall::ServerTimeout).empty());
}

TEST_F(ServerTransactionTest, TimerGIsCappedAtT2AndTimerHReportsTheMissingAck) {
  const TransactionId id = receive(invite);
  layer->respond(id, reply(invite, 603));
  runUntil(40'000);
  EXPECT_EQ(responseTimes(603), (Times{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500,
                                       27500, 31500}));
  const auto timeouts = callsOf(RecordedCall::ServerTimeout);
  ASSERT_EQ(timeouts.size(), 1u);
  EXPECT_EQ(timeouts[0]->id, id);
  EXPECT_EQ(timeouts[0]->at, 32'000);
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_EQ(layer->counters().serverTimeouts, 1u);
}

TEST_F(ServerTransactionTest, RetransmittedInviteInCompletedGetsTheFinalAgain) {
  const TransactionId id = receive(invite);
  layer->respond(id, reply(invite, 480));
  runUntil(200);
  receive(invite);
  EXPECT_EQ(responseTimes(480), (Times{0, 200}));
  EXPECT_EQ(requestsSeen(), 1u);
}

TEST_F(ServerTransactionTest, FailureOverTcpIsSentOnceAndTheAckEndsAtOnceTimerIIsZero) {
  const Peer from = tcpPeer("198.18.0.2:40000", 9);
  const TransactionId id = receive(invite, from);
  layer->respond(id, reply(invite, 486));
  runUntil(20'000);
  EXPECT_EQ(responseTimes(486), (Times{0}));
  EXPECT_EQ(transports.sent.back().to.connectionId, 9u);  // the request's connection (18.2.2)
  Message ack = makeRequest("ACK", "z9hG4bKinvite1");
  receive(ack, from);
  EXPECT_EQ(layer->serverCount(), 0u);
}

TEST_F(ServerTransactionTest, FailureOverTcpStillEndsOnTimerHWithoutAck) {
  const TransactionId id = receive(invite, tcpPeer("198.18.0.2:40000", 9));
  layer->respond(id, reply(invite, 486));
  runUntil(40'000);
  ASSERT_EQ(callsOf(RecordedCall::ServerTimeout).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::ServerTimeout)[0]->at, 32'000);
}

TEST_F(ServerTransactionTest, SuccessEntersAcceptedWhereInvitesAreAbsorbedAndAcksPassedUp) {
  const TransactionId id = receive(invite);
  layer->respond(id, reply(invite, 200));
  runUntil(1000);
  receive(invite);  // absorbed: the UAS core re-sends its 2xx itself (RFC 6026)
  EXPECT_EQ(responseTimes(200), (Times{0}));
  layer->respond(id, reply(invite, 200));  // the core's own 2xx retransmission goes out
  layer->respond(id, reply(invite, 486));  // a late non-2xx does not
  EXPECT_EQ(responseTimes(200), (Times{0, 1000}));
  EXPECT_TRUE(responseTimes(486).empty());

  Message ackSameBranch = makeRequest("ACK", "z9hG4bKinvite1");
  receive(ackSameBranch);
  Message ackOwnBranch = makeRequest("ACK", "z9hG4bKack2xx");
  receive(ackOwnBranch);
  const auto requests = callsOf(RecordedCall::Request);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1]->message.method, "ACK");
  EXPECT_EQ(requests[1]->id, 0u);
  EXPECT_EQ(requests[2]->id, 0u);

  runUntil(32'000 - 1);
  EXPECT_EQ(layer->serverCount(), 1u);
  runUntil(32'000);  // timer L = 64*T1
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_TRUE(callsOf(RecordedCall::ServerTimeout).empty());
}

TEST_F(ServerTransactionTest, AckWhileProceedingIsCountedAndDropped) {
  receive(invite);
  receive(makeRequest("ACK", "z9hG4bKinvite1"));
  EXPECT_EQ(requestsSeen(), 1u);
  EXPECT_EQ(layer->counters().strayAcks, 1u);
}

// --- non-INVITE server: J -------------------------------------------------------------------

TEST_F(ServerTransactionTest, NonInviteAbsorbsWhileTryingAndRepeatsTheFinalUntilTimerJ) {
  const TransactionId id = receive(options);
  receive(options);
  EXPECT_TRUE(transports.sent.empty());  // Trying: nothing to repeat, no 100 for non-INVITE
  runUntil(300);
  layer->respond(id, reply(options, 200));
  runUntil(2000);
  receive(options);
  EXPECT_EQ(responseTimes(200), (Times{300, 2000}));
  EXPECT_EQ(requestsSeen(), 1u);
  runUntil(300 + 32'000 - 1);
  EXPECT_EQ(layer->serverCount(), 1u);
  runUntil(300 + 32'000);  // timer J = 64*T1
  EXPECT_EQ(layer->serverCount(), 0u);
  // After J the same request is new again.
  EXPECT_NE(receive(options), 0u);
}

TEST_F(ServerTransactionTest, NonInviteProceedingRepeatsTheProvisional) {
  const TransactionId id = receive(options);
  layer->respond(id, reply(options, 100));
  receive(options);
  EXPECT_EQ(responseTimes(100), (Times{0, 0}));
  layer->respond(id, reply(options, 200));
  layer->respond(id, reply(options, 500));  // after the final: ignored
  EXPECT_TRUE(responseTimes(500).empty());
}

TEST_F(ServerTransactionTest, NonInviteOverTcpEndsWithItsFinalTimerJIsZero) {
  const TransactionId id = receive(options, tcpPeer("198.18.0.2:40000", 3));
  layer->respond(id, reply(options, 200));
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_EQ(transports.sent.back().to.connectionId, 3u);
}

TEST_F(ServerTransactionTest, TheUserMayAnswerFromInsideOnRequest) {
  user.onRequestHook = [this](TransactionId id, const Message& request) {
    layer->respond(id, reply(request, 200));  // over TCP this ends the transaction at once
  };
  receive(options, tcpPeer("198.18.0.2:40000", 3));
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_EQ(responseTimes(200).size(), 1u);
}

// --- responses over streams (18.2.2) and transport errors (17.2.4) ---------------------------

TEST_F(ServerTransactionTest, ResponseWhoseConnectionClosedGoesToTheViaReceivedAndSentByPort) {
  Message request = options;
  request.set(HeaderId::Via,
              "SIP/2.0/TCP client.example.net:5070;branch=z9hG4bKtcp1;received=198.18.0.77");
  const TransactionId id = receive(request, tcpPeer("198.18.0.77:40000", 5));
  transports.refuseConnections = true;
  layer->respond(id, reply(request, 200));
  ASSERT_EQ(transports.sent.size(), 1u);
  EXPECT_EQ(transports.sent[0].to.connectionId, 0u);
  EXPECT_EQ(transports.sent[0].to.address.toString(), "198.18.0.77:5070");
  EXPECT_EQ(transports.sent[0].to.transport, TransportKind::Tcp);
}

TEST_F(ServerTransactionTest, UnsendableFinalEndsTheInviteAndTellsTheUserAfterwards) {
  const TransactionId id = receive(invite);
  transports.refuseAll = true;
  layer->respond(id, reply(invite, 486));
  EXPECT_TRUE(callsOf(RecordedCall::ServerTimeout).empty());  // not from inside respond()
  runUntil(0);
  ASSERT_EQ(callsOf(RecordedCall::ServerTimeout).size(), 1u);
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_GE(layer->counters().transportErrors, 1u);
}

TEST_F(ServerTransactionTest, RespondToAnUnknownTransactionIsIgnored) {
  layer->respond(999, reply(invite, 200));
  layer->respond(0, reply(invite, 200));
  EXPECT_TRUE(transports.sent.empty());
}

}  // namespace
}  // namespace sbc::sip::test_support
