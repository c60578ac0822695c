#include "control/sdp/sdp_codecs.h"

#include <gtest/gtest.h>

#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

MediaDescription audio(std::string_view mLineAndAttributes) {
  SessionDescription sdp = parseOrFail(
      crlf("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\n" + std::string(mLineAndAttributes)));
  return sdp.media.empty() ? MediaDescription{} : sdp.media[0];
}

TEST(SdpCodecs, StaticPayloadTypesWithoutRtpmap) {
  auto codecs = codecsOf(audio("m=audio 1 RTP/AVP 0 8 9 18 3 4 13\n"));
  std::vector<std::string> names;
  for (const Codec& c : codecs) names.push_back(c.name());
  EXPECT_EQ(names, (std::vector<std::string>{"PCMU/8000", "PCMA/8000", "G722/8000", "G729/8000",
                                             "GSM/8000", "G723/8000", "CN/8000"}));
  EXPECT_EQ(staticPayloadType(10)->parameters, "2");
  EXPECT_FALSE(staticPayloadType(96));
  EXPECT_FALSE(staticPayloadType(2));  // G721, withdrawn by RFC 3551
}

TEST(SdpCodecs, RtpmapAndFmtpByPayloadType) {
  auto codecs = codecsOf(audio(
      "m=audio 1 RTP/AVP 96 0 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\n"
      "a=rtpmap:96 opus/48000/2\na=fmtp:96 minptime=10;useinbandfec=1\n"));
  ASSERT_EQ(codecs.size(), 3u);
  EXPECT_EQ(codecs[0].encoding, "opus");
  EXPECT_EQ(codecs[0].parameters, "2");
  EXPECT_EQ(codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(codecs[1].name(), "PCMU/8000");
  EXPECT_TRUE(codecs[2].isTelephoneEvent());
  EXPECT_FALSE(codecs[2].isMediaCodec());
  EXPECT_EQ(codecs[2].fmtp, "0-16");
}

TEST(SdpCodecs, DynamicWithoutRtpmapIsUnknown) {
  auto codecs = codecsOf(audio("m=audio 1 RTP/AVP 97\n"));
  ASSERT_EQ(codecs.size(), 1u);
  EXPECT_FALSE(codecs[0].known());
  EXPECT_EQ(codecs[0].name(), "PT 97");
}

TEST(SdpCodecs, RtpmapOverridesStaticTable) {
  auto codec = codecOf(audio("m=audio 1 RTP/AVP 18\na=rtpmap:18 G729a/8000\n"), 18);
  ASSERT_TRUE(codec);
  EXPECT_EQ(codec->encoding, "G729a");
  EXPECT_FALSE(codecOf(audio("m=audio 1 RTP/AVP 18\n"), 0));
}

TEST(SdpCodecs, CompanionsAreNotMediaCodecs) {
  for (const char* name : {"telephone-event", "CN", "red", "ulpfec", "rtx"}) {
    Codec c;
    c.encoding = name;
    EXPECT_FALSE(c.isMediaCodec()) << name;
  }
  Codec pcma{8, "PCMA", 8000, "", ""};
  EXPECT_TRUE(pcma.isMediaCodec());
}

TEST(SdpCodecs, SameCodecIgnoresNumberCaseAndMonoChannels) {
  Codec a{97, "iLBC", 8000, "", ""};
  Codec b{98, "ilbc", 8000, "1", "mode=30"};
  Codec c{99, "iLBC", 16000, "", ""};
  EXPECT_TRUE(a.sameCodecAs(b));
  EXPECT_FALSE(a.sameCodecAs(c));
}

TEST(SdpCodecs, NonRtpSectionHasNoCodecs) {
  EXPECT_TRUE(codecsOf(audio("m=image 1 udptl t38\n")).empty());
}

}  // namespace
}  // namespace sbc::sdp
