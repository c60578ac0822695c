#include "control/cli/command_pattern.h"

#include <gtest/gtest.h>

namespace sbc::control {
namespace {

// Every path of a pattern, written as its tokens' texts joined by blanks.
std::vector<std::string> pathsOf(std::string_view pattern) {
  std::string error;
  auto compiled = compilePattern(pattern, error);
  EXPECT_TRUE(compiled) << error;
  std::vector<std::string> paths;
  if (!compiled) return paths;
  for (const auto& path : compiled->paths) {
    std::string text;
    for (const CommandToken* token : path) text += (text.empty() ? "" : " ") + token->text;
    paths.push_back(text);
  }
  return paths;
}

std::string errorOf(std::string_view pattern) {
  std::string error;
  EXPECT_FALSE(compilePattern(pattern, error)) << pattern;
  return error;
}

using Paths = std::vector<std::string>;

TEST(CommandPatternTest, ExpandsOptionalPartsAndAlternatives) {
  EXPECT_EQ(pathsOf("show sessions [(1-10)] [json]"),
            (Paths{"show sessions (1-10) json", "show sessions (1-10)", "show sessions json",
                   "show sessions"}));
  EXPECT_EQ(pathsOf("gateway <A.B.C.D|X:X::X:X>"), (Paths{"gateway A.B.C.D", "gateway X:X::X:X"}));
  EXPECT_EQ(pathsOf("a [b|c d]"), (Paths{"a b", "a c d", "a"}));
}

TEST(CommandPatternTest, AnyOrderGroupTakesEachAlternativeAtMostOnce) {
  EXPECT_EQ(pathsOf("x {p|q}"), (Paths{"x p", "x p q", "x q", "x q p"}));
  EXPECT_EQ(pathsOf("x [{p|q}]"), (Paths{"x p", "x p q", "x q", "x q p", "x"}));
}

// The tree merges paths by their beginnings: each node one token where the paths through it
// agree on every token before; every path ends at a node that names it.
TEST(CommandPatternTest, PathsShareTheNodesOfTheirCommonBeginning) {
  std::string error;
  auto compiled = compilePattern("a [b|c d] [e]", error);
  ASSERT_TRUE(compiled) << error;
  // Paths: a b e, a b, a c d e, a c d, a e, a. Nodes: root, a, b, e (after b), c, d, e (after
  // d), e (after a).
  EXPECT_EQ(compiled->paths.size(), 6u);
  EXPECT_EQ(compiled->nodes.size(), 8u);
  const auto& nodes = compiled->nodes;
  auto text = [&](uint32_t n) { return nodes[n].token->text; };
  ASSERT_EQ(nodes[0].children.size(), 1u);
  const uint32_t a = nodes[0].children[0];
  EXPECT_EQ(text(a), "a");
  std::vector<std::string> afterA;
  for (uint32_t child : nodes[a].children) afterA.push_back(text(child));
  EXPECT_EQ(afterA, (std::vector<std::string>{"b", "c", "e"}));
  // Walking each path down the tree ends at the node that names it.
  for (uint32_t p = 0; p < compiled->paths.size(); ++p) {
    uint32_t at = 0;
    for (const CommandToken* token : compiled->paths[p]) {
      uint32_t next = PatternNode::kNoPath;
      for (uint32_t child : nodes[at].children)
        if (nodes[child].token == token) next = child;
      ASSERT_NE(next, PatternNode::kNoPath);
      at = next;
    }
    EXPECT_EQ(nodes[at].path, p);
  }
  EXPECT_EQ(nodes[a].path, 5u);  // "a" alone
  EXPECT_EQ(nodes[0].path, PatternNode::kNoPath);
}

TEST(CommandPatternTest, ClassifiesTokensBySpellingAndBindsNames) {
  std::string error;
  auto compiled = compilePattern(
      "show (0-65535)$port A.B.C.D X:X::X:X A.B.C.D/M X:X::X:X/M ADDR:PORT XX:XX:XX:XX:XX:XX "
      "IFACE LINE...",
      error);
  ASSERT_TRUE(compiled) << error;
  const auto& t = compiled->tokens;
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t[0]->kind, TokenKind::kKeyword);
  EXPECT_EQ(t[1]->kind, TokenKind::kRange);
  EXPECT_EQ(t[1]->text, "(0-65535)");
  EXPECT_EQ(t[1]->name, "port");
  EXPECT_EQ(t[1]->max, 65535u);
  EXPECT_EQ(t[2]->kind, TokenKind::kIpv4);
  EXPECT_EQ(t[3]->kind, TokenKind::kIpv6);
  EXPECT_EQ(t[4]->kind, TokenKind::kIpv4Prefix);
  EXPECT_EQ(t[5]->kind, TokenKind::kIpv6Prefix);
  EXPECT_EQ(t[6]->kind, TokenKind::kSocketAddress);
  EXPECT_EQ(t[7]->kind, TokenKind::kMac);
  EXPECT_EQ(t[8]->kind, TokenKind::kWord);
  EXPECT_EQ(t[8]->name, "IFACE");
  EXPECT_EQ(t[9]->kind, TokenKind::kLine);
}

TEST(CommandPatternTest, TypedTokensAcceptOnlyTheirValues) {
  std::string error;
  auto compiled = compilePattern(
      "k (5-10) A.B.C.D X:X::X:X A.B.C.D/M ADDR:PORT XX:XX:XX:XX:XX:XX", error);
  ASSERT_TRUE(compiled) << error;
  const auto& t = compiled->tokens;
  EXPECT_EQ(t[0]->match("k"), MatchRank::kExactKeyword);
  EXPECT_EQ(t[1]->match("5"), MatchRank::kTyped);
  EXPECT_EQ(t[1]->match("10"), MatchRank::kTyped);
  EXPECT_EQ(t[1]->match("4"), MatchRank::kNoMatch);
  EXPECT_EQ(t[1]->match("11"), MatchRank::kNoMatch);
  EXPECT_EQ(t[1]->match("+7"), MatchRank::kNoMatch);
  EXPECT_EQ(t[1]->match("99999999999999999999999"), MatchRank::kNoMatch);
  EXPECT_EQ(t[2]->match("198.18.0.1"), MatchRank::kTyped);
  EXPECT_EQ(t[2]->match("2001:db8::1"), MatchRank::kNoMatch);
  EXPECT_EQ(t[3]->match("2001:db8::1"), MatchRank::kTyped);
  EXPECT_EQ(t[3]->match("198.18.0.1"), MatchRank::kNoMatch);
  EXPECT_EQ(t[4]->match("198.18.0.1/24"), MatchRank::kTyped);
  EXPECT_EQ(t[4]->match("198.18.0.1/33"), MatchRank::kNoMatch);
  EXPECT_EQ(t[5]->match("198.18.0.1:4000"), MatchRank::kTyped);
  EXPECT_EQ(t[5]->match("[2001:db8::1]:4000"), MatchRank::kTyped);
  EXPECT_EQ(t[5]->match("198.18.0.1"), MatchRank::kNoMatch);
  EXPECT_EQ(t[6]->match("02:5b:c0:00:01:01"), MatchRank::kTyped);
  EXPECT_EQ(t[6]->match("02:5b:c0:00:01"), MatchRank::kNoMatch);
}

TEST(CommandPatternTest, RefusesMalformedPatterns) {
  EXPECT_EQ(errorOf("show [json"), "missing ']'");
  EXPECT_EQ(errorOf("show json]"), "unexpected ']'");
  EXPECT_EQ(errorOf("show <a|>"), "empty alternative before '>'");
  EXPECT_EQ(errorOf("show [a>"), "'>' where ']' or '|' was expected");
  EXPECT_EQ(errorOf("show Mixed_case"),
            "token 'Mixed_case' is neither a keyword nor a known placeholder");
  EXPECT_EQ(errorOf("show (9-1)"), "token '(9-1)' is neither a keyword nor a known placeholder");
  EXPECT_EQ(errorOf("say LINE... now"), "'LINE...' must be the last token");
  EXPECT_EQ(errorOf("leg WORD WORD"), "name 'WORD' used twice on one path; add $names");
  EXPECT_EQ(errorOf("[json]"), "pattern accepts an empty line");
  EXPECT_EQ(errorOf("x (1-2)$"), "token '(1-2)$' has an empty $name");
  EXPECT_EQ(errorOf("x {a|b|c|d|e|f|g|h}"), "pattern expands to more than 4096 paths");
}

}  // namespace
}  // namespace sbc::control
