#include "control/cli/tokenizer.h"

#include <gtest/gtest.h>

namespace sbc::control {
namespace {

using Words = std::vector<std::string>;

TEST(TokenizerTest, SplitsOnBlanksOfAnyKind) {
  EXPECT_EQ(tokenizeLine("  show \t sessions\r\n").words, (Words{"show", "sessions"}));
  EXPECT_TRUE(tokenizeLine("").words.empty());
  EXPECT_TRUE(tokenizeLine("   ").words.empty());
}

TEST(TokenizerTest, QuotesKeepBlanksAndJoinWithNeighbours) {
  EXPECT_EQ(tokenizeLine(R"(device "a b" 'c "d"' x"y z"w)").words,
            (Words{"device", "a b", "c \"d\"", "xy zw"}));
  EXPECT_EQ(tokenizeLine(R"("say \"hi\" \\ now")").words, (Words{R"(say "hi" \ now)"}));
  EXPECT_EQ(tokenizeLine(R"('no \escape')").words, (Words{R"(no \escape)"}));
  EXPECT_EQ(tokenizeLine(R"(a "" b)").words, (Words{"a", "", "b"}));
}

TEST(TokenizerTest, CommentsStartAtAWordBeginningWithBangOrHash) {
  EXPECT_EQ(tokenizeLine("! whole line").words, Words{});
  EXPECT_EQ(tokenizeLine("vlan 100 ! tagged").words, (Words{"vlan", "100"}));
  EXPECT_EQ(tokenizeLine("vlan 100 #tagged").words, (Words{"vlan", "100"}));
  EXPECT_EQ(tokenizeLine("device a!b#c").words, (Words{"device", "a!b#c"}));
  EXPECT_EQ(tokenizeLine(R"(realm "!x")").words, (Words{"realm", "!x"}));
}

TEST(TokenizerTest, ReportsAnUnterminatedQuoteWithItsColumn) {
  const TokenizedLine line = tokenizeLine(R"(realm "access)");
  EXPECT_FALSE(line.ok());
  EXPECT_EQ(line.error, "unterminated quote");
  EXPECT_EQ(line.errorColumn, 7u);
  EXPECT_TRUE(line.words.empty());
}

TEST(TokenizerTest, QuoteWordRoundTripsEveryAwkwardWord) {
  EXPECT_EQ(quoteWord("plain"), "plain");
  EXPECT_EQ(quoteWord("net_af_packet0,iface=sbc-acc"), "net_af_packet0,iface=sbc-acc");
  EXPECT_EQ(quoteWord("a b"), "\"a b\"");
  EXPECT_EQ(quoteWord(""), "\"\"");
  EXPECT_EQ(quoteWord("!x"), "\"!x\"");
  for (std::string word : {"a b", "", "!x", "#y", "q\"uote", "it's", "back\\slash", "\t"}) {
    const TokenizedLine line = tokenizeLine("cmd " + quoteWord(word));
    ASSERT_TRUE(line.ok()) << word;
    EXPECT_EQ(line.words, (Words{"cmd", word}));
  }
}

TEST(TokenizerTest, DisplayWordEscapesAndShortens) {
  EXPECT_EQ(displayWord("ok-word"), "ok-word");
  EXPECT_EQ(displayWord(std::string_view("\x00\xff\x1b", 3)), "\\x00\\xff\\x1b");
  EXPECT_EQ(displayWord(std::string(100, 'a')), std::string(64, 'a') + "...");
}

}  // namespace
}  // namespace sbc::control
