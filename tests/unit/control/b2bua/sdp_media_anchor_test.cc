// SdpMediaAnchor (control/b2bua/sdp_media_anchor.cc). Its answers to SDP it cannot carry: an
// address the SBC cannot send media to (an IP version the leg's interface lacks, a network it
// has no route to) is the offer's fault, 488 Not Acceptable Here with a Warning naming why, not
// a 500 from the dataplane; and through the B2BUA that is what the carrier hears. And what the
// call record says about media: packets and RTP loss each way from the dataplane's session
// view, as numbers once the call's media session exists, left unknown before.

#include <unistd.h>

#include <gtest/gtest.h>

#include "b2bua_harness.h"
#include "control/b2bua/sdp_media_anchor.h"
#include "control/sip/sip_headers.h"
#include "tests/unit/control/fake_dataplane.h"

namespace sbc::control::test {
namespace {

using sip::HeaderId;

dataplane::InterfaceConfig interface(const std::string& name, const std::string& address) {
  dataplane::InterfaceConfig config;
  config.name = name;
  config.device = "net_null_" + name;
  config.addresses.push_back(*dataplane::IpPrefix::parse(address));
  return config;
}

std::string sdpWith(const std::string& connection, const std::string& media = "audio 30000 RTP/AVP 8") {
  return "v=0\r\no=- 1 1 " + connection + "\r\ns=-\r\nc=" + connection + "\r\nt=0 0\r\nm=" + media +
         "\r\na=rtpmap:8 PCMA/8000\r\n";
}

class SdpMediaAnchorTest : public ::testing::Test {
 protected:
  SdpMediaAnchorTest() {
    dataplaneConfig.interfaces.push_back(interface("access0", "198.18.1.1/24"));
    dataplaneConfig.interfaces.push_back(interface("core0", "198.18.2.1/24"));
    call.id = 7;
    call.legs[0].interfaceName = "access0";
    call.legs[0].local = *dataplane::SocketAddress::parse("198.18.1.1:5060");
    call.legs[1].interfaceName = "core0";
    call.legs[1].local = *dataplane::SocketAddress::parse("198.18.2.1:5060");
  }

  AnchorOutcome offer(const std::string& sdp) {
    SdpMediaAnchor anchor(B2buaHarness::defaultConfig(), dataplaneConfig, dataplane);
    AnchorOutcome outcome = anchor.offer(call, LegSide::kA, sdp);
    anchor.release(call);
    return outcome;
  }

  // The view the dataplane gives for the session the anchor made.
  dataplane::SessionView viewOf(const dataplane::MediaSessionSpec& spec) {
    dataplane::SessionView view;
    view.spec = spec;
    view.legs[0].rtp = {3050, 524600, 0, 7};
    view.legs[1].rtp = {3052, 524944, 1, 0};
    view.legs[0].rtcp = {12, 960, 0, 0};
    view.idleMs = 40;
    return view;
  }

  dataplane::DataplaneConfig dataplaneConfig;
  testing::FakeDataplane dataplane;
  Call call;
};

TEST_F(SdpMediaAnchorTest, AnIpv6AddressOnAnIpv4LegIs488) {
  const AnchorOutcome outcome = offer(sdpWith("IN IP6 2001:db8:1::10"));
  EXPECT_EQ(outcome.rejectStatus, 488);
  EXPECT_EQ(outcome.warning,
            "399 sbc \"cannot anchor the SDP: media address 2001:db8:1::10 is IPv6; the SBC's "
            "media address on access0 is IPv4\"");
  EXPECT_TRUE(dataplane.created.empty());  // refused before the dataplane was asked
}

TEST_F(SdpMediaAnchorTest, AnAddressWithNoRouteIs488) {
  const AnchorOutcome outcome = offer(sdpWith("IN IP4 203.0.113.5"));
  EXPECT_EQ(outcome.rejectStatus, 488);
  EXPECT_EQ(outcome.warning,
            "399 sbc \"cannot anchor the SDP: no route to media address 203.0.113.5: not on a "
            "link of access0 and no IPv4 gateway\"");
  EXPECT_TRUE(dataplane.created.empty());
}

TEST_F(SdpMediaAnchorTest, AGatewayMakesAnyAddressOfItsVersionReachable) {
  dataplaneConfig.interfaces[0].gatewayV4 = dataplane::IpAddress::parse("198.18.1.254");
  const AnchorOutcome outcome = offer(sdpWith("IN IP4 203.0.113.5"));
  ASSERT_TRUE(outcome.ok()) << outcome.warning;
  EXPECT_NE(outcome.body.find("c=IN IP4 198.18.2.1"), std::string::npos);
  ASSERT_EQ(dataplane.created.size(), 1u);
  EXPECT_EQ(dataplane.created[0].legs[0].remote.toString(), "203.0.113.5:30000");
}

TEST_F(SdpMediaAnchorTest, HoldAndOnLinkAddressesPass) {
  EXPECT_TRUE(offer(sdpWith("IN IP4 198.18.1.10")).ok());
  EXPECT_TRUE(offer(sdpWith("IN IP4 0.0.0.0")).ok());  // RFC 2543 hold
}

TEST_F(SdpMediaAnchorTest, NoUsableAudioStreamIs488) {
  const AnchorOutcome outcome = offer(sdpWith("IN IP4 198.18.1.10", "audio 0 RTP/AVP 8"));
  EXPECT_EQ(outcome.rejectStatus, 488);
  EXPECT_EQ(outcome.warning, "399 sbc \"no audio stream in the offer\"");
}

TEST_F(SdpMediaAnchorTest, TheDataplaneFailingStaysTheSbcsOwnFault) {
  dataplane.answer = dataplane::Status::failure("flow table full (8 flows)");
  const AnchorOutcome outcome = offer(sdpWith("IN IP4 198.18.1.10"));
  EXPECT_EQ(outcome.rejectStatus, 500);
  EXPECT_EQ(outcome.warning, "399 sbc \"media: flow table full (8 flows)\"");
}

// Through the B2BUA with the real anchor: the carrier hears 488 with the Warning, nothing goes
// to the contact center, and the call is recorded.
TEST(MediaAnchorThroughB2buaTest, AnOfferTheSbcCannotAnchorIs488ToTheCaller) {
  dataplane::DataplaneConfig dataplaneConfig;
  dataplaneConfig.interfaces.push_back(interface("access0", "198.18.1.1/24"));
  dataplaneConfig.interfaces.push_back(interface("core0", "198.18.2.1/24"));
  testing::FakeDataplane dataplane;
  const SipConfig config = B2buaHarness::defaultConfig();
  SdpMediaAnchor anchor(config, dataplaneConfig, dataplane);
  FakeClock clock;
  TimerQueue timers{clock};
  FakeTransports transports;
  char name[] = "/tmp/b2bua-anchor-records-XXXXXX";
  const int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    CallRecordWriter records(name);
    B2bua b2bua(config, transports, timers, anchor, records, [] { return Millis{0}; });

    std::string invite = carrierInvite("v6@carrier");
    const std::string v4 = sdpFor("198.18.1.10", 30000);
    const std::string v6 = sdpWith("IN IP6 2001:db8:1::10");
    invite.replace(invite.find(v4), v4.size(), v6);
    invite.replace(invite.find("Content-Length: " + std::to_string(v4.size())),
                   16 + std::to_string(v4.size()).size(),
                   "Content-Length: " + std::to_string(v6.size()));
    const sip::ParseResult parsed = sip::parseDatagram(invite);
    ASSERT_TRUE(parsed.ok());
    sip::Peer from;
    from.address = *dataplane::SocketAddress::parse("198.18.1.10:5060");
    b2bua.transactions().onMessage(*parsed.message, from);

    const SentMessage* refusal = nullptr;
    for (const SentMessage& sent : transports.sent) {
      EXPECT_FALSE(sent.message.isRequest()) << sent.wire;  // no INVITE left on leg B
      if (!sent.message.isRequest() && sent.message.statusCode >= 300) refusal = &sent;
    }
    ASSERT_NE(refusal, nullptr);
    EXPECT_EQ(refusal->message.statusCode, 488);
    EXPECT_EQ(refusal->message.reasonPhrase, "Not Acceptable Here");
    EXPECT_NE(std::string(refusal->message.value(HeaderId::Warning)).find("is IPv6"),
              std::string::npos)
        << refusal->wire;
    EXPECT_TRUE(b2bua.calls().empty());
    EXPECT_EQ(anchor.activeCalls(), 0u);
    EXPECT_TRUE(dataplane.created.empty());
  }
  unlink(name);
}

TEST_F(SdpMediaAnchorTest, PacketsAndLossEachWayComeFromTheSessionView) {
  SdpMediaAnchor anchor(SipConfig{}, dataplaneConfig, dataplane);
  const std::string sdp =
      "v=0\r\no=- 1 1 IN IP4 198.18.1.10\r\ns=-\r\nc=IN IP4 198.18.1.10\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
  ASSERT_TRUE(anchor.offer(call, LegSide::kA, sdp).ok());
  ASSERT_EQ(dataplane.created.size(), 1u);
  dataplane.sessionViews.push_back(viewOf(dataplane.created[0]));

  EXPECT_EQ(anchor.refresh(call), Millis{40});
  EXPECT_EQ(call.media[0].packetsIn, 3050u);
  EXPECT_EQ(call.media[0].lostIn, std::optional<std::uint64_t>{7});
  EXPECT_EQ(call.media[1].packetsIn, 3052u);
  EXPECT_EQ(call.media[1].lostIn, std::optional<std::uint64_t>{0}) << "a clean direction is 0, not unknown";
  anchor.release(call);
}

TEST_F(SdpMediaAnchorTest, LossStaysUnknownWithoutAMediaSession) {
  SdpMediaAnchor anchor(SipConfig{}, dataplaneConfig, dataplane);
  EXPECT_EQ(anchor.refresh(call), std::nullopt);
  EXPECT_EQ(call.media[0].lostIn, std::nullopt);
  EXPECT_EQ(call.media[1].lostIn, std::nullopt);
}

}  // namespace
}  // namespace sbc::control::test
