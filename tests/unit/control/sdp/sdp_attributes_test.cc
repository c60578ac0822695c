#include "control/sdp/sdp_attributes.h"

#include <gtest/gtest.h>

namespace sbc::sdp {
namespace {

TEST(SdpAttributes, RtpMap) {
  auto opus = RtpMap::parse("111 opus/48000/2");
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->payloadType, 111);
  EXPECT_EQ(opus->encoding, "opus");
  EXPECT_EQ(opus->clockRate, 48000u);
  EXPECT_EQ(opus->parameters, "2");
  EXPECT_EQ(opus->toString(), "111 opus/48000/2");
  auto lpc = RtpMap::parse("31 LPC");  // RFC 4475 sdp01: no clock rate
  ASSERT_TRUE(lpc);
  EXPECT_EQ(lpc->clockRate, 0u);
  EXPECT_FALSE(RtpMap::parse("128 PCMU/8000"));
  EXPECT_FALSE(RtpMap::parse("0 PCMU/0"));
  EXPECT_FALSE(RtpMap::parse("0 PCMU/x"));
  EXPECT_FALSE(RtpMap::parse("0"));
  EXPECT_FALSE(RtpMap::parse("x PCMU/8000"));
}

TEST(SdpAttributes, Fmtp) {
  auto f = Fmtp::parse("101 0-15");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payloadType, 101);
  EXPECT_EQ(f->parameters, "0-15");
  EXPECT_EQ(Fmtp::parse("97 profile-level-id=4d0028;packetization-mode=1")->parameters,
            "profile-level-id=4d0028;packetization-mode=1");
  EXPECT_FALSE(Fmtp::parse("abc 0-15"));
}

TEST(SdpAttributes, RtcpRfc3605) {
  auto portOnly = RtcpAttribute::parse("53020");
  ASSERT_TRUE(portOnly);
  EXPECT_EQ(portOnly->port, 53020);
  EXPECT_FALSE(portOnly->connection);
  auto full = RtcpAttribute::parse("53020 IN IP4 192.0.2.4");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->connection->address, "192.0.2.4");
  EXPECT_EQ(full->toString(), "53020 IN IP4 192.0.2.4");
  EXPECT_TRUE(RtcpAttribute::parse("53020 IN IP6 2001:db8::4"));
  EXPECT_FALSE(RtcpAttribute::parse("1 IN IP7 X"));  // sdp-transform invalid.sdp
  EXPECT_FALSE(RtcpAttribute::parse("70000"));
  EXPECT_FALSE(RtcpAttribute::parse("1 IN IP4"));
}

TEST(SdpAttributes, CryptoRfc4568) {
  auto c = Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->tag, 1u);
  EXPECT_EQ(c->suite, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(c->keyParams, "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4");
  auto withSession = Crypto::parse("2 AES_CM_128_HMAC_SHA1_32 inline:key UNENCRYPTED_SRTCP KDR=1");
  ASSERT_TRUE(withSession);
  EXPECT_EQ(withSession->sessionParams, "UNENCRYPTED_SRTCP KDR=1");
  EXPECT_EQ(withSession->toString(), "2 AES_CM_128_HMAC_SHA1_32 inline:key UNENCRYPTED_SRTCP KDR=1");
  EXPECT_FALSE(Crypto::parse("x AES_CM_128_HMAC_SHA1_80 inline:k"));
  EXPECT_FALSE(Crypto::parse("1 AES_CM_128_HMAC_SHA1_80"));
}

TEST(SdpAttributes, Directions) {
  EXPECT_EQ(directionFromName("sendonly"), Direction::SendOnly);
  EXPECT_EQ(directionFromName("INACTIVE"), Direction::Inactive);
  EXPECT_FALSE(directionFromName("direction"));
  EXPECT_EQ(directionName(Direction::RecvOnly), "recvonly");
  EXPECT_EQ(reversed(Direction::SendOnly), Direction::RecvOnly);
  EXPECT_EQ(reversed(Direction::Inactive), Direction::Inactive);
  EXPECT_TRUE(sends(Direction::SendOnly));
  EXPECT_FALSE(receives(Direction::SendOnly));
}

TEST(SdpAttributes, Milliseconds) {
  EXPECT_EQ(parseMilliseconds("20"), 20u);
  EXPECT_EQ(parseMilliseconds("20.0"), 20u);
  EXPECT_FALSE(parseMilliseconds("0"));
  EXPECT_FALSE(parseMilliseconds("-20"));
  EXPECT_FALSE(parseMilliseconds("twenty"));
}

TEST(SdpAttributes, IceNames) {
  for (const char* name : {"candidate", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite",
                           "end-of-candidates", "remote-candidates"})
    EXPECT_TRUE(isIceAttribute(name)) << name;
  EXPECT_FALSE(isIceAttribute("rtcp-mux"));
  EXPECT_FALSE(isIceAttribute("fingerprint"));
}

}  // namespace
}  // namespace sbc::sdp
