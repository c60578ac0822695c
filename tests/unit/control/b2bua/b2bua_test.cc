// The B2BUA, driven as the carrier and the contact center would drive it, on a fake clock.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "b2bua_harness.h"
#include "control/b2bua/b2bua_cli.h"
#include "control/sip/sip_headers.h"

namespace sbc::control::test {
namespace {

using sip::HeaderId;

class B2buaTest : public ::testing::Test {
 protected:
  B2buaTest() : h(B2buaHarness::defaultConfig()) {}

  // Carrier calls in, the contact center answers: returns leg B's INVITE and leg A's 200.
  std::pair<sip::Message, sip::Message> answeredCall(const std::string& callId) {
    h.receive(carrierInvite(callId), "198.18.1.10");
    auto invite = h.lastRequest("INVITE");
    EXPECT_TRUE(invite);
    h.receive(answerTo(invite->message, 180, "cc1"), "198.18.2.10");
    h.receive(answerTo(invite->message, 200, "cc1", sdpFor("198.18.2.10", 40000),
                       "<sip:agent@198.18.2.10:5060>"),
              "198.18.2.10");
    auto ok = h.lastResponse(200);
    EXPECT_TRUE(ok);
    return {invite->message, ok->message};
  }

  std::vector<std::string> records() {
    std::ifstream in(h.recordsPath);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  B2buaHarness h;
};

TEST_F(B2buaTest, InboundCallCrossesToTheVipWithItsOwnDialog) {
  h.receive(carrierInvite("call-1@carrier"), "198.18.1.10");
  // The caller hears 100 Trying at once.
  ASSERT_TRUE(h.lastResponse(100));
  EXPECT_EQ(h.lastResponse(100)->to.address.toString(), "198.18.1.10:5060");

  auto invite = h.lastRequest("INVITE");
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->to.address.toString(), "198.18.2.10:5060");
  const sip::Message& b = invite->message;
  EXPECT_EQ(b.requestUri, "sip:8005551234@198.18.2.10:5060");
  EXPECT_NE(b.value(HeaderId::CallId), "call-1@carrier");
  EXPECT_NE(std::string(b.value(HeaderId::From)).find("sip:+15551230001@198.18.2.1"), std::string::npos);
  EXPECT_EQ(b.value(HeaderId::MaxForwards), "69");
  // Only extensions both ends understand travel on.
  EXPECT_EQ(b.value(HeaderId::Supported), "100rel, timer");
  EXPECT_NE(b.body.find("c=IN IP4 198.18.2.1"), std::string::npos);
  EXPECT_EQ(h.media.offers, 1);
  // Nothing of the carrier's dialog reaches the core.
  EXPECT_EQ(invite->wire.find("198.18.1.10"), std::string::npos);
  EXPECT_EQ(invite->wire.find("call-1@carrier"), std::string::npos);
  ASSERT_EQ(h.b2bua->calls().size(), 1u);
  const Call& call = *h.b2bua->calls().begin()->second;
  EXPECT_EQ(call.type, CallType::kInbound);
  EXPECT_EQ(call.trunk, "carrier1");
  EXPECT_EQ(call.ani, "+15551230001");
  EXPECT_EQ(call.dnis, "8005551234");
}

TEST_F(B2buaTest, AnsweredCallIsAckedAndHungUpBothWaysWithARecord) {
  auto [invite, ok] = answeredCall("call-2@carrier");
  EXPECT_EQ(h.lastRequest("ACK")->to.address.toString(), "198.18.2.10:5060");
  EXPECT_NE(ok.body.find("c=IN IP4 198.18.1.1"), std::string::npos);
  EXPECT_EQ(ok.value(HeaderId::CallId), "call-2@carrier");
  EXPECT_EQ(h.media.answers, 1);

  h.receive(carrierInDialog(ok, "ACK", 1), "198.18.1.10");
  h.receive(carrierInDialog(ok, "BYE", 2), "198.18.1.10");
  auto bye = h.lastRequest("BYE");
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->to.address.toString(), "198.18.2.10:5060");
  EXPECT_EQ(bye->message.value(HeaderId::CallId), invite.value(HeaderId::CallId));
  EXPECT_TRUE(h.b2bua->calls().empty());
  EXPECT_EQ(h.media.releases, 1);

  const auto lines = records();
  ASSERT_EQ(lines.size(), 1u);
  for (const char* part : {"\"call_id\":\"call-2@carrier\"", "\"trunk\":\"carrier1\"",
                           "\"type\":\"inbound\"", "\"call_type\":2", "\"ani\":\"+15551230001\"",
                           "\"dnis\":\"8005551234\"", "\"end_cause\":\"hangup-caller\"",
                           "\"codecs\":\"PCMA,telephone-event\""})
    EXPECT_NE(lines[0].find(part), std::string::npos) << part << " in " << lines[0];
}

TEST_F(B2buaTest, TwoHundredIsRetransmittedUntilTheAck) {
  auto [invite, ok] = answeredCall("call-3@carrier");
  const auto before = h.sentTo("198.18.1.10").size();
  h.advance(1600);  // T1, 2T1: two retransmissions by then (500, 1500)
  EXPECT_EQ(h.sentTo("198.18.1.10").size(), before + 2);
  h.receive(carrierInDialog(ok, "ACK", 1), "198.18.1.10");
  const auto acked = h.sentTo("198.18.1.10").size();
  h.advance(10'000);
  EXPECT_EQ(h.sentTo("198.18.1.10").size(), acked);
}

TEST_F(B2buaTest, NoCoreAddressReachesTheAccessSide) {
  auto [invite, ok] = answeredCall("call-4@carrier");
  h.receive(carrierInDialog(ok, "ACK", 1), "198.18.1.10");
  // The contact center hangs up, with a header that names its own address.
  std::string bye = requestInDialog(invite, "BYE", 1, "cc1", "198.18.2.10");
  bye.insert(bye.find("Content-Length"), "P-Asserted-Identity: <sip:agent7@198.18.2.10>\r\n");
  h.receive(bye, "198.18.2.10");
  ASSERT_TRUE(h.b2bua->calls().empty());
  std::size_t toAccess = 0;
  // The contact center's tag as it would leak (a parameter value of its own: the SBC's hex
  // tags and branches may well hold "cc1"), and leg B's Call-ID, kept alive for the loop.
  const std::string legBCallId(invite.value(HeaderId::CallId));
  for (const SentMessage& sent : h.transports.sent) {
    if (!sent.to.address.toString().starts_with("198.18.1.")) continue;
    ++toAccess;
    for (const std::string& core : {std::string("198.18.2.1"), std::string("198.18.2.10"),
                                    std::string("198.18.2.11"), std::string("=cc1\r"),
                                    std::string("=cc1;"), legBCallId})
      EXPECT_EQ(sent.wire.find(core), std::string::npos) << core << " leaked in\n" << sent.wire;
  }
  EXPECT_GE(toAccess, 4u);  // 100, 180, 200, BYE
}

TEST_F(B2buaTest, UnknownSourceIsRefused) {
  h.receive(carrierInvite("call-5@nowhere"), "198.18.3.3");
  auto refused = h.lastResponse(403);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.value(HeaderId::Warning).find("no trunk"), std::string::npos);
  EXPECT_FALSE(h.lastRequest("INVITE"));
}

TEST_F(B2buaTest, TrunkCallLimitAnswers503WithRetryAfter) {
  SipConfig config = B2buaHarness::defaultConfig();
  config.trunks[0].maxCalls = 1;
  B2buaHarness limited(config);
  limited.receive(carrierInvite("call-6a@carrier", "800", "z9hG4bKa"), "198.18.1.10");
  limited.receive(carrierInvite("call-6b@carrier", "800", "z9hG4bKb"), "198.18.1.10");
  auto busy = limited.lastResponse(503);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->message.value(HeaderId::CallId), "call-6b@carrier");
  EXPECT_FALSE(busy->message.value(HeaderId::RetryAfter).empty());
  EXPECT_EQ(limited.b2bua->counters().rejectedLimits, 1u);
}

TEST_F(B2buaTest, CallsPerSecondLimitRefillsOverTime) {
  SipConfig config = B2buaHarness::defaultConfig();
  config.trunks[0].maxCps = 2;
  B2buaHarness limited(config);
  for (int i = 0; i < 3; ++i)
    limited.receive(carrierInvite("cps-" + std::to_string(i), "800", "z9hG4bKc" + std::to_string(i)),
                    "198.18.1.10");
  EXPECT_EQ(limited.b2bua->counters().rejectedLimits, 1u);
  limited.advance(600);
  limited.receive(carrierInvite("cps-3", "800", "z9hG4bKc3"), "198.18.1.10");
  EXPECT_EQ(limited.b2bua->counters().rejectedLimits, 1u);
}

TEST_F(B2buaTest, CancelEndsBothLegs) {
  h.receive(carrierInvite("call-7@carrier"), "198.18.1.10");
  auto invite = h.lastRequest("INVITE");
  h.receive(answerTo(invite->message, 180, "cc7"), "198.18.2.10");
  std::string cancel = carrierInvite("call-7@carrier");
  cancel.replace(0, 6, "CANCEL");
  cancel.replace(cancel.find("CSeq: 1 INVITE"), 14, "CSeq: 1 CANCEL");
  cancel = cancel.substr(0, cancel.find("Content-Type")) + "Content-Length: 0\r\n\r\n";
  h.receive(cancel, "198.18.1.10");
  EXPECT_TRUE(h.lastResponse(487));
  auto sentCancel = h.lastRequest("CANCEL");
  ASSERT_TRUE(sentCancel);
  EXPECT_EQ(sentCancel->to.address.toString(), "198.18.2.10:5060");
  h.receive(answerTo(invite->message, 487, "cc7"), "198.18.2.10");
  EXPECT_TRUE(h.b2bua->calls().empty());
  const auto lines = records();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"end_cause\":\"cancelled\""), std::string::npos) << lines[0];
}

TEST_F(B2buaTest, NoCommonCodecIs488WithAWarning) {
  h.media.rejectOffers = true;
  h.receive(carrierInvite("call-8@carrier"), "198.18.1.10");
  auto refused = h.lastResponse(488);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.value(HeaderId::Warning).find("no common codec"), std::string::npos);
  EXPECT_FALSE(h.lastRequest("INVITE"));
  EXPECT_TRUE(h.b2bua->calls().empty());
}

TEST_F(B2buaTest, FailureFromTheContactCenterReachesTheCaller) {
  h.receive(carrierInvite("call-9@carrier"), "198.18.1.10");
  auto invite = h.lastRequest("INVITE");
  h.receive(answerTo(invite->message, 486, "cc9"), "198.18.2.10");
  auto busy = h.lastResponse(486);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->to.address.toString(), "198.18.1.10:5060");
  EXPECT_TRUE(h.b2bua->calls().empty());
  EXPECT_EQ(h.media.releases, 1);
}

TEST_F(B2buaTest, ReinviteForHoldIsCarriedAcrossWithAnchoredSdp) {
  auto [invite, ok] = answeredCall("call-10@carrier");
  h.receive(carrierInDialog(ok, "ACK", 1), "198.18.1.10");
  std::string hold = requestInDialog(invite, "INVITE", 1, "cc1", "198.18.2.10",
                                     sdpFor("198.18.2.10", 40000) + "a=sendonly\r\n");
  h.receive(hold, "198.18.2.10");
  auto reinvite = h.lastRequest("INVITE");
  ASSERT_TRUE(reinvite);
  EXPECT_EQ(reinvite->to.address.toString(), "198.18.1.10:5060");
  EXPECT_EQ(reinvite->message.value(HeaderId::CallId), "call-10@carrier");
  EXPECT_NE(reinvite->message.body.find("c=IN IP4 198.18.1.1"), std::string::npos);
  h.receive(answerTo(reinvite->message, 200, "", sdpFor("198.18.1.10", 30000),
                     "<sip:alice@198.18.1.10>"),
            "198.18.1.10");
  auto answered = h.lastResponse(200);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->to.address.toString(), "198.18.2.10:5060");
  EXPECT_NE(answered->message.body.find("c=IN IP4 198.18.2.1"), std::string::npos);
  EXPECT_EQ(h.media.offers, 2);
  EXPECT_EQ(h.media.answers, 2);
}

TEST_F(B2buaTest, OutboundCallGoesToTheTrunkByDialPrefix) {
  std::string invite = carrierInvite("out-1@cc", "0044123456", "z9hG4bKout");
  h.receive(invite, "198.18.2.10");
  auto sent = h.lastRequest("INVITE");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->to.address.toString(), "198.18.1.10:5060");
  const Call& call = *h.b2bua->calls().begin()->second;
  EXPECT_EQ(call.type, CallType::kOutbound);
  EXPECT_EQ(call.trunk, "carrier1");
  // Toward the carrier, the core is hidden.
  EXPECT_EQ(sent->wire.find("198.18.2."), std::string::npos) << sent->wire;
}

TEST_F(B2buaTest, InternalCallFromTheCoreGoesBackToTheVip) {
  h.receive(carrierInvite("int-1@cc", "4711", "z9hG4bKint"), "198.18.2.10");
  auto sent = h.lastRequest("INVITE");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->to.address.toString(), "198.18.2.10:5060");
  EXPECT_EQ(h.b2bua->calls().begin()->second->type, CallType::kInternal);
}

TEST_F(B2buaTest, SilentMediaEndsTheCallOnBothSides) {
  h.b2bua->start();
  auto [invite, ok] = answeredCall("call-11@carrier");
  h.receive(carrierInDialog(ok, "ACK", 1), "198.18.1.10");
  h.media.idleMs = 11'000;
  h.advance(1100);
  EXPECT_TRUE(h.b2bua->calls().empty());
  EXPECT_EQ(h.countRequests("BYE"), 2u);
  EXPECT_EQ(h.b2bua->counters().mediaTimeouts, 1u);
  EXPECT_NE(records().at(0).find("media-timeout"), std::string::npos);
}

// Answers every OPTIONS probe sent so far to `address` (older ones again: those are strays).
void answerProbes(B2buaHarness& h, const std::string& address) {
  for (const SentMessage& sent : h.sentTo(address))
    if (sent.message.isRequest() && sent.message.method == "OPTIONS")
      h.receive(answerTo(sent.message, 200, "probe"), address);
}

// Three probe rounds in which the VIP is quiet and the backup answers: the VIP goes down.
void silenceVip(B2buaHarness& h) {
  for (int i = 0; i < 3; ++i) {
    answerProbes(h, "198.18.2.11");
    h.advance(500);
  }
}

// The last INVITE sent to `address`, retransmissions included.
std::optional<SentMessage> lastInviteTo(const B2buaHarness& h, const std::string& address) {
  std::optional<SentMessage> last;
  for (const SentMessage& sent : h.sentTo(address))
    if (sent.message.isRequest() && sent.message.method == "INVITE") last = sent;
  return last;
}

// A carrier's call for 800: the INVITE the SBC sent on for it, where that went to the VIP.
std::optional<SentMessage> inviteAtVip(B2buaHarness& h, const std::string& callId, const std::string& branch) {
  h.receive(carrierInvite(callId, "800", branch), "198.18.1.10");
  std::optional<SentMessage> invite = h.lastRequest("INVITE");
  if (!invite || invite->to.address.toString() != "198.18.2.10:5060") return std::nullopt;
  return invite;
}

// The backup host answers `invite` (200, tag "bk", G.711 SDP).
void backupAnswers(B2buaHarness& h, const sip::Message& invite) {
  h.receive(answerTo(invite, 200, "bk", sdpFor("198.18.2.11", 40000), "<sip:agent@198.18.2.11:5060>"),
            "198.18.2.11");
}

TEST_F(B2buaTest, UnansweredVipSendsNewAndPendingCallsToTheBackup) {
  h.b2bua->start();
  h.receive(carrierInvite("fo-1@carrier", "800", "z9hG4bKfo1"), "198.18.1.10");
  EXPECT_EQ(h.lastRequest("INVITE")->to.address.toString(), "198.18.2.10:5060");
  silenceVip(h);  // the backup answers its probes, the VIP does not
  ASSERT_TRUE(h.b2bua->contactCenter().target());
  EXPECT_EQ(h.b2bua->contactCenter().target()->toString(), "198.18.2.11:5060");
  // The call still waiting is re-sent there, within a second of the VIP going quiet.
  EXPECT_TRUE(lastInviteTo(h, "198.18.2.11"));
  h.receive(carrierInvite("fo-2@carrier", "800", "z9hG4bKfo2"), "198.18.1.10");
  EXPECT_EQ(h.lastRequest("INVITE")->to.address.toString(), "198.18.2.11:5060");
  EXPECT_GE(h.b2bua->counters().failovers, 1u);
}

TEST_F(B2buaTest, TooManyHopsAndUnknownExtensionsAreRefused) {
  std::string zero = carrierInvite("mf@carrier", "800", "z9hG4bKmf");
  zero.replace(zero.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  h.receive(zero, "198.18.1.10");
  EXPECT_TRUE(h.lastResponse(483));
  std::string ext = carrierInvite("ext@carrier", "800", "z9hG4bKext");
  ext.insert(ext.find("Content-Type"), "Require: nothingtoseehere\r\n");
  h.receive(ext, "198.18.1.10");
  auto bad = h.lastResponse(420);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->message.value(HeaderId::Unsupported), "nothingtoseehere");
}

TEST_F(B2buaTest, ASecondForkedAnswerIsAckedAndHungUp) {
  auto [invite, ok] = answeredCall("fork@carrier");
  const std::size_t byes = h.countRequests("BYE");
  h.receive(answerTo(invite, 200, "cc2", sdpFor("198.18.2.10", 40002), "<sip:agent2@198.18.2.10:5060>"),
            "198.18.2.10");
  const auto ack = h.lastRequest("ACK");
  ASSERT_TRUE(ack);
  EXPECT_NE(std::string(ack->message.value(HeaderId::To)).find("tag=cc2"), std::string::npos);
  EXPECT_EQ(ack->message.requestUri, "sip:agent2@198.18.2.10:5060");
  const auto bye = h.lastRequest("BYE");
  ASSERT_TRUE(bye);
  EXPECT_EQ(h.countRequests("BYE"), byes + 1);
  EXPECT_NE(std::string(bye->message.value(HeaderId::To)).find("tag=cc2"), std::string::npos);
  // The call itself stays with the first answer.
  ASSERT_EQ(h.b2bua->calls().size(), 1u);
  EXPECT_EQ(h.b2bua->calls().begin()->second->legs[1].remoteTag, "cc1");
}

TEST_F(B2buaTest, OptionsIsCheckedLikeAnyRequest) {
  auto options = [](const std::string& uri, const std::string& extra, const std::string& branch) {
    return "OPTIONS " + uri + " SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.10:5060;branch=" + branch +
           "\r\nMax-Forwards: 70\r\nFrom: <sip:ping@198.18.1.10>;tag=p1\r\n"
           "To: <sip:198.18.1.1>\r\nCall-ID: opt-" + branch + "\r\nCSeq: 1 OPTIONS\r\n" + extra +
           "Content-Length: 0\r\n\r\n";
  };
  h.receive(options("sip:198.18.1.1", "", "z9hG4bKo1"), "198.18.1.10");
  auto ok = h.lastResponse(200);
  ASSERT_TRUE(ok);
  EXPECT_NE(ok->message.value(HeaderId::Allow).find("INVITE"), std::string_view::npos);
  h.receive(options("sip:198.18.1.1", "Require: foo\r\n", "z9hG4bKo2"), "198.18.1.10");
  ASSERT_TRUE(h.lastResponse(420));
  EXPECT_EQ(h.lastResponse(420)->message.value(HeaderId::Unsupported), "foo");
  h.receive(options("unknown:198.18.1.1", "", "z9hG4bKo3"), "198.18.1.10");
  EXPECT_TRUE(h.lastResponse(416));
}

TEST_F(B2buaTest, ByeForNoDialogIs481AndCallsStayUp) {
  auto [invite, ok] = answeredCall("call-12@carrier");
  std::string stray = carrierInDialog(ok, "BYE", 5);
  stray.replace(stray.find("Call-ID: call-12@carrier"), 24, "Call-ID: call-xx@carrier");
  h.receive(stray, "198.18.1.10");
  EXPECT_TRUE(h.lastResponse(481));
  EXPECT_EQ(h.b2bua->calls().size(), 1u);
}

}  // namespace
}  // namespace sbc::control::test

namespace sbc::control::test {
namespace {

using sip::HeaderId;

class SessionTimerTest : public ::testing::Test {
 protected:
  static SipConfig timersOn() {
    SipConfig config = B2buaHarness::defaultConfig();
    config.sessionExpiresS = 90;
    config.mediaTimeoutMs = 0;
    return config;
  }
  SessionTimerTest() : h(timersOn()) {}

  // A call whose callee grants the SBC refresher=uac and whose caller supports timers.
  std::pair<sip::Message, sip::Message> answered() {
    h.receive(carrierInvite("st@carrier"), "198.18.1.10");
    auto invite = h.lastRequest("INVITE");
    std::string ok = answerTo(invite->message, 200, "cc1", sdpFor("198.18.2.10", 40000),
                              "<sip:agent@198.18.2.10:5060>");
    ok.insert(ok.find("Content-Type"), "Session-Expires: 90;refresher=uac\r\nRequire: timer\r\n");
    h.receive(ok, "198.18.2.10");
    auto toCaller = h.lastResponse(200);
    const std::string ack = carrierInDialog(toCaller->message, "ACK", 1);
    h.receive(ack, "198.18.1.10");
    return {invite->message, toCaller->message};
  }

  B2buaHarness h;
};

TEST_F(SessionTimerTest, EachLegGetsItsOwnTimer) {
  auto [invite, toCaller] = answered();
  EXPECT_EQ(invite.value(HeaderId::SessionExpires), "90;refresher=uac");
  EXPECT_EQ(invite.value(HeaderId::MinSE), "90");
  EXPECT_NE(invite.value(HeaderId::Supported).find("timer"), std::string_view::npos);
  // The caller said Supported: timer, so it refreshes its own leg.
  EXPECT_EQ(toCaller.value(HeaderId::SessionExpires), "90;refresher=uac");
  EXPECT_EQ(toCaller.value(HeaderId::Require), "timer");
}

TEST_F(SessionTimerTest, TheSbcRefreshesLegBAtHalfTheInterval) {
  auto [invite, toCaller] = answered();
  h.advance(44'000);
  EXPECT_EQ(h.countRequests("UPDATE"), 0u);
  h.advance(2'000);
  auto update = h.lastRequest("UPDATE");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->to.address.toString(), "198.18.2.10:5060");
  EXPECT_TRUE(update->message.body.empty());
  h.receive(answerTo(update->message, 200, ""), "198.18.2.10");
  h.advance(44'000);  // the refresh re-armed the timer: the next one is due at 91 s
  EXPECT_EQ(h.countRequests("UPDATE"), 1u);
}

TEST_F(SessionTimerTest, ACallerThatStopsRefreshingLosesTheCall) {
  auto [invite, toCaller] = answered();
  // The SBC refreshes leg B (answered), but the caller sends nothing for 60 s (90 - 30).
  h.advance(46'000);
  if (auto update = h.lastRequest("UPDATE")) h.receive(answerTo(update->message, 200, ""), "198.18.2.10");
  ASSERT_EQ(h.b2bua->calls().size(), 1u);
  h.advance(15'000);
  EXPECT_TRUE(h.b2bua->calls().empty());
  EXPECT_EQ(h.countRequests("BYE"), 2u);
  auto bye = h.lastRequest("BYE");
  EXPECT_NE(bye->message.value(HeaderId::Reason).find("session timer expired"), std::string_view::npos);
}

TEST_F(SessionTimerTest, AFailedRefreshEndsTheCall) {
  auto [invite, toCaller] = answered();
  h.advance(46'000);
  auto update = h.lastRequest("UPDATE");
  ASSERT_TRUE(update);
  h.receive(answerTo(update->message, 481, ""), "198.18.2.10");
  EXPECT_TRUE(h.b2bua->calls().empty());
}

TEST_F(SessionTimerTest, ACallerRefreshKeepsTheCallUp) {
  auto [invite, toCaller] = answered();
  h.advance(40'000);
  // The caller refreshes with UPDATE; it is carried to the contact center and answered.
  std::string update = carrierInDialog(toCaller, "UPDATE", 2);
  update.insert(update.find("Content-Length"), "Session-Expires: 90;refresher=uac\r\n");
  h.receive(update, "198.18.1.10");
  auto carried = h.lastRequest("UPDATE");
  ASSERT_TRUE(carried);
  EXPECT_EQ(carried->to.address.toString(), "198.18.2.10:5060");
  h.receive(answerTo(carried->message, 200, ""), "198.18.2.10");
  EXPECT_TRUE(h.lastResponse(200));
  h.advance(40'000);  // 80 s after the answer, 40 s after the refresh: still up
  EXPECT_EQ(h.b2bua->calls().size(), 1u);
}

TEST_F(B2buaTest, InviteAbandonedByAFailoverIsCancelledWhenTheOldHostAnswersLate) {
  h.b2bua->start();
  const auto first = inviteAtVip(h, "fo-late@carrier", "z9hG4bKfolate");
  ASSERT_TRUE(first);
  silenceVip(h);  // the VIP goes quiet, the backup answers
  // Re-sent to the backup (the abandoned INVITE is still retransmitted to the VIP).
  const std::optional<SentMessage> resent = lastInviteTo(h, "198.18.2.11");
  ASSERT_TRUE(resent);
  // The old host was slow, not dead: it rings now. The SBC no longer wants that branch.
  EXPECT_EQ(h.countRequests("CANCEL"), 0u);
  h.receive(answerTo(first->message, 180, "late"), "198.18.2.10");
  const auto cancel = h.lastRequest("CANCEL");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->to.address.toString(), "198.18.2.10:5060");
  EXPECT_EQ(cancel->message.value(HeaderId::CallId), first->message.value(HeaderId::CallId));
  EXPECT_EQ(cancel->message.values(HeaderId::Via).front(), first->message.values(HeaderId::Via).front());
  h.receive(answerTo(first->message, 487, "late"), "198.18.2.10");
  // The call goes on at the backup, untouched by the old branch.
  EXPECT_FALSE(h.lastResponse(487));
  ASSERT_EQ(h.b2bua->calls().size(), 1u);
  backupAnswers(h, resent->message);
  ASSERT_TRUE(h.lastResponse(200));
  EXPECT_EQ(h.lastResponse(200)->to.address.toString(), "198.18.1.10:5060");
  EXPECT_EQ(h.b2bua->calls().begin()->second->state, CallState::kConfirmed);
}

TEST_F(B2buaTest, LateAnswerFromTheAbandonedHostIsAckedAndHungUp) {
  h.b2bua->start();
  h.receive(carrierInvite("fo-200@carrier", "800", "z9hG4bKfo200"), "198.18.1.10");
  const auto first = h.lastRequest("INVITE");
  ASSERT_TRUE(first);
  silenceVip(h);  // the VIP goes quiet, the backup answers: the INVITE moves
  // The old host answers 200 at once, before any CANCEL could reach it.
  h.receive(answerTo(first->message, 200, "old", sdpFor("198.18.2.10", 40000),
                     "<sip:agent@198.18.2.10:5060>"),
            "198.18.2.10");
  const auto ack = h.lastRequest("ACK");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->to.address.toString(), "198.18.2.10:5060");
  const auto bye = h.lastRequest("BYE");
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->to.address.toString(), "198.18.2.10:5060");
  EXPECT_NE(std::string(bye->message.value(HeaderId::To)).find("tag=old"), std::string::npos);
  EXPECT_EQ(h.b2bua->counters().abandonedAnswers, 1u);
  // Nothing of it reached the caller; the call waits for the backup.
  EXPECT_FALSE(h.lastResponse(200));
  ASSERT_EQ(h.b2bua->calls().size(), 1u);
  EXPECT_EQ(h.b2bua->calls().begin()->second->state, CallState::kTrying);
}

TEST_F(B2buaTest, CallRingingAtAVipThatDiesIsResentToTheBackup) {
  // The host rang (180) and died before its 200: the caller must not ring on until it gives up.
  h.b2bua->start();
  const auto first = inviteAtVip(h, "fo-ring@carrier", "z9hG4bKforing");
  ASSERT_TRUE(first);
  h.receive(answerTo(first->message, 180, "dead"), "198.18.2.10");
  ASSERT_TRUE(h.lastResponse(180));
  ASSERT_EQ(h.b2bua->calls().begin()->second->state, CallState::kEarly);
  silenceVip(h);  // the VIP goes quiet, the backup answers its probes
  const std::optional<SentMessage> resent = lastInviteTo(h, "198.18.2.11");
  ASSERT_TRUE(resent);
  // A new early dialog: the dead host's tag is not carried to the backup.
  EXPECT_EQ(std::string(resent->message.value(HeaderId::To)).find("tag="), std::string::npos);
  EXPECT_EQ(resent->message.value(HeaderId::CallId), first->message.value(HeaderId::CallId));
  EXPECT_EQ(h.b2bua->counters().failovers, 1u);
  // The ringing branch is cancelled at the dead host, should it come back.
  const auto cancel = h.lastRequest("CANCEL");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->to.address.toString(), "198.18.2.10:5060");
  h.receive(answerTo(resent->message, 180, "bk"), "198.18.2.11");
  backupAnswers(h, resent->message);
  ASSERT_TRUE(h.lastResponse(200));
  EXPECT_EQ(h.lastResponse(200)->to.address.toString(), "198.18.1.10:5060");
  EXPECT_EQ(h.b2bua->calls().begin()->second->state, CallState::kConfirmed);
  const auto ack = h.lastRequest("ACK");
  ASSERT_TRUE(ack);
  // The ACK is in the backup's dialog (the harness's answers all carry the same Record-Route).
  EXPECT_EQ(ack->message.requestUri, "sip:800@198.18.2.11:5060");
  EXPECT_NE(std::string(ack->message.value(HeaderId::To)).find("tag=bk"), std::string::npos);
}

TEST_F(B2buaTest, CallRingingWhenTheVipMovesIsOfferedToItsNewHolder) {
  // The VIP moves to another host fast enough that no probe fails: the call that rang at the
  // old host gets no more retransmissions, so the SBC offers it to the new holder itself.
  dataplane::MacAddress holder{0x02, 0, 0, 0, 0x02, 0x0a};
  h.b2bua->watchVipHolder([&holder](const dataplane::IpAddress&) { return std::optional(holder); });
  h.b2bua->start();
  h.receive(carrierInvite("fo-move@carrier", "800", "z9hG4bKfomove"), "198.18.1.10");
  const auto ringing = h.lastRequest("INVITE");
  ASSERT_TRUE(ringing);
  h.receive(answerTo(ringing->message, 180, "old"), "198.18.2.10");
  h.receive(carrierInvite("fo-wait@carrier", "800", "z9hG4bKfowait"), "198.18.1.10");
  const auto unanswered = h.lastRequest("INVITE");
  ASSERT_TRUE(unanswered);
  answerProbes(h, "198.18.2.10");
  h.advance(500);
  EXPECT_EQ(h.countRequests("INVITE"), 2u);  // the same host still: nothing moves
  holder[5] = 0x0b;  // a gratuitous ARP from the new holder
  // The other INVITE's retransmission reaches the new holder, which rings before the probe
  // round sees the move.
  h.receive(answerTo(unanswered->message, 180, "newhost"), "198.18.2.10");
  answerProbes(h, "198.18.2.10");
  h.advance(500);
  EXPECT_EQ(h.b2bua->contactCenter().moves(), 1u);
  EXPECT_EQ(h.b2bua->contactCenter().switches(), 0u);
  EXPECT_NE(sipText(*h.b2bua).find("health-check switches 0, VIP moved to another host 1 times"),
            std::string::npos);
  EXPECT_NE(sipJson(*h.b2bua).find("\"moves\":1"), std::string::npos);
  EXPECT_EQ(h.b2bua->counters().failovers, 1u);
  // Only the call that rang at the old host is offered again.
  ASSERT_EQ(h.countRequests("INVITE"), 3u);
  EXPECT_EQ(h.countRequests("CANCEL"), 1u);
  const auto offered = h.lastRequest("INVITE");
  EXPECT_EQ(offered->to.address.toString(), "198.18.2.10:5060");
  // A new leg-B call: the CANCEL of the old branch must not reach it at a server that tells
  // calls apart by Call-ID.
  EXPECT_NE(offered->message.value(HeaderId::CallId), ringing->message.value(HeaderId::CallId));
  EXPECT_EQ(std::string(offered->message.value(HeaderId::To)).find("tag="), std::string::npos);
  const auto cancel = h.lastRequest("CANCEL");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->message.values(HeaderId::Via).front(), ringing->message.values(HeaderId::Via).front());
  EXPECT_EQ(cancel->message.value(HeaderId::CallId), ringing->message.value(HeaderId::CallId));
  h.receive(answerTo(offered->message, 200, "new", sdpFor("198.18.2.10", 40000),
                     "<sip:agent@198.18.2.10:5060>"),
            "198.18.2.10");
  const auto answered = h.lastResponse(200);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->message.value(HeaderId::CallId), "fo-move@carrier");
  std::size_t confirmed = 0;
  for (const auto& [id, call] : h.b2bua->calls()) confirmed += call->state == CallState::kConfirmed;
  EXPECT_EQ(confirmed, 1u);
  // The new leg-B dialog is the call's: the agent's BYE in it ends the call.
  h.receive(requestInDialog(offered->message, "BYE", 1, "new", "198.18.2.10"), "198.18.2.10");
  EXPECT_EQ(h.b2bua->calls().size(), 1u);  // the call ringing at the new holder is left
  EXPECT_TRUE(h.lastRequest("BYE"));
}

TEST_F(B2buaTest, VipBackUpLeavesCallsWaitingOnTheBackupThere) {
  h.b2bua->start();
  silenceVip(h);  // the VIP is quiet: new calls go to the backup
  ASSERT_EQ(h.b2bua->contactCenter().target()->toString(), "198.18.2.11:5060");
  h.receive(carrierInvite("fo-back@carrier", "800", "z9hG4bKfoback"), "198.18.1.10");
  const auto atBackup = h.lastRequest("INVITE");
  ASSERT_TRUE(atBackup);
  ASSERT_EQ(atBackup->to.address.toString(), "198.18.2.11:5060");
  const std::uint64_t failovers = h.b2bua->counters().failovers;
  // The VIP answers again: new calls go back to it, but the backup did not fail, so the call
  // it is working on stays with it.
  answerProbes(h, "198.18.2.10");
  answerProbes(h, "198.18.2.11");
  ASSERT_EQ(h.b2bua->contactCenter().target()->toString(), "198.18.2.10:5060");
  h.advance(100);
  EXPECT_EQ(h.lastRequest("INVITE")->to.address.toString(), "198.18.2.11:5060");
  EXPECT_EQ(h.b2bua->counters().failovers, failovers);
  EXPECT_EQ(h.countRequests("CANCEL"), 0u);
  backupAnswers(h, atBackup->message);
  ASSERT_TRUE(h.lastResponse(200));
  EXPECT_EQ(h.b2bua->calls().begin()->second->state, CallState::kConfirmed);
  h.receive(carrierInvite("fo-next@carrier", "800", "z9hG4bKfonext"), "198.18.1.10");
  EXPECT_EQ(h.lastRequest("INVITE")->to.address.toString(), "198.18.2.10:5060");
}

}  // namespace
}  // namespace sbc::control::test

namespace sbc::control::test {
namespace {

using sip::HeaderId;

TEST(B2buaDigestTest, AnAuthenticatedTrunkIsChallengedAndLetIn) {
  SipConfig config = B2buaHarness::defaultConfig();
  config.trunks[0].authUser = "carrier1";
  config.trunks[0].authPassword = "s3cret";
  B2buaHarness h(config);
  h.receive(carrierInvite("auth@carrier", "800", "z9hG4bKauth1"), "198.18.1.10");
  auto challenge = h.lastResponse(407);
  ASSERT_TRUE(challenge);
  EXPECT_FALSE(h.lastRequest("INVITE"));
  const std::string header(challenge->message.value(HeaderId::ProxyAuthenticate));
  EXPECT_EQ(header.rfind("Digest ", 0), 0u) << header;

  // The carrier answers the challenge with a new INVITE (CSeq 2, new branch).
  const std::string uri = "sip:800@198.18.1.1:5060";
  auto credentials = answerDigestChallenge(header, "INVITE", uri, {"carrier1", "s3cret"}, "0a4f113b", 1);
  ASSERT_TRUE(credentials);
  std::string retry = carrierInvite("auth@carrier", "800", "z9hG4bKauth2");
  retry.replace(retry.find("CSeq: 1 INVITE"), 14, "CSeq: 2 INVITE");
  retry.insert(retry.find("Content-Type"), "Proxy-Authorization: " + *credentials + "\r\n");
  h.receive(retry, "198.18.1.10");
  auto invite = h.lastRequest("INVITE");
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->to.address.toString(), "198.18.2.10:5060");
  // The credentials were for the SBC: they do not travel to the contact center.
  EXPECT_FALSE(invite->message.find(HeaderId::ProxyAuthorization));

  // A wrong password is challenged again.
  auto wrong = answerDigestChallenge(header, "INVITE", uri, {"carrier1", "guess"}, "0a4f113c", 1);
  std::string bad = carrierInvite("auth2@carrier", "800", "z9hG4bKauth3");
  bad.insert(bad.find("Content-Type"), "Proxy-Authorization: " + *wrong + "\r\n");
  h.receive(bad, "198.18.1.10");
  EXPECT_EQ(h.lastResponse(407)->message.value(HeaderId::CallId), "auth2@carrier");
  EXPECT_EQ(h.b2bua->counters().challenged, 2u);
  EXPECT_EQ(h.b2bua->calls().size(), 1u);
}

}  // namespace
}  // namespace sbc::control::test

namespace sbc::control::test {
namespace {

using sip::HeaderId;

TEST(B2buaReliableProvisionalTest, EarlyMediaWithPrackCrossesBothLegs) {
  B2buaHarness h(B2buaHarness::defaultConfig());
  h.receive(carrierInvite("prack@carrier"), "198.18.1.10");
  auto invite = h.lastRequest("INVITE");
  ASSERT_TRUE(invite);
  EXPECT_NE(invite->message.value(HeaderId::Supported).find("100rel"), std::string_view::npos);
  // The contact center plays early media (183 with SDP), reliably (RFC 3262).
  std::string progress = answerTo(invite->message, 183, "cc1", sdpFor("198.18.2.10", 40000),
                                  "<sip:agent@198.18.2.10:5060>");
  progress.insert(progress.find("Content-Type"), "Require: 100rel\r\nRSeq: 7\r\n");
  h.receive(progress, "198.18.2.10");
  auto early = h.lastResponse(183);
  ASSERT_TRUE(early);
  EXPECT_EQ(early->to.address.toString(), "198.18.1.10:5060");
  EXPECT_EQ(early->message.value(HeaderId::Require), "100rel");
  EXPECT_EQ(early->message.value(HeaderId::RSeq), "7");
  EXPECT_NE(early->message.body.find("c=IN IP4 198.18.1.1"), std::string::npos);
  EXPECT_EQ(h.media.answers, 1);

  // The caller acknowledges it with PRACK in the early dialog; RAck names the caller's CSeq.
  std::string prack = carrierInDialog(early->message, "PRACK", 2);
  prack.insert(prack.find("Content-Length"), "RAck: 7 1 INVITE\r\n");
  h.receive(prack, "198.18.1.10");
  auto carried = h.lastRequest("PRACK");
  ASSERT_TRUE(carried);
  EXPECT_EQ(carried->to.address.toString(), "198.18.2.10:5060");
  const auto inviteCseq = sip::parseCSeq(invite->message.value(HeaderId::CSeq));
  EXPECT_EQ(carried->message.value(HeaderId::RAck), "7 " + std::to_string(inviteCseq->number) + " INVITE");
  EXPECT_EQ(carried->message.value(HeaderId::CallId), invite->message.value(HeaderId::CallId));
  h.receive(answerTo(carried->message, 200, ""), "198.18.2.10");
  auto prackOk = h.lastResponse(200);
  ASSERT_TRUE(prackOk);
  EXPECT_EQ(prackOk->to.address.toString(), "198.18.1.10:5060");
  EXPECT_EQ(prackOk->message.value(HeaderId::CSeq), "2 PRACK");
}

}  // namespace
}  // namespace sbc::control::test

namespace sbc::control::test {
namespace {

using sip::HeaderId;

// The ring timeout (RFC 3261 Timer C): no health checks run here, so nothing moves the call.
class RingTimeoutTest : public ::testing::Test {
 protected:
  static SipConfig ringFor60s() {
    SipConfig config = B2buaHarness::defaultConfig();
    config.ringTimeoutS = 60;
    config.mediaTimeoutMs = 0;
    return config;
  }
  RingTimeoutTest() : h(ringFor60s()) {}

  // A carrier's call ringing at the VIP: leg B's INVITE.
  sip::Message ringingCall(const std::string& callId) {
    h.receive(carrierInvite(callId, "800"), "198.18.1.10");
    const auto invite = h.lastRequest("INVITE");
    EXPECT_TRUE(invite);
    h.receive(answerTo(invite->message, 180, "agent"), "198.18.2.10");
    EXPECT_TRUE(h.lastResponse(180));
    return invite->message;
  }

  B2buaHarness h;
};

TEST_F(RingTimeoutTest, ACallRingingTooLongIsCancelledAndTheCallerHears408) {
  const sip::Message invite = ringingCall("ring-long@carrier");
  h.advance(40'000);
  // Each provisional answer starts the wait over, as Timer C does.
  h.receive(answerTo(invite, 180, "agent"), "198.18.2.10");
  h.advance(40'000);
  EXPECT_FALSE(h.lastResponse(408));
  EXPECT_EQ(h.countRequests("CANCEL"), 0u);
  h.advance(21'000);
  const auto timeout = h.lastResponse(408);
  ASSERT_TRUE(timeout);
  EXPECT_EQ(timeout->to.address.toString(), "198.18.1.10:5060");
  const auto cancel = h.lastRequest("CANCEL");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->to.address.toString(), "198.18.2.10:5060");
  EXPECT_EQ(cancel->message.values(HeaderId::Via).front(), invite.values(HeaderId::Via).front());
  EXPECT_EQ(h.b2bua->counters().ringTimeouts, 1u);
  // The call ends with leg B's answer to the CANCEL.
  h.receive(answerTo(invite, 487, "agent"), "198.18.2.10");
  EXPECT_TRUE(h.b2bua->calls().empty());
  std::ifstream in(h.recordsPath);
  std::string record;
  std::getline(in, record);
  EXPECT_NE(record.find("no-answer"), std::string::npos) << record;
  EXPECT_NE(record.find("\"final_status\":408"), std::string::npos) << record;
}

TEST_F(RingTimeoutTest, AnAnswerThatCrossesTheCancelIsHungUp) {
  const sip::Message invite = ringingCall("ring-cross@carrier");
  h.advance(61'000);
  ASSERT_TRUE(h.lastResponse(408));
  h.receive(answerTo(invite, 200, "agent", sdpFor("198.18.2.10", 40000), "<sip:agent@198.18.2.10:5060>"),
            "198.18.2.10");
  const auto ack = h.lastRequest("ACK");
  ASSERT_TRUE(ack);
  const auto bye = h.lastRequest("BYE");
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->to.address.toString(), "198.18.2.10:5060");
  EXPECT_FALSE(h.lastResponse(200));  // the caller, told 408 already, is not connected
  EXPECT_TRUE(h.b2bua->calls().empty());
}

TEST_F(RingTimeoutTest, ZeroLetsACallRingForever) {
  SipConfig config = ringFor60s();
  config.ringTimeoutS = 0;
  B2buaHarness forever(config);
  forever.receive(carrierInvite("ring-forever@carrier", "800"), "198.18.1.10");
  const auto invite = forever.lastRequest("INVITE");
  ASSERT_TRUE(invite);
  forever.receive(answerTo(invite->message, 180, "agent"), "198.18.2.10");
  forever.advance(3'600'000);
  EXPECT_FALSE(forever.lastResponse(408));
  ASSERT_EQ(forever.b2bua->calls().size(), 1u);
  EXPECT_EQ(forever.b2bua->calls().begin()->second->state, CallState::kEarly);
}

}  // namespace
}  // namespace sbc::control::test
