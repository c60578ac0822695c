#include "control/dataplane_cli.h"

#include <gtest/gtest.h>

#include "control/cli/command_reply.h"
#include "control/cli/help_cli.h"
#include "control/dataplane_show.h"
#include "tests/unit/control/fake_dataplane.h"
#include "tests/unit/control/sample_views.h"

namespace sbc::control {
namespace {

using dataplane::MediaSessionSpec;
using testing::socketAddress;

class DataplaneCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dataplane_.sessionViews = testing::sampleSessions();
    dataplane_.interfaceViews = testing::sampleInterfaces();
    dataplane_.neighborViews = testing::sampleNeighbors();
    dataplane_.totalsView = testing::sampleTotals();
    addDataplaneCommands(table_, dataplane_);
  }

  // The answer as the control socket would send it, before framing.
  CtlReply run(std::string_view line) { return toCtlReply(table_.execute(line)); }

  testing::FakeDataplane dataplane_;
  CommandTable table_;
};

TEST_F(DataplaneCliTest, AddCreatesASessionWithBothLegsAndOptions) {
  const CtlReply reply = run(
      "media session add 7 leg-a access0 198.18.1.1:20000 0.0.0.0:0 latch-any "
      "leg-b core0 [2001:db8:2::1]:20002 [2001:db8:2::10]:5000 rtcp-mux relatch-after 200");
  EXPECT_EQ(reply.text, "");
  EXPECT_EQ(reply.rc, 0);
  ASSERT_EQ(dataplane_.created.size(), 1u);
  const MediaSessionSpec& spec = dataplane_.created[0];
  EXPECT_EQ(spec.id, 7u);
  EXPECT_EQ(spec.relatchSilenceMs, 200u);
  EXPECT_EQ(spec.legs[0].interfaceName, "access0");
  EXPECT_EQ(spec.legs[0].local, socketAddress("198.18.1.1:20000"));
  EXPECT_EQ(spec.legs[0].remote, socketAddress("0.0.0.0:0"));
  EXPECT_TRUE(spec.legs[0].latchAnySource);
  EXPECT_FALSE(spec.legs[0].rtcpMux);
  EXPECT_EQ(spec.legs[1].interfaceName, "core0");
  EXPECT_EQ(spec.legs[1].local, socketAddress("[2001:db8:2::1]:20002"));
  EXPECT_EQ(spec.legs[1].remote, socketAddress("[2001:db8:2::10]:5000"));
  EXPECT_FALSE(spec.legs[1].latchAnySource);
  EXPECT_TRUE(spec.legs[1].rtcpMux);
}

TEST_F(DataplaneCliTest, LegOptionsComeInAnyOrderAndKeywordsAbbreviate) {
  const CtlReply reply = run(
      "med sess up 8 leg-a access0 198.18.1.1:20000 198.18.1.10:4000 rtcp latch "
      "leg-b core0 198.18.2.1:20002 198.18.2.10:5000");
  EXPECT_EQ(reply.rc, 0) << reply.text;
  ASSERT_EQ(dataplane_.updated.size(), 1u);
  const MediaSessionSpec& spec = dataplane_.updated[0];
  EXPECT_EQ(spec.id, 8u);
  EXPECT_TRUE(spec.legs[0].latchAnySource);
  EXPECT_TRUE(spec.legs[0].rtcpMux);
  EXPECT_FALSE(spec.legs[1].latchAnySource);
  EXPECT_FALSE(spec.legs[1].rtcpMux);
  EXPECT_EQ(spec.relatchSilenceMs, 0u);
}

TEST_F(DataplaneCliTest, DelDeletesBySessionId) {
  EXPECT_EQ(run("media session del 5").rc, 0);
  EXPECT_EQ(dataplane_.deleted, std::vector<uint32_t>{5});
}

TEST_F(DataplaneCliTest, TheDataplanesRefusalBecomesAnError) {
  dataplane_.answer = dataplane::Status::failure("session 7 already exists");
  const CtlReply reply = run(
      "media session add 7 leg-a access0 198.18.1.1:20000 0.0.0.0:0 "
      "leg-b core0 198.18.2.1:20002 0.0.0.0:0");
  EXPECT_EQ(reply.text, "% session 7 already exists\n");
  EXPECT_EQ(reply.rc, 1);
}

TEST_F(DataplaneCliTest, AnAddressWithoutPortIsNamedAsTheWrongWord) {
  const CtlReply reply = run(
      "media session add 7 leg-a access0 198.18.1.1 0.0.0.0:0 "
      "leg-b core0 198.18.2.1:20002 0.0.0.0:0");
  EXPECT_EQ(reply.text, "% unknown word '198.18.1.1' at position 7; expected: ADDR:PORT\n");
  EXPECT_EQ(reply.rc, 1);
  EXPECT_TRUE(dataplane_.created.empty());
  EXPECT_EQ(run("media session add 7 leg-a access0 198.18.1.1:20000 0.0.0.0:0 l").text,
            "% ambiguous word 'l' at position 9; could be: latch-any, leg-b\n");
}

TEST_F(DataplaneCliTest, ShowCommandsPrintTextOrJson) {
  EXPECT_EQ(run("show sessions").text, sessionsText(dataplane_.sessionViews));
  EXPECT_EQ(run("show sessions json").text, sessionsJson(dataplane_.sessionViews));
  EXPECT_EQ(run("show session 7").text, sessionText(dataplane_.sessionViews[0]));
  EXPECT_EQ(run("show sessions 7 json").text, sessionJson(dataplane_.sessionViews[0]));
  EXPECT_EQ(run("show drops").text, dropsText(dataplane_.totalsView, false));
  EXPECT_EQ(run("show drops all json").text, dropsJson(dataplane_.totalsView, true));
  EXPECT_EQ(run("show interfaces").text, interfacesText(dataplane_.interfaceViews));
  EXPECT_EQ(run("sh int json").text, interfacesJson(dataplane_.interfaceViews));
  EXPECT_EQ(run("show neighbors").text, neighborsText(dataplane_.neighborViews));
  EXPECT_EQ(run("show neighbors json").text, neighborsJson(dataplane_.neighborViews));
  EXPECT_EQ(run("show neighbors json").rc, 0);
}

TEST_F(DataplaneCliTest, AMissingSessionIsAnError) {
  const CtlReply reply = run("show session 99 json");
  EXPECT_EQ(reply.text, "% no session 99\n");
  EXPECT_EQ(reply.rc, 1);
}

TEST_F(DataplaneCliTest, AMistypedWordListsWhatWouldFit) {
  const CtlReply reply = run("show sesions");
  EXPECT_EQ(reply.text,
            "% unknown word 'sesions' at position 2; expected: sessions, session, drops, "
            "interfaces, neighbors, workers\n");
  EXPECT_EQ(reply.rc, 1);
}

TEST_F(DataplaneCliTest, HelpListsTheCommands) {
  addHelpCommand(table_);
  EXPECT_EQ(run("help").text,
            "show sessions [(1-4294967295)] [json]\n"
            "show session (1-4294967295) [json]\n"
            "show drops [all] [json]\n"
            "show interfaces [json]\n"
            "show neighbors [json]\n"
            "show workers [json]\n"
            "media session add (1-4294967295) leg-a IFACE ADDR:PORT ADDR:PORT "
            "[{latch-any|rtcp-mux}] leg-b IFACE ADDR:PORT ADDR:PORT [{latch-any|rtcp-mux}] "
            "[relatch-after (1-4294967295)]\n"
            "media session update (1-4294967295) leg-a IFACE ADDR:PORT ADDR:PORT "
            "[{latch-any|rtcp-mux}] leg-b IFACE ADDR:PORT ADDR:PORT [{latch-any|rtcp-mux}] "
            "[relatch-after (1-4294967295)]\n"
            "media session del (1-4294967295)\n"
            "help\n");
}

}  // namespace
}  // namespace sbc::control
