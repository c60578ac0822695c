#include "control/sdp/sdp_parser.h"

#include <gtest/gtest.h>

#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

// Expects a parse error on `line` whose reason contains `words`.
void expectError(std::string_view body, unsigned line, std::string_view words) {
  ParseResult r = parse(body);
  ASSERT_FALSE(r.ok()) << "accepted:\n" << body;
  EXPECT_EQ(r.error.line, line) << r.error.reason;
  EXPECT_NE(r.error.reason.find(words), std::string::npos) << r.error.reason;
}

TEST(SdpParser, Rfc8866ExampleFieldByField) {
  SessionDescription sdp = parseOrFail(testing::kRfc8866Example);
  EXPECT_EQ(sdp.origin.username, "jdoe");
  EXPECT_EQ(sdp.origin.sessionId, "3724394400");
  EXPECT_EQ(sdp.origin.sessionVersion, "3724394405");
  EXPECT_EQ(sdp.origin.address, "198.51.100.1");
  EXPECT_EQ(sdp.sessionName, "Call to John Smith");
  ASSERT_NE(sdp.findLine('i'), nullptr);
  EXPECT_EQ(sdp.findLine('i')->value, "SDP Offer #1");
  EXPECT_EQ(sdp.findLine('p')->value, "+1 617 555-6011");
  EXPECT_EQ(sdp.connection()->address, "198.51.100.1");
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.media[0].media, "audio");
  EXPECT_EQ(sdp.media[0].port, 49170);
  EXPECT_EQ(sdp.media[0].proto, "RTP/AVP");
  EXPECT_EQ(sdp.media[0].formats, std::vector<std::string>{"0"});
  EXPECT_EQ(sdp.media[1].port, 49180);
  EXPECT_EQ(sdp.media[2].media, "video");
  EXPECT_EQ(sdp.media[2].connection()->addressType, "IP6");
  EXPECT_EQ(sdp.media[2].connection()->address, "2001:db8::2");
  ASSERT_EQ(sdp.media[2].attributes.size(), 1u);
  EXPECT_EQ(sdp.media[2].attributes[0].name, "rtpmap");
  EXPECT_EQ(*sdp.media[2].attributes[0].value, "99 h263-1998/90000");
}

TEST(SdpParser, Rfc4566ExampleMulticastAndSessionAttribute) {
  SessionDescription sdp = parseOrFail(testing::kRfc4566Example);
  EXPECT_EQ(sdp.connection()->address, "224.2.17.12");
  EXPECT_EQ(sdp.connection()->multicastSuffix, "/127");
  EXPECT_TRUE(sdp.hasAttribute("recvonly"));
  EXPECT_EQ(sdp.findLine('t')->value, "2873397496 2873404696");
  EXPECT_EQ(sdp.media.size(), 2u);
}

TEST(SdpParser, AcceptsLfOnlyAndMissingFinalLineEnd) {
  SessionDescription sdp = parseOrFail("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(sdp.media[0].port, 4000);
}

TEST(SdpParser, AcceptsTrailingBlankLines) {
  parseOrFail(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\n\n\n"));
}

TEST(SdpParser, KeepsAttributeValuesVerbatim) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\na=msid-semantic: WMS x\na=empty:\na=flag\n"
      "m=video 4000 RTP/AVPF 100\na=rtcp-fb:100 nack \n"));
  EXPECT_EQ(*sdp.attributes[0].value, " WMS x");
  ASSERT_TRUE(sdp.attributes[1].value.has_value());
  EXPECT_EQ(*sdp.attributes[1].value, "");
  EXPECT_FALSE(sdp.attributes[2].value.has_value());
  EXPECT_EQ(*sdp.media[0].attributes[0].value, "100 nack ");
}

TEST(SdpParser, KeepsLineOrderAfterTiming) {
  // c= after t= is out of RFC order but changes nothing; the order is kept.
  SessionDescription sdp = parseOrFail(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=\nt=0 0\nc=IN IP4 192.0.2.1\n"));
  ASSERT_EQ(sdp.lines.size(), 2u);
  EXPECT_EQ(sdp.lines[0].type, 't');
  EXPECT_EQ(sdp.lines[1].type, 'c');
}

TEST(SdpParser, PortCountAndNonRtpFormats) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=video 49170/2 RTP/AVP 31\n"
      "m=image 0 udptl t38\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n"));
  EXPECT_EQ(sdp.media[0].portCount, 2);
  EXPECT_EQ(sdp.media[1].formats, std::vector<std::string>{"t38"});
  EXPECT_FALSE(sdp.media[1].isRtp());
  EXPECT_EQ(sdp.media[2].proto, "UDP/DTLS/SCTP");
}

TEST(SdpParser, RejectedStreamWithoutFormatsIsKept) {
  SessionDescription sdp = parseOrFail(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 0 RTP/AVP\n"));
  EXPECT_TRUE(sdp.media[0].formats.empty());
}

TEST(SdpParser, ErrorsNameTheLine) {
  expectError("", 1, "missing v=");
  expectError(crlf("o=- 1 1 IN IP4 192.0.2.1\n"), 1, "first line must be v=0");
  expectError(crlf("v=1\n"), 1, "unsupported SDP version");
  expectError(crlf("v=0\n"), 2, "missing o=");
  expectError(crlf("v=0\ns=-\n"), 2, "second line must be o=");
  expectError(crlf("v=0\no=- 1 1 IN IP4\ns=-\nt=0 0\n"), 2, "o= needs 6 fields");
  expectError(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\n"), 3, "missing s=");
  expectError(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\nt=0 0\n"), 3, "third line must be s=");
  expectError(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n"), 4, "missing t=");
  expectError(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nm=audio 1 RTP/AVP 0\nt=0 0\n"), 4,
              "no t= line before the first m=");
}

TEST(SdpParser, RejectsBadMediaLines) {
  const std::string head = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\n";
  expectError(crlf(head + "m=audio 70000 RTP/AVP 0\n"), 5, "bad m= port");
  expectError(crlf(head + "m=audio -1 RTP/AVP 0\n"), 5, "bad m= port");
  expectError(crlf(head + "m=audio 4000/0 RTP/AVP 0\n"), 5, "bad m= port count");
  expectError(crlf(head + "m=audio 4000\n"), 5, "m= needs");
  expectError(crlf(head + "m=audio 4000 RTP/AVP\n"), 5, "lists no formats");
  expectError(crlf(head + "m=audio 4000 RTP/AVP 128\n"), 5, "not 0..127");
  expectError(crlf(head + "m=audio 4000 RTP/AVP PCMU\n"), 5, "not 0..127");
  expectError(crlf(head + "m=audio 4000 RTP/ 0\n"), 5, "bad m= protocol");
}

TEST(SdpParser, RejectsBadConnectionLines) {
  const std::string head = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n";
  expectError(crlf(head + "c=IN IP4 999.1.1.1\nt=0 0\n"), 4, "bad c= line");
  expectError(crlf(head + "c=IN IP4 2001:db8::1\nt=0 0\n"), 4, "not of type IP4");
  expectError(crlf(head + "c=IN IP6 192.0.2.1\nt=0 0\n"), 4, "not of type IP6");
  expectError(crlf(head + "c=IN IP7 x\nt=0 0\n"), 4, "neither IP4 nor IP6");
  expectError(crlf(head + "c=ATM NSAP 47.0005\nt=0 0\n"), 4, "is not IN");
  expectError(crlf(head + "c=IN IP4\nt=0 0\n"), 4, "3 fields");
  expectError(crlf(head + "t=0 0\nm=audio 1 RTP/AVP 0\nc=IN IP4 192.0.2.1/a\n"), 6, "multicast suffix");
}

TEST(SdpParser, RejectsLinesOutOfPlace) {
  const std::string head = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n";
  expectError(crlf(head + "t=0 0\nm=audio 1 RTP/AVP 0\nt=0 0\n"), 6, "not allowed in a media section");
  expectError(crlf(head + "t=0 0\nm=audio 1 RTP/AVP 0\nu=http://x\n"), 6, "not allowed in a media section");
  expectError(crlf(head + "t=0 0\no=- 1 1 IN IP4 192.0.2.1\n"), 5, "only once");
  expectError(crlf(head + "r=7d 1h 0\nt=0 0\n"), 4, "r= must follow");
  expectError(crlf(head + "c=IN IP4 192.0.2.1\nc=IN IP4 192.0.2.2\nt=0 0\n"), 5, "more than one 'c='");
  expectError(crlf(head + "t=0 0\nm=audio 1 RTP/AVP 0\ni=a\ni=b\n"), 7, "more than one 'i='");
}

TEST(SdpParser, RejectsMalformedLines) {
  const std::string head = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\n";
  expectError(crlf(head + "f=invalid:yes\n"), 5, "unknown line type 'f='");
  expectError(crlf(head + "a\n"), 5, "<letter>=<value>");
  expectError(crlf(head + "A=x\n"), 5, "<letter>=<value>");
  expectError(crlf(head + "a =x\n"), 5, "<letter>=<value>");
  expectError(crlf(head + "a=:x\n"), 5, "attribute without a name");
  expectError(crlf(head + "\na=x\n"), 5, "empty line");
  expectError(head + "a=x\ry\n", 5, "stray CR");
  expectError(head + std::string("a=x\0y\n", 6), 5, "NUL");
  expectError(crlf(head + "b=AS\n"), 5, "b= must be");
  expectError(crlf(head + "b=AS:x\n"), 5, "b= must be");
  expectError(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=now\n"), 4, "t= needs");
}

TEST(SdpParser, RepeatTimesFollowTiming) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=3034423619 3042462419\nr=7d 1h 0 25h\n"
      "r=604800 3600 0 90000\nz=2882844526 -1h 2898848070 0\nk=prompt\n"));
  EXPECT_EQ(sdp.findLines('r').size(), 2u);
  EXPECT_EQ(sdp.findLine('z')->value, "2882844526 -1h 2898848070 0");
}

TEST(SdpParser, LimitsMediaSections) {
  std::string body = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\n";
  for (std::size_t i = 0; i < kMaxMediaSections; ++i) body += "m=audio 0 RTP/AVP 0\n";
  ASSERT_TRUE(parse(body).ok());
  body += "m=audio 0 RTP/AVP 0\n";
  expectError(body, static_cast<unsigned>(5 + kMaxMediaSections), "more than");
}

TEST(SdpParser, LimitsFormatsPerMediaLine) {
  std::string formats;
  for (std::size_t i = 0; i < kMaxFormatsPerMedia; ++i) formats += " " + std::to_string(i % 128);
  std::string head = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 1 RTP/AVP";
  ASSERT_TRUE(parse(head + formats + "\n").ok());
  expectError(head + formats + " 0\n", 5, "more than 128 formats");
}

}  // namespace
}  // namespace sbc::sdp
