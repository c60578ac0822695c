#include "control/sdp/sdp_render.h"

#include <gtest/gtest.h>

#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

TEST(SdpRender, RfcExamplesRenderByteForByte) {
  for (const std::string* body : {&testing::kRfc8866Example, &testing::kRfc4566Example,
                                  &testing::kRfc3264Offer, &testing::kRfc3264Answer,
                                  &testing::kRfc3264Reoffer, &testing::kCarrierOffer}) {
    EXPECT_EQ(render(parseOrFail(*body)), *body);
  }
}

TEST(SdpRender, LfInputComesOutWithCrlf) {
  std::string lf = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\na=sendrecv";
  EXPECT_EQ(render(parseOrFail(lf)), crlf(lf + "\n"));
}

TEST(SdpRender, KeepsReceivedLineOrderAndPutsAttributesLast) {
  // t= before c= is kept; an i= after a= moves before the attributes.
  std::string in = crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=\nt=0 0\nc=IN IP4 192.0.2.1\n"
                        "m=audio 4000 RTP/AVP 0\na=sendrecv\ni=late\n");
  std::string out = crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=\nt=0 0\nc=IN IP4 192.0.2.1\n"
                         "m=audio 4000 RTP/AVP 0\ni=late\na=sendrecv\n");
  EXPECT_EQ(render(parseOrFail(in)), out);
}

TEST(SdpRender, NormalisesRunsOfBlanksInTypedLines) {
  std::string in = crlf("v=0\no=-  1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio  4000 RTP/AVP 0  8 \n");
  std::string out = crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0 8\n");
  EXPECT_EQ(render(parseOrFail(in)), out);
}

TEST(SdpRender, EditedModelRendersTheEdit) {
  SessionDescription sdp = parseOrFail(testing::kRfc3264Answer);
  sdp.media[1].port = 0;
  sdp.media[0].addAttribute("ptime", "20");
  std::string out = render(sdp);
  EXPECT_NE(out.find("m=video 0 RTP/AVP 32\r\n"), std::string::npos);
  EXPECT_NE(out.find("a=rtpmap:0 PCMU/8000\r\na=ptime:20\r\nm=video"), std::string::npos);
}

TEST(SdpRender, BuiltFromScratch) {
  SessionDescription sdp;
  sdp.origin = Origin{"sbc", "42", "1", "IN", "IP4", "198.18.0.1"};
  sdp.setConnection(Connection::fromIp(*IpAddress::parse("198.18.0.1")));
  sdp.lines.push_back(Line{'t', "0 0"});
  MediaDescription m;
  m.media = "audio";
  m.port = 20000;
  m.proto = "RTP/AVP";
  m.formats = {"8", "101"};
  m.addAttribute("rtpmap", "101 telephone-event/8000");
  sdp.media.push_back(m);
  EXPECT_EQ(render(sdp), crlf("v=0\no=sbc 42 1 IN IP4 198.18.0.1\ns=-\nc=IN IP4 198.18.0.1\nt=0 0\n"
                              "m=audio 20000 RTP/AVP 8 101\na=rtpmap:101 telephone-event/8000\n"));
}

}  // namespace
}  // namespace sbc::sdp
