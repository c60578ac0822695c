// SessionTable (dataplane/session_table.cc): every validation error names the leg and the value
// at fault; updates keep or reset latches as the spec says; idle sessions are reported once per
// silence, with time passed in as TSC values.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class SessionTableTest : public HarnessTest {
 protected:
  std::string createError(const MediaSessionSpec& spec) {
    Status s = h_.sessions->create(spec, kT0);
    EXPECT_FALSE(s.ok()) << "accepted";
    return s.error;
  }
  void create(const MediaSessionSpec& spec, uint64_t now = kT0) {
    Status s = h_.sessions->create(spec, now);
    ASSERT_TRUE(s.ok()) << s.error;
  }
  MediaSessionSpec spec(uint32_t id = 1) const { return h_.accessCoreSpec(id); }
  Bytes fromAccess(const SocketAddress& src, const MacAddress& mac, uint16_t seq,
                   const SocketAddress& dst = Plan::accessLocal()) const {
    return udpFrame(h_.toSbc(kAccess, mac), src, dst, rtpPayload(seq));
  }
  Bytes fromCore(uint16_t seq, const SocketAddress& src = Plan::corePeer()) const {
    return udpFrame(h_.toSbc(kCore, kCorePeerMac), src, Plan::coreLocal(), rtpPayload(seq));
  }
  std::optional<ParsedUdp> relayed(const std::vector<Captured>& out) {
    if (out.size() != 1) {
      ADD_FAILURE() << out.size() << " packets out; " << h_.dropSummary();
      return std::nullopt;
    }
    EXPECT_TRUE(checksumsValid(out[0].frame));
    return parseUdp(out[0].frame);
  }
};

// ---- validation ----

TEST_F(SessionTableTest, UnknownInterface) {
  MediaSessionSpec s = spec();
  s.legs[1].interfaceName = "nosuch0";
  EXPECT_EQ(createError(s), "leg-b: no interface 'nosuch0'");
}

TEST_F(SessionTableTest, LocalAddressNotOurs) {
  MediaSessionSpec s = spec();
  s.legs[0].local = sock("203.0.113.99:20000");
  EXPECT_EQ(createError(s), "leg-a: local 203.0.113.99 is not an address of access0");
  s.legs[0].local = sock("198.51.100.1:20000");  // ours, but core0's
  EXPECT_EQ(createError(s), "leg-a: local 198.51.100.1 is not an address of access0");
}

TEST_F(SessionTableTest, LocalPortOutsideMediaRange) {
  MediaSessionSpec s = spec();
  s.legs[0].local.port = 19998;
  EXPECT_EQ(createError(s), "leg-a: local port 19998 is outside the media range 20000-29999");
  s = spec();
  s.legs[1].local.port = 30000;
  EXPECT_EQ(createError(s), "leg-b: local port 30000 is outside the media range 20000-29999");
}

TEST_F(SessionTableTest, RtcpPortMustAlsoBeInTheMediaRange) {
  MediaSessionSpec s = spec();
  s.legs[0].rtcpMux = s.legs[1].rtcpMux = false;
  s.legs[1].local.port = kMediaPortMax;  // RTCP would need 30000
  EXPECT_THAT(createError(s), AllOf(HasSubstr("leg-b"), HasSubstr("29999"), HasSubstr("20000-29999")));
}

// Like every validation message, the odd-port one names the leg and the wrong value.
TEST_F(SessionTableTest, OddRtpPortWithoutRtcpMux) {
  MediaSessionSpec s = spec();
  s.legs[0].rtcpMux = s.legs[1].rtcpMux = false;
  s.legs[1].local.port = 20003;
  std::string error = createError(s);
  EXPECT_THAT(error, HasSubstr("leg-b"));
  EXPECT_THAT(error, HasSubstr("must be even"));
  EXPECT_THAT(error, HasSubstr("20003")) << "the message should name the odd port";
}

TEST_F(SessionTableTest, OddRtpPortIsFineWithRtcpMux) {
  MediaSessionSpec s = spec();
  s.legs[1].local.port = 20003;
  create(s);
}

TEST_F(SessionTableTest, MixedRtcpMux) {
  MediaSessionSpec s = spec();
  s.legs[1].rtcpMux = false;
  EXPECT_EQ(createError(s), "rtcp-mux must be the same on both legs");
}

TEST_F(SessionTableTest, RemoteUnknownWithoutLatchAny) {
  MediaSessionSpec s = spec();
  s.legs[0].remote = SocketAddress{};
  EXPECT_EQ(createError(s), "leg-a: remote is unknown, so the leg must latch any source (latch-any)");
  s.legs[0].remote = sock("0.0.0.0:4000");
  EXPECT_EQ(createError(s), "leg-a: remote is unknown, so the leg must latch any source (latch-any)");
}

TEST_F(SessionTableTest, RemoteAndLocalOfDifferentIpVersions) {
  MediaSessionSpec s = spec();
  s.legs[1].remote = sock("[2001:db8:c::20]:6000");
  EXPECT_EQ(createError(s), "leg-b: remote 2001:db8:c::20 and local 198.51.100.1 are of different IP versions");
}

TEST_F(SessionTableTest, NoRouteWithoutGateway) {
  MediaSessionSpec s = spec();
  s.legs[1].remote = sock("203.0.113.50:6000");  // not on core0's link; core0 has no gateway
  EXPECT_EQ(createError(s), "leg-b: no route to 203.0.113.50: not on a link of core0 and no gateway");
}

TEST_F(SessionTableTest, OffLinkPeerIsReachedThroughTheGateway) {
  MediaSessionSpec s = spec();
  s.legs[0].remote = sock("192.0.2.99:4000");  // off access0's link; access0 has a gateway
  h_.neighbors->setStatic(kAccess, ip("203.0.113.254"), kAccessGatewayMac);
  h_.neighbors->setStatic(kCore, Plan::corePeer().ip, kCorePeerMac);
  create(s);
  auto p = relayed(h_.receive(kCore, fromCore(1), kT0));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->dst, kAccessGatewayMac);
  EXPECT_EQ(p->destination, sock("192.0.2.99:4000"));
}

TEST_F(SessionTableTest, LocalKeyAlreadyUsedByAnotherSession) {
  create(spec(1));
  MediaSessionSpec other = spec(2);
  other.legs[1].local.port = 20100;
  EXPECT_EQ(createError(other), "leg-a: 203.0.113.1:20000 is already used by session 1");
}

TEST_F(SessionTableTest, RtcpPortAlreadyUsedByAnotherSession) {
  MediaSessionSpec first = spec(1);
  first.legs[0].rtcpMux = first.legs[1].rtcpMux = false;
  create(first);  // access 20000 + 20001
  MediaSessionSpec second = spec(2);
  second.legs[0].local.port = 20001;
  second.legs[1].local.port = 20100;
  EXPECT_EQ(createError(second), "leg-a: 203.0.113.1:20001 is already used by session 1");
}

TEST_F(SessionTableTest, BothLegsOnTheSameLocalAddressAndPort) {
  MediaSessionSpec s = spec();
  s.legs[1] = s.legs[0];
  EXPECT_EQ(createError(s), "leg-a and leg-b use the same local address and port");
}

TEST_F(SessionTableTest, DuplicateId) {
  create(spec(1));
  MediaSessionSpec again = spec(1);
  again.legs[0].local.port = 20100;
  again.legs[1].local.port = 20102;
  EXPECT_EQ(createError(again), "session 1 already exists");
  EXPECT_EQ(h_.sessions->size(), 1u);
}

TEST_F(SessionTableTest, DeleteUnknownId) {
  Status s = h_.sessions->remove(42);
  EXPECT_EQ(s.error, "no session 42");
}

TEST_F(SessionTableTest, FailedCreateLeavesNoFlowsBehind) {
  MediaSessionSpec s = spec();
  s.legs[1].remote = sock("203.0.113.50:6000");
  createError(s);
  EXPECT_EQ(h_.sessions->size(), 0u);
  EXPECT_EQ(h_.flows->inUse(), 0u);
}

TEST_F(SessionTableTest, FlowTableFull) {
  // The harness flow table holds 64 flows: 32 rtcp-mux sessions.
  for (uint32_t i = 0; i < 32; ++i) {
    MediaSessionSpec s = spec(i + 1);
    s.legs[0].local.port = static_cast<uint16_t>(20000 + 2 * i);
    s.legs[1].local.port = static_cast<uint16_t>(20000 + 2 * i);
    create(s);
  }
  MediaSessionSpec s = spec(99);
  s.legs[0].local.port = s.legs[1].local.port = 21000;
  EXPECT_EQ(createError(s), "flow table full (64 flows)");
  EXPECT_EQ(h_.flows->inUse(), 64u) << "the half-built session gave its flows back";
}

TEST_F(SessionTableTest, RemoveWithdrawsTheFlows) {
  h_.resolvePeers();
  create(spec(1));
  ASSERT_TRUE(h_.sessions->remove(1).ok());
  EXPECT_EQ(h_.sessions->size(), 0u);
  EXPECT_FALSE(h_.sessions->view(1, kT0).has_value());
  EXPECT_TRUE(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, 1), kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kMediaNoSession), 1u);
  h_.flows->reclaim();
  EXPECT_EQ(h_.flows->inUse(), 0u);
  create(spec(2));  // the keys are free again
}

// ---- update ----

TEST_F(SessionTableTest, UpdateKeepsALatchWhoseRemoteIsUnchanged) {
  h_.resolvePeers();
  MediaSessionSpec s = spec();
  s.legs[0].remote = SocketAddress{};
  s.legs[0].latchAnySource = true;
  create(s);
  const SocketAddress nat = sock("198.18.7.7:31000");
  ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(nat, kAccessGatewayMac, 1), kT0)));

  MediaSessionSpec moved = s;
  moved.legs[1].remote = sock("198.51.100.20:6100");  // only the core side changes
  ASSERT_TRUE(h_.sessions->update(moved, kT0 + kTscPerMs).ok());
  SessionView v = *h_.sessions->view(1, kT0 + kTscPerMs);
  EXPECT_TRUE(v.legs[0].latched);
  EXPECT_EQ(v.legs[0].latchedPeer, nat);
  EXPECT_EQ(v.legs[0].sendingTo, nat);
  EXPECT_EQ(v.legs[1].sendingTo, sock("198.51.100.20:6100"));

  auto toAccess = relayed(h_.receive(kCore, fromCore(2, sock("198.51.100.20:6100")), kT0 + 2 * kTscPerMs));
  ASSERT_TRUE(toAccess);
  EXPECT_EQ(toAccess->destination, nat);
  EXPECT_EQ(toAccess->dst, kAccessGatewayMac) << "the latched MAC is kept too";
  auto toCore = relayed(h_.receive(kAccess, fromAccess(nat, kAccessGatewayMac, 3), kT0 + 3 * kTscPerMs));
  ASSERT_TRUE(toCore);
  EXPECT_EQ(toCore->destination, sock("198.51.100.20:6100"));
  EXPECT_EQ(h_.counters().latches, 2u) << "leg-a latched once, before the update; leg-b once, after";
}

// The flows an update publishes are fresh: their loss count starts again at the next packet
// (the peer's sequence numbers go on from wherever they are), and the old flows' loss is
// carried, like their packets.
TEST_F(SessionTableTest, UpdateCarriesTheLossAndCountsOnFromTheNextPacket) {
  h_.resolvePeers();
  create(spec());
  for (uint16_t seq : {5000, 5001, 5003})
    ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, seq), kT0)));
  ASSERT_EQ(h_.sessions->view(1, kT0)->legs[0].rtp.lost, 1u);

  MediaSessionSpec moved = spec();
  moved.legs[1].remote = sock("198.51.100.20:6100");  // the access leg keeps its latch
  ASSERT_TRUE(h_.sessions->update(moved, kT0 + kTscPerMs).ok());
  SessionView v = *h_.sessions->view(1, kT0 + kTscPerMs);
  EXPECT_TRUE(v.legs[0].latched);
  EXPECT_EQ(v.legs[0].rtp.lost, 1u);
  for (uint16_t seq : {5005, 5006, 5008})  // 5004 went missing while the update was made
    ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, seq), kT0 + 2 * kTscPerMs)));
  v = *h_.sessions->view(1, kT0 + 2 * kTscPerMs);
  EXPECT_EQ(v.legs[0].rtp.packets, 6u);
  EXPECT_EQ(v.legs[0].rtp.lost, 2u) << "5002 before the update, 5007 after; 5004 fell between them";
}

// An update publishes its flows away from their homes (the old flows wait out their grace period
// there); rehome brings them back once the homes are free, keeping what an update keeps: the
// latches, the counts and the loss, and the session relays on from its homes.
TEST_F(SessionTableTest, UpdatedFlowsGoBackHomeOnceTheirHomesAreFree) {
  h_.resolvePeers();
  create(spec());
  for (uint16_t seq : {5000, 5001, 5003})
    ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, seq), kT0)));
  ASSERT_TRUE(relayed(h_.receive(kCore, fromCore(1), kT0)));
  const FlowKey accessKey = FlowKey::make(h_.interfaces.interfaces[kAccess].portId, Plan::accessLocal());
  const FlowKey coreKey = FlowKey::make(h_.interfaces.interfaces[kCore].portId, Plan::coreLocal());
  ASSERT_TRUE(h_.flows->lookup(accessKey)->atHome());
  EXPECT_EQ(h_.sessions->awayFromHome(), 0u);

  ASSERT_TRUE(h_.sessions->update(spec(), kT0 + kTscPerMs).ok());  // a re-INVITE that changes nothing
  EXPECT_FALSE(h_.flows->lookup(accessKey)->atHome());
  EXPECT_FALSE(h_.flows->lookup(coreKey)->atHome());
  EXPECT_EQ(h_.sessions->awayFromHome(), 1u);
  EXPECT_EQ(h_.sessions->rehome(kT0 + kTscPerMs), 0u) << "the old flows are in their grace period";
  EXPECT_FALSE(h_.flows->lookup(accessKey)->atHome());

  h_.flows->reclaim();
  EXPECT_EQ(h_.sessions->rehome(kT0 + 2 * kTscPerMs), 1u);
  EXPECT_TRUE(h_.flows->lookup(accessKey)->atHome());
  EXPECT_TRUE(h_.flows->lookup(coreKey)->atHome());
  EXPECT_EQ(h_.sessions->awayFromHome(), 0u);
  EXPECT_EQ(h_.sessions->rehome(kT0 + 2 * kTscPerMs), 0u) << "nothing left to move";

  SessionView v = *h_.sessions->view(1, kT0 + 2 * kTscPerMs);
  EXPECT_TRUE(v.legs[0].latched);
  EXPECT_TRUE(v.legs[1].latched);
  for (uint16_t seq : {5004, 5006})
    ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, seq), kT0 + 3 * kTscPerMs)));
  ASSERT_TRUE(relayed(h_.receive(kCore, fromCore(2), kT0 + 3 * kTscPerMs)));
  v = *h_.sessions->view(1, kT0 + 3 * kTscPerMs);
  EXPECT_EQ(v.legs[0].rtp.packets, 5u) << "counted before the moves and after";
  EXPECT_EQ(v.legs[0].rtp.lost, 2u) << "5002 before the moves, 5005 after";
  EXPECT_EQ(v.legs[1].rtp.packets, 2u);
  EXPECT_EQ(h_.counters().latches, 2u) << "each leg latched once, before the moves";
  h_.flows->reclaim();
  EXPECT_EQ(h_.flows->inUse(), 2u) << "the flows the moves replaced are free";
}

// A session removed (or moved home by a later update) before its homes were free leaves nothing
// for rehome to do.
TEST_F(SessionTableTest, RehomeForgetsSessionsRemovedMeanwhile) {
  h_.resolvePeers();
  create(spec(1));
  MediaSessionSpec second = spec(2);
  second.legs[0].local = sock("203.0.113.1:20010");
  second.legs[1].local = sock("198.51.100.1:20012");
  create(second);
  ASSERT_TRUE(h_.sessions->update(spec(1), kT0).ok());
  ASSERT_TRUE(h_.sessions->update(second, kT0).ok());
  EXPECT_EQ(h_.sessions->awayFromHome(), 2u);
  ASSERT_TRUE(h_.sessions->remove(1).ok());
  h_.flows->reclaim();
  EXPECT_EQ(h_.sessions->rehome(kT0, 1), 1u) << "the removed one costs no budget";
  EXPECT_EQ(h_.sessions->awayFromHome(), 0u);
  EXPECT_TRUE(h_.flows->lookup(FlowKey::make(h_.interfaces.interfaces[kAccess].portId, second.legs[0].local))->atHome());
  EXPECT_EQ(h_.flows->lookup(FlowKey::make(h_.interfaces.interfaces[kAccess].portId, Plan::accessLocal())), nullptr);
}

// An update that gives one leg a new local port publishes that leg's flow at its new key's home
// and the other's away. Republished, the flow at home would go away in its turn: rehome leaves
// such a session as it is, once, rather than swapping its flows for ever.
TEST_F(SessionTableTest, RehomeLeavesASessionWithAFlowAtHomeAsItIs) {
  h_.resolvePeers();
  create(spec());
  MediaSessionSpec moved = spec();
  moved.legs[0].local = sock("203.0.113.1:20100");
  ASSERT_TRUE(h_.sessions->update(moved, kT0).ok());
  const FlowKey accessKey = FlowKey::make(h_.interfaces.interfaces[kAccess].portId, moved.legs[0].local);
  const FlowKey coreKey = FlowKey::make(h_.interfaces.interfaces[kCore].portId, Plan::coreLocal());
  ASSERT_TRUE(h_.flows->lookup(accessKey)->atHome()) << "a new key: its home was free";
  ASSERT_FALSE(h_.flows->lookup(coreKey)->atHome());
  EXPECT_EQ(h_.sessions->awayFromHome(), 1u);
  h_.flows->reclaim();
  EXPECT_EQ(h_.sessions->rehome(kT0), 0u);
  EXPECT_EQ(h_.sessions->awayFromHome(), 0u) << "not kept for another try";
  EXPECT_TRUE(h_.flows->lookup(accessKey)->atHome());
  auto p = relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, 1, moved.legs[0].local), kT0));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->destination, Plan::corePeer());
}

TEST_F(SessionTableTest, UpdateResetsALatchWhoseRemoteChanged) {
  h_.resolvePeers();
  MediaSessionSpec s = spec();
  s.legs[0].remote = SocketAddress{};
  s.legs[0].latchAnySource = true;
  create(s);
  ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(sock("198.18.7.7:31000"), kAccessGatewayMac, 1), kT0)));
  ASSERT_TRUE(relayed(h_.receive(kCore, fromCore(2), kT0)));
  ASSERT_TRUE(h_.sessions->view(1, kT0)->legs[1].latched);

  MediaSessionSpec named = spec();  // the access peer is now known: 203.0.113.10:4000
  ASSERT_TRUE(h_.sessions->update(named, kT0 + kTscPerMs).ok());
  SessionView v = *h_.sessions->view(1, kT0 + kTscPerMs);
  EXPECT_FALSE(v.legs[0].latched) << "leg-a's remote changed";
  EXPECT_TRUE(v.legs[1].latched) << "leg-b's did not";
  EXPECT_EQ(v.legs[0].sendingTo, Plan::accessPeer());

  auto toAccess = relayed(h_.receive(kCore, fromCore(3), kT0 + 2 * kTscPerMs));
  ASSERT_TRUE(toAccess);
  EXPECT_EQ(toAccess->destination, Plan::accessPeer());
  EXPECT_EQ(toAccess->dst, kAccessPeerMac) << "back to the neighbour table's MAC";
  EXPECT_TRUE(h_.receive(kAccess, fromAccess(sock("198.18.7.7:31000"), kAccessGatewayMac, 4), kT0).empty())
      << "the old NAT address is a stranger now";
  EXPECT_EQ(h_.drops(DropReason::kMediaUnexpectedSource), 1u);
}

TEST_F(SessionTableTest, UpdateThatMovesALocalPortWithdrawsTheOldKey) {
  h_.resolvePeers();
  create(spec());
  MediaSessionSpec s = spec();
  s.legs[0].local.port = 20100;
  ASSERT_TRUE(h_.sessions->update(s, kT0).ok());
  EXPECT_TRUE(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, 1), kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kMediaNoSession), 1u) << "20000 is no longer a session's";
  auto p = relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, 2, sock("203.0.113.1:20100")), kT0));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->destination, Plan::corePeer());
  h_.flows->reclaim();
  EXPECT_EQ(h_.flows->inUse(), 2u);
}

// A latch belongs to a link: the kept destination (the MAC the latched packets came from, or a
// neighbour entry of the old interface) means nothing on another one, so a leg that moves to
// another interface latches afresh even when its remote is unchanged.
TEST_F(SessionTableTest, UpdateThatMovesALegToAnotherInterfaceResetsItsLatch) {
  h_.resolvePeers();
  MediaSessionSpec s = spec();
  s.legs[0].remote = SocketAddress{};
  s.legs[0].latchAnySource = true;
  create(s);
  ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(sock("198.18.7.7:31000"), kAccessGatewayMac, 1), kT0)));

  MediaSessionSpec moved = s;
  moved.legs[0].interfaceName = "vlan0";
  moved.legs[0].local = sock("192.0.2.1:20000");
  ASSERT_TRUE(h_.sessions->update(moved, kT0 + kTscPerMs).ok());
  EXPECT_FALSE(h_.sessions->view(1, kT0 + kTscPerMs)->legs[0].latched)
      << "a latch learned on access0 says nothing about vlan0";
  auto out = h_.receive(kCore, fromCore(2), kT0 + 2 * kTscPerMs);
  for (const Captured& c : out) {
    auto p = parseUdp(c.frame);
    ASSERT_TRUE(p);
    EXPECT_NE(p->dst, kAccessGatewayMac) << "sent on vlan0 to a MAC learned on access0";
  }
}

// ---- idle detection ----

TEST_F(SessionTableTest, IdleSessionIsReportedOncePerSilence) {
  h_.resolvePeers();
  const uint64_t ms = kTscPerMs, timeout = 1000 * ms;
  create(spec(1), kT0);
  EXPECT_TRUE(h_.sessions->collectIdle(kT0 + 999 * ms, timeout).empty());
  EXPECT_EQ(h_.sessions->collectIdle(kT0 + 1001 * ms, timeout), std::vector<uint32_t>{1});
  EXPECT_TRUE(h_.sessions->collectIdle(kT0 + 1500 * ms, timeout).empty()) << "reported once";

  ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, 1), kT0 + 2000 * ms)));
  EXPECT_TRUE(h_.sessions->collectIdle(kT0 + 2001 * ms, timeout).empty()) << "traffic again";
  EXPECT_TRUE(h_.sessions->collectIdle(kT0 + 2999 * ms, timeout).empty());
  EXPECT_EQ(h_.sessions->collectIdle(kT0 + 3001 * ms, timeout), std::vector<uint32_t>{1}) << "silent again";

  SessionView v = *h_.sessions->view(1, kT0 + 2500 * ms);
  EXPECT_EQ(v.ageMs, 2500u);
  EXPECT_EQ(v.idleMs, 500u);
}

// Regression: a worker stamps the flow with its own TSC reading, which can be later than the
// `now` the control lcore read at the start of poll(). That must count as active, not wrap
// around into "idle for ages" (the caller would tear down a call carrying media).
TEST_F(SessionTableTest, PacketNewerThanTheScanDoesNotMakeTheSessionIdle) {
  h_.resolvePeers();
  const uint64_t ms = kTscPerMs, timeout = 1000 * ms;
  create(spec(1), kT0);
  ASSERT_TRUE(relayed(h_.receive(kAccess, fromAccess(Plan::accessPeer(), kAccessPeerMac, 1), kT0 + 5000 * ms)));
  const uint64_t scanStartedAt = kT0 + 5000 * ms - 1;  // read just before the worker's
  EXPECT_TRUE(h_.sessions->collectIdle(scanStartedAt, timeout).empty()) << "active session reported idle";
  EXPECT_LE(h_.sessions->view(1, scanStartedAt)->idleMs, 1u);
}

TEST_F(SessionTableTest, OnlyTheSilentSessionIsIdle) {
  h_.resolvePeers();
  const uint64_t ms = kTscPerMs, timeout = 1000 * ms;
  create(spec(1), kT0);
  MediaSessionSpec quiet = spec(2);
  quiet.legs[0].local.port = 20100;
  quiet.legs[1].local.port = 20102;
  create(quiet, kT0);
  ASSERT_TRUE(relayed(h_.receive(kCore, fromCore(1), kT0 + 800 * ms)));
  EXPECT_EQ(h_.sessions->collectIdle(kT0 + 1200 * ms, timeout), std::vector<uint32_t>{2});
}

TEST_F(SessionTableTest, DroppedPacketsDoNotKeepASessionAlive) {
  h_.resolvePeers();
  const uint64_t ms = kTscPerMs, timeout = 1000 * ms;
  create(spec(1), kT0);
  EXPECT_TRUE(h_.receive(kAccess, fromAccess(sock("203.0.113.66:4000"), kOtherMac, 1), kT0 + 900 * ms).empty());
  EXPECT_EQ(h_.sessions->collectIdle(kT0 + 1001 * ms, timeout), std::vector<uint32_t>{1});
  EXPECT_EQ(h_.sessions->view(1, kT0)->legs[0].rtp.sourceDrops, 1u);
}

}  // namespace
}  // namespace sbc::dataplane::test
