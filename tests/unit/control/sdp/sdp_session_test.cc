#include "control/sdp/sdp_session.h"

#include <gtest/gtest.h>

#include "control/sdp/sdp_render.h"
#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

TEST(SdpSection, SetConnectionReplacesInPlace) {
  SessionDescription sdp = parseOrFail(testing::kRfc8866Example);
  sdp.setConnection(Connection::fromIp(*IpAddress::parse("198.18.0.1")));
  EXPECT_EQ(sdp.findLines('c').size(), 1u);
  EXPECT_EQ(sdp.lines[4].type, 'c');
  EXPECT_EQ(sdp.lines[4].value, "IN IP4 198.18.0.1");
}

TEST(SdpSection, SetConnectionInsertsBeforeTiming) {
  SessionDescription sdp = parseOrFail(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\ni=x\nb=AS:64\nt=0 0\n"));
  sdp.setConnection(Connection::fromIp(*IpAddress::parse("2001:db8::1")));
  EXPECT_EQ(render(sdp), crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\ni=x\nc=IN IP6 2001:db8::1\nb=AS:64\nt=0 0\n"));
}

TEST(SdpSection, MediaConnectionGoesAfterInformation) {
  SessionDescription sdp = parseOrFail(crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\ni=voice\nb=AS:64\n"));
  sdp.media[0].setConnection(Connection::fromIp(*IpAddress::parse("192.0.2.9")));
  ASSERT_EQ(sdp.media[0].lines.size(), 3u);
  EXPECT_EQ(sdp.media[0].lines[1].value, "IN IP4 192.0.2.9");
  sdp.media[0].removeConnection();
  EXPECT_FALSE(sdp.media[0].connection());
}

TEST(SdpSection, AttributeLookupIgnoresCase) {
  Section s;
  s.addAttribute("RTCP-MUX");
  s.addAttribute("ptime", "20");
  EXPECT_TRUE(s.hasAttribute("rtcp-mux"));
  EXPECT_EQ(s.attributeValue("PTIME"), "20");
  EXPECT_FALSE(s.attributeValue("rtcp-mux"));  // a property has no value
  EXPECT_FALSE(s.hasAttribute("rtcp"));
}

TEST(SdpSection, SetAttributeReplacesFirstAndDropsTheRest) {
  Section s;
  s.addAttribute("ptime", "20");
  s.addAttribute("sendrecv");
  s.addAttribute("ptime", "30");
  s.setAttribute("ptime", "40");
  ASSERT_EQ(s.attributes.size(), 2u);
  EXPECT_EQ(s.attributes[0].toString(), "ptime:40");
  EXPECT_EQ(s.attributes[1].toString(), "sendrecv");
  s.setAttribute("maxptime", "60");
  EXPECT_EQ(s.attributes.back().toString(), "maxptime:60");
  EXPECT_EQ(s.removeAttributes("PTIME"), 1u);
}

TEST(SdpMediaDescription, ProfilesAndPayloadTypes) {
  MediaDescription m;
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.formats = {"111", "0", "126"};
  EXPECT_TRUE(m.isRtp());
  EXPECT_TRUE(m.isSecureRtp());
  EXPECT_EQ(m.payloadTypes(), (std::vector<std::uint8_t>{111, 0, 126}));
  m.proto = "RTP/AVP";
  EXPECT_FALSE(m.isSecureRtp());
  m.proto = "udptl";
  m.formats = {"t38"};
  EXPECT_FALSE(m.isRtp());
  EXPECT_TRUE(m.payloadTypes().empty());
}

TEST(SdpMediaDescription, RemoveFormatTakesItsAttributes) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=video 1 RTP/AVPF 100 101\n"
      "a=rtpmap:100 VP8/90000\na=rtpmap:101 rtx/90000\na=fmtp:101 apt=100\na=rtcp-fb:100 nack\n"
      "a=rtcp-fb:101 nack\na=rtcp-fb:* ccm fir\na=mid:v\n"));
  sdp.media[0].removeFormat("101");
  EXPECT_EQ(render(sdp), crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=video 1 RTP/AVPF 100\n"
                              "a=rtpmap:100 VP8/90000\na=rtcp-fb:100 nack\na=rtcp-fb:* ccm fir\na=mid:v\n"));
}

TEST(SdpMediaDescription, ParsedEqualsItself) {
  EXPECT_EQ(parseOrFail(testing::kCarrierOffer), parseOrFail(testing::kCarrierOffer));
  EXPECT_NE(parseOrFail(testing::kRfc3264Answer), parseOrFail(testing::kRfc3264Reoffer));
}

}  // namespace
}  // namespace sbc::sdp
