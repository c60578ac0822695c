#include "control/sdp/sdp_anchor.h"

#include <gtest/gtest.h>

#include "control/sdp/remote_media.h"
#include "control/sdp/sdp_media.h"
#include "control/sdp/sdp_render.h"
#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }
SocketAddress at(std::string_view text) { return *SocketAddress::parse(text); }

const std::string kWebrtcLikeOffer = crlf(R"(v=0
o=- 4962303333179871722 1 IN IP4 0.0.0.0
s=-
t=0 0
a=ice-lite
a=group:BUNDLE a1 v1
m=audio 56500 RTP/SAVPF 0 101
c=IN IP4 192.0.2.1
a=mid:a1
a=rtcp:56501 IN IP4 192.0.2.1
a=sendrecv
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=ice-ufrag:ETEn
a=ice-pwd:OtSK0WpNtpUjkY4+86js7ZQl
a=ice-options:trickle
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR
a=rtcp-mux
a=candidate:1 1 udp 2113937151 192.0.2.1 56500 typ host
a=remote-candidates:1 192.0.2.1 56500
a=end-of-candidates
m=video 56502 RTP/SAVPF 100
c=IN IP4 192.0.2.1
a=mid:v1
a=bundle-only
a=rtpmap:100 VP8/90000
a=candidate:1 1 udp 2113937151 192.0.2.1 56502 typ host
)");

TEST(SdpAnchor, CarrierOfferMovesToTheSbc) {
  SessionDescription sdp = parseOrFail(testing::kCarrierOffer);
  AnchorPlan plan{ip("198.18.0.1"), {MediaAnchor::at(at("198.18.0.1:20000"))}};
  ASSERT_FALSE(anchorMedia(sdp, plan));
  EXPECT_EQ(render(sdp), crlf(R"(v=0
o=carrier 1234 5678 IN IP4 198.51.100.10
s=call
c=IN IP4 198.18.0.1
t=0 0
m=audio 20000 RTP/AVP 18 0 8 101
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=sendrecv
a=rtcp:20001 IN IP4 198.18.0.1
)"));
}

TEST(SdpAnchor, RemovesIceAndBundleKeepsMuxAndDirection) {
  SessionDescription sdp = parseOrFail(kWebrtcLikeOffer);
  AnchorPlan plan{ip("198.18.0.1"),
                  {MediaAnchor::at(at("198.18.0.1:20000")), MediaAnchor::at(at("198.18.0.1:20002"))}};
  ASSERT_FALSE(anchorMedia(sdp, plan));
  std::string out = render(sdp);
  for (const char* gone : {"ice-", "candidate", "BUNDLE", "bundle-only", "192.0.2.1"})
    EXPECT_EQ(out.find(gone), std::string::npos) << gone << " left in\n" << out;
  EXPECT_TRUE(sdp.media[0].hasAttribute("rtcp-mux"));
  EXPECT_FALSE(sdp.media[0].hasAttribute("rtcp"));  // muxed: RTCP shares the RTP port
  EXPECT_EQ(sdp.media[1].attributeValue("rtcp"), "20003 IN IP4 198.18.0.1");  // no mux offered
  EXPECT_TRUE(sdp.media[0].hasAttribute("sendrecv"));
  EXPECT_TRUE(sdp.media[0].hasAttribute("crypto"));
  EXPECT_TRUE(sdp.media[0].hasAttribute("mid"));
  EXPECT_EQ(sdp.connection()->address, "198.18.0.1");
  EXPECT_FALSE(sdp.media[0].connection());  // same as the session level: no repeat
  EXPECT_EQ(sdp.media[1].port, 20002);
  // What the far side will read back.
  auto remote = describeRemoteMedia(parseOrFail(out));
  EXPECT_EQ(remote[0].rtp, at("198.18.0.1:20000"));
  EXPECT_EQ(remote[0].rtcp, at("198.18.0.1:20000"));
}

TEST(SdpAnchor, KeepIceOption) {
  SessionDescription sdp = parseOrFail(kWebrtcLikeOffer);
  AnchorPlan plan{ip("198.18.0.1"),
                  {MediaAnchor::at(at("198.18.0.1:20000")), MediaAnchor::reject()}};
  plan.keepIce = true;
  plan.keepBundle = true;
  ASSERT_FALSE(anchorMedia(sdp, plan));
  EXPECT_TRUE(sdp.hasAttribute("ice-lite"));
  EXPECT_TRUE(sdp.hasAttribute("group"));
  EXPECT_EQ(sdp.media[0].attributesNamed("candidate").size(), 1u);
  EXPECT_TRUE(sdp.media[1].attributesNamed("candidate").empty());  // a rejected stream has none
}

TEST(SdpAnchor, DroppingMuxAnnouncesRtcpPort) {
  SessionDescription sdp = parseOrFail(kWebrtcLikeOffer);
  MediaAnchor audio = MediaAnchor::at(at("198.18.0.1:20000"));
  audio.keepRtcpMux = false;
  AnchorPlan plan{ip("198.18.0.1"), {audio, MediaAnchor::reject()}};
  ASSERT_FALSE(anchorMedia(sdp, plan));
  EXPECT_FALSE(sdp.media[0].hasAttribute("rtcp-mux"));
  EXPECT_EQ(sdp.media[0].attributeValue("rtcp"), "20001 IN IP4 198.18.0.1");
}

TEST(SdpAnchor, RejectedStreamGetsPortZeroAndLosesItsAddress) {
  SessionDescription sdp = parseOrFail(kWebrtcLikeOffer);
  AnchorPlan plan{ip("198.18.0.1"), {MediaAnchor::at(at("198.18.0.1:20000")), MediaAnchor::reject()}};
  ASSERT_FALSE(anchorMedia(sdp, plan));
  EXPECT_EQ(sdp.media[1].mediaLine(), "video 0 RTP/SAVPF 100");
  EXPECT_FALSE(sdp.media[1].connection());
}

TEST(SdpAnchor, Ipv6AnchorAndPerStreamAddress) {
  SessionDescription sdp = parseOrFail(testing::kRfc8866Example);
  AnchorPlan plan{ip("2001:db8:5b::1"),
                  {MediaAnchor::at(at("[2001:db8:5b::1]:20000")), MediaAnchor::reject(),
                   MediaAnchor::at(at("198.18.0.1:20004"))}};
  ASSERT_FALSE(anchorMedia(sdp, plan));
  EXPECT_EQ(sdp.connection()->toString(), "IN IP6 2001:db8:5b::1");
  EXPECT_EQ(sdp.media[0].attributeValue("rtcp"), "20001 IN IP6 2001:db8:5b::1");
  EXPECT_EQ(sdp.media[2].connection()->toString(), "IN IP4 198.18.0.1");
  EXPECT_EQ(sdp.media[2].attributeValue("rtcp"), "20005 IN IP4 198.18.0.1");
}

TEST(SdpAnchor, SrtpToRtpOnTheCoreSide) {
  SessionDescription sdp = parseOrFail(kWebrtcLikeOffer);
  MediaAnchor audio = MediaAnchor::at(at("198.18.1.1:30000"));
  audio.proto = "RTP/AVP";
  audio.crypto = std::vector<Crypto>{};
  AnchorPlan plan{ip("198.18.1.1"), {audio, MediaAnchor::reject()}};
  ASSERT_FALSE(anchorMedia(sdp, plan));
  EXPECT_EQ(sdp.media[0].proto, "RTP/AVP");
  EXPECT_FALSE(sdp.media[0].hasAttribute("crypto"));

  MediaAnchor access = MediaAnchor::at(at("198.18.0.1:20000"));
  access.proto = "RTP/SAVP";
  access.crypto = std::vector<Crypto>{*Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:bXlrZXk=")};
  SessionDescription core = parseOrFail(testing::kCarrierOffer);
  ASSERT_FALSE(anchorMedia(core, AnchorPlan{ip("198.18.0.1"), {access}}));
  EXPECT_EQ(core.media[0].attributeValue("crypto"), "1 AES_CM_128_HMAC_SHA1_80 inline:bXlrZXk=");
}

TEST(SdpAnchor, PlanThatDoesNotFitLeavesSdpAlone) {
  SessionDescription sdp = parseOrFail(testing::kCarrierOffer);
  const SessionDescription before = sdp;
  auto tooFew = anchorMedia(sdp, AnchorPlan{ip("198.18.0.1"), {}});
  ASSERT_TRUE(tooFew);
  EXPECT_NE(tooFew->find("0 streams, SDP has 1"), std::string::npos);
  EXPECT_TRUE(anchorMedia(sdp, AnchorPlan{IpAddress{}, {MediaAnchor::at(at("198.18.0.1:20000"))}}));
  EXPECT_TRUE(anchorMedia(sdp, AnchorPlan{ip("198.18.0.1"), {MediaAnchor::at(at("198.18.0.1:0"))}}));
  EXPECT_TRUE(anchorMedia(sdp, AnchorPlan{ip("198.18.0.1"), {MediaAnchor::at(at("198.18.0.1:65535"))}}));
  EXPECT_EQ(sdp, before);
}

TEST(SdpAnchor, HoldOfferStaysHeldButLosesTheZeroAddress) {
  // RFC 2543 hold: the SBC anchors at its own address, the direction tells the far side.
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 2 IN IP4 192.0.2.1\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 4000 RTP/AVP 0\na=sendonly\n"));
  ASSERT_FALSE(anchorMedia(sdp, AnchorPlan{ip("198.18.0.1"), {MediaAnchor::at(at("198.18.0.1:20000"))}}));
  EXPECT_EQ(sdp.connection()->address, "198.18.0.1");
  EXPECT_EQ(directionOf(sdp, sdp.media[0]), Direction::SendOnly);
}

}  // namespace
}  // namespace sbc::sdp
