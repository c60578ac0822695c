// Merged requests (RFC 3261 8.2.2.2): the same INVITE (Call-ID, From tag, CSeq) reaching the
// SBC again by another branch or over another transport while the first one still waits for its
// final response is answered 482; once that one has its final response, the same INVITE again
// is a new call like any other. Never silence.

#include <gtest/gtest.h>

#include "b2bua_harness.h"
#include "control/sip/sip_headers.h"
#include "control/sip/transaction_messages.h"

namespace sbc::control::test {
namespace {

using sip::HeaderId;
using sip::TransportKind;

constexpr const char* kCarrier = "198.18.1.10";
constexpr const char* kCarrierTcp = "198.18.1.10:41000";
constexpr std::uint64_t kConnection = 7;

// The same INVITE as carrierInvite() with another branch (the z9hG4bK cookie kept), or none at
// all (an RFC 2543 peer, matched by 17.2.3's last paragraphs).
std::string inviteWithBranch(const std::string& callId, const std::string& branch) {
  std::string text = carrierInvite(callId, "8005551234", "z9hG4bKfirst");
  const std::string param = ";branch=z9hG4bKfirst";
  const std::size_t at = text.find(param);
  text.replace(at, param.size(), branch.empty() ? std::string() : ";branch=" + branch);
  return text;
}

class B2buaMergedRequestTest : public ::testing::Test {
 protected:
  B2buaMergedRequestTest() : h(B2buaHarness::defaultConfig()) {}

  // The responses sent back over `transport` (to the carrier), oldest first.
  std::vector<SentMessage> responsesOver(TransportKind transport) const {
    std::vector<SentMessage> out;
    for (const SentMessage& sent : h.transports.sent)
      if (!sent.message.isRequest() && sent.to.transport == transport &&
          sent.to.address.ip.toString() == kCarrier)
        out.push_back(sent);
    return out;
  }
  std::vector<int> statusesOver(TransportKind transport, std::size_t from = 0) const {
    std::vector<int> out;
    const auto responses = responsesOver(transport);
    for (std::size_t i = from; i < responses.size(); ++i)
      out.push_back(responses[i].message.statusCode);
    return out;
  }
  // Leg B INVITEs sent to the contact center (one per call; retransmissions not counted).
  std::size_t callsTowardTheCore() const { return h.countRequests("INVITE"); }

  // The first INVITE, over UDP, ringing at the contact center: returns leg B's INVITE.
  sip::Message ringingCall(const std::string& firstInvite) {
    h.receive(firstInvite, kCarrier);
    auto invite = h.lastRequest("INVITE");
    EXPECT_TRUE(invite);
    h.receive(answerTo(invite->message, 180, "cc1"), "198.18.2.10");
    EXPECT_EQ(statusesOver(TransportKind::Udp), (std::vector<int>{100, 180}));
    return invite->message;
  }

  // The contact center answers leg B's INVITE; the carrier ACKs the 200 (from `from`).
  void answer(const sip::Message& legBInvite, const std::string& from = kCarrier,
              TransportKind transport = TransportKind::Udp, std::uint64_t connection = 0) {
    h.receive(answerTo(legBInvite, 200, "cc1", sdpFor("198.18.2.10", 40000),
                       "<sip:agent@198.18.2.10:5060>"),
              "198.18.2.10");
    auto ok = h.lastResponse(200);
    ASSERT_TRUE(ok);
    h.receive(carrierInDialog(ok->message, "ACK", 1), from, transport, connection);
  }

  void expectMerged(const SentMessage& refused, const std::string& branch) {
    EXPECT_EQ(refused.message.statusCode, 482);
    EXPECT_EQ(refused.message.reasonPhrase, "Loop Detected");
    EXPECT_EQ(refused.message.value(HeaderId::CallId), "merged-1@carrier");
    EXPECT_NE(std::string(refused.message.value(HeaderId::Via)).find(branch), std::string::npos)
        << refused.wire;
    EXPECT_FALSE(sip::tagOf(refused.message.value(HeaderId::To)).empty());
    EXPECT_NE(refused.message.value(HeaderId::Warning).find("merged request"), std::string::npos);
  }

  B2buaHarness h;
};

TEST_F(B2buaMergedRequestTest, AnotherBranchOverTheSameTransportWhileTheFirstRingsIs482) {
  const sip::Message legB = ringingCall(inviteWithBranch("merged-1@carrier", "z9hG4bKfirst"));
  h.receive(inviteWithBranch("merged-1@carrier", "z9hG4bKsecond"), kCarrier);
  const auto udp = responsesOver(TransportKind::Udp);
  ASSERT_EQ(statusesOver(TransportKind::Udp), (std::vector<int>{100, 180, 482}));
  expectMerged(udp.back(), "z9hG4bKsecond");
  EXPECT_EQ(callsTowardTheCore(), 1u);
  EXPECT_EQ(h.b2bua->calls().size(), 1u);
  EXPECT_EQ(h.b2bua->counters().mergedRequests, 1u);
  // The first call goes on as if nothing happened.
  answer(legB);
  EXPECT_EQ(statusesOver(TransportKind::Udp, 3), (std::vector<int>{200}));
  EXPECT_EQ(h.b2bua->counters().callsAnswered, 1u);
}

TEST_F(B2buaMergedRequestTest, AnotherBranchOverAnotherTransportWhileTheFirstWaitsIs482) {
  // No provisional from the contact center yet: only the SBC's own 100 went back.
  h.receive(inviteWithBranch("merged-1@carrier", "z9hG4bKfirst"), kCarrier);
  h.receive(inviteWithBranch("merged-1@carrier", "z9hG4bKsecond"), kCarrierTcp, TransportKind::Tcp,
            kConnection);
  const auto tcp = responsesOver(TransportKind::Tcp);
  ASSERT_EQ(tcp.size(), 1u);
  expectMerged(tcp[0], "z9hG4bKsecond");
  EXPECT_EQ(tcp[0].to.connectionId, kConnection);
  EXPECT_EQ(statusesOver(TransportKind::Udp), (std::vector<int>{100}));
  EXPECT_EQ(callsTowardTheCore(), 1u);
  EXPECT_EQ(h.b2bua->calls().size(), 1u);
}

// RFC 4475 longreq: no branch in the top Via, so 17.2.3's RFC 2543 rules match, and they read
// nothing the copy over TCP does not share with the one over UDP. It used to be taken for a
// retransmission, absorbed, and answered (100 again) over UDP: nothing came back over TCP.
TEST_F(B2buaMergedRequestTest, Rfc2543InviteAgainOverAnotherTransportWhileTheFirstWaitsIs482) {
  const std::string invite = inviteWithBranch("merged-1@carrier", "");
  ringingCall(invite);
  h.receive(invite, kCarrierTcp, TransportKind::Tcp, kConnection);
  const auto tcp = responsesOver(TransportKind::Tcp);
  ASSERT_EQ(tcp.size(), 1u) << "no answer over TCP";
  expectMerged(tcp[0], "SIP/2.0/UDP 198.18.1.10:5060");
  EXPECT_EQ(tcp[0].to.connectionId, kConnection);
  EXPECT_EQ(callsTowardTheCore(), 1u);
  // Over the transport it came on, the same bytes are still a retransmission: absorbed, the
  // latest provisional again.
  const auto absorbed = h.b2bua->transactions().counters().requestRetransmissionsAbsorbed;
  h.receive(invite, kCarrier);
  EXPECT_EQ(h.b2bua->transactions().counters().requestRetransmissionsAbsorbed, absorbed + 1);
  EXPECT_EQ(statusesOver(TransportKind::Udp), (std::vector<int>{100, 180, 180}));
  EXPECT_EQ(h.b2bua->counters().mergedRequests, 1u);
  EXPECT_EQ(h.b2bua->calls().size(), 1u);
}

TEST_F(B2buaMergedRequestTest, Rfc2543CancelOverTheFirstTransportStillFindsItsInvite) {
  const std::string invite = inviteWithBranch("merged-1@carrier", "");
  ringingCall(invite);
  h.receive(invite, kCarrierTcp, TransportKind::Tcp, kConnection);  // merged: 482
  std::string cancel = invite;
  cancel.replace(0, 6, "CANCEL");
  cancel.replace(cancel.find("CSeq: 1 INVITE"), 14, "CSeq: 1 CANCEL");
  cancel = cancel.substr(0, cancel.find("Content-Type")) + "Content-Length: 0\r\n\r\n";
  h.receive(cancel, kCarrier);
  EXPECT_EQ(statusesOver(TransportKind::Udp), (std::vector<int>{100, 180, 200, 487}));
  EXPECT_TRUE(h.lastRequest("CANCEL"));
}

// Once the first INVITE has its final response, the same Call-ID, From tag and CSeq again is a
// new request that gets a normal answer: here a new call toward the contact center.
TEST_F(B2buaMergedRequestTest, SameInviteAfterTheFirstWasAnsweredIsANewCall) {
  const sip::Message legB = ringingCall(inviteWithBranch("merged-1@carrier", "z9hG4bKfirst"));
  answer(legB);
  h.receive(inviteWithBranch("merged-1@carrier", "z9hG4bKsecond"), kCarrier);
  EXPECT_EQ(statusesOver(TransportKind::Udp, 3), (std::vector<int>{100}));
  h.receive(inviteWithBranch("merged-1@carrier", "z9hG4bKthird"), kCarrierTcp, TransportKind::Tcp,
            kConnection);
  EXPECT_EQ(statusesOver(TransportKind::Tcp), (std::vector<int>{482}));  // the second waits
  EXPECT_EQ(callsTowardTheCore(), 2u);
  EXPECT_EQ(h.b2bua->calls().size(), 2u);
  EXPECT_EQ(h.b2bua->counters().mergedRequests, 1u);
}

TEST_F(B2buaMergedRequestTest, Rfc2543InviteOverAnotherTransportAfterTheFirstWasAnsweredIsANewCall) {
  const std::string invite = inviteWithBranch("merged-1@carrier", "");
  answer(ringingCall(invite));
  h.receive(invite, kCarrierTcp, TransportKind::Tcp, kConnection);
  EXPECT_EQ(statusesOver(TransportKind::Tcp), (std::vector<int>{100}));
  EXPECT_EQ(callsTowardTheCore(), 2u);
  EXPECT_EQ(h.b2bua->counters().mergedRequests, 0u);
}

TEST_F(B2buaMergedRequestTest, SameInviteAfterTheFirstFailedOrEndedIsANewCall) {
  // The contact center refuses the first call: leg A gets the 486, then the INVITE again.
  const sip::Message legB = ringingCall(inviteWithBranch("merged-1@carrier", "z9hG4bKfirst"));
  h.receive(answerTo(legB, 486, "cc1"), "198.18.2.10");
  EXPECT_TRUE(h.b2bua->calls().empty());
  h.receive(inviteWithBranch("merged-1@carrier", "z9hG4bKsecond"), kCarrierTcp, TransportKind::Tcp,
            kConnection);
  EXPECT_EQ(statusesOver(TransportKind::Tcp), (std::vector<int>{100}));
  EXPECT_EQ(callsTowardTheCore(), 2u);
  // That one is answered and hung up; once more, a third call.
  auto second = h.lastRequest("INVITE");
  ASSERT_TRUE(second);
  answer(second->message, kCarrierTcp, TransportKind::Tcp, kConnection);
  auto ok = h.lastResponse(200);
  ASSERT_TRUE(ok);
  h.receive(carrierInDialog(ok->message, "BYE", 2), kCarrierTcp, TransportKind::Tcp, kConnection);
  EXPECT_TRUE(h.b2bua->calls().empty());
  h.receive(inviteWithBranch("merged-1@carrier", "z9hG4bKthird"), kCarrier);
  EXPECT_EQ(statusesOver(TransportKind::Udp).back(), 100);
  EXPECT_EQ(callsTowardTheCore(), 3u);
  EXPECT_EQ(h.b2bua->counters().mergedRequests, 0u);
  EXPECT_EQ(h.b2bua->calls().size(), 1u);
}

// Another CSeq, or another From tag, is another request: no merge.
TEST_F(B2buaMergedRequestTest, AnotherCSeqOrFromTagIsNoMergedRequest) {
  ringingCall(inviteWithBranch("merged-1@carrier", "z9hG4bKfirst"));
  std::string otherCSeq = inviteWithBranch("merged-1@carrier", "z9hG4bKsecond");
  otherCSeq.replace(otherCSeq.find("CSeq: 1 INVITE"), 14, "CSeq: 2 INVITE");
  h.receive(otherCSeq, kCarrier);
  std::string otherTag = inviteWithBranch("merged-1@carrier", "z9hG4bKthird");
  otherTag.replace(otherTag.find(";tag=a1"), 7, ";tag=a2");
  h.receive(otherTag, kCarrier);
  EXPECT_EQ(h.b2bua->counters().mergedRequests, 0u);
  EXPECT_EQ(callsTowardTheCore(), 3u);
}

}  // namespace
}  // namespace sbc::control::test
