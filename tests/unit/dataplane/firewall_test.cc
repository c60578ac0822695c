// The firewall in the worker pipeline (dataplane/firewall.cc, acl_compiler.cc): configurations
// applied through Firewall::apply, frames through Worker::processBurst as received on a port.
// A verdict is read from where the frame went (relayed, handed to the exception path, or
// dropped under which reason) and from the per-rule counters `show acl counters` prints.

#include <gtest/gtest.h>
#include <rte_rcu_qsbr.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "bench/acl_rule_set.h"
#include "tests/unit/dataplane/acl_rule_builder.h"
#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

FirewallConfig bound(std::vector<AclRule> rules, const char* realm = "access",
                     AclDirection direction = AclDirection::kIn, const char* list = "edge") {
  FirewallConfig c;
  c.lists.push_back({list, std::move(rules)});
  c.bindings.push_back({realm, direction, list});
  return c;
}

class FirewallTest : public HarnessTest {
 protected:
  void apply(const FirewallConfig& c) {
    Status s = h_.firewall->apply(c);
    ASSERT_TRUE(s.ok()) << s.error;
  }
  // How many of `frames`, received on `iface`, came out of the pipeline (relayed or handed
  // to the exception path).
  size_t passed(uint8_t iface, const std::vector<Bytes>& frames, uint64_t now = kT0) {
    size_t out = h_.receive(iface, frames, now).size();
    return out + h_.drainException().size();
  }
  bool passes(uint8_t iface, const Bytes& frame, uint64_t now = kT0) { return passed(iface, {frame}, now) == 1; }

  // SIP (UDP) from `source` to the SBC's access address, port `port`.
  Bytes sip(const char* source, uint16_t port = 5060) const {
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock(source),
                    SocketAddress{ip("203.0.113.1"), port}, Bytes(40, 'x'));
  }
  Bytes sip6(const char* source, uint16_t port = 5060) const {
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock(source),
                    SocketAddress{ip("2001:db8:a::1"), port}, Bytes(40, 'x'));
  }
  // 32 RTP packets from the access peer to the session of accessCoreSpec(), numbered on from
  // `sequence`.
  std::vector<Bytes> mediaBurst(uint16_t& sequence) const {
    std::vector<Bytes> frames;
    for (int i = 0; i < 32; ++i)
      frames.push_back(udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(),
                                rtpPayload(++sequence)));
    return frames;
  }
  AclRuleCounters counters(uint32_t sequence, const std::string& list = "edge") const {
    for (const AclListCounters& l : h_.firewall->view().lists)
      if (l.name == list)
        for (const AclRuleCounters& r : l.rules)
          if (r.sequence == sequence) return r;
    ADD_FAILURE() << "no rule " << sequence << " in " << list;
    return {};
  }
};

TEST_F(FirewallTest, NothingBoundLetsEverythingThrough) {
  EXPECT_TRUE(passes(kAccess, sip("198.18.5.9:5060")));
  apply(FirewallConfig{});  // lists but no binding: still nothing to filter
  EXPECT_TRUE(passes(kAccess, sip("198.18.5.9:5060")));
  EXPECT_EQ(h_.firewall->view().commits, 1u);
  EXPECT_EQ(h_.firewall->view().rulesInstalled, 0u);
}

TEST_F(FirewallTest, Ipv4VerdictsByProtocolPortsAndDefault) {
  FirewallConfig c = bound({rule(10, kDeny, kUdp, "198.18.5.0/24", "any", {5060, 5060}),
                            rule(20, kPermit, kUdp, "198.18.0.0/16", "any", {5060, 5061}),
                            rule(30, kDeny, kTcp, "any", "203.0.113.1/32", {5060, 5060}),
                            rule(40, kPermit, kIcmp, "any", "any"),
                            rule(50, kPermit, kTcp, "198.18.0.0/16", "any", {5061, 5061})});
  c.defaultAction["access"] = kDeny;
  apply(c);
  const L2 l2 = h_.toSbc(kAccess, kAccessPeerMac);
  EXPECT_FALSE(passes(kAccess, sip("198.18.5.9:5060")));        // 10
  EXPECT_TRUE(passes(kAccess, sip("198.18.6.9:5060")));         // 20
  EXPECT_TRUE(passes(kAccess, sip("198.18.6.9:7000", 5061)));   // 20, top of the range
  EXPECT_FALSE(passes(kAccess, sip("198.18.6.9:5060", 5062)));  // past it: default
  EXPECT_FALSE(passes(kAccess, sip("198.20.0.1:5060")));        // default
  EXPECT_FALSE(passes(kAccess, tcpSynFrame(l2, sock("198.18.6.9:40000"), sock("203.0.113.1:5060"))));  // 30
  EXPECT_TRUE(passes(kAccess, tcpSynFrame(l2, sock("198.18.6.9:40000"), sock("203.0.113.1:5061"))));   // 50
  EXPECT_TRUE(passes(kAccess, icmpEcho4Frame(l2, ip("198.20.0.1"), ip("203.0.113.1"), 7, 1)));          // 40
  EXPECT_EQ(h_.drops(DropReason::kAclDeny), 2u) << h_.dropSummary();
  EXPECT_EQ(h_.drops(DropReason::kAclDefaultDeny), 2u) << h_.dropSummary();
  EXPECT_EQ(counters(10).packets, 1u);
  EXPECT_EQ(counters(20).packets, 2u);
  EXPECT_EQ(counters(20).bytes, 2 * sip("198.18.6.9:5060").size());
  EXPECT_EQ(counters(30).packets, 1u);
  EXPECT_EQ(counters(40).packets, 1u);
  EXPECT_EQ(counters(50).packets, 1u);
  EXPECT_EQ(h_.firewall->view().defaultDenied.at("access"), 2u);
  // The other realms have nothing bound: their traffic is not looked at.
  EXPECT_TRUE(passes(kCore, udpFrame(h_.toSbc(kCore, kCorePeerMac), sock("198.18.5.9:5060"),
                                     sock("198.51.100.1:5060"), Bytes(10, 'x'))));
}

TEST_F(FirewallTest, Ipv6AndAnyFamilyRules) {
  FirewallConfig c = bound({rule(10, kDeny, kUdp, "2001:db8:bad::/48", "any"),
                            rule(20, kPermit, kUdp, "2001:db8::/32", "2001:db8:a::1/128", {5060, 5060}),
                            rule(30, kDeny, kUdp, "198.18.5.0/24", "any"),
                            rule(40, kPermit, kUdp, "any", "any", {5080, 5080})});
  c.defaultAction["access"] = kDeny;
  apply(c);
  EXPECT_FALSE(passes(kAccess, sip6("[2001:db8:bad::1]:5060")));     // 10
  EXPECT_TRUE(passes(kAccess, sip6("[2001:db8:1::1]:5060")));        // 20
  EXPECT_FALSE(passes(kAccess, sip6("[2001:db8:1::1]:5060", 5061)));  // default
  EXPECT_FALSE(passes(kAccess, sip("198.18.5.1:5060")));            // 30: an IPv4 rule
  EXPECT_TRUE(passes(kAccess, sip("198.18.6.1:5060", 5080)));        // 40 holds for both families
  EXPECT_TRUE(passes(kAccess, sip6("[2001:db8:2::1]:5060", 5080)));  // 40
  EXPECT_FALSE(passes(kAccess, sip6("[2001:db8:bad::2]:5060", 5080)));  // 10 comes first
  EXPECT_EQ(counters(10).packets, 2u);
  EXPECT_EQ(counters(40).packets, 2u);
  EXPECT_EQ(h_.firewall->view().defaultDenied.at("access"), 1u);
}

TEST_F(FirewallTest, LowerSequenceWinsWhateverTheOrderGiven) {
  apply(bound({rule(20, kPermit, kUdp, "any", "any", {5060, 5060}),
               rule(10, kDeny, kUdp, "198.18.5.0/24", "any", {5000, 6000})}));
  EXPECT_FALSE(passes(kAccess, sip("198.18.5.1:5060")));
  EXPECT_TRUE(passes(kAccess, sip("198.18.6.1:5060")));
  EXPECT_EQ(counters(10).packets, 1u);
  EXPECT_EQ(counters(20).packets, 1u);
}

TEST_F(FirewallTest, TrunkPinholeOpensADeniedRealmUntilRemoved) {
  FirewallConfig c = bound({rule(10, kDeny, kAnyProtocol, "any", "any")});
  c.pinholes.push_back({"carrier", "access", *IpPrefix::parse("198.18.9.0/24"), sock("203.0.113.1:5060"), kUdp});
  apply(c);
  EXPECT_TRUE(passes(kAccess, sip("198.18.9.7:5060")));
  EXPECT_FALSE(passes(kAccess, sip("198.18.9.7:5060", 5061)));  // only the signalling port
  EXPECT_FALSE(passes(kAccess, sip("198.18.8.7:5060")));        // only the trunk's sources
  EXPECT_EQ(h_.firewall->view().pinholePackets, 1u);
  EXPECT_EQ(counters(10).packets, 2u);
  c.removedPinholes.push_back("carrier");
  apply(c);
  EXPECT_FALSE(passes(kAccess, sip("198.18.9.7:5060")));
  EXPECT_EQ(h_.firewall->view().pinholePackets, 1u);
}

TEST_F(FirewallTest, DefaultDenyWithoutAListStillHonoursPinholes) {
  FirewallConfig c;
  c.defaultAction["access"] = kDeny;
  c.pinholes.push_back({"carrier", "access", *IpPrefix::parse("198.18.9.0/24"), sock("203.0.113.1:5060"), kUdp});
  apply(c);
  EXPECT_TRUE(passes(kAccess, sip("198.18.9.7:5060")));
  EXPECT_FALSE(passes(kAccess, sip("198.18.8.7:5060")));
  // ARP is not for IP rules: the realm stays reachable.
  Bytes arp = arpFrame(h_.toSbc(kAccess, kAccessPeerMac), 1, kAccessPeerMac, ip("203.0.113.10"),
                       MacAddress{}, ip("203.0.113.1"));
  EXPECT_TRUE(passes(kAccess, arp));
  EXPECT_EQ(h_.drops(DropReason::kAclDefaultDeny), 1u);
}

TEST_F(FirewallTest, RateLimitDropsWhatExceedsTheBurst) {
  AclRule limited = rule(10, kPermit, kUdp, "any", "any", {5060, 5060});
  limited.ratePps = 100;  // one worker: 100 pps, a burst of 100 ms = 10 packets
  apply(bound({limited}));
  std::vector<Bytes> burst(32, sip("198.18.6.1:5060"));
  EXPECT_EQ(passed(kAccess, burst, kT0), 10u);
  EXPECT_EQ(h_.drops(DropReason::kAclRate), 22u);
  EXPECT_EQ(counters(10).packets, 32u);
  EXPECT_EQ(counters(10).rateDrops, 22u);
  // It refills at the rate: 50 ms later, 5 packets; 300 ms later, a full burst and no more.
  EXPECT_EQ(passed(kAccess, burst, kT0 + 50 * kTscPerMs), 5u);
  EXPECT_EQ(passed(kAccess, burst, kT0 + 300 * kTscPerMs), 10u);
  // Packets the rule does not match are not limited by it.
  EXPECT_TRUE(passes(kAccess, sip("198.18.6.1:5060", 5070), kT0 + 300 * kTscPerMs));
}

TEST_F(FirewallTest, LaterFragmentsMatchAsPortZero) {
  apply(bound({rule(10, kDeny, kUdp, "198.18.5.0/24", "any", {5060, 5060}),
               rule(20, kDeny, kUdp, "198.18.6.0/24", "any")}));
  Ipv4Fields later;
  later.fragment = 100;  // offset 800 bytes, no more fragments
  const L2 l2 = h_.toSbc(kAccess, kAccessPeerMac);
  // A later fragment has no ports: a rule on port 5060 does not see it, a rule on udp does.
  EXPECT_TRUE(passes(kAccess, udpFrame(l2, sock("198.18.5.1:5060"), sock("203.0.113.1:5060"), Bytes(40, 'x'), later)));
  EXPECT_FALSE(passes(kAccess, udpFrame(l2, sock("198.18.6.1:5060"), sock("203.0.113.1:5060"), Bytes(40, 'x'), later)));
  Ipv4Fields first;
  first.fragment = 0x2000;  // more fragments, offset 0: the ports are there
  EXPECT_FALSE(passes(kAccess, udpFrame(l2, sock("198.18.5.1:5060"), sock("203.0.113.1:5060"), Bytes(40, 'x'), first)));
}

TEST_F(FirewallTest, MediaIsFilteredBothWays) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  auto media = [&](uint16_t sequence) {
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(), rtpPayload(sequence));
  };
  EXPECT_EQ(h_.receive(kAccess, media(1), kT0).size(), 1u) << h_.dropSummary();
  // In: the access list sees the packet as it arrived.
  apply(bound({rule(10, kDeny, kUdp, "203.0.113.10/32", "203.0.113.1/32", {20000, 20000}),
               rule(20, kPermit, kAnyProtocol, "any", "any")}));
  EXPECT_EQ(h_.receive(kAccess, media(2), kT0).size(), 0u);
  EXPECT_EQ(h_.drops(DropReason::kAclDeny), 1u);
  // Out: the core list sees it rewritten, from the SBC's core address to the core peer.
  apply(bound({rule(10, kDeny, kUdp, "198.51.100.1/32", "198.51.100.20/32", {6000, 6000}),
               rule(20, kPermit, kAnyProtocol, "any", "any")},
              "core", AclDirection::kOut, "core-out"));
  EXPECT_EQ(h_.receive(kAccess, media(3), kT0).size(), 0u);
  EXPECT_EQ(h_.drops(DropReason::kAclDeny), 2u);
  EXPECT_EQ(counters(10, "core-out").packets, 1u);
  // The other way is not toward core: it goes.
  EXPECT_EQ(h_.receive(kCore, udpFrame(h_.toSbc(kCore, kCorePeerMac), Plan::corePeer(), Plan::coreLocal(),
                                       rtpPayload(1)), kT0).size(), 1u);
}

// A media flow remembers the verdict rte_acl gave its packets (AclVerdictMemo); what a packet
// would have met without the memo must not change: every packet counted on its rule and metered.
TEST_F(FirewallTest, RememberedMediaVerdictStillCountsAndMetersEveryPacket) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  AclRule limited = rule(10, kPermit, kUdp, "203.0.113.10/32", "203.0.113.1/32", {20000, 20000});
  limited.ratePps = 100;  // a burst of 10 packets
  apply(bound({limited, rule(20, kDeny, kAnyProtocol, "any", "any")}));
  uint16_t sequence = 0;
  auto burst = [&] { return mediaBurst(sequence); };
  EXPECT_EQ(h_.receive(kAccess, burst(), kT0).size(), 10u) << h_.dropSummary();
  EXPECT_EQ(h_.receive(kAccess, burst(), kT0 + 300 * kTscPerMs).size(), 10u) << h_.dropSummary();
  EXPECT_EQ(h_.receive(kAccess, burst(), kT0 + 350 * kTscPerMs).size(), 5u) << h_.dropSummary();
  EXPECT_EQ(counters(10).packets, 96u);
  EXPECT_EQ(counters(10).rateDrops, 71u);
  EXPECT_EQ(h_.drops(DropReason::kAclRate), 71u);
  // A commit of the same rules is a new verdict all the same: the memo does not outlive it.
  apply(bound({rule(10, kDeny, kUdp, "203.0.113.10/32", "any")}));
  EXPECT_EQ(h_.receive(kAccess, burst(), kT0 + 400 * kTscPerMs).size(), 0u);
  EXPECT_EQ(h_.drops(DropReason::kAclDeny), 32u);
}

// The relay's output remembers its 'out' verdict per flow too, beside the 'in' one: both lists
// apply to every packet, and each counts and meters every packet.
TEST_F(FirewallTest, RememberedVerdictsInAndOutEachCountAndMeterEveryPacket) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  AclRule limited = rule(10, kPermit, kUdp, "198.51.100.1/32", "198.51.100.20/32", {6000, 6000});
  limited.ratePps = 100;  // a burst of 10 packets
  FirewallConfig c = bound({rule(10, kPermit, kUdp, "203.0.113.10/32", "any")});  // access in
  c.lists.push_back({"core-out", {limited, rule(20, kDeny, kAnyProtocol, "any", "any")}});
  c.bindings.push_back({"core", AclDirection::kOut, "core-out"});
  apply(c);
  uint16_t sequence = 0;
  auto burst = [&] { return mediaBurst(sequence); };
  EXPECT_EQ(h_.receive(kAccess, burst(), kT0).size(), 10u) << h_.dropSummary();
  EXPECT_EQ(h_.receive(kAccess, burst(), kT0 + 300 * kTscPerMs).size(), 10u) << h_.dropSummary();
  EXPECT_EQ(counters(10).packets, 64u);              // in
  EXPECT_EQ(counters(10, "core-out").packets, 64u);  // out
  EXPECT_EQ(counters(10, "core-out").rateDrops, 44u);
  // The out list changes: the remembered verdict does not outlive the commit.
  c.lists[1].rules[0].action = kDeny;
  c.lists[1].rules[0].ratePps = 0;
  apply(c);
  EXPECT_EQ(h_.receive(kAccess, burst(), kT0 + 600 * kTscPerMs).size(), 0u);
  EXPECT_EQ(h_.drops(DropReason::kAclDeny), 32u) << h_.dropSummary();
  EXPECT_EQ(counters(10).packets, 96u);
}

// The memo holds one exact key: a forged source on a flow the peer is using is judged as itself,
// and the peer's next packet as the peer's.
TEST_F(FirewallTest, AnotherSourceOnARememberedFlowIsJudgedAfresh) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  apply(bound({rule(10, kDeny, kUdp, "198.18.9.0/24", "any"), rule(20, kPermit, kAnyProtocol, "any", "any")}));
  const L2 l2 = h_.toSbc(kAccess, kAccessPeerMac);
  auto from = [&](SocketAddress source, uint16_t sequence) {
    return udpFrame(l2, source, Plan::accessLocal(), rtpPayload(sequence));
  };
  EXPECT_EQ(h_.receive(kAccess, from(Plan::accessPeer(), 1), kT0).size(), 1u) << h_.dropSummary();
  EXPECT_EQ(h_.receive(kAccess, from(sock("198.18.9.9:4000"), 2), kT0).size(), 0u);
  EXPECT_EQ(h_.drops(DropReason::kAclDeny), 1u) << h_.dropSummary();
  EXPECT_EQ(h_.receive(kAccess, from(Plan::accessPeer(), 3), kT0).size(), 1u) << h_.dropSummary();
  // Permitted by the list, refused by the latch (RTP bleed): the firewall let it by, counted.
  EXPECT_EQ(h_.receive(kAccess, from(sock("198.18.10.1:4000"), 4), kT0).size(), 0u);
  EXPECT_EQ(h_.drops(DropReason::kMediaSourceMismatch), 1u) << h_.dropSummary();
  EXPECT_EQ(counters(10).packets, 1u);
  EXPECT_EQ(counters(20).packets, 3u);
}

// A flow slot freed and given to a new flow keeps the old flow's memo in the worker's array;
// the new flow's packets (another destination port) must not take its verdict. A home slot only
// ever holds flows of its own key, so the slot that passes to another key is an overflow slot: an
// update puts a session's flows there (their homes wait out a grace period).
TEST_F(FirewallTest, AReusedFlowSlotDoesNotInheritAVerdict) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(1), kT0).ok());
  ASSERT_TRUE(h_.sessions->update(h_.accessCoreSpec(1), kT0).ok());
  apply(bound({rule(10, kDeny, kUdp, "any", "203.0.113.1/32", {20010, 20010}),
               rule(20, kPermit, kAnyProtocol, "any", "any")}));
  const L2 l2 = h_.toSbc(kAccess, kAccessPeerMac);
  EXPECT_EQ(h_.receive(kAccess, udpFrame(l2, Plan::accessPeer(), Plan::accessLocal(), rtpPayload(1)), kT0).size(), 1u);
  const Flow* first = h_.flows->lookup(FlowKey::make(h_.interfaces.interfaces[kAccess].portId, Plan::accessLocal()));
  ASSERT_FALSE(first->atHome()) << "the update's flow is in the overflow region";
  const uint32_t slot = h_.flows->slotOf(first);
  ASSERT_TRUE(h_.sessions->remove(1).ok());
  h_.flows->reclaim();  // no worker is registered with RCU: the flows are free at once
  // The overflow region gives back the last slot freed first (the core leg's): legs in the other
  // order put the new access flow where the old one was, after the same create and update.
  MediaSessionSpec second = h_.accessCoreSpec(2);
  std::swap(second.legs[0], second.legs[1]);
  second.legs[1].local = sock("203.0.113.1:20010");
  ASSERT_TRUE(h_.sessions->create(second, kT0).ok());
  ASSERT_TRUE(h_.sessions->update(second, kT0).ok());
  const Flow* reused = h_.flows->lookup(FlowKey::make(h_.interfaces.interfaces[kAccess].portId, sock("203.0.113.1:20010")));
  ASSERT_NE(reused, nullptr);
  ASSERT_EQ(h_.flows->slotOf(reused), slot) << "the test needs the freed slot to be the one reused";
  EXPECT_EQ(h_.receive(kAccess, udpFrame(l2, Plan::accessPeer(), sock("203.0.113.1:20010"), rtpPayload(2)), kT0).size(), 0u);
  EXPECT_EQ(h_.drops(DropReason::kAclDeny), 1u) << h_.dropSummary();
}

// IOS's access-list logging: a `log` rule's first match makes a line at once, later matches
// at most one line per interval, each with the matches since the line before.
TEST_F(FirewallTest, LogRuleWritesItsFirstMatchThenOneLinePerInterval) {
  AclRule logged = rule(10, kDeny, kUdp, "198.18.5.0/24", "any", {5060, 5060});
  logged.log = true;
  FirewallConfig c = bound({logged, rule(20, kDeny, kUdp, "198.18.6.0/24", "any")});
  c.logIntervalSeconds = 5;
  apply(c);
  EXPECT_EQ(passed(kAccess, {sip("198.18.5.9:5060"), sip("198.18.5.9:5060"), sip("198.18.6.1:5060")}), 0u);
  std::vector<AclLogEntry> lines = h_.firewall->drainLog();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].toString(), "acl edge 10 denied udp 198.18.5.9(5060) -> 203.0.113.1(5060), 1 packet");
  passed(kAccess, {sip("198.18.5.9:5060"), sip("198.18.5.9:5060")}, kT0 + 1000 * kTscPerMs);
  EXPECT_TRUE(h_.firewall->drainLog().empty()) << "within the interval: counted, not written";
  passed(kAccess, {sip("198.18.5.10:5070", 5060)}, kT0 + 6000 * kTscPerMs);
  lines = h_.firewall->drainLog();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].toString(), "acl edge 10 denied udp 198.18.5.10(5070) -> 203.0.113.1(5060), 4 packets");
  EXPECT_EQ(h_.firewall->logHistory().size(), 2u);
  EXPECT_EQ(counters(10).packets, 5u);
}

// Media whose flow remembers its verdict still logs, and a line made under tables that a commit
// then replaced is named from those tables.
TEST_F(FirewallTest, RememberedMediaLogsAndACommitKeepsTheLinesOfTheOldRules) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  AclRule logged = rule(30, kPermit, kUdp, "203.0.113.10/32", "any");
  logged.log = true;
  apply(bound({logged}));
  const L2 l2 = h_.toSbc(kAccess, kAccessPeerMac);
  for (uint16_t i = 1; i <= 3; ++i)
    EXPECT_EQ(h_.receive(kAccess, udpFrame(l2, Plan::accessPeer(), Plan::accessLocal(), rtpPayload(i)),
                         kT0 + i * 3000 * kTscPerMs).size(), 1u);
  apply(bound({rule(40, kPermit, kAnyProtocol, "any", "any")}, "access", AclDirection::kIn, "other"));
  const std::vector<AclLogEntry> lines = h_.firewall->drainLog();
  ASSERT_EQ(lines.size(), 2u);  // at 3 s, and at 9 s (6 s is within the interval)
  EXPECT_EQ(lines[0].toString(), "acl edge 30 permitted udp 203.0.113.10(4000) -> 203.0.113.1(20000), 1 packet");
  EXPECT_EQ(lines[1].toString(), "acl edge 30 permitted udp 203.0.113.10(4000) -> 203.0.113.1(20000), 2 packets");
  EXPECT_EQ(h_.firewall->view().logLinesLost, 0u);
}

TEST_F(FirewallTest, CountersSurviveACommitThatKeepsTheRuleAndClearZeroesThem) {
  apply(bound({rule(10, kDeny, kUdp, "198.18.5.0/24", "any"), rule(20, kDeny, kUdp, "198.18.6.0/24", "any")}));
  for (int i = 0; i < 3; ++i) passes(kAccess, sip("198.18.5.1:5060"));
  passes(kAccess, sip("198.18.6.1:5060"));
  apply(bound({rule(10, kDeny, kUdp, "198.18.5.0/24", "any"), rule(15, kDeny, kUdp, "198.18.7.0/24", "any")}));
  EXPECT_EQ(counters(10).packets, 3u);
  EXPECT_EQ(counters(15).packets, 0u);
  passes(kAccess, sip("198.18.5.1:5060"));
  EXPECT_EQ(counters(10).packets, 4u);
  EXPECT_EQ(h_.firewall->view().commits, 2u);
  h_.firewall->clearCounters();
  EXPECT_EQ(counters(10).packets, 0u);
  EXPECT_EQ(counters(10).bytes, 0u);
  passes(kAccess, sip("198.18.5.1:5060"));
  EXPECT_EQ(counters(10).packets, 1u);
}

TEST_F(FirewallTest, RefusedCommitKeepsTheRunningFirewall) {
  apply(bound({rule(10, kDeny, kUdp, "198.18.5.0/24", "any")}));
  FirewallConfig bad = bound({rule(10, kPermit, kUdp, "any", "any", {6000, 5000})});
  Status s = h_.firewall->apply(bad);
  EXPECT_EQ(s.error, "acl edge: rule 10: destination port range 6000-5000 runs backwards");
  FirewallConfig nowhere = bound({rule(10, kDeny, kUdp, "198.18.5.0/24", "any")}, "nowhere");
  EXPECT_EQ(h_.firewall->apply(nowhere).error, "bind nowhere in: no interface is in realm 'nowhere'");
  EXPECT_FALSE(passes(kAccess, sip("198.18.5.1:5060")));
  EXPECT_EQ(h_.firewall->view().commits, 1u);
}

// The test: 10,000 rules committed while the relay carries permitted media. This
// thread is the worker (an RCU reader that reports a quiescent state after every burst, as
// Worker::run does); another thread commits. Not one media packet may be lost, and the commit,
// validation and rte_acl_build and the grace period included, takes under a second.
TEST_F(FirewallTest, TenThousandRuleCommitLosesNoPermittedPacket) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  FirewallConfig small = bound({rule(10, kDeny, kUdp, "10.0.0.0/8", "any"), rule(20, kPermit, kAnyProtocol, "any", "any")});
  apply(small);
  FirewallConfig big;
  big.lists.push_back(bench::syntheticAclList("edge", 10000));
  big.bindings.push_back({"access", AclDirection::kIn, "edge"});
  big.defaultAction["access"] = kDeny;

  ASSERT_EQ(rte_rcu_qsbr_thread_register(h_.rcu, 0), 0);
  rte_rcu_qsbr_thread_online(h_.rcu, 0);
  std::atomic<bool> committed{false};
  Status commitStatus;
  std::thread control([&] {
    commitStatus = h_.firewall->apply(big);
    committed = true;
  });
  uint64_t sent = 0, relayed = 0;
  // The frames are made before the clock starts (a stream of 64 bursts, sent over and over), and
  // the "worker" sends a burst every 20 microseconds or so (about 1.5 Mpps) rather than spinning:
  // on sbcd the worker has a core of its own, here it shares the machine with the commit and
  // with whatever else the test run has going.
  std::vector<std::vector<Bytes>> stream(64);
  uint16_t sequence = 0;
  for (auto& burst : stream) burst = mediaBurst(sequence);
  // Bounded: the commit must end well within this; afterwards a few more bursts on the new tables.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int after = 0;
  size_t next = 0;
  while (after < 50 && std::chrono::steady_clock::now() < deadline) {
    const std::vector<Bytes>& burst = stream[next++ % stream.size()];
    relayed += h_.receive(kAccess, burst, kT0).size();
    sent += burst.size();
    rte_rcu_qsbr_quiescent(h_.rcu, 0);
    if (committed) ++after;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  control.join();
  rte_rcu_qsbr_thread_offline(h_.rcu, 0);
  rte_rcu_qsbr_thread_unregister(h_.rcu, 0);
  ASSERT_TRUE(commitStatus.ok()) << commitStatus.error;
  EXPECT_EQ(relayed, sent) << h_.dropSummary();
  const uint64_t micros = h_.firewall->lastCommitMicros();
  RecordProperty("commit_us", std::to_string(micros));
  std::printf("10,000-rule commit: %.1f ms, %llu packets sent during it and after, %llu relayed\n",
              static_cast<double>(micros) / 1000, static_cast<unsigned long long>(sent),
              static_cast<unsigned long long>(relayed));
  EXPECT_LT(micros, 1'000'000u);
  EXPECT_GE(counters(100000).packets, 32u * 50);  // the final permit, after the swap
  // 9,999 IPv4 rules, and the final permit in both families' contexts.
  EXPECT_EQ(h_.firewall->view().rulesInstalled, 10001u);
}

}  // namespace
}  // namespace sbc::dataplane::test
