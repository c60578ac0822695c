// The transaction layer as a whole: matching of requests (RFC 3261 17.2.3 and its RFC 2543
// fallback), CANCEL handled by the layer (9.2), malformed input, and the layer's lifetime.
#include <gtest/gtest.h>

#include "control/sip/sip_headers.h"
#include "control/sip/transaction_matching.h"
#include "tests/unit/control/sip/transaction_fixture.h"

namespace sbc::sip::test_support {
namespace {

using Times = std::vector<control::Millis>;

class TransactionLayerTest : public TransactionFixture {
 protected:
  TransactionId receive(const Message& request, const Peer& from = udpPeer()) {
    const std::size_t before = user.calls.size();
    layer->onMessage(request, from);
    for (std::size_t i = before; i < user.calls.size(); ++i)
      if (user.calls[i].kind == RecordedCall::Request) return user.calls[i].id;
    return 0;
  }
  Message reply(const Message& request, int code, std::string_view tag = "uas-tag") {
    return makeResponse(request, code, "Reason", code == 100 ? "" : tag);
  }
  std::size_t requestsSeen() const { return callsOf(RecordedCall::Request).size(); }
  const Message* lastSent(int statusCode) const {
    for (auto it = transports.sent.rbegin(); it != transports.sent.rend(); ++it)
      if (it->message.statusCode == statusCode) return &it->message;
    return nullptr;
  }
  static Message cancelFor(const Message& invite) { return makeCancel(invite); }

  const Message invite = makeRequest("INVITE", "z9hG4bKinvite1");
};

// --- RFC 3261 matching (17.2.3) -------------------------------------------------------------

TEST_F(TransactionLayerTest, SameBranchFromAnotherSentByIsAnotherTransaction) {
  const TransactionId first = receive(invite);
  const TransactionId second = receive(makeRequest("INVITE", "z9hG4bKinvite1", "198.18.0.3:5060"));
  EXPECT_NE(first, 0u);
  EXPECT_NE(second, 0u);
  EXPECT_NE(first, second);
  EXPECT_EQ(layer->serverCount(), 2u);
}

TEST_F(TransactionLayerTest, SameBranchWithAnotherMethodIsAnotherTransaction) {
  receive(invite);
  EXPECT_NE(receive(makeRequest("OPTIONS", "z9hG4bKinvite1")), 0u);
  EXPECT_EQ(layer->serverCount(), 2u);
}

TEST_F(TransactionLayerTest, BranchComparisonIsCaseSensitiveAndSentByHostIsNot) {
  receive(invite);
  EXPECT_NE(receive(makeRequest("INVITE", "z9hG4bKINVITE1")), 0u);
  Message upperHost = makeRequest("INVITE", "z9hG4bKhost", "HOST.example.net:5060");
  const TransactionId id = receive(upperHost);
  EXPECT_EQ(receive(makeRequest("INVITE", "z9hG4bKhost", "host.example.net:5060")), 0u);
  EXPECT_NE(id, 0u);
}

// --- RFC 2543 matching (17.2.3, last paragraphs) --------------------------------------------

TEST_F(TransactionLayerTest, Rfc2543RetransmissionMatchesOnUriTagsCallIdCSeqAndTopVia) {
  const Message old = makeRequest("INVITE", "");  // no branch at all
  const TransactionId id = receive(old);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(receive(old), 0u);  // absorbed
  Message otherUri = old;
  otherUri.requestUri = "sip:carol@198.18.0.1";
  Message otherCSeq = makeRequest("INVITE", "", "198.18.0.2:5060", 2);
  Message otherVia = makeRequest("INVITE", "", "198.18.0.2:5070");
  Message otherFromTag = old;
  otherFromTag.set(HeaderId::From, "<sip:alice@198.18.0.2>;tag=from2");
  Message oldBranch = makeRequest("INVITE", "1234");  // a branch without the cookie
  for (const Message* request : {&otherUri, &otherCSeq, &otherVia, &otherFromTag, &oldBranch})
    EXPECT_NE(receive(*request), 0u);
  EXPECT_EQ(requestsSeen(), 6u);
}

// The same bytes over another transport (RFC 4475 longreq over UDP, then over TCP) are no
// retransmission: the transaction would answer over the transport of the first copy, and the
// second would hear nothing. They make a transaction of their own, for the user to answer.
TEST_F(TransactionLayerTest, Rfc2543CopyOverAnotherTransportIsANewTransaction) {
  const Message old = makeRequest("INVITE", "");
  const TransactionId overUdp = receive(old);
  ASSERT_NE(overUdp, 0u);
  layer->respond(overUdp, reply(old, 180, "udp-tag"));
  const TransactionId overTcp = receive(old, tcpPeer("198.18.0.2:41000", 9));
  ASSERT_NE(overTcp, 0u);
  EXPECT_NE(overTcp, overUdp);
  layer->respond(overTcp, reply(old, 482, "tcp-tag"));
  ASSERT_EQ(responseTimes(482).size(), 1u);
  EXPECT_EQ(transports.sent.back().to.transport, TransportKind::Tcp);
  EXPECT_EQ(transports.sent.back().to.connectionId, 9u);
  // Each copy's retransmissions, ACK and CANCEL stay with the transaction of their transport.
  EXPECT_EQ(receive(old, tcpPeer("198.18.0.2:41000", 9)), 0u);
  EXPECT_EQ(responseTimes(482).size(), 2u);
  EXPECT_EQ(receive(old), 0u);
  EXPECT_EQ(responseTimes(180).size(), 2u);
  Message ack = makeRequest("ACK", "");
  ack.set(HeaderId::To, "<sip:bob@198.18.0.1>;tag=tcp-tag");
  receive(ack, tcpPeer("198.18.0.2:41000", 9));
  EXPECT_EQ(requestsSeen(), 2u);  // absorbed by the TCP transaction
  receive(makeCancel(old));
  const auto cancels = callsOf(RecordedCall::Cancel);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0]->id, overUdp);
  EXPECT_EQ(tagOf(lastSent(200)->value(HeaderId::To)), "udp-tag");
}

TEST_F(TransactionLayerTest, Rfc2543AckMatchesByTheToTagOfTheResponseSent) {
  const Message old = makeRequest("INVITE", "");
  const TransactionId id = receive(old);
  layer->respond(id, reply(old, 486, "answer-tag"));
  Message wrongTag = makeRequest("ACK", "");
  wrongTag.set(HeaderId::To, "<sip:bob@198.18.0.1>;tag=other");
  receive(wrongTag);  // matches nothing: goes to the user as an ACK without transaction
  EXPECT_EQ(requestsSeen(), 2u);
  runUntil(600);
  EXPECT_EQ(responseTimes(486), (Times{0, 500}));  // still waiting for its ACK
  Message ack = makeRequest("ACK", "");
  ack.set(HeaderId::To, "<sip:bob@198.18.0.1>;tag=answer-tag");
  receive(ack);
  EXPECT_EQ(requestsSeen(), 2u);
  runUntil(3000);
  EXPECT_EQ(responseTimes(486), (Times{0, 500}));  // Confirmed: G stopped
}

TEST_F(TransactionLayerTest, Rfc2543CancelMatchesTheInviteWhateverItsToTag) {
  const Message old = makeRequest("INVITE", "");
  const TransactionId id = receive(old);
  layer->respond(id, reply(old, 180, "answer-tag"));
  Message cancel = makeCancel(old);
  receive(cancel);
  const auto cancels = callsOf(RecordedCall::Cancel);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0]->id, id);
  ASSERT_NE(lastSent(200), nullptr);
  EXPECT_EQ(tagOf(lastSent(200)->value(HeaderId::To)), "answer-tag");
  receive(cancel);  // retransmitted CANCEL: its own transaction repeats the 200
  EXPECT_EQ(responseTimes(200).size(), 2u);
  EXPECT_EQ(callsOf(RecordedCall::Cancel).size(), 1u);
}

// --- CANCEL at the server (9.2) -------------------------------------------------------------

TEST_F(TransactionLayerTest, CancelIsAnswered200ByTheLayerAndReportedToTheUser) {
  const TransactionId id = receive(invite);
  layer->respond(id, reply(invite, 180, "call-tag"));
  const Message cancel = cancelFor(invite);
  receive(cancel);
  ASSERT_NE(lastSent(200), nullptr);
  const Message& ok = *lastSent(200);
  EXPECT_EQ(ok.value(HeaderId::CSeq), "1 CANCEL");
  EXPECT_EQ(tagOf(ok.value(HeaderId::To)), "call-tag");  // 9.2: the same To tag
  const auto cancels = callsOf(RecordedCall::Cancel);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0]->id, id);
  EXPECT_EQ(cancels[0]->message.method, "CANCEL");
  EXPECT_EQ(requestsSeen(), 1u);  // the CANCEL is not a request for the user
  EXPECT_EQ(layer->counters().cancelsMatched, 1u);

  layer->respond(id, reply(invite, 487, "call-tag"));
  EXPECT_EQ(responseTimes(487), (Times{0}));
  Message ack = makeRequest("ACK", "z9hG4bKinvite1");
  receive(ack);
  runUntil(40'000);
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_TRUE(callsOf(RecordedCall::ServerTimeout).empty());
}

TEST_F(TransactionLayerTest, CancelBeforeAnyResponseGetsATagOfTheLayer) {
  const TransactionId id = receive(invite);
  receive(cancelFor(invite));
  ASSERT_NE(lastSent(200), nullptr);
  EXPECT_FALSE(tagOf(lastSent(200)->value(HeaderId::To)).empty());
  EXPECT_EQ(callsOf(RecordedCall::Cancel).size(), 1u);
  EXPECT_EQ(callsOf(RecordedCall::Cancel)[0]->id, id);
}

TEST_F(TransactionLayerTest, CancelMatchingNoInviteIsAnswered481) {
  receive(cancelFor(makeRequest("INVITE", "z9hG4bKnobody")));
  ASSERT_NE(lastSent(481), nullptr);
  EXPECT_TRUE(callsOf(RecordedCall::Cancel).empty());
  EXPECT_EQ(layer->counters().cancelsUnmatched, 1u);
}

TEST_F(TransactionLayerTest, CancelAfterTheFinalResponseIsAnswered200ButNotReported) {
  const TransactionId id = receive(invite);
  layer->respond(id, reply(invite, 200));
  receive(cancelFor(invite));
  EXPECT_EQ(responseTimes(200).size(), 2u);
  EXPECT_TRUE(callsOf(RecordedCall::Cancel).empty());
}

TEST_F(TransactionLayerTest, RetransmittedCancelGetsThe200AgainAndIsReportedOnce) {
  receive(invite);
  const Message cancel = cancelFor(invite);
  receive(cancel);
  runUntil(500);
  receive(cancel);
  EXPECT_EQ(responseTimes(200), (Times{0, 500}));
  EXPECT_EQ(callsOf(RecordedCall::Cancel).size(), 1u);
  runUntil(40'000);  // CANCEL's timer J; the INVITE still waits for the user's answer
  EXPECT_EQ(layer->serverCount(), 1u);
}

// --- stray and malformed input ----------------------------------------------------------------

TEST_F(TransactionLayerTest, AckMatchingNoTransactionGoesToTheUserWithIdZero) {
  const Message ack = makeRequest("ACK", "z9hG4bKfor2xx");
  EXPECT_EQ(receive(ack), 0u);
  ASSERT_EQ(requestsSeen(), 1u);
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_TRUE(transports.sent.empty());
}

TEST_F(TransactionLayerTest, RequestMissingAMandatoryFieldGets400WithAWarning) {
  Message noCallId = invite;
  noCallId.remove(HeaderId::CallId);
  layer->onMessage(noCallId, udpPeer());
  ASSERT_NE(lastSent(400), nullptr);
  const Message& bad = *lastSent(400);
  EXPECT_EQ(bad.values(HeaderId::Via), invite.values(HeaderId::Via));
  EXPECT_EQ(bad.value(HeaderId::Warning), "399 198.18.0.1:5060 \"no Call-ID\"");
  EXPECT_FALSE(tagOf(bad.value(HeaderId::To)).empty());
  EXPECT_TRUE(user.calls.empty());
  EXPECT_EQ(layer->counters().malformedRequests, 1u);
}

TEST_F(TransactionLayerTest, CSeqMethodOtherThanTheRequestMethodGets400) {
  Message mismatch = invite;
  mismatch.set(HeaderId::CSeq, "1 BYE");
  layer->onMessage(mismatch, udpPeer());
  ASSERT_NE(lastSent(400), nullptr);
  EXPECT_NE(lastSent(400)->value(HeaderId::Warning).find("CSeq method BYE"), std::string::npos);
}

TEST_F(TransactionLayerTest, MalformedRequestWithoutViaAndMalformedAckAreOnlyCounted) {
  Message noVia = invite;
  noVia.remove(HeaderId::Via);
  Message badAck = makeRequest("ACK", "z9hG4bKx");
  badAck.remove(HeaderId::From);
  layer->onMessage(noVia, udpPeer());
  layer->onMessage(badAck, udpPeer());
  EXPECT_TRUE(transports.sent.empty());
  EXPECT_TRUE(user.calls.empty());
  EXPECT_EQ(layer->counters().malformedRequests, 2u);
}

TEST_F(TransactionLayerTest, UnparsableBytesOfARequestGet400NamingTheParserFault) {
  const std::string bytes =
      "INVITE sip:bob@198.18.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.18.0.2:5060;branch=z9hG4bKbroken\r\n"
      "From: <sip:alice@198.18.0.2>;tag=a\r\n"
      "To: <sip:bob@198.18.0.1>\r\n"
      "Call-ID: broken-1\r\n"
      "CSeq: 1 INVITE\r\n"
      "Max-Forwards: lots\r\n"
      "\r\n";
  ParseError error;
  error.reason = "not a number";
  error.header = "Max-Forwards";
  layer->onMalformed(bytes, error, udpPeer());
  ASSERT_NE(lastSent(400), nullptr);
  const Message& bad = *lastSent(400);
  EXPECT_EQ(bad.value(HeaderId::CallId), "broken-1");
  EXPECT_EQ(bad.value(HeaderId::CSeq), "1 INVITE");
  EXPECT_EQ(bad.value(HeaderId::Warning), "399 198.18.0.1:5060 \"Max-Forwards: not a number\"");
  EXPECT_EQ(transports.sent.back().to.address, udpPeer().address);
}

TEST_F(TransactionLayerTest, UnparsableBytesThatCannotBeAnsweredAreCounted) {
  ParseError error;
  error.reason = "garbage";
  layer->onMalformed("SIP/2.0 200 OK\r\nVia: x\r\n\r\n", error, udpPeer());
  layer->onMalformed("ACK sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n", error,
                     udpPeer());
  layer->onMalformed("\x01\x02garbage", error, udpPeer());
  layer->onMalformed("", error, udpPeer());
  EXPECT_TRUE(transports.sent.empty());
  EXPECT_EQ(layer->counters().malformedResponses, 1u);
  EXPECT_EQ(layer->counters().malformedRequests, 3u);
}

// RFC 4475 3.1.2.1 (badinv01): the answer goes back to the source, so a top Via that does not
// parse is copied as it came rather than being a reason for silence.
TEST_F(TransactionLayerTest, UnparsableTopViaIsCopiedIntoTheAnswer) {
  const std::string bytes =
      "INVITE sip:user@example.com SIP/2.0\r\n"
      "To: sip:j.user@example.com\r\n"
      "From: sip:caller@example.net;tag=134161461246\r\n"
      "Max-Forwards: 7\r\n"
      "Call-ID: badinv01.0ha0isndaksdjasdf3234nas\r\n"
      "CSeq: 8 INVITE\r\n"
      "Via: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"
      "Content-Length: 0\r\n\r\n";
  ParseError error;
  error.reason = "empty or malformed parameter";
  error.header = "Via";
  layer->onMalformed(bytes, error, udpPeer());
  ASSERT_NE(lastSent(400), nullptr);
  const Message& bad = *lastSent(400);
  ASSERT_NE(bad.find(HeaderId::Via), nullptr);
  EXPECT_EQ(bad.find(HeaderId::Via)->value, "SIP/2.0/UDP 192.0.2.15;;,;,,");
  EXPECT_EQ(bad.value(HeaderId::Warning),
            "399 198.18.0.1:5060 \"Via: empty or malformed parameter\"");
  EXPECT_EQ(transports.sent.back().to.address, udpPeer().address);
  EXPECT_EQ(layer->counters().malformedRequests, 1u);
}

// RFC 3261 8.2.2, RFC 4475 3.1.2.16 (badvers): another SIP version is answered 505.
TEST_F(TransactionLayerTest, AnotherSipVersionGets505) {
  const std::string bytes =
      "OPTIONS sip:t.watson@example.org SIP/7.0\r\n"
      "Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw\r\n"
      "Max-Forwards:     70\r\n"
      "From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe\r\n"
      "To:      T. Watson <sip:t.watson@example.org>\r\n"
      "Call-ID: badvers.31417@c.example.com\r\n"
      "CSeq:    1 OPTIONS\r\n"
      "l: 0\r\n\r\n";
  ParseError error;
  error.reason = "unsupported SIP version SIP/7.0 (only SIP/2.0)";
  error.responseCode = 505;
  layer->onMalformed(bytes, error, udpPeer());
  ASSERT_EQ(transports.sent.size(), 1u);
  const Message& answer = transports.sent.back().message;
  EXPECT_EQ(answer.statusCode, 505);
  EXPECT_EQ(answer.reasonPhrase, "Version Not Supported");
  EXPECT_NE(answer.value(HeaderId::Warning).find("SIP/7.0"), std::string::npos);
}

// RFC 4475 3.3.8 (multi01) and 3.3.9 (mcl01 on a datagram): parsed, but refused with 400; a
// missing Max-Forwards (3.4.1 inv2543, an RFC 2543 peer) is not.
TEST_F(TransactionLayerTest, RepeatedSingleFieldsAndDisagreeingLengthsGet400) {
  Message twoTo = makeRequest("INVITE", "z9hG4bKtwoto");
  twoTo.add(HeaderId::To, "<sip:carol@198.18.0.1>");
  layer->onMessage(twoTo, udpPeer());
  ASSERT_NE(lastSent(400), nullptr);
  EXPECT_EQ(lastSent(400)->value(HeaderId::Warning),
            "399 198.18.0.1:5060 \"more than one To header\"");

  Message lengths = makeRequest("OPTIONS", "z9hG4bKlengths");
  lengths.add(HeaderId::ContentLength, "0");
  lengths.add(HeaderId::ContentLength, "15");
  layer->onMessage(lengths, udpPeer());
  EXPECT_NE(lastSent(400)->value(HeaderId::Warning).find("Content-Length values disagree"),
            std::string::npos);
  EXPECT_TRUE(user.calls.empty());
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_EQ(layer->counters().malformedRequests, 2u);

  Message rfc2543 = makeRequest("INVITE", "z9hG4bKnomf");
  rfc2543.remove(HeaderId::MaxForwards);
  EXPECT_NE(receive(rfc2543), 0u);
  EXPECT_EQ(layer->counters().malformedRequests, 2u);
}

// PROTOS c07-sip sends start lines with an empty or all-blank method: still not a response,
// and its Via, From, To, Call-ID and CSeq say where the 400 goes. A blank-led ACK is not
// answered, and control octets in the salvaged fields do not reach the answer.
TEST_F(TransactionLayerTest, StartLineWithoutAMethodIsStillAnswered) {
  const std::string fields =
      "Via: SIP/2.0/UDP 198.18.0.2:5060;branch=z9hG4bKnomethod\r\n"
      "From: 1 <sip:alice@198.18.0.2>;tag=1\r\n"
      "To: Receiver <sip:bob@198.18.0.1>\r\n"
      "Call-ID: no\x01method\r@198.18.0.2\r\n"
      "CSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  ParseError error;
  error.reason = "request line has no method";
  layer->onMalformed(" sip:bob@198.18.0.1 SIP/2.0\r\n" + fields, error, udpPeer());
  layer->onMalformed("      sip:bob@198.18.0.1 SIP/2.0\r\n" + fields, error, udpPeer());
  layer->onMalformed("  ACK sip:bob@198.18.0.1 SIP/2.0\r\n" + fields, error, udpPeer());
  ASSERT_EQ(transports.sent.size(), 2u);
  for (const SentMessage& sent : transports.sent) {
    EXPECT_EQ(sent.message.statusCode, 400);
    EXPECT_EQ(sent.message.value(HeaderId::CallId), "nomethod@198.18.0.2");
  }
  EXPECT_EQ(layer->counters().malformedRequests, 3u);
}

// RFC 4475 3.3.1 (insuf) asks for a 400 to a request without From, To or Call-ID; the bytes
// that did not parse get the same answer as a request that did (PROTOS sip-to, sip-from-colon).
TEST_F(TransactionLayerTest, UnparsableBytesWithoutToOrFromStillGet400) {
  ParseError error;
  error.reason = "header line without a name";
  layer->onMalformed("INVITE sip:bob@198.18.0.1 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 198.18.0.2:5060;branch=z9hG4bKnoto\r\n"
                     "From 1 <sip:alice@198.18.0.2>;tag=1\r\n"
                     ": Receiver <sip:bob@198.18.0.1>\r\n"
                     "Call-ID: noto@198.18.0.2\r\n"
                     "CSeq: 1 INVITE\r\n\r\n",
                     error, udpPeer());
  ASSERT_NE(lastSent(400), nullptr);
  EXPECT_EQ(lastSent(400)->value(HeaderId::CallId), "noto@198.18.0.2");
  EXPECT_EQ(lastSent(400)->value(HeaderId::CSeq), "1 INVITE");
  // Without a CSeq the sender could not match an answer.
  layer->onMalformed("INVITE sip:bob@198.18.0.1 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 198.18.0.2:5060;branch=z9hG4bKnocseq\r\n\r\n",
                     error, udpPeer());
  EXPECT_EQ(transports.sent.size(), 1u);
  EXPECT_EQ(layer->counters().malformedRequests, 2u);
}

// --- lifetime ---------------------------------------------------------------------------------

TEST_F(TransactionLayerTest, DestroyingTheLayerCancelsEveryTimer) {
  receive(invite);
  receive(makeRequest("OPTIONS", "z9hG4bKo"));
  layer->sendRequest(makeRequest("INVITE", layer->newBranch()), udpPeer());
  layer->sendRequest(makeRequest("BYE", layer->newBranch()), tcpPeer());
  EXPECT_GT(timers.size(), 0u);
  layer.reset();
  EXPECT_EQ(timers.size(), 0u);
  runUntil(100'000);  // nothing left to call into a dead layer
  EXPECT_TRUE(callsOf(RecordedCall::ClientTimeout).empty());
}

TEST_F(TransactionLayerTest, EveryTransactionEndsAndNoTimerIsLeftBehind) {
  // A busy mix over UDP; once every timer has run, nothing may remain.
  for (int i = 0; i < 20; ++i) {
    const Message request = makeRequest(i % 2 ? "INVITE" : "OPTIONS",
                                        "z9hG4bKmix" + std::to_string(i));
    const TransactionId id = receive(request);
    layer->respond(id, reply(request, i % 3 == 0 ? 200 : 404));
    if (request.method == "INVITE") receive(makeRequest("ACK", "z9hG4bKmix" + std::to_string(i)));
    const TransactionId client = layer->sendRequest(
        makeRequest(i % 2 ? "INVITE" : "INFO", layer->newBranch(), "198.18.0.1:5060"),
        udpPeer());
    if (i % 4 == 0) layer->cancel(client);
  }
  runUntil(200'000);
  EXPECT_EQ(layer->clientCount(), 0u);
  EXPECT_EQ(layer->serverCount(), 0u);
  EXPECT_EQ(timers.size(), 0u);
}

// --- the matching keys themselves -------------------------------------------------------------

TEST(TransactionMatchingTest, IdentityReadsTheTopViaOfAListAndTheTags) {
  Message request = makeRequest("INVITE", "z9hG4bKtop");
  request.set(HeaderId::Via,
              "SIP/2.0/UDP Top.Example.net;branch=z9hG4bKtop, SIP/2.0/UDP other:5070;branch=z9hG4bKx");
  request.set(HeaderId::To, "<sip:bob@198.18.0.1>;tag=t1");
  std::string fault;
  const std::optional<RequestIdentity> id = identifyRequest(request, fault);
  ASSERT_TRUE(id) << fault;
  EXPECT_EQ(id->branch, "z9hG4bKtop");
  EXPECT_TRUE(id->rfc3261Branch);
  EXPECT_EQ(id->sentBy, "top.example.net:0");
  EXPECT_EQ(id->fromTag, "from1");
  EXPECT_EQ(id->toTag, "t1");
  EXPECT_EQ(id->cseqNumber, 1u);
  EXPECT_EQ(serverKey(*id, "INVITE"), "z9hG4bKtop\ntop.example.net:0\nINVITE");
}

}  // namespace
}  // namespace sbc::sip::test_support
