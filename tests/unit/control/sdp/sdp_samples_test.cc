// The shared real-world samples: clux/sdp-transform's corpus (testdata/sdp/SOURCES.md) and the
// SDP bodies of the SIP torture messages (RFC 4475 sdp01, RFC 5118 IPv6 ones).

#include <gtest/gtest.h>

#include "control/sdp/remote_media.h"
#include "control/sdp/sdp_anchor.h"
#include "control/sdp/sdp_media.h"
#include "control/sdp/sdp_render.h"
#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

class SdpSamples : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::testdataDir();
    if (!dir) GTEST_SKIP() << "shared testdata not found (../shared/testdata or $SBC_TESTDATA)";
    dir_ = *dir;
  }
  std::string sample(const char* name) const {
    auto path = dir_ / "sdp" / "sdp-transform" / name;
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
    return testing::readFile(path);
  }
  std::string torture(const char* relative) const {
    auto path = dir_ / "sip-torture" / relative;
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
    return testing::sipBody(testing::readFile(path));
  }
  std::filesystem::path dir_;
};

// LF-only text with a missing last line end, as the renderer writes it.
std::string asRendered(std::string text) {
  if (text.find("\r\n") == std::string::npos) text = crlf(text);
  if (!text.ends_with("\r\n")) text += "\r\n";
  return text;
}

// Parse -> render -> parse is a fixed point, and the renderer gives back the original bytes.
void expectRoundTrip(const std::string& body) {
  SessionDescription sdp = parseOrFail(body);
  std::string rendered = render(sdp);
  EXPECT_EQ(rendered, asRendered(body));
  EXPECT_EQ(parseOrFail(rendered), sdp);
}

// Anchors every stream at the SBC and checks what the far side would read back: SBC
// addresses only, every codec still bound to its rtpmap and fmtp.
void expectAnchoredCleanly(const std::string& body) {
  SessionDescription sdp = parseOrFail(body);
  AnchorPlan plan{*IpAddress::parse("198.18.0.1"), {}};
  for (std::size_t i = 0; i < sdp.media.size(); ++i)
    plan.media.push_back(MediaAnchor::at(*SocketAddress::parse("198.18.0.1:" + std::to_string(20000 + 2 * i))));
  std::vector<std::vector<Codec>> codecsBefore;
  for (const MediaDescription& m : sdp.media) codecsBefore.push_back(codecsOf(m));
  ASSERT_FALSE(anchorMedia(sdp, plan));
  SessionDescription reparsed = parseOrFail(render(sdp));
  ASSERT_EQ(reparsed.media.size(), codecsBefore.size());
  for (std::size_t i = 0; i < reparsed.media.size(); ++i) {
    const MediaDescription& m = reparsed.media[i];
    EXPECT_EQ(codecsOf(m), codecsBefore[i]) << "m=" << i;
    EXPECT_EQ(effectiveConnection(reparsed, m)->address, "198.18.0.1");
    EXPECT_EQ(m.port, 20000 + 2 * i);
    EXPECT_FALSE(iceOf(reparsed, m).present());
    if (auto rtcp = rtcpOf(m)) {
      EXPECT_EQ(rtcp->connection->address, "198.18.0.1");
    }
  }
}

TEST_F(SdpSamples, NormalRoundTripsAndReads) {
  std::string body = sample("normal.sdp");
  expectRoundTrip(body);
  SessionDescription sdp = parseOrFail(body);
  EXPECT_EQ(sdp.sessionName, "");
  EXPECT_EQ(sdp.connection()->address, "203.0.113.1");  // written after t=
  auto remote = describeRemoteMedia(sdp);
  ASSERT_EQ(remote.size(), 2u);
  EXPECT_EQ(remote[0].rtp, SocketAddress::parse("203.0.113.1:54400"));
  EXPECT_EQ(remote[0].rtcp, SocketAddress::parse("203.0.113.1:54401"));
  ASSERT_EQ(remote[0].codecs.size(), 2u);
  EXPECT_EQ(remote[0].codecs[1].name(), "opus/48000");
  EXPECT_EQ(remote[0].ptime, 20u);
  EXPECT_EQ(iceOf(sdp, sdp.media[0]).ufrag, "F7gI");
  EXPECT_EQ(iceOf(sdp, sdp.media[0]).candidates.size(), 2u);
  ASSERT_EQ(remote[1].crypto.size(), 1u);
  EXPECT_EQ(remote[1].crypto[0].keyParams, "inline:keNcG3HezSNID7LmfDa9J4lfdUL8W1F7TNJKcbuy|2^20|1:32");
  EXPECT_EQ(remote[1].codecs[0].fmtp, "profile-level-id=4d0028;packetization-mode=1");
  expectAnchoredCleanly(body);
}

TEST_F(SdpSamples, HackyRoundTripsAndReads) {
  std::string body = sample("hacky.sdp");
  expectRoundTrip(body);
  SessionDescription sdp = parseOrFail(body);
  ASSERT_EQ(sdp.media.size(), 3u);
  auto audio = codecsOf(sdp.media[0]);
  ASSERT_EQ(audio.size(), 10u);
  EXPECT_EQ(audio[0].name(), "opus/48000/2");
  EXPECT_EQ(audio[0].fmtp, "minptime=10");
  EXPECT_TRUE(audio[9].isTelephoneEvent());
  EXPECT_EQ(maxptimeOf(sdp.media[0]), 60u);
  EXPECT_EQ(iceOf(sdp, sdp.media[0]).candidates.size(), 8u);
  EXPECT_EQ(sdp.media[2].proto, "DTLS/SCTP");
  EXPECT_EQ(sdp.media[2].formats, std::vector<std::string>{"5000"});
  EXPECT_EQ(sdp.media[2].findLine('b')->value, "AS:30");
  auto remote = describeRemoteMedia(sdp);
  EXPECT_TRUE(remote[1].rtcpMux);  // a=rtcp:12312 is overruled by rtcp-mux
  EXPECT_EQ(remote[1].rtcp, remote[1].rtp);
  EXPECT_TRUE(remote[0].holdAddress);  // c=IN IP4 0.0.0.0 as early WebRTC sent it
  expectAnchoredCleanly(body);
}

TEST_F(SdpSamples, JsepRoundTripsAndReads) {
  std::string body = sample("jsep.sdp");
  expectRoundTrip(body);
  SessionDescription sdp = parseOrFail(body);
  auto remote = describeRemoteMedia(sdp);
  ASSERT_EQ(remote.size(), 2u);
  EXPECT_EQ(remote[0].proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(remote[0].rtp, SocketAddress::parse("192.0.2.1:56500"));
  EXPECT_EQ(remote[0].rtcp, SocketAddress::parse("192.0.2.1:56500"));  // rtcp-mux
  EXPECT_EQ(rtcpOf(sdp.media[0])->port, 56501);
  ASSERT_EQ(remote[0].codecs.size(), 5u);
  EXPECT_EQ(remote[0].codecs[3].name(), "telephone-event/8000");
  EXPECT_EQ(remote[0].codecs[4].name(), "telephone-event/48000");
  EXPECT_TRUE(iceOf(sdp, sdp.media[0]).endOfCandidates);
  EXPECT_EQ(codecOf(sdp.media[1], 101)->fmtp, "apt=100");
  expectAnchoredCleanly(body);
}

TEST_F(SdpSamples, ChromeKeepsTrailingBlanks) {
  std::string body = sample("chrome.sdp");
  expectRoundTrip(body);
  SessionDescription sdp = parseOrFail(body);
  EXPECT_EQ(sdp.media[1].attributesNamed("rtcp-fb")[1]->value, "100 nack ");
  expectAnchoredCleanly(body);
}

TEST_F(SdpSamples, IceLiteWithoutFinalLineEnd) {
  std::string body = sample("icelite.sdp");
  ASSERT_FALSE(body.ends_with("\n"));
  expectRoundTrip(body);
  SessionDescription sdp = parseOrFail(body);
  EXPECT_TRUE(iceOf(sdp, sdp.media[0]).lite);
  EXPECT_EQ(directionOf(sdp, sdp.media[0]), Direction::SendRecv);  // a=direction:both is COMEDIA
  auto remote = describeRemoteMedia(sdp);
  EXPECT_EQ(remote[0].rtp, SocketAddress::parse("192.168.100.100:10018"));
  EXPECT_EQ(remote[0].codecs[2].fmtp, "0-15");
  expectAnchoredCleanly(body);
}

TEST_F(SdpSamples, InvalidIsRefusedAtTheUnknownLineType) {
  std::string body = sample("invalid.sdp");
  ParseResult r = parse(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.line, 10u);
  EXPECT_EQ(r.error.reason, "unknown line type 'f='");
  // Without the f= line the rest is valid; the IP7 a=rtcp and unknown a=goo are ignored.
  std::string withoutF = body.substr(0, body.find("f=invalid"));
  SessionDescription sdp = parseOrFail(withoutF);
  EXPECT_FALSE(rtcpOf(sdp.media[0]));
  EXPECT_EQ(sdp.media[0].attributeValue("goo"), "hithere");
  EXPECT_EQ(describeRemoteMedia(sdp)[0].rtcp, SocketAddress::parse("0.0.0.0:2"));
}

TEST_F(SdpSamples, Rfc5118Ipv6InSdp) {
  std::string body = torture("rfc5118/ipv6-in-sdp");
  ASSERT_FALSE(body.empty());
  expectRoundTrip(body);
  SessionDescription sdp = parseOrFail(body);
  EXPECT_EQ(sdp.origin.addressType, "IP6");
  EXPECT_EQ(sdp.findLine('t')->value, "3338481189 3370017201");
  auto remote = describeRemoteMedia(sdp);
  EXPECT_EQ(remote[0].rtp, SocketAddress::parse("[2001:db8::20]:6000"));
  EXPECT_EQ(remote[0].codecs[0].name(), "G726-32/8000");
  EXPECT_EQ(remote[1].rtp, SocketAddress::parse("[2001:db8::20]:6024"));
  expectAnchoredCleanly(body);
}

TEST_F(SdpSamples, Rfc5118MixedFamiliesAndMappedAddresses) {
  SessionDescription mixed = parseOrFail(torture("rfc5118/mult-ip-in-sdp"));
  EXPECT_EQ(mixed.origin.address, "host.example.com");
  auto remote = describeRemoteMedia(mixed);
  EXPECT_EQ(remote[0].rtp, SocketAddress::parse("192.0.2.1:22334"));
  EXPECT_EQ(remote[1].rtp, SocketAddress::parse("[2001:db8::1]:6024"));
  SessionDescription mapped = parseOrFail(torture("rfc5118/ipv4-mapped-ipv6"));
  EXPECT_TRUE(describeRemoteMedia(mapped)[0].rtp->ip.isV6());
}

TEST_F(SdpSamples, Rfc4475Sdp01) {
  std::string body = torture("rfc4475/sdp01.dat");
  expectRoundTrip(body);
  SessionDescription sdp = parseOrFail(body);
  auto remote = describeRemoteMedia(sdp);
  ASSERT_EQ(remote.size(), 2u);
  EXPECT_EQ(remote[0].rtp, SocketAddress::parse("192.0.2.5:49217"));
  EXPECT_EQ(remote[0].codecs[0].name(), "PCMU/8000");
  EXPECT_EQ(remote[0].codecs[1].name(), "QCELP/8000");
  // "a=rtpmap:31 LPC" names no clock rate: the rtpmap still wins over the static H261.
  EXPECT_EQ(remote[1].codecs[0].encoding, "LPC");
  EXPECT_EQ(remote[1].codecs[0].clockRate, 0u);
  expectAnchoredCleanly(body);
}

}  // namespace
}  // namespace sbc::sdp
