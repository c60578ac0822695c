#include "control/cli/command_table.h"

#include <gtest/gtest.h>

#include "control/cli/help_cli.h"

namespace sbc::control {
namespace {

// A table shaped like the show commands, whose handlers print what they were given.
class CommandTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    add("show sessions [(1-4294967295)$id] [json]", {"Show", "Sessions", "Id", "JSON"});
    add("show session (1-4294967295)$id [json]", {"Show", "Session", "Id", "JSON"});
    add("show drops [all] [json]", {"Show", "Drops", "All", "JSON"});
    add("show interfaces [json]", {"Show", "Interfaces", "JSON"});
    add("show neighbors [json]", {"Show", "Neighbors", "JSON"});
  }

  void add(const std::string& pattern, std::vector<std::string> help) {
    const std::string error = table_.add(
        {pattern, std::move(help), [pattern](const CommandArgs& args, CommandOutput& out) {
           out.text = displayPattern(pattern) + ":";
           for (const auto& [name, value] : args.all()) out.text += " " + name + "=" + value;
         }});
    ASSERT_EQ(error, "");
  }

  // What the line ran as, or "% error".
  std::string run(std::string_view line) {
    CommandOutput out = table_.execute(line);
    return out.ok() ? out.text : "% " + out.error;
  }

  CommandTable table_;
};

TEST_F(CommandTableTest, MatchesFullWordsAndBindsValues) {
  EXPECT_EQ(run("show sessions"), "show sessions [(1-4294967295)] [json]: show=show sessions=sessions");
  EXPECT_EQ(run("show sessions 42 json"),
            "show sessions [(1-4294967295)] [json]: show=show sessions=sessions id=42 json=json");
  EXPECT_EQ(run("show session 7"), "show session (1-4294967295) [json]: show=show session=session id=7");
  EXPECT_EQ(run("show drops all"), "show drops [all] [json]: show=show drops=drops all=all");
}

TEST_F(CommandTableTest, AcceptsUniqueAbbreviationsAndBindsTheFullKeyword) {
  EXPECT_EQ(run("sh int j"), "show interfaces [json]: show=show interfaces=interfaces json=json");
  EXPECT_EQ(run("s n"), "show neighbors [json]: show=show neighbors=neighbors");
  EXPECT_EQ(run("show d a"), "show drops [all] [json]: show=show drops=drops all=all");
}

TEST_F(CommandTableTest, AnExactKeywordWinsOverALongerOneItAbbreviates) {
  // "session" is a prefix of "sessions", but typed in full it means `show session`.
  EXPECT_EQ(run("show session 3 json"),
            "show session (1-4294967295) [json]: show=show session=session id=3 json=json");
}

TEST_F(CommandTableTest, NamesTheUnknownWordAndWhatWouldFit) {
  EXPECT_EQ(run("show sesions"),
            "% unknown word 'sesions' at position 2; expected: sessions, session, drops, "
            "interfaces, neighbors");
  EXPECT_EQ(run("shw"), "% unknown word 'shw' at position 1; expected: show");
  EXPECT_EQ(run("show sessions x"),
            "% unknown word 'x' at position 3; expected: (1-4294967295), json, <cr>");
  EXPECT_EQ(run("show session 0"),
            "% unknown word '0' at position 3; expected: (1-4294967295)");
  EXPECT_EQ(run("show interfaces json more"),
            "% unknown word 'more' at position 4; expected: <cr>");
}

TEST_F(CommandTableTest, RefusesAnAbbreviationOfSeveralKeywords) {
  EXPECT_EQ(run("show sess"), "% ambiguous word 'sess' at position 2; could be: sessions, session");
}

TEST_F(CommandTableTest, ReportsAnIncompleteLine) {
  EXPECT_EQ(run("show"),
            "% incomplete command after 'show'; expected: sessions, session, drops, interfaces, "
            "neighbors");
  EXPECT_EQ(run("show session"), "% incomplete command after 'session'; expected: (1-4294967295)");
}

TEST_F(CommandTableTest, EchoesGarbageSafely) {
  EXPECT_EQ(run(std::string_view("\x01\xfe garbage", 10)),
            "% unknown word '\\x01\\xfe' at position 1; expected: show");
  EXPECT_EQ(run("show \"unterminated"), "% unterminated quote at column 6");
}

TEST_F(CommandTableTest, AnEmptyLineOrCommentDoesNothing) {
  CommandOutput out = table_.execute("   ! just a comment");
  EXPECT_TRUE(out.ok());
  EXPECT_EQ(out.text, "");
}

TEST(CommandTableRanking, PrefersKeywordThenTypedValueThenWord) {
  CommandTable table;
  std::string chosen;
  auto record = [&chosen](std::string what) {
    return [&chosen, what](const CommandArgs&, CommandOutput&) { chosen = what; };
  };
  ASSERT_EQ(table.add({"ping HOST", {"Ping", "Name"}, record("word")}), "");
  ASSERT_EQ(table.add({"ping A.B.C.D", {"Ping", "IPv4"}, record("ipv4")}), "");
  ASSERT_EQ(table.add({"ping localhost", {"Ping", "Loopback"}, record("keyword")}), "");
  EXPECT_TRUE(table.execute("ping localhost").ok());
  EXPECT_EQ(chosen, "keyword");
  EXPECT_TRUE(table.execute("ping local").ok());
  EXPECT_EQ(chosen, "keyword");
  EXPECT_TRUE(table.execute("ping 198.18.0.1").ok());
  EXPECT_EQ(chosen, "ipv4");
  EXPECT_TRUE(table.execute("ping example.com").ok());
  EXPECT_EQ(chosen, "word");
}

TEST(CommandTableRanking, ReportsTwoCommandsThatFitEquallyWell) {
  CommandTable table;
  auto nothing = [](const CommandArgs&, CommandOutput&) {};
  ASSERT_EQ(table.add({"set NAME", {"Set", "Name"}, nothing}), "");
  ASSERT_EQ(table.add({"set VALUE$v", {"Set", "Value"}, nothing}), "");
  EXPECT_EQ(table.execute("set x").error, "ambiguous command; could be: set NAME, set VALUE");
}

TEST(CommandTableGroups, TakesOptionsInAnyOrderButEachOnce) {
  CommandTable table;
  std::string seen;
  ASSERT_EQ(table.add({"leg [{latch-any|rtcp-mux}] end",
                       {"Leg", "Latch", "Mux", "End"},
                       [&seen](const CommandArgs& args, CommandOutput&) {
                         seen = std::string(args.has("latch-any") ? "L" : "") +
                                (args.has("rtcp-mux") ? "M" : "");
                       }}),
            "");
  EXPECT_TRUE(table.execute("leg rtcp-mux latch-any end").ok());
  EXPECT_EQ(seen, "LM");
  EXPECT_TRUE(table.execute("leg end").ok());
  EXPECT_EQ(seen, "");
  EXPECT_EQ(table.execute("leg rtcp-mux rtcp-mux end").error,
            "unknown word 'rtcp-mux' at position 3; expected: end, latch-any");
}

TEST(CommandTableLine, LineTakesTheRestOfTheLine) {
  CommandTable table;
  std::string said;
  ASSERT_EQ(table.add({"say LINE...",
                       {"Say", "Text"},
                       [&said](const CommandArgs& args, CommandOutput&) {
                         said = std::string(args.get("LINE..."));
                       }}),
            "");
  EXPECT_TRUE(table.execute("say  hello   \"big world\" !").ok());
  EXPECT_EQ(said, "hello big world");
}

TEST(CommandTableDeclarations, RefusesBadDeclarations) {
  CommandTable table;
  auto nothing = [](const CommandArgs&, CommandOutput&) {};
  EXPECT_EQ(table.add({"show x", {"only one"}, nothing}), "'show x': 2 tokens but 1 help strings");
  EXPECT_EQ(table.add({"show x", {"a", "b"}, nullptr}), "'show x': no handler");
  EXPECT_EQ(table.add({"show [x", {"a", "b"}, nothing}), "'show [x': missing ']'");
  EXPECT_TRUE(table.commands().empty());
}

TEST(HelpCommand, ListsEveryPatternWithoutNames) {
  CommandTable table;
  addHelpCommand(table);
  ASSERT_EQ(table.add({"show session (1-10)$id [json]",
                       {"a", "b", "c", "d"},
                       [](const CommandArgs&, CommandOutput&) {}}),
            "");
  EXPECT_EQ(table.execute("help").text, "help\nshow session (1-10) [json]\n");
}

}  // namespace
}  // namespace sbc::control
