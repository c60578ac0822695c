#include "control/sdp/remote_media.h"

#include <gtest/gtest.h>

#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

SocketAddress at(std::string_view text) { return *SocketAddress::parse(text); }

std::vector<RemoteMedia> describe(std::string_view tail) {
  return describeRemoteMedia(parseOrFail(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n" + std::string(tail))));
}

TEST(RemoteMedia, CarrierOffer) {
  auto media = describeRemoteMedia(parseOrFail(testing::kCarrierOffer));
  ASSERT_EQ(media.size(), 1u);
  const RemoteMedia& m = media[0];
  EXPECT_EQ(m.rtp, at("198.51.100.10:30000"));
  EXPECT_EQ(m.rtcp, at("198.51.100.10:30001"));
  EXPECT_FALSE(m.onHold);
  EXPECT_EQ(m.direction, Direction::SendRecv);
  ASSERT_EQ(m.codecs.size(), 4u);
  EXPECT_EQ(m.codecs[0].name(), "G729/8000");
  EXPECT_EQ(m.codecs[0].fmtp, "annexb=no");
  EXPECT_EQ(m.ptime, 20u);
}

TEST(RemoteMedia, RtcpAttributeWithAndWithoutAddress) {
  auto media = describe("c=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=rtcp:5000\n"
                        "m=audio 4002 RTP/AVP 0\na=rtcp:6000 IN IP4 192.0.2.99\n");
  EXPECT_EQ(media[0].rtcp, at("192.0.2.1:5000"));
  EXPECT_EQ(media[1].rtcp, at("192.0.2.99:6000"));
}

TEST(RemoteMedia, RtcpMuxSharesTheRtpPort) {
  auto media = describe("t=0 0\nm=audio 4000 RTP/AVP 0\nc=IN IP6 2001:db8::1\na=rtcp-mux\na=rtcp:4001\n");
  EXPECT_TRUE(media[0].rtcpMux);
  EXPECT_EQ(media[0].rtp, at("[2001:db8::1]:4000"));
  EXPECT_EQ(media[0].rtcp, at("[2001:db8::1]:4000"));
}

TEST(RemoteMedia, HoldBySendonlyInactiveAndZeroAddress) {
  auto media = describe("c=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0\na=sendonly\n"
                        "m=audio 4002 RTP/AVP 0\na=inactive\nm=audio 4004 RTP/AVP 0\nc=IN IP4 0.0.0.0\n"
                        "m=audio 4006 RTP/AVP 0\na=recvonly\n");
  EXPECT_TRUE(media[0].onHold);
  EXPECT_EQ(media[0].direction, Direction::SendOnly);
  EXPECT_TRUE(media[1].onHold);
  EXPECT_TRUE(media[2].onHold);
  EXPECT_TRUE(media[2].holdAddress);
  EXPECT_EQ(media[2].direction, Direction::SendRecv);
  EXPECT_FALSE(media[3].onHold);
}

TEST(RemoteMedia, RejectedAndNamedAddressesHaveNoEndpoint) {
  auto media = describe("c=IN IP4 host.example.com\nt=0 0\nm=audio 4000 RTP/AVP 0\n"
                        "m=video 0 RTP/AVP 31\nc=IN IP4 192.0.2.1\n");
  EXPECT_FALSE(media[0].rejected);
  EXPECT_FALSE(media[0].rtp);
  EXPECT_TRUE(media[1].rejected);
  EXPECT_FALSE(media[1].rtp);
  EXPECT_FALSE(media[1].rtcp);
}

TEST(RemoteMedia, LastPortHasNoRtcpNeighbour) {
  auto media = describe("c=IN IP4 192.0.2.1\nt=0 0\nm=audio 65535 RTP/AVP 0\n");
  EXPECT_EQ(media[0].rtp, at("192.0.2.1:65535"));
  EXPECT_FALSE(media[0].rtcp);
}

TEST(RemoteMedia, SrtpKeys) {
  auto media = describe("c=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/SAVP 0\n"
                        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\n");
  ASSERT_EQ(media[0].crypto.size(), 1u);
  EXPECT_EQ(media[0].proto, "RTP/SAVP");
}

}  // namespace
}  // namespace sbc::sdp
