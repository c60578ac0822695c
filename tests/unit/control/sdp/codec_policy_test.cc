#include "control/sdp/codec_policy.h"

#include <gtest/gtest.h>

#include "control/sdp/sdp_render.h"
#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

std::vector<CodecSpec> specs(std::initializer_list<const char*> names) {
  std::vector<CodecSpec> out;
  for (const char* n : names) out.push_back(*CodecSpec::parse(n));
  return out;
}

const std::string kOpusOffer = crlf(R"(v=0
o=- 1 1 IN IP4 192.0.2.1
s=-
c=IN IP4 192.0.2.1
t=0 0
m=audio 4000 RTP/AVP 96 9 0 8 97 98 13
a=rtpmap:96 opus/48000/2
a=fmtp:96 minptime=10;useinbandfec=1
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:97 telephone-event/48000
a=rtpmap:98 telephone-event/8000
a=fmtp:98 0-16
a=ptime:20
m=video 4002 RTP/AVP 100
a=rtpmap:100 VP8/90000
)");

TEST(CodecSpec, ParsesNamesWithOptionalRate) {
  auto pcma = CodecSpec::parse("pcma");
  ASSERT_TRUE(pcma);
  EXPECT_FALSE(pcma->clockRate);
  auto opus = CodecSpec::parse("opus/48000/2");
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->clockRate, 48000u);
  EXPECT_EQ(opus->toString(), "opus/48000");
  EXPECT_FALSE(CodecSpec::parse(""));
  EXPECT_FALSE(CodecSpec::parse("G722/"));
  EXPECT_FALSE(CodecSpec::parse("a b"));
  Codec g722{9, "G722", 8000, "", ""};
  EXPECT_TRUE(CodecSpec::parse("g722")->matches(g722));
  EXPECT_TRUE(CodecSpec::parse("G722/8000")->matches(g722));
  EXPECT_FALSE(CodecSpec::parse("G722/16000")->matches(g722));
}

TEST(CodecPolicy, AllowListKeepsMatchingTelephoneEvent) {
  SessionDescription sdp = parseOrFail(kOpusOffer);
  CodecPolicy policy;
  policy.allow = specs({"PCMA", "pcmu"});
  CodecPolicyOutcome outcome = applyCodecPolicy(sdp, policy);
  EXPECT_FALSE(outcome.noCommonCodec);
  // telephone-event/48000 goes with opus; telephone-event/8000 stays with G.711.
  EXPECT_EQ(sdp.media[0].mediaLine(), "audio 4000 RTP/AVP 0 8 98");
  EXPECT_EQ(outcome.removed, (std::vector<std::uint8_t>{96, 9, 97, 13}));
  std::string out = render(sdp);
  EXPECT_EQ(out.find("opus"), std::string::npos);
  EXPECT_EQ(out.find("fmtp:96"), std::string::npos);
  EXPECT_EQ(out.find("telephone-event/48000"), std::string::npos);
  EXPECT_NE(out.find("a=fmtp:98 0-16"), std::string::npos);
  EXPECT_EQ(sdp.media[1].mediaLine(), "video 4002 RTP/AVP 100");  // video untouched
}

TEST(CodecPolicy, OrderPutsPreferredFirstAndKeepsTheRestInOfferedOrder) {
  SessionDescription sdp = parseOrFail(kOpusOffer);
  CodecPolicy policy;
  policy.order = specs({"PCMA", "G722"});
  applyCodecPolicy(sdp, policy);
  EXPECT_EQ(sdp.media[0].mediaLine(), "audio 4000 RTP/AVP 8 9 96 0 97 98 13");
}

TEST(CodecPolicy, StripWinsOverAllow) {
  SessionDescription sdp = parseOrFail(kOpusOffer);
  CodecPolicy policy;
  policy.allow = specs({"opus", "G722", "PCMU", "CN"});
  policy.strip = specs({"opus/48000"});
  applyCodecPolicy(sdp, policy);
  EXPECT_EQ(sdp.media[0].mediaLine(), "audio 4000 RTP/AVP 9 0 98 13");
}

TEST(CodecPolicy, PtimeSetOrKept) {
  SessionDescription kept = parseOrFail(kOpusOffer);
  applyCodecPolicy(kept, CodecPolicy{});
  EXPECT_EQ(kept.media[0].attributeValue("ptime"), "20");
  EXPECT_EQ(render(kept), kOpusOffer);  // an empty policy changes nothing

  SessionDescription set = parseOrFail(kOpusOffer);
  CodecPolicy policy;
  policy.ptime = 30;
  applyCodecPolicy(set, policy);
  EXPECT_EQ(set.media[0].attributesNamed("ptime").size(), 1u);
  EXPECT_EQ(set.media[0].attributeValue("ptime"), "30");
  EXPECT_FALSE(set.media[1].hasAttribute("ptime"));
}

TEST(CodecPolicy, StaticPayloadTypesWithoutRtpmapMatchByName) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 18 0 8\n"));
  CodecPolicy policy;
  policy.allow = specs({"G729", "PCMA"});
  policy.order = specs({"PCMA"});
  applyCodecPolicy(sdp, policy);
  EXPECT_EQ(sdp.media[0].mediaLine(), "audio 4000 RTP/AVP 8 18");
}

TEST(CodecPolicy, NoCommonCodecGivesTheWarning) {
  SessionDescription sdp = parseOrFail(testing::kCarrierOffer);
  const SessionDescription before = sdp;
  CodecPolicy policy;
  policy.allow = specs({"opus"});
  policy.strip = specs({"G729"});
  CodecPolicyOutcome outcome = applyCodecPolicy(sdp, policy);
  EXPECT_TRUE(outcome.noCommonCodec);
  EXPECT_EQ(outcome.offered, (std::vector<std::string>{"G729", "PCMU", "PCMA"}));
  EXPECT_EQ(outcome.warning(),
            "399 sbc \"no common codec: offered G729,PCMU,PCMA; allowed opus; stripped G729\"");
  EXPECT_EQ(sdp, before);
}

TEST(CodecPolicy, WarningTextOfTheBrief) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0 18 101\n"
      "a=rtpmap:101 telephone-event/8000\n"));
  CodecPolicy policy;
  policy.allow = specs({"PCMA"});
  CodecPolicyOutcome outcome = applyCodecPolicy(sdp, policy);
  ASSERT_TRUE(outcome.noCommonCodec);
  EXPECT_EQ(outcome.warning("sbc.example.net"),
            "399 sbc.example.net \"no common codec: offered PCMU,G729; allowed PCMA\"");
}

TEST(CodecPolicy, TelephoneEventAloneIsNoCodec) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 101 13\n"
      "a=rtpmap:101 telephone-event/8000\n"));
  EXPECT_TRUE(applyCodecPolicy(sdp, CodecPolicy{}).noCommonCodec);
}

TEST(CodecPolicy, EmptySecondAudioStreamIsDisabledNotFatal) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 8\n"
      "m=audio 4002 RTP/AVP 18\n"));
  CodecPolicy policy;
  policy.allow = specs({"PCMA"});
  CodecPolicyOutcome outcome = applyCodecPolicy(sdp, policy);
  EXPECT_FALSE(outcome.noCommonCodec);
  EXPECT_EQ(outcome.disabledStreams, std::vector<std::size_t>{1});
  EXPECT_EQ(sdp.media[1].mediaLine(), "audio 0 RTP/AVP 18");
}

TEST(CodecPolicy, VideoOnlyOfferIsNotFiltered) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=video 4000 RTP/AVP 31\n"));
  CodecPolicy policy;
  policy.allow = specs({"PCMA"});
  EXPECT_FALSE(applyCodecPolicy(sdp, policy).noCommonCodec);
  EXPECT_EQ(sdp.media[0].formats, std::vector<std::string>{"31"});
}

TEST(CodecPolicy, RtcpFeedbackOfRemovedPayloadGoes) {
  SessionDescription sdp = parseOrFail(crlf(
      "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVPF 111 0\n"
      "a=rtpmap:111 opus/48000/2\na=rtcp-fb:111 transport-cc\na=rtcp-fb:* nack\n"));
  CodecPolicy policy;
  policy.strip = specs({"opus"});
  applyCodecPolicy(sdp, policy);
  ASSERT_EQ(sdp.media[0].attributes.size(), 1u);
  EXPECT_EQ(sdp.media[0].attributes[0].toString(), "rtcp-fb:* nack");
}

}  // namespace
}  // namespace sbc::sdp
