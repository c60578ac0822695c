#include "control/sdp/sdp_media.h"

#include <gtest/gtest.h>

#include "control/sdp/sdp_render.h"
#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

TEST(SdpMedia, DirectionFallsBackToSessionThenSendrecv) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\na=recvonly\nm=audio 1 RTP/AVP 0\n"
      "m=audio 2 RTP/AVP 0\na=inactive\n"));
  EXPECT_EQ(directionOf(sdp, sdp.media[0]), Direction::RecvOnly);
  EXPECT_EQ(directionOf(sdp, sdp.media[1]), Direction::Inactive);
  sdp.removeAttributes("recvonly");
  EXPECT_EQ(directionOf(sdp, sdp.media[0]), Direction::SendRecv);
}

TEST(SdpMedia, StrayBlankAfterAttributeNameIsTolerated) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\na=sendonly \na=rtcp-mux \n"));
  EXPECT_EQ(directionOf(sdp, sdp.media[0]), Direction::SendOnly);
  EXPECT_TRUE(hasRtcpMux(sdp.media[0]));
  EXPECT_EQ(sdp.media[0].attributes[0].name, "sendonly ");  // kept as written for rendering
}

TEST(SdpMedia, SetDirectionKeepsOneInPlace) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\na=sendrecv\na=ptime:20\na=sendonly\n"));
  setDirection(sdp.media[0], Direction::Inactive);
  ASSERT_EQ(sdp.media[0].attributes.size(), 2u);
  EXPECT_EQ(sdp.media[0].attributes[0].name, "inactive");
  MediaDescription bare;
  setDirection(bare, Direction::SendOnly);
  EXPECT_EQ(bare.attributes[0].name, "sendonly");
}

TEST(SdpMedia, EffectiveConnectionPrefersMediaLevel) {
  SessionDescription sdp = parseOrFail(testing::kRfc8866Example);
  EXPECT_EQ(effectiveConnection(sdp, sdp.media[0])->address, "198.51.100.1");
  EXPECT_EQ(effectiveConnection(sdp, sdp.media[2])->address, "2001:db8::2");
}

TEST(SdpMedia, RtcpMuxPtimeCrypto) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 1 RTP/SAVP 0\na=rtcp:53020 IN IP4 192.0.2.4\n"
      "a=rtcp-mux\na=ptime:30\na=maxptime:60\n"
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\n"
      "a=crypto:bad\n"));
  const MediaDescription& m = sdp.media[0];
  EXPECT_EQ(rtcpOf(m)->port, 53020);
  EXPECT_TRUE(hasRtcpMux(m));
  EXPECT_EQ(ptimeOf(m), 30u);
  EXPECT_EQ(maxptimeOf(m), 60u);
  ASSERT_EQ(cryptoOf(m).size(), 1u);  // the unreadable one counts as absent
  EXPECT_EQ(cryptoOf(m)[0].suite, "AES_CM_128_HMAC_SHA1_80");
}

TEST(SdpMedia, IceFromMediaThenSession) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\na=ice-lite\na=ice-ufrag:sess\na=ice-pwd:sesspwd\n"
      "a=ice-options:trickle ice2\nm=audio 1 RTP/AVP 0\na=ice-ufrag:media\n"
      "a=candidate:1 1 UDP 1 192.0.2.1 1 typ host\na=end-of-candidates\n"));
  IceParameters ice = iceOf(sdp, sdp.media[0]);
  EXPECT_EQ(ice.ufrag, "media");
  EXPECT_EQ(ice.pwd, "sesspwd");
  EXPECT_TRUE(ice.lite);
  EXPECT_EQ(ice.options, (std::vector<std::string>{"trickle", "ice2"}));
  ASSERT_EQ(ice.candidates.size(), 1u);
  EXPECT_TRUE(ice.endOfCandidates);
  EXPECT_TRUE(ice.present());
}

}  // namespace
}  // namespace sbc::sdp
