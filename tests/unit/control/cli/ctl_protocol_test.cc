#include "control/cli/ctl_protocol.h"

#include <gtest/gtest.h>

namespace sbc::control {
namespace {

TEST(CtlProtocolTest, EncodesTextThenTheStatusLine) {
  EXPECT_EQ(encodeReply("", 0), "%% rc=0\n");
  EXPECT_EQ(encodeReply("a\nb\n", 0), "a\nb\n%% rc=0\n");
  EXPECT_EQ(encodeReply("% no session 5", 1), "% no session 5\n%% rc=1\n");
  EXPECT_EQ(encodeReply("\n\nx", 0), "\n\nx\n%% rc=0\n");
}

TEST(CtlProtocolTest, EscapesOutputLinesThatLookLikeAStatusLine) {
  EXPECT_EQ(encodeReply("%% rc=0\n%%%x\n%y\n", 1), "%%% rc=0\n%%%%x\n%y\n%% rc=1\n");
}

TEST(CtlProtocolTest, DecodesAnswersSplitAnywhere) {
  const std::string wire = encodeReply("%% rc=0\nline two\n", 1) + encodeReply("next", 0);
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    ReplyDecoder decoder;
    decoder.feed(std::string_view(wire).substr(0, cut));
    decoder.feed(std::string_view(wire).substr(cut));
    ASSERT_TRUE(decoder.complete()) << cut;
    EXPECT_EQ(decoder.text(), "%% rc=0\nline two\n");
    EXPECT_EQ(decoder.rc(), 1);
    decoder.next();
    ASSERT_TRUE(decoder.complete()) << cut;
    EXPECT_EQ(decoder.text(), "next\n");
    EXPECT_EQ(decoder.rc(), 0);
  }
}

TEST(CtlProtocolTest, WaitsForTheStatusLine) {
  ReplyDecoder decoder;
  EXPECT_FALSE(decoder.feed("partial output\n%% rc="));
  EXPECT_FALSE(decoder.complete());
  EXPECT_TRUE(decoder.feed("0\n"));
  EXPECT_EQ(decoder.text(), "partial output\n");
}

}  // namespace
}  // namespace sbc::control
