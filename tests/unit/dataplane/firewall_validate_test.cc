// validateFirewall (dataplane/firewall_config.cc): every impossible or unreachable rule and every
// bad binding is refused with a line that names the list, the rule's sequence and the word at
// fault; a sound configuration gives no fault at all.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench/acl_rule_set.h"
#include "dataplane/firewall_config.h"
#include "tests/unit/dataplane/acl_rule_builder.h"

namespace sbc::dataplane {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using namespace sbc::dataplane::test;  // rule(), kPermit, kDeny, kIcmp, kTcp, kUdp

FirewallConfig oneList(std::vector<AclRule> rules) {
  FirewallConfig c;
  c.lists.push_back({"edge", std::move(rules)});
  c.bindings.push_back({"access", AclDirection::kIn, "edge"});
  return c;
}

TEST(FirewallValidate, SoundConfigurationHasNoFault) {
  FirewallConfig c = oneList({rule(10, kDeny, kUdp, "203.0.113.0/24", "any", {5060, 5060}),
                              rule(20, kPermit, kUdp, "198.18.0.0/15", "any", {5060, 5061}),
                              rule(30, kPermit, kIcmp, "any", "any"),
                              rule(40, kDeny, kTcp, "2001:db8::/32", "2001:db8:a::1/128", {5061, 5061})});
  c.lists[0].rules[1].ratePps = 100;
  EXPECT_THAT(validateFirewall(c), IsEmpty());
  EXPECT_NE(c.findList("edge"), nullptr);
  EXPECT_EQ(c.findList("nope"), nullptr);
}

TEST(FirewallValidate, ImpossibleRulesNameListSequenceAndWord) {
  AclRule backwards = rule(20, kDeny, kUdp, "any", "any", {6000, 5000});
  AclRule icmpPorts = rule(30, kDeny, kIcmp, "any", "any", {5060, 5060});
  AclRule anyPorts = rule(35, kDeny, kAnyProtocol, "any", "any", {}, {1024, 2048});
  AclRule families = rule(40, kDeny, kUdp, "203.0.113.0/24", "2001:db8::/32");
  AclRule tooLong = rule(50, kDeny, kUdp, "any", "any");
  tooLong.source = IpPrefix{*IpAddress::parse("198.18.0.0"), 40};
  AclRule rateOnDeny = rule(60, kDeny, kUdp, "198.19.0.0/16", "any");
  rateOnDeny.ratePps = 50;
  EXPECT_THAT(validateFirewall(oneList({backwards, icmpPorts, anyPorts, families, tooLong, rateOnDeny})),
              ElementsAre("acl edge: rule 20: destination port range 6000-5000 runs backwards",
                          "acl edge: rule 30: destination port 5060 needs protocol tcp or udp, not 'icmp'",
                          "acl edge: rule 35: source port 1024-2048 needs protocol tcp or udp, not 'ip'",
                          "acl edge: rule 40: source 203.0.113.0/24 is IPv4 but destination 2001:db8::/32 is IPv6",
                          "acl edge: rule 50: source prefix length /40 is beyond IPv4's 32 bits",
                          "acl edge: rule 60: rate-limit 50 needs a permit rule, not 'deny'"));
}

TEST(FirewallValidate, SequenceZeroAndDuplicates) {
  EXPECT_THAT(validateFirewall(oneList({rule(0, kDeny, kUdp, "198.18.1.0/24", "any"),
                                        rule(10, kDeny, kUdp, "198.18.2.0/24", "any"),
                                        rule(10, kDeny, kTcp, "198.18.3.0/24", "any")})),
              ElementsAre("acl edge: rule 0: sequence 0: sequences start at 1",
                          "acl edge: rule 10: sequence 10 is used twice"));
}

TEST(FirewallValidate, ShadowedRuleNamesBothSequences) {
  // Out of order on purpose: evaluation order is the sequence, not the order given.
  EXPECT_THAT(validateFirewall(oneList({rule(30, kPermit, kUdp, "198.18.5.0/24", "any", {5060, 5060}),
                                        rule(10, kDeny, kUdp, "198.18.0.0/16", "any", {5000, 6000}),
                                        rule(20, kPermit, kTcp, "198.18.5.0/24", "any", {5060, 5060})})),
              ElementsAre("acl edge: rule 30 is never reached: rule 10 matches everything it does"));
  // Any protocol and any address cover everything after them, of both families.
  EXPECT_THAT(validateFirewall(oneList({rule(10, kDeny, kAnyProtocol, "any", "any"),
                                        rule(20, kPermit, kUdp, "2001:db8::/32", "any")})),
              ElementsAre("acl edge: rule 20 is never reached: rule 10 matches everything it does"));
  // Partial overlaps are fine: a narrower earlier rule, another family, a wider port range.
  EXPECT_THAT(validateFirewall(oneList({rule(10, kDeny, kUdp, "198.18.5.0/24", "any"),
                                        rule(20, kPermit, kUdp, "198.18.0.0/16", "any"),
                                        rule(30, kPermit, kUdp, "2001:db8::/32", "any"),
                                        rule(40, kDeny, kUdp, "198.19.0.0/16", "any", {5060, 5060}),
                                        rule(50, kDeny, kUdp, "198.19.0.0/16", "any", {5000, 6000}),
                                        rule(60, kPermit, kAnyProtocol, "any", "any")})),
              IsEmpty());
}

TEST(FirewallValidate, BindingsNameTheRealmAndTheList) {
  FirewallConfig c = oneList({rule(10, kDeny, kUdp, "198.18.1.0/24", "any")});
  c.lists.push_back({"other", {rule(10, kDeny, kUdp, "198.18.2.0/24", "any")}});
  c.bindings.push_back({"core", AclDirection::kOut, "missing"});
  c.bindings.push_back({"access", AclDirection::kIn, "other"});
  c.bindings.push_back({"access", AclDirection::kOut, "other"});  // another direction: fine
  EXPECT_THAT(validateFirewall(c),
              ElementsAre("bind core out: no acl named 'missing'",
                          "bind access in: acl 'other' and acl 'edge' are both bound; one list per realm and direction"));
}

TEST(FirewallValidate, ListDefinedTwice) {
  FirewallConfig c = oneList({});
  c.lists.push_back({"edge", {}});
  EXPECT_THAT(validateFirewall(c), ElementsAre("acl edge: defined twice"));
}

TEST(FirewallValidate, TenThousandRuleListIsSound) {
  FirewallConfig c;
  c.lists.push_back(bench::syntheticAclList("big", 10000));
  EXPECT_THAT(validateFirewall(c), IsEmpty());
}

}  // namespace
}  // namespace sbc::dataplane
