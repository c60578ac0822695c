// Client transactions (RFC 3261 17.1, RFC 6026 7.2) on a fake clock: every timer's value and
// every retransmission's millisecond, over UDP and over TCP.
#include <gtest/gtest.h>

#include <set>

#include "control/sip/sip_headers.h"
#include "tests/unit/control/sip/transaction_fixture.h"

namespace sbc::sip::test_support {
namespace {

using Times = std::vector<control::Millis>;

class ClientTransactionTest : public TransactionFixture {
 protected:
  TransactionId sendInvite(const Peer& to = udpPeer()) {
    invite = makeRequest("INVITE", layer->newBranch(), "198.18.0.1:5060");
    invite.add(HeaderId::Route, "<sip:proxy1.example.net;lr>");
    invite.add(HeaderId::Route, "<sip:proxy2.example.net;lr>");
    invite.add(HeaderId::Contact, "<sip:sbc@198.18.0.1>");
    return layer->sendRequest(invite, to);
  }
  TransactionId sendOptions(const Peer& to = udpPeer()) {
    options = makeRequest("OPTIONS", layer->newBranch(), "198.18.0.1:5060");
    return layer->sendRequest(options, to);
  }

  Message invite;
  Message options;
};

// --- INVITE client: timers A, B, D, M ------------------------------------------------------

TEST_F(ClientTransactionTest, InviteOverUdpIsRetransmittedByTimerAAndEndsOnTimerB) {
  const TransactionId id = sendInvite();
  ASSERT_NE(id, 0u);
  runUntil(40'000);
  EXPECT_EQ(sendTimes("INVITE"), (Times{0, 500, 1500, 3500, 7500, 15500, 31500}));
  const auto timeouts = callsOf(RecordedCall::ClientTimeout);
  ASSERT_EQ(timeouts.size(), 1u);
  EXPECT_EQ(timeouts[0]->id, id);
  EXPECT_EQ(timeouts[0]->at, 32'000);
  EXPECT_FALSE(timeouts[0]->transportError);
  EXPECT_EQ(layer->clientCount(), 0u);
  EXPECT_EQ(layer->counters().clientTimeouts, 1u);
  EXPECT_EQ(layer->counters().retransmissionsSent, 6u);
}

TEST_F(ClientTransactionTest, TimerAFollowsAConfiguredT1) {
  settings.t1 = 100;
  layer = std::make_unique<TransactionLayer>(transports, timers, user, settings);
  sendInvite();
  runUntil(10'000);
  EXPECT_EQ(sendTimes("INVITE"), (Times{0, 100, 300, 700, 1500, 3100, 6300}));
  ASSERT_EQ(callsOf(RecordedCall::ClientTimeout).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::ClientTimeout)[0]->at, 6400);
}

TEST_F(ClientTransactionTest, InviteOverTcpIsSentOnceAndEndsOnTimerB) {
  sendInvite(tcpPeer());
  runUntil(40'000);
  EXPECT_EQ(sendTimes("INVITE"), (Times{0}));
  ASSERT_EQ(callsOf(RecordedCall::ClientTimeout).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::ClientTimeout)[0]->at, 32'000);
}

TEST_F(ClientTransactionTest, ProvisionalResponseStopsTimersAAndB) {
  const TransactionId id = sendInvite();
  runUntil(700);
  layer->onMessage(answer(invite, 180), udpPeer());
  runUntil(120'000);
  EXPECT_EQ(sendTimes("INVITE"), (Times{0, 500}));
  EXPECT_TRUE(callsOf(RecordedCall::ClientTimeout).empty());
  ASSERT_EQ(callsOf(RecordedCall::Response).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::Response)[0]->id, id);
  EXPECT_EQ(layer->clientCount(), 1u);  // the user's call now, with CANCEL (9.1)
}

TEST_F(ClientTransactionTest, FailureResponseIsAckedAsRfc3261Section17113Says) {
  invite = makeRequest("INVITE", layer->newBranch(), "198.18.0.1:5060", 7);
  invite.prepend(HeaderId::Via, "SIP/2.0/UDP 198.18.0.1:5060;branch=" + layer->newBranch());
  invite.add(HeaderId::Route, "<sip:proxy1.example.net;lr>");
  invite.add(HeaderId::Contact, "<sip:sbc@198.18.0.1>");
  invite.body = "v=0\r\n";
  layer->sendRequest(invite, udpPeer());
  runUntil(100);
  const Message busy = answer(invite, 486, "uas-tag");
  layer->onMessage(busy, udpPeer());

  const auto acks = sendTimes("ACK");
  ASSERT_EQ(acks.size(), 1u);
  const Message& ack = transports.sent.back().message;
  EXPECT_EQ(ack.requestUri, invite.requestUri);
  EXPECT_EQ(ack.value(HeaderId::CallId), invite.value(HeaderId::CallId));
  EXPECT_EQ(ack.value(HeaderId::From), invite.value(HeaderId::From));
  EXPECT_EQ(ack.value(HeaderId::To), busy.value(HeaderId::To));
  EXPECT_EQ(tagOf(ack.value(HeaderId::To)), "uas-tag");
  EXPECT_EQ(ack.value(HeaderId::CSeq), "7 ACK");
  ASSERT_EQ(ack.values(HeaderId::Via).size(), 1u);
  EXPECT_EQ(ack.values(HeaderId::Via)[0], invite.values(HeaderId::Via)[0]);
  EXPECT_EQ(ack.values(HeaderId::Route), invite.values(HeaderId::Route));
  EXPECT_EQ(ack.value(HeaderId::MaxForwards), "70");
  EXPECT_EQ(ack.find(HeaderId::Contact), nullptr);
  EXPECT_TRUE(ack.body.empty());
  EXPECT_EQ(transports.sent.back().to.address, udpPeer().address);
  ASSERT_EQ(callsOf(RecordedCall::Response).size(), 1u);
  EXPECT_EQ(layer->counters().acksSent, 1u);
}

TEST_F(ClientTransactionTest, RetransmittedFailureIsAckedAgainUntilTimerDButReportedOnce) {
  sendInvite();
  layer->onMessage(answer(invite, 100), udpPeer());
  runUntil(1000);
  const Message busy = answer(invite, 486);
  layer->onMessage(busy, udpPeer());
  runUntil(1500);
  layer->onMessage(busy, udpPeer());
  runUntil(32'999);
  layer->onMessage(busy, udpPeer());  // timer D (32 s from 1000) not yet fired
  EXPECT_EQ(sendTimes("ACK"), (Times{1000, 1500, 32'999}));
  EXPECT_EQ(layer->clientCount(), 1u);
  runUntil(33'000);
  EXPECT_EQ(layer->clientCount(), 0u);
  layer->onMessage(busy, udpPeer());
  EXPECT_EQ(sendTimes("ACK").size(), 3u);
  EXPECT_EQ(callsOf(RecordedCall::Response).size(), 2u);  // the 100 and the first 486
  EXPECT_EQ(layer->counters().responseRetransmissionsAbsorbed, 2u);
  EXPECT_EQ(layer->counters().strayResponses, 1u);
}

TEST_F(ClientTransactionTest, FailureOverTcpEndsAtOnceTimerDIsZero) {
  sendInvite(tcpPeer());
  layer->onMessage(answer(invite, 503), tcpPeer("198.18.0.2:5060", 4));
  EXPECT_EQ(sendTimes("ACK").size(), 1u);
  EXPECT_EQ(layer->clientCount(), 0u);
  EXPECT_EQ(callsOf(RecordedCall::Response).size(), 1u);
}

TEST_F(ClientTransactionTest, SuccessEntersAcceptedAndPasses2xxRetransmissionsUpUntilTimerM) {
  const TransactionId id = sendInvite();
  runUntil(200);
  const Message ok = answer(invite, 200);
  layer->onMessage(ok, udpPeer());
  runUntil(4200);
  layer->onMessage(ok, udpPeer());                   // retransmitted 2xx
  layer->onMessage(answer(invite, 200, "fork2"), udpPeer());  // another fork's 2xx
  const auto responses = callsOf(RecordedCall::Response);
  ASSERT_EQ(responses.size(), 3u);
  for (const RecordedCall* response : responses) EXPECT_EQ(response->id, id);
  EXPECT_TRUE(sendTimes("ACK").empty());  // ACK for 2xx is the user's (sendStateless)
  EXPECT_EQ(sendTimes("INVITE"), (Times{0}));
  runUntil(200 + 32'000 - 1);
  EXPECT_EQ(layer->clientCount(), 1u);
  runUntil(200 + 32'000);  // timer M = 64*T1
  EXPECT_EQ(layer->clientCount(), 0u);
  layer->onMessage(ok, udpPeer());
  EXPECT_EQ(callsOf(RecordedCall::Response).size(), 3u);
  EXPECT_TRUE(callsOf(RecordedCall::ClientTimeout).empty());
}

// --- non-INVITE client: timers E, F, K ------------------------------------------------------

TEST_F(ClientTransactionTest, NonInviteOverUdpTimerEDoublesUpToT2AndTimerFEnds) {
  const TransactionId id = sendOptions();
  runUntil(40'000);
  EXPECT_EQ(sendTimes("OPTIONS"), (Times{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500,
                                         27500, 31500}));
  ASSERT_EQ(callsOf(RecordedCall::ClientTimeout).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::ClientTimeout)[0]->id, id);
  EXPECT_EQ(callsOf(RecordedCall::ClientTimeout)[0]->at, 32'000);
  EXPECT_EQ(layer->clientCount(), 0u);
}

TEST_F(ClientTransactionTest, NonInviteProceedingRetransmitsEveryT2UntilTimerF) {
  sendOptions();
  runUntil(600);
  layer->onMessage(answer(options, 100), udpPeer());
  runUntil(40'000);
  // E was due at 1500 when the 100 came; from then on it runs at T2.
  EXPECT_EQ(sendTimes("OPTIONS"),
            (Times{0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500}));
  ASSERT_EQ(callsOf(RecordedCall::ClientTimeout).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::ClientTimeout)[0]->at, 32'000);
}

TEST_F(ClientTransactionTest, NonInviteFinalOverUdpAbsorbsRetransmissionsForTimerK) {
  sendOptions();
  runUntil(700);
  const Message ok = answer(options, 200);
  layer->onMessage(ok, udpPeer());
  runUntil(700 + 4999);
  layer->onMessage(ok, udpPeer());
  EXPECT_EQ(layer->clientCount(), 1u);
  runUntil(700 + 5000);  // timer K = T4
  EXPECT_EQ(layer->clientCount(), 0u);
  EXPECT_EQ(sendTimes("OPTIONS"), (Times{0, 500}));
  EXPECT_EQ(callsOf(RecordedCall::Response).size(), 1u);
  EXPECT_EQ(layer->counters().responseRetransmissionsAbsorbed, 1u);
}

TEST_F(ClientTransactionTest, NonInviteOverTcpIsNotRetransmittedAndTimerKIsZero) {
  sendOptions(tcpPeer());
  runUntil(10'000);
  EXPECT_EQ(sendTimes("OPTIONS"), (Times{0}));
  layer->onMessage(answer(options, 200), tcpPeer());
  EXPECT_EQ(layer->clientCount(), 0u);
  runUntil(40'000);
  EXPECT_TRUE(callsOf(RecordedCall::ClientTimeout).empty());
}

TEST_F(ClientTransactionTest, NonInviteOverTcpEndsOnTimerF) {
  sendOptions(tcpPeer());
  runUntil(40'000);
  ASSERT_EQ(callsOf(RecordedCall::ClientTimeout).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::ClientTimeout)[0]->at, 32'000);
}

// --- transport errors (17.1.4) --------------------------------------------------------------

TEST_F(ClientTransactionTest, RefusedSendIsReportedAsTransportErrorAfterTheIdIsReturned) {
  transports.refuseAll = true;
  const TransactionId id = sendInvite();
  ASSERT_NE(id, 0u);
  EXPECT_TRUE(user.calls.empty());  // not from inside sendRequest()
  runUntil(0);
  const auto timeouts = callsOf(RecordedCall::ClientTimeout);
  ASSERT_EQ(timeouts.size(), 1u);
  EXPECT_EQ(timeouts[0]->id, id);
  EXPECT_TRUE(timeouts[0]->transportError);
  EXPECT_EQ(layer->clientCount(), 0u);
  EXPECT_EQ(layer->counters().transportErrors, 1u);
}

TEST_F(ClientTransactionTest, RefusedRetransmissionEndsTheTransaction) {
  const TransactionId id = sendOptions();
  runUntil(1000);
  transports.refuseAll = true;
  runUntil(1500);
  const auto timeouts = callsOf(RecordedCall::ClientTimeout);
  ASSERT_EQ(timeouts.size(), 1u);
  EXPECT_EQ(timeouts[0]->id, id);
  EXPECT_TRUE(timeouts[0]->transportError);
  EXPECT_EQ(timeouts[0]->at, 1500);
}

TEST_F(ClientTransactionTest, ConnectionFailureEndsTheTransactionsWaitingOnThatPeer) {
  const TransactionId toFailed = sendInvite(tcpPeer("198.18.0.7:5060"));
  const TransactionId toOther = sendOptions(tcpPeer("198.18.0.8:5060"));
  layer->onTransportFailure(tcpPeer("198.18.0.7:5060", 12));
  const auto timeouts = callsOf(RecordedCall::ClientTimeout);
  ASSERT_EQ(timeouts.size(), 1u);
  EXPECT_EQ(timeouts[0]->id, toFailed);
  EXPECT_TRUE(timeouts[0]->transportError);
  EXPECT_EQ(layer->clientCount(), 1u);
  layer->onTransportFailure(udpPeer("198.18.0.8:5060"));  // another transport: not ours
  EXPECT_EQ(layer->clientCount(), 1u);
  (void)toOther;
}

// --- CANCEL (9.1) ---------------------------------------------------------------------------

TEST_F(ClientTransactionTest, CancelWaitsForAProvisionalResponseThenIsBuiltFromTheInvite) {
  const TransactionId id = sendInvite();
  runUntil(100);
  layer->cancel(id);
  runUntil(600);
  EXPECT_TRUE(sendTimes("CANCEL").empty());
  layer->onMessage(answer(invite, 180, "uas-tag"), udpPeer());
  ASSERT_EQ(sendTimes("CANCEL"), (Times{600}));
  const Message& cancel = transports.sent.back().message;
  EXPECT_EQ(cancel.requestUri, invite.requestUri);
  EXPECT_EQ(cancel.value(HeaderId::CallId), invite.value(HeaderId::CallId));
  EXPECT_EQ(cancel.value(HeaderId::From), invite.value(HeaderId::From));
  EXPECT_EQ(cancel.value(HeaderId::To), invite.value(HeaderId::To));  // no tag
  EXPECT_EQ(cancel.value(HeaderId::CSeq), "1 CANCEL");
  ASSERT_EQ(cancel.values(HeaderId::Via).size(), 1u);
  EXPECT_EQ(cancel.values(HeaderId::Via)[0], invite.values(HeaderId::Via)[0]);
  EXPECT_EQ(cancel.values(HeaderId::Route), invite.values(HeaderId::Route));
  EXPECT_EQ(cancel.value(HeaderId::MaxForwards), "70");

  // The CANCEL's own 200 stays inside the layer; the INVITE's 487 reaches the user.
  layer->onMessage(answer(cancel, 200, "uas-tag"), udpPeer());
  layer->onMessage(answer(invite, 487, "uas-tag"), udpPeer());
  const auto responses = callsOf(RecordedCall::Response);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0]->message.statusCode, 180);
  EXPECT_EQ(responses[1]->message.statusCode, 487);
  EXPECT_EQ(responses[1]->id, id);
  EXPECT_EQ(sendTimes("ACK").size(), 1u);
}

TEST_F(ClientTransactionTest, CancelOverUdpIsRetransmittedByItsOwnTimerE) {
  const TransactionId id = sendInvite();
  layer->onMessage(answer(invite, 100), udpPeer());
  runUntil(1000);
  layer->cancel(id);
  layer->cancel(id);  // asked twice, sent once
  runUntil(4000);
  EXPECT_EQ(sendTimes("CANCEL"), (Times{1000, 1500, 2500}));
  EXPECT_EQ(layer->clientCount(), 2u);
}

TEST_F(ClientTransactionTest, InviteIsGivenUp64T1AfterItsCancelWithoutAFinalResponse) {
  const TransactionId id = sendInvite();
  layer->onMessage(answer(invite, 180), udpPeer());
  runUntil(2000);
  layer->cancel(id);
  runUntil(2000 + 32'000 - 1);
  EXPECT_TRUE(callsOf(RecordedCall::ClientTimeout).empty());
  runUntil(2000 + 32'000);
  const auto timeouts = callsOf(RecordedCall::ClientTimeout);
  ASSERT_EQ(timeouts.size(), 1u);
  EXPECT_EQ(timeouts[0]->id, id);  // the CANCEL's own timer F ends silently
  EXPECT_EQ(layer->clientCount(), 0u);
}

TEST_F(ClientTransactionTest, CancelAfterTheFinalResponseSendsNothing) {
  const TransactionId id = sendInvite();
  layer->onMessage(answer(invite, 200), udpPeer());
  layer->cancel(id);
  layer->cancel(12345);  // unknown: ignored
  runUntil(1000);
  EXPECT_TRUE(sendTimes("CANCEL").empty());
}

TEST_F(ClientTransactionTest, CancelAskedBeforeAnyResponseIsDroppedWhenTheFinalComesFirst) {
  const TransactionId id = sendInvite();
  layer->cancel(id);
  layer->onMessage(answer(invite, 404), udpPeer());
  runUntil(40'000);
  EXPECT_TRUE(sendTimes("CANCEL").empty());
  EXPECT_EQ(sendTimes("ACK").size(), 1u);
}

// --- response matching (17.1.3) -------------------------------------------------------------

TEST_F(ClientTransactionTest, ResponsesMatchByTopViaBranchAndCSeqMethod) {
  const TransactionId id = sendInvite();
  Message wrongMethod = answer(invite, 200);
  wrongMethod.set(HeaderId::CSeq, "1 CANCEL");  // same branch, another transaction
  layer->onMessage(wrongMethod, udpPeer());
  Message otherBranch = answer(invite, 200);
  otherBranch.set(HeaderId::Via, "SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bKother");
  layer->onMessage(otherBranch, udpPeer());
  Message otherSentBy = answer(invite, 200);
  std::string via = std::string(invite.value(HeaderId::Via));
  via.replace(via.find("198.18.0.1"), 10, "198.18.0.9");
  otherSentBy.set(HeaderId::Via, via);  // 18.1.2: sent-by must be ours
  layer->onMessage(otherSentBy, udpPeer());
  EXPECT_TRUE(user.calls.empty());
  EXPECT_EQ(layer->counters().strayResponses, 3u);
  layer->onMessage(answer(invite, 180), udpPeer());
  ASSERT_EQ(callsOf(RecordedCall::Response).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::Response)[0]->id, id);
}

TEST_F(ClientTransactionTest, ResponsesWithoutViaOrCSeqAreDroppedAndCounted) {
  sendInvite();
  Message noVia = answer(invite, 180);
  noVia.remove(HeaderId::Via);
  Message badVia = answer(invite, 180);
  badVia.set(HeaderId::Via, "this is not a via");
  Message noCSeq = answer(invite, 180);
  noCSeq.remove(HeaderId::CSeq);
  Message badStatus = answer(invite, 180);
  badStatus.statusCode = 99;
  for (const Message* response : {&noVia, &badVia, &noCSeq, &badStatus})
    layer->onMessage(*response, udpPeer());
  EXPECT_TRUE(user.calls.empty());
  EXPECT_EQ(layer->counters().malformedResponses, 4u);
  EXPECT_EQ(layer->counters().responsesReceived, 4u);
}

// --- what sendRequest() takes ---------------------------------------------------------------

TEST_F(ClientTransactionTest, SendRequestRefusesWhatCannotBeATransaction) {
  EXPECT_EQ(layer->sendRequest(makeRequest("ACK", layer->newBranch()), udpPeer()), 0u);
  EXPECT_EQ(layer->sendRequest(makeRequest("INVITE", ""), udpPeer()), 0u);  // no branch
  EXPECT_EQ(layer->sendRequest(makeRequest("INVITE", "1234"), udpPeer()), 0u);  // no cookie
  Message noCSeq = makeRequest("INVITE", layer->newBranch());
  noCSeq.remove(HeaderId::CSeq);
  EXPECT_EQ(layer->sendRequest(noCSeq, udpPeer()), 0u);
  const Message twice = makeRequest("INVITE", layer->newBranch());
  EXPECT_NE(layer->sendRequest(twice, udpPeer()), 0u);
  EXPECT_EQ(layer->sendRequest(twice, udpPeer()), 0u);  // branch already in use
  EXPECT_EQ(layer->counters().refusedRequests, 5u);
  EXPECT_EQ(transports.sent.size(), 1u);
}

TEST_F(ClientTransactionTest, StatelessSendsMakeNoTransaction) {
  const Message ack = makeRequest("ACK", layer->newBranch());
  layer->sendStateless(ack, udpPeer());
  runUntil(40'000);
  EXPECT_EQ(sendTimes("ACK"), (Times{0}));
  EXPECT_EQ(layer->clientCount(), 0u);
}

TEST_F(ClientTransactionTest, NewBranchesCarryTheMagicCookieAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string branch = layer->newBranch();
    EXPECT_TRUE(branch.starts_with("z9hG4bK")) << branch;
    EXPECT_TRUE(seen.insert(branch).second) << branch;
  }
  EXPECT_NE(layer->newTag(), layer->newTag());
}

}  // namespace
}  // namespace sbc::sip::test_support
