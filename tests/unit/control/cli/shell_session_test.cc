// A control connection's shell: modes, the candidate configuration, commit and abort against a
// fake dataplane (a refused commit leaves the running configuration as it was), and the
// choices that Tab and `?` show.

#include "control/cli/shell_session.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "control/config/config_commands.h"
#include "control/config/config_parser.h"
#include "control/config/config_render.h"
#include "control/firewall_cli.h"
#include "tests/unit/control/fake_dataplane.h"

namespace sbc::control {
namespace {

constexpr const char* kStartup =
    "interface access0\n"
    " device net_null0\n"
    " realm access\n"
    " address 198.18.1.1/24\n"
    "exit\n"
    "sip listen access0 udp 198.18.1.1\n"
    "trunk carrier1\n"
    " interface access0\n"
    " match 198.18.1.0/24\n"
    "exit\n"
    "acl edge\n"
    " 10 deny udp 203.0.113.0/24 any eq 5060\n"
    "exit\n"
    "firewall bind access in acl edge\n";

class ShellSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = parseConfig(kStartup);
    ASSERT_TRUE(parsed.ok());
    running.config = *parsed.config;
    running.sip = parsed.sip;
    running.firewall = parsed.firewall;
    addFirewallCommands(operational, dataplane, running.firewall);
    session = std::make_unique<ShellSession>(running, operational, &dataplane);
  }

  // Runs each line; fails the test on the first error unless `mayFail`.
  CommandOutput run(const std::string& line) { return session->execute(line); }
  void runAll(std::initializer_list<std::string> lines) {
    for (const auto& line : lines) {
      auto out = run(line);
      ASSERT_TRUE(out.ok()) << line << ": " << out.error;
    }
  }
  std::string runningText() const {
    return renderRunningConfig(running.config, running.sip, running.firewall);
  }

  testing::FakeDataplane dataplane;
  RunningConfig running;
  CommandTable operational;
  std::unique_ptr<ShellSession> session;
};

TEST_F(ShellSessionTest, ModesFollowConfigureBlocksExitAndEnd) {
  EXPECT_EQ(session->modeName(), "exec");
  runAll({"configure"});
  EXPECT_EQ(session->modeName(), "config");
  runAll({"acl edge"});
  EXPECT_EQ(session->modeName(), "config-acl");
  runAll({"exit"});
  EXPECT_EQ(session->modeName(), "config");
  runAll({"interface access0"});
  EXPECT_EQ(session->modeName(), "config-if");
  // A top-level line inside a block closes the block and runs, as in the startup file.
  runAll({"acl other"});
  EXPECT_EQ(session->modeName(), "config-acl");
  runAll({"abort"});
  EXPECT_EQ(session->modeName(), "exec");
  runAll({"conf t", "end"});
  EXPECT_EQ(session->modeName(), "exec");
  runAll({"configure", "exit"});
  EXPECT_EQ(session->modeName(), "exec");
}

TEST_F(ShellSessionTest, CommitAppliesTheFirewallWithItsPinholesAtOnce) {
  runAll({"configure", "acl edge", "20 deny tcp any any eq 22", "exit",
          "firewall default access deny"});
  // Nothing reaches the dataplane or the running configuration before the commit.
  EXPECT_TRUE(dataplane.firewallsOffered.empty());
  EXPECT_EQ(running.firewall.lists[0].rules.size(), 1u);
  auto out = run("commit");
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.text, "committed: firewall applied (1 acl, 2 rules, 1 trunk pinholes)\n");
  ASSERT_EQ(dataplane.firewallsOffered.size(), 1u);
  const auto& applied = *dataplane.appliedFirewall;
  EXPECT_EQ(applied.lists[0].rules.size(), 2u);
  EXPECT_EQ(applied.defaultAction.at("access"), dataplane::AclAction::kDeny);
  ASSERT_EQ(applied.pinholes.size(), 1u);
  EXPECT_EQ(applied.pinholes[0].trunk, "carrier1");
  EXPECT_EQ(running.firewall.lists[0].rules.size(), 2u);
  EXPECT_EQ(running.generation, 1u);
  EXPECT_EQ(session->modeName(), "config");
  // Nothing left to commit: `end` leaves.
  runAll({"end"});
}

TEST_F(ShellSessionTest, ARefusedCommitLeavesTheRunningConfigurationAsItWas) {
  const std::string before = runningText();
  dataplane.firewallAnswer = dataplane::Status::failure("rte_acl_build: out of memory");
  runAll({"configure", "acl edge", "30 deny tcp any any eq 22"});
  auto out = run("commit");
  EXPECT_EQ(out.error,
            "commit refused by the dataplane, nothing changed: rte_acl_build: out of memory");
  EXPECT_EQ(runningText(), before);
  EXPECT_EQ(running.generation, 0u);
  EXPECT_FALSE(dataplane.appliedFirewall.has_value());
  // The candidate is kept to be fixed; leaving with it is refused, abort drops it.
  EXPECT_EQ(run("end").error, "'end': the candidate has uncommitted changes; commit or abort");
  runAll({"abort"});
  EXPECT_EQ(runningText(), before);
}

TEST_F(ShellSessionTest, ACommitThatDoesNotValidateNamesTheFault) {
  runAll({"configure", "firewall bind access out acl missing"});
  auto out = run("commit");
  EXPECT_NE(out.error.find("commit refused, nothing changed: "), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("missing"), std::string::npos) << out.error;
  EXPECT_TRUE(dataplane.firewallsOffered.empty());
  EXPECT_EQ(running.firewall.bindings.size(), 1u);
}

TEST_F(ShellSessionTest, AShadowedRuleIsRefusedBeforeTheDataplaneSeesIt) {
  const std::string before = runningText();
  runAll({"configure", "acl edge", "30 deny udp 203.0.113.0/25 any eq 5060"});
  auto out = run("commit");
  EXPECT_EQ(out.error,
            "commit refused, nothing changed: acl edge: rule 30 is never reached: rule 10 "
            "matches everything it does");
  EXPECT_TRUE(dataplane.firewallsOffered.empty());
  EXPECT_EQ(runningText(), before);
}

TEST_F(ShellSessionTest, AbortDropsTheCandidate) {
  const std::string before = runningText();
  runAll({"configure", "no acl edge", "no firewall bind access in", "abort"});
  EXPECT_EQ(runningText(), before);
  EXPECT_TRUE(dataplane.firewallsOffered.empty());
  // The next `configure` starts again from the running configuration.
  runAll({"configure"});
  EXPECT_NE(run("show candidate-config").text.find(" 10 deny udp 203.0.113.0/24 any eq 5060"),
            std::string::npos);
}

TEST_F(ShellSessionTest, OtherChangesAreKeptForTheRestartAndSaidSo) {
  runAll({"configure", "interface access0", "vlan 7"});
  auto out = run("commit");
  ASSERT_TRUE(out.ok()) << out.error;
  EXPECT_EQ(out.text,
            "committed\nchanges to interface access0 take effect at restart: write memory and "
            "restart sbcd\n");
  EXPECT_TRUE(dataplane.firewallsOffered.empty());
  EXPECT_EQ(running.config.interfaces[0].vlan, 7);
}

TEST_F(ShellSessionTest, AStaleCandidateIsNotCommittedOverAnotherSessionsCommit) {
  ShellSession other(running, operational, &dataplane);
  runAll({"configure", "acl edge", "20 deny tcp any any"});
  ASSERT_TRUE(other.execute("configure").ok());
  ASSERT_TRUE(other.execute("firewall default access deny").ok());
  ASSERT_TRUE(other.execute("commit").ok());
  auto out = run("commit");
  EXPECT_NE(out.error.find("changed since `configure`"), std::string::npos) << out.error;
}

TEST_F(ShellSessionTest, BadLinesNameTheWordAndWhatWasExpected) {
  EXPECT_EQ(run("confgure").error,
            "unknown word 'confgure' at position 1; expected: configure, show, write, clear, "
            "monitor");
  runAll({"configure", "acl edge"});
  EXPECT_EQ(run("20 deny udp any any eq 99999").error,
            "unknown word '99999' at position 7; expected: (0-65535)");
  EXPECT_EQ(run("20 deny udp any any range 10 5").error,
            "'5': below the first port of the range 10");
  EXPECT_EQ(run("frobnicate").error.substr(0, 41), "unknown word 'frobnicate' at position 1; ");
}

TEST_F(ShellSessionTest, ChoicesListKeywordsWithHelpAndPlaceholders) {
  EXPECT_EQ(session->choicesReply("conf"),
            "k\tconfigure\tEdit a candidate configuration (copied from the running one)\n");
  const std::string atShow = session->choicesReply("show ");
  EXPECT_NE(atShow.find("k\trunning-config\t"), std::string::npos) << atShow;
  EXPECT_NE(atShow.find("k\tacl\tAccess lists of the running configuration\n"),
            std::string::npos)
      << atShow;
  runAll({"configure", "acl edge"});
  const std::string rule = session->choicesReply("10 deny udp ");
  EXPECT_NE(rule.find("k\tany\t"), std::string::npos) << rule;
  EXPECT_NE(rule.find("k\thost\t"), std::string::npos) << rule;
  EXPECT_NE(rule.find("v\tA.B.C.D/M\tIPv4 source prefix"), std::string::npos) << rule;
  EXPECT_EQ(session->choicesReply("10 deny udp any any "),
            "k\teq\tOnly this destination port\n"
            "k\trange\tA range of destination ports, both ends included\n"
            "k\tgt\tdestination ports above this one\n"
            "k\tlt\tdestination ports below this one\n"
            "k\tlog\tLog matches (rate-limited)\n"
            "v\t<cr>\tRun the command\n");
  // In a block, top-level commands are offered too (they close the block).
  EXPECT_NE(session->choicesReply("comm").find("k\tcommit\t"), std::string::npos);
  EXPECT_EQ(session->handle("%mode").text, "config-acl");
}

TEST_F(ShellSessionTest, JsonWordAndDashDashJsonBothWork) {
  const auto a = run("show acl edge json");
  const auto b = run("show acl edge --json");
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.text,
            "{\"acls\":[{\"name\":\"edge\",\"bindings\":[{\"realm\":\"access\",\"direction\":"
            "\"in\"}],\"rules\":[{\"sequence\":10,\"line\":\"10 deny udp 203.0.113.0/24 any eq "
            "5060\"}]}]}\n");
  EXPECT_EQ(run("show running-config --json").text.substr(0, 19), "{\"running_config\":\"");
}

TEST_F(ShellSessionTest, ShowAclCountersBlockedClearAndCapture) {
  dataplane.firewallView.lists = {{"edge", {{10, 12, 960, 0}}}};
  dataplane.firewallView.defaultDenied["access"] = 3;
  const auto counters = run("show acl counters");
  ASSERT_TRUE(counters.ok()) << counters.error;
  EXPECT_NE(counters.text.find("10 deny udp 203.0.113.0/24 any eq 5060       12    960"),
            std::string::npos)
      << counters.text;
  EXPECT_NE(counters.text.find("denied by default in access: 3"), std::string::npos);
  EXPECT_EQ(run("show acl nope").error, "'nope': no acl of that name");

  dataplane::BlockedSourceView blocked;
  blocked.source = *dataplane::IpAddress::parse("203.0.113.9");
  blocked.realm = "access";
  blocked.reason = "sip rate 412 pps over 50 pps (untrusted)";
  blocked.untilMs = 1700000000000;
  blocked.droppedPackets = 77;
  dataplane.blocked = {blocked};
  const auto shown = run("show blocked");
  EXPECT_NE(shown.text.find("203.0.113.9  access  2023-11-14T22:13:20.000Z       77  sip rate"),
            std::string::npos)
      << shown.text;
  EXPECT_NE(run("show blocked --json").text.find("\"dropped_packets\":77"), std::string::npos);

  EXPECT_EQ(run("show acl log").text, "no access-list log lines (rules log only with 'log')\n");
  dataplane::AclLogEntry line;
  line.unixMs = 1700000000250;
  line.list = "edge";
  line.sequence = 10;
  line.action = dataplane::AclAction::kDeny;
  line.protocol = 17;
  line.source = *dataplane::SocketAddress::parse("203.0.113.9:5060");
  line.destination = *dataplane::SocketAddress::parse("198.18.1.1:5060");
  line.packets = 3;
  dataplane.logLines = {line};
  dataplane.firewallView.logLinesLost = 2;
  EXPECT_EQ(run("show acl log").text,
            "2023-11-14T22:13:20.250Z acl edge 10 denied udp 203.0.113.9(5060) -> 198.18.1.1(5060), 3 packets\n"
            "lines lost (log ring full): 2\n");
  const std::string json = run("show acl log --json").text;
  EXPECT_NE(json.find("\"acl\":\"edge\",\"sequence\":10,\"action\":\"deny\",\"protocol\":17,"
                      "\"source\":\"203.0.113.9\",\"source_port\":5060"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"lost\":2"), std::string::npos) << json;

  runAll({"clear counters"});
  EXPECT_EQ(dataplane.countersCleared, 1);

  runAll({"monitor capture start /tmp/x.pcap interface access0 host 198.18.1.0/24 port 5060 count 10"});
  EXPECT_TRUE(dataplane.captureView.running);
  EXPECT_EQ(dataplane.captureView.spec.interface, "access0");
  EXPECT_EQ(dataplane.captureView.spec.address, dataplane::IpPrefix::parse("198.18.1.0/24"));
  EXPECT_EQ(dataplane.captureView.spec.port, 5060);
  EXPECT_EQ(dataplane.captureView.spec.maxPackets, 10u);
  EXPECT_NE(run("show capture").text.find("capture running into /tmp/x.pcap"), std::string::npos);
  runAll({"monitor capture stop"});
  EXPECT_EQ(run("monitor capture stop").error, "no capture is running");
}

TEST_F(ShellSessionTest, WriteMemorySavesWhatReadsBackToTheRunningConfiguration) {
  char path[] = "/tmp/sbc-write-memory-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  running.startupPath = path;
  runAll({"configure", "acl edge", "20 permit udp any any rate-limit 100 log", "commit", "end",
          "write memory"});
  auto reread = parseConfigFile(path);
  std::remove(path);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread.firewall, running.firewall);
}

}  // namespace
}  // namespace sbc::control
