// The firewall's configuration language: rule lines in the IOS style, the top-level firewall
// lines, the errors that name the word, the derived trunk pinholes, and the render round trip.

#include <gtest/gtest.h>

#include <algorithm>

#include "control/config/config_commands.h"
#include "control/config/config_parser.h"
#include "bench/acl_rule_set.h"
#include "control/config/config_render.h"

namespace sbc::control {
namespace {

using dataplane::AclAction;
using dataplane::AclDirection;
using dataplane::AclRule;
using dataplane::IpPrefix;

constexpr const char* kBase =
    "interface access0\n"
    " device net_null0\n"
    " realm access\n"
    " address 198.18.1.1/24\n"
    " address 2001:db8:1::1/64\n"
    "exit\n"
    "interface core0\n"
    " device net_null1\n"
    " realm core\n"
    " address 198.18.2.1/24\n"
    "exit\n"
    "sip listen access0 udp 198.18.1.1\n"
    "sip listen access0 tcp 198.18.1.1\n"
    "sip listen core0 udp 198.18.2.1\n"
    "trunk carrier1\n"
    " interface access0\n"
    " match 198.18.1.0/24\n"
    "exit\n"
    "contact-center\n"
    " interface core0\n"
    " vip 198.18.2.10:5060\n"
    "exit\n";

ConfigParseResult parseWith(const std::string& lines) { return parseConfig(kBase + lines); }

std::vector<std::string> errorsOf(const ConfigParseResult& result) {
  std::vector<std::string> lines;
  for (const auto& e : result.errors) lines.push_back(e.toString());
  return lines;
}

// The line number of the first line after kBase.
unsigned firstLine() {
  unsigned n = 1;
  for (const char* c = kBase; *c; ++c) n += *c == '\n';
  return n;
}

TEST(FirewallConfigTest, ReadsIosStyleRuleLines) {
  auto result = parseWith(
      "acl edge\n"
      " 10 deny udp 203.0.113.0/24 any eq 5060\n"
      " 20 permit tcp host 198.51.100.7 range 1024 65535 198.18.1.1/32 eq 5061 log\n"
      " 30 permit udp any gt 1023 any lt 1024 rate-limit 500\n"
      " 40 deny ip 2001:db8:dead::/48 any\n"
      " 5 permit icmp any host 198.18.1.1\n"
      " 50 deny 47 any any\n"
      "exit\n");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  ASSERT_EQ(result.firewall.lists.size(), 1u);
  const auto& rules = result.firewall.lists[0].rules;
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_EQ(rules[0].sequence, 5u);  // kept in sequence order
  EXPECT_EQ(rules[0].protocol, 1);
  EXPECT_EQ(rules[0].destination, IpPrefix::parse("198.18.1.1/32"));

  const AclRule& deny = rules[1];
  EXPECT_EQ(deny.sequence, 10u);
  EXPECT_EQ(deny.action, AclAction::kDeny);
  EXPECT_EQ(deny.protocol, 17);
  EXPECT_EQ(deny.source, IpPrefix::parse("203.0.113.0/24"));
  EXPECT_FALSE(deny.destination.has_value());
  EXPECT_TRUE(deny.sourcePorts.any());
  EXPECT_EQ(deny.destinationPorts, (dataplane::PortRange{5060, 5060}));

  const AclRule& tcp = rules[2];
  EXPECT_EQ(tcp.action, AclAction::kPermit);
  EXPECT_EQ(tcp.protocol, 6);
  EXPECT_EQ(tcp.source, IpPrefix::parse("198.51.100.7/32"));
  EXPECT_EQ(tcp.sourcePorts, (dataplane::PortRange{1024, 65535}));
  EXPECT_TRUE(tcp.log);

  const AclRule& limited = rules[3];
  EXPECT_EQ(limited.sourcePorts, (dataplane::PortRange{1024, 65535}));
  EXPECT_EQ(limited.destinationPorts, (dataplane::PortRange{0, 1023}));
  EXPECT_EQ(limited.ratePps, 500u);

  EXPECT_EQ(rules[4].source, IpPrefix::parse("2001:db8:dead::/48"));
  EXPECT_EQ(rules[4].protocol, dataplane::kAnyProtocol);
  EXPECT_EQ(rules[5].protocol, 47);
}

TEST(FirewallConfigTest, ASequenceNumberTypedAgainReplacesItsRuleAndNoRemovesIt) {
  auto result = parseWith(
      "acl edge\n"
      " 10 deny udp any any eq 5060\n"
      " 20 deny tcp any any\n"
      " 10 permit udp any any eq 5060\n"
      " no 20\n"
      "exit\n");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  ASSERT_EQ(result.firewall.lists[0].rules.size(), 1u);
  EXPECT_EQ(result.firewall.lists[0].rules[0].action, AclAction::kPermit);
}

TEST(FirewallConfigTest, ReadsBindingsDefaultsPinholesAndTheFloodGuard) {
  auto result = parseWith(
      "acl edge\n"
      " 10 deny ip any any\n"
      "exit\n"
      "firewall bind access in acl edge\n"
      "firewall default access deny\n"
      "no firewall pinhole carrier1\n"
      "firewall sip-flood untrusted 20 burst 40\n"
      "firewall sip-flood trusted 3000 burst 6000\n"
      "firewall sip-flood deny-period 120\n");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  const auto& fw = result.firewall;
  ASSERT_EQ(fw.bindings.size(), 1u);
  EXPECT_EQ(fw.bindings[0].realm, "access");
  EXPECT_EQ(fw.bindings[0].direction, AclDirection::kIn);
  EXPECT_EQ(fw.bindings[0].list, "edge");
  EXPECT_EQ(fw.defaultAction.at("access"), AclAction::kDeny);
  EXPECT_EQ(fw.removedPinholes, std::vector<std::string>{"carrier1"});
  EXPECT_EQ(fw.sipFlood.untrustedPps, 20u);
  EXPECT_EQ(fw.sipFlood.untrustedBurst, 40u);
  EXPECT_EQ(fw.sipFlood.trustedPps, 3000u);
  EXPECT_EQ(fw.sipFlood.trustedBurst, 6000u);
  EXPECT_EQ(fw.sipFlood.denyPeriodSeconds, 120u);
  EXPECT_TRUE(fw.sipFlood.enabled);
  // The removed trunk gets no pinhole; the contact center keeps its own.
  const auto pinholes = firewallWithPinholes(fw, result.sip, *result.config).pinholes;
  ASSERT_EQ(pinholes.size(), 1u);
  EXPECT_EQ(pinholes[0].trunk, "contact-center");
}

TEST(FirewallConfigTest, TrunkPinholesComeFromMatchPrefixesAndListenersOfItsInterface) {
  auto result = parseWith("");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  const auto fw = firewallWithPinholes(result.firewall, result.sip, *result.config);
  // 198.18.1.0/24 × (udp and tcp listeners on access0); core0's listener is not the trunk's,
  // it is the contact center's (last).
  ASSERT_EQ(fw.pinholes.size(), 3u);
  for (const auto& pinhole : std::vector(fw.pinholes.begin(), fw.pinholes.begin() + 2)) {
    EXPECT_EQ(pinhole.trunk, "carrier1");
    EXPECT_EQ(pinhole.realm, "access");
    EXPECT_EQ(pinhole.source, IpPrefix::parse("198.18.1.0/24"));
    EXPECT_EQ(pinhole.signalling.ip.toString(), "198.18.1.1");
    EXPECT_EQ(pinhole.signalling.port, 5060);
  }
  EXPECT_EQ(fw.pinholes[0].protocol, 17);
  EXPECT_EQ(fw.pinholes[1].protocol, 6);
}

TEST(FirewallConfigTest, TheContactCenterIsAConfiguredPeerWithItsOwnPinholes) {
  auto result = parseWith(
      "contact-center\n"
      " backup 198.18.2.11:5060\n"
      " match 198.18.2.64/26\n"
      "exit\n");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  auto fw = firewallWithPinholes(result.firewall, result.sip, *result.config);
  std::vector<std::string> sources;
  for (const auto& pinhole : fw.pinholes) {
    if (pinhole.trunk != "contact-center") continue;
    EXPECT_EQ(pinhole.realm, "core");
    EXPECT_EQ(pinhole.signalling.ip.toString(), "198.18.2.1");
    EXPECT_EQ(pinhole.protocol, 17);
    sources.push_back(pinhole.source.toString());
  }
  EXPECT_EQ(sources, (std::vector<std::string>{"198.18.2.64/26", "198.18.2.10/32", "198.18.2.11/32"}));

  // Removed explicitly, like a trunk's; anything else not a trunk is still refused.
  result = parseWith("no firewall pinhole contact-center\n");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  fw = firewallWithPinholes(result.firewall, result.sip, *result.config);
  EXPECT_EQ(fw.pinholes.size(), 2u);
  for (const auto& pinhole : fw.pinholes) EXPECT_EQ(pinhole.trunk, "carrier1");
  EXPECT_FALSE(parseWith("no firewall pinhole nobody\n").ok());
}

TEST(FirewallConfigTest, EveryBadLineNamesItsWordAndWhatWasExpected) {
  const unsigned n = firstLine();
  auto result = parseWith(
      "acl edge\n"
      " 10 dney udp any any\n"                        // n+1
      " 10 deny udp 203.0.113.0/24 any eq 70000\n"   // n+2
      " 10 deny udp 203.0.113.5/24 any\n"            // n+3
      " 10 deny udp any any range 6000 5000\n"       // n+4
      " 10 deny ip any any eq 5060\n"                // n+5
      " 10 deny udp any 2001:db8::/32\n"             // n+6 (fine: source any)
      " 11 deny udp 198.18.0.0/15 2001:db8::/32\n"   // n+7
      " 12 deny udp any any rate-limit 10\n"         // n+8
      " 13 permit icmp 2001:db8::/32 any\n"          // n+9
      " no 99\n"                                     // n+10
      " 14 deny udp any any gt 65535\n"              // n+11
      "exit\n"
      "firewall bind access sideways acl edge\n"     // n+13
      "firewall default access maybe\n"             // n+14
      "firewall log-interval 0\n"                    // n+15
      "firewall log-interval often\n");              // n+16
  auto line = [n](unsigned k) { return "line " + std::to_string(n + k) + ": "; };
  EXPECT_EQ(errorsOf(result),
            (std::vector<std::string>{
                line(1) + "'dney': unexpected word, expected one of: deny, permit",
                line(2) + "'70000': unexpected word, expected: (0-65535)",
                line(3) + "'203.0.113.5/24': host bits set; the prefix is 203.0.113.0/24",
                line(4) + "'5000': below the first port of the range 6000",
                line(5) + "'eq': unexpected word, expected one of: log, <cr>",
                line(7) + "'2001:db8::/32': the source is IPv4, the destination must be too",
                line(8) + "'rate-limit': unexpected word, expected one of: eq, range, gt, lt, log, <cr>",
                line(9) + "'icmp': is IPv4's; for IPv6 addresses write icmpv6",
                line(10) + "'99': no rule with that number in acl edge",
                line(11) + "'65535': no port is above it",
                line(13) + "'sideways': unexpected word, expected one of: in, out",
                line(14) + "'maybe': unexpected word, expected one of: permit, deny",
                line(15) + "'0': unexpected word, expected: (1-3600)",
                line(16) + "'often': unexpected word, expected: (1-3600)",
            }));
  EXPECT_FALSE(result.ok());
}

// A broken `acl NAME` line: its rule lines are still read as rule lines (their own faults are
// named, good ones say nothing), not as a stray interface block's.
TEST(FirewallConfigTest, ABrokenAclLineStillHasItsRulesChecked) {
  const unsigned n = firstLine();
  auto result = parseWith(
      "acl edge extra\n"                              // n
      " 10 deny udp 203.0.113.0/24 any eq 5060\n"   // n+1: fine
      " 20 permit udp any any rate-limit\n"          // n+2
      "ac edge2 extra\n"                             // n+3: an abbreviation
      " 10 dney udp any any\n");                     // n+4
  auto line = [n](unsigned k) { return "line " + std::to_string(n + k) + ": "; };
  EXPECT_EQ(errorsOf(result),
            (std::vector<std::string>{
                line(0) + "'extra': unexpected word, expected: <cr>",
                line(2) + "incomplete command after 'rate-limit', expected: (1-100000000)",
                line(3) + "'extra': unexpected word, expected: <cr>",
                line(4) + "'dney': unexpected word, expected one of: deny, permit",
            }));
}

TEST(FirewallConfigTest, WholeConfigurationFaultsNameTheLine) {
  auto result = parseWith(
      "firewall bind nowhere in acl edge\n"
      "no firewall pinhole carrier9\n");
  ASSERT_FALSE(result.ok());
  const auto errors = errorsOf(result);
  EXPECT_NE(std::find(errors.begin(), errors.end(),
                      "no firewall pinhole carrier9: no trunk named 'carrier9'"),
            errors.end())
      << ::testing::PrintToString(errors);
  EXPECT_NE(std::find(errors.begin(), errors.end(),
                      "firewall bind nowhere: no interface has realm 'nowhere'"),
            errors.end())
      << ::testing::PrintToString(errors);
}

TEST(FirewallConfigTest, RenderedRulesReadBackToTheSameFirewall) {
  const std::string lines =
      "acl edge\n"
      " 10 deny udp 203.0.113.0/24 any eq 5060\n"
      " 20 permit tcp host 198.51.100.7 range 1024 2048 198.18.1.0/24 gt 1023 log\n"
      " 30 permit udp any lt 1024 any rate-limit 500\n"
      " 40 deny ip 2001:db8:dead::/48 host 2001:db8:1::1\n"
      " 50 deny 47 any any\n"
      " 60 permit icmpv6 any any\n"
      "exit\n"
      "acl core-out\n"
      " 10 permit ip any any\n"
      "exit\n"
      "firewall bind access in acl edge\n"
      "firewall bind core out acl core-out\n"
      "firewall default access deny\n"
      "no firewall pinhole carrier1\n"
      "firewall sip-flood untrusted 20 burst 40\n"
      "firewall sip-flood deny-period 120\n"
      "no firewall sip-flood\n"
      "firewall log-interval 30\n";
  auto first = parseWith(lines);
  ASSERT_TRUE(first.ok()) << ::testing::PrintToString(errorsOf(first));
  const std::string rendered = renderRunningConfig(*first.config, first.sip, first.firewall);
  auto second = parseConfig(rendered);
  ASSERT_TRUE(second.ok()) << rendered << ::testing::PrintToString(errorsOf(second));
  EXPECT_EQ(second.firewall, first.firewall) << rendered;
  EXPECT_EQ(first.firewall.logIntervalSeconds, 30u);
  EXPECT_EQ(renderRunningConfig(*second.config, second.sip, second.firewall), rendered);
  EXPECT_NE(rendered.find(" 20 permit tcp host 198.51.100.7 range 1024 2048 198.18.1.0/24 gt "
                          "1023 log\n"),
            std::string::npos)
      << rendered;
}

// A carrier's edge list of 10,000 lines, as `write memory` leaves it in the startup file, reads
// back rule for rule (sbcbench acl reports how long that takes: load_ms).
TEST(FirewallConfigTest, TenThousandRuleLinesReadBack) {
  dataplane::FirewallConfig big;
  big.lists.push_back(bench::syntheticAclList("edge", 10000));
  big.bindings.push_back({"access", AclDirection::kIn, "edge"});
  const std::string text = renderFirewallConfig(big);
  auto result = parseWith(text);
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  ASSERT_EQ(result.firewall.lists.size(), 1u);
  EXPECT_EQ(result.firewall.lists[0], big.lists[0]);
  // One bad word after them is still named with its line.
  const unsigned badLine = firstLine() + static_cast<unsigned>(std::count(text.begin(), text.end(), '\n')) + 1;
  auto refused = parseWith(text + "acl late\n 10 deny udp any any eq 70000\nexit\n");
  ASSERT_FALSE(refused.ok());
  ASSERT_FALSE(refused.errors.empty());
  EXPECT_EQ(refused.errors[0].line, badLine) << refused.errors[0].toString();
  EXPECT_NE(refused.errors[0].message.find("70000"), std::string::npos) << refused.errors[0].toString();
}

TEST(FirewallConfigTest, TheShippedStartupFileHasAnAcl) {
  auto result = parseConfigFile(std::string(SBC_SOURCE_DIR) + "/config/sbc.conf");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorsOf(result));
  EXPECT_FALSE(result.firewall.lists.empty());
  EXPECT_FALSE(result.firewall.bindings.empty());
}

}  // namespace
}  // namespace sbc::control
