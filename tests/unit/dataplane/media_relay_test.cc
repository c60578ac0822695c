// The media relay (dataplane/media_relay.cc) driven the way the appliance drives it: sessions made
// by SessionTable::create, packets through Worker::processBurst, output taken by Worker::flush.
// Each test checks the frame on the wire byte by byte (MACs, addresses, ports, TTL, tag,
// checksums recomputed from scratch, payload) and the counters and latch state that explain it.
// Every test runs once per build of the fast path (FastPath: scalar, AVX-512 where the CPU has
// it), and FastPathsTest feeds both the same random traffic and compares what they send.

#include <gtest/gtest.h>

#include <random>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

class MediaRelayTest : public HarnessTest, public ::testing::WithParamInterface<FastPath> {
 protected:
  void SetUp() override {
    if (!h_.worker->setFastPath(GetParam()))
      GTEST_SKIP() << "this CPU (or DPDK's SIMD limit) does not run the " << fastPathName(GetParam()) << " path";
  }

  Bytes rtp(uint8_t iface, const MacAddress& srcMac, const SocketAddress& src, const SocketAddress& dst,
            uint16_t sequence, const Ipv4Fields& fields = {}) const {
    return udpFrame(h_.toSbc(iface, srcMac), src, dst, rtpPayload(sequence), fields);
  }
  Bytes fromAccessPeer(uint16_t sequence, const SocketAddress& src = Plan::accessPeer(),
                       const MacAddress& mac = kAccessPeerMac) const {
    return rtp(kAccess, mac, src, Plan::accessLocal(), sequence);
  }
  Bytes fromCorePeer(uint16_t sequence, const SocketAddress& src = Plan::corePeer()) const {
    return rtp(kCore, kCorePeerMac, src, Plan::coreLocal(), sequence);
  }

  // The single packet `out` must hold, sent on `iface`, with valid checksums.
  ParsedUdp single(const std::vector<Captured>& out, uint8_t iface) {
    EXPECT_EQ(out.size(), 1u) << h_.dropSummary();
    if (out.size() != 1) return {};
    EXPECT_EQ(out[0].interfaceIndex, iface);
    EXPECT_TRUE(checksumsValid(out[0].frame));
    std::string why;
    auto p = parseUdp(out[0].frame, &why);
    EXPECT_TRUE(p.has_value()) << why;
    return p.value_or(ParsedUdp{});
  }

  void create(const MediaSessionSpec& spec, uint64_t now = kT0) {
    Status s = h_.sessions->create(spec, now);
    ASSERT_TRUE(s.ok()) << s.error;
  }
  SessionView view(uint32_t id = 1, uint64_t now = kT0) {
    auto v = h_.sessions->view(id, now);
    EXPECT_TRUE(v.has_value());
    return v.value_or(SessionView{});
  }
  uint64_t dropped(DropReason r) const { return h_.drops(r); }

  // RTP from the access peer (or `src`) with these sequence numbers, in one burst (the first
  // packet of a source takes the general path, the rest the fast path); all must be relayed.
  void relayFromAccess(const std::vector<uint16_t>& sequences, uint64_t now = kT0,
                       const SocketAddress& src = Plan::accessPeer(), const MacAddress& mac = kAccessPeerMac) {
    std::vector<Bytes> frames;
    for (uint16_t s : sequences) frames.push_back(fromAccessPeer(s, src, mac));
    ASSERT_EQ(h_.receive(kAccess, frames, now).size(), sequences.size()) << h_.dropSummary();
  }
  Bytes rtcpFromAccessPeer(uint8_t packetType) const {
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(),
                    rtcpPayload(packetType));
  }
  const Flow& accessRtpFlow() const {
    return *h_.flows->lookup(FlowKey::make(h_.interfaces.interfaces[kAccess].portId, Plan::accessLocal()));
  }
};

// Any TTL, TOS and ID, with or without DF: what the relay keeps or rewrites whatever they are.
Ipv4Fields randomIpv4Fields(std::mt19937& random) {
  Ipv4Fields fields;
  fields.ttl = static_cast<uint8_t>(1 + random() % 255);
  fields.tos = static_cast<uint8_t>(random());
  fields.packetId = static_cast<uint16_t>(random());
  fields.fragment = (random() & 1) ? 0x4000 : 0;
  return fields;
}

// A leg whose peer is behind NAT: address unknown, latch on the first source.
MediaSessionSpec withNatedAccessLeg(MediaSessionSpec s) {
  s.legs[0].remote = SocketAddress{};
  s.legs[0].latchAnySource = true;
  return s;
}

const SocketAddress kNatPublic = sock("198.18.7.7:31000");     // off-link, via the access gateway
const SocketAddress kNatOther = sock("198.18.7.8:31000");

// ---- the common case ----

TEST_P(MediaRelayTest, AccessToCoreRewritesEveryHeader) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  Ipv4Fields in;
  in.ttl = 50;
  in.tos = 0xb8;  // EF
  Bytes frame = rtp(kAccess, kAccessPeerMac, Plan::accessPeer(), Plan::accessLocal(), 7, in);
  ParsedUdp p = single(h_.receive(kAccess, frame, kT0), kCore);

  EXPECT_EQ(p.dst, kCorePeerMac);
  EXPECT_EQ(p.src, kSbcMac[kCore]);
  EXPECT_FALSE(p.vlanTci.has_value());
  EXPECT_EQ(p.family, IpFamily::kV4);
  EXPECT_EQ(p.source, Plan::coreLocal());
  EXPECT_EQ(p.destination, Plan::corePeer());
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.tos, 0xb8) << "DSCP is kept";
  EXPECT_NE(p.udpChecksum, 0) << "the checksum stays present";
  EXPECT_EQ(p.payload, rtpPayload(7));

  EXPECT_EQ(h_.counters().mediaPackets, 1u);
  EXPECT_EQ(h_.counters().txPackets[kCore], 1u);
  EXPECT_EQ(h_.counters().txBytes[kCore], frame.size());
  EXPECT_EQ(h_.totalDrops(), 0u) << h_.dropSummary();
  SessionView v = view();
  EXPECT_TRUE(v.legs[0].latched);
  EXPECT_EQ(v.legs[0].latchedPeer, Plan::accessPeer());
  EXPECT_EQ(v.legs[0].rtp.packets, 1u);
  EXPECT_EQ(v.legs[0].rtp.bytes, frame.size());
  EXPECT_EQ(v.legs[1].rtp.packets, 0u);
}

TEST_P(MediaRelayTest, CoreToAccessRewritesEveryHeader) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  ParsedUdp p = single(h_.receive(kCore, fromCorePeer(9), kT0), kAccess);
  EXPECT_EQ(p.dst, kAccessPeerMac);
  EXPECT_EQ(p.src, kSbcMac[kAccess]);
  EXPECT_EQ(p.source, Plan::accessLocal());
  EXPECT_EQ(p.destination, Plan::accessPeer());
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.payload, rtpPayload(9));
  EXPECT_EQ(view().legs[1].rtp.packets, 1u);
  EXPECT_EQ(h_.counters().txPackets[kAccess], 1u);
}

TEST_P(MediaRelayTest, BurstKeepsOrderAndEveryPacket) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  std::vector<Bytes> frames;
  for (uint16_t s = 0; s < kMaxBurst; ++s) frames.push_back(fromAccessPeer(static_cast<uint16_t>(100 + s)));
  auto out = h_.receive(kAccess, frames, kT0);
  ASSERT_EQ(out.size(), kMaxBurst) << h_.dropSummary();
  for (uint16_t s = 0; s < kMaxBurst; ++s) {
    auto p = parseUdp(out[s].frame);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->payload, rtpPayload(static_cast<uint16_t>(100 + s))) << "packet " << s;
    EXPECT_TRUE(checksumsValid(out[s].frame)) << "packet " << s;
  }
}

TEST_P(MediaRelayTest, Ipv4WithoutUdpChecksumIsRelayedWithoutOne) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  Bytes f = udp4FrameNoChecksum(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(),
                                rtpPayload(1));
  auto out = h_.receive(kAccess, f, kT0);
  ASSERT_EQ(out.size(), 1u) << h_.dropSummary();
  EXPECT_TRUE(checksumsValid(out[0].frame, /*requireUdpChecksum=*/false));
  EXPECT_EQ(parseUdp(out[0].frame)->udpChecksum, 0);
}

// A UDP checksum that comes out 0 is sent as 0xffff (RFC 768: 0 would mean "none").
TEST_P(MediaRelayTest, AChecksumThatComesOutZeroIsSentAsAllOnes) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  relayFromAccess({1});  // latched: what follows takes the fast path
  // A payload whose last word makes the relayed packet's sum 0xffff: the frame the relay must
  // send is built here, and its checksum field reads 0xffff only then (a computed 0xffff would
  // need an all-zero packet).
  const L2 coreWire{kCorePeerMac, kSbcMac[kCore], std::nullopt};
  constexpr size_t kUdpChecksumAt = kEthernetLength + kIpv4HeaderLength + 6;
  Bytes payload = rtpPayload(2);
  Bytes expected;
  for (uint32_t tail = 0; tail <= 0xffff; ++tail) {
    payload[payload.size() - 2] = static_cast<uint8_t>(tail >> 8);
    payload[payload.size() - 1] = static_cast<uint8_t>(tail);
    Ipv4Fields out;
    out.ttl = 64;
    expected = udpFrame(coreWire, Plan::coreLocal(), Plan::corePeer(), payload, out);
    if (expected[kUdpChecksumAt] == 0xff && expected[kUdpChecksumAt + 1] == 0xff) break;
  }
  ASSERT_EQ(expected[kUdpChecksumAt], 0xff);
  ASSERT_EQ(expected[kUdpChecksumAt + 1], 0xff);
  Bytes frame = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(), payload);
  auto out = h_.receive(kAccess, frame, kT0);
  ASSERT_EQ(out.size(), 1u) << h_.dropSummary();
  EXPECT_EQ(out[0].frame, expected);
}

// The fast path (latched IPv4 peer, untagged, IPv4 destination) adjusts both checksums for the
// words it changes in one sum. Whatever TTL, TOS, ID, payload or incoming checksum a packet has,
// what leaves must equal a from-scratch computation; RTP of every length takes it, and the RTCP
// mixed in (which the general path relays) must come out just as right.
TEST_P(MediaRelayTest, FastPathChecksumsHoldForEveryHeaderAndPayload) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  ASSERT_EQ(h_.receive(kAccess, fromAccessPeer(1), kT0).size(), 1u) << "latched";
  std::mt19937 random(7);
  unsigned sent = 0;
  for (unsigned burst = 0; burst < 40; ++burst) {
    std::vector<Bytes> frames;
    std::vector<Bytes> payloads;
    for (unsigned k = 0; k < kMaxBurst; ++k) {
      const Ipv4Fields fields = randomIpv4Fields(random);
      Bytes payload = (k % 5 == 0) ? rtcpPayload(static_cast<uint8_t>(192 + random() % 32), static_cast<uint32_t>(random()))
                                   : rtpPayload(static_cast<uint16_t>(random()), static_cast<uint32_t>(random()),
                                                static_cast<uint32_t>(random()), random() % 300,
                                                static_cast<uint8_t>(random() % 128), static_cast<uint8_t>(random()));
      payloads.push_back(payload);
      frames.push_back(udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(),
                                payload, fields));
    }
    auto out = h_.receive(kAccess, frames, kT0 + burst * kTscPerMs);
    ASSERT_EQ(out.size(), kMaxBurst) << h_.dropSummary();
    for (unsigned k = 0; k < kMaxBurst; ++k) {
      ASSERT_TRUE(checksumsValid(out[k].frame)) << "burst " << burst << " packet " << k;
      auto p = parseUdp(out[k].frame);
      ASSERT_TRUE(p.has_value());
      EXPECT_EQ(out[k].interfaceIndex, kCore);
      EXPECT_EQ(p->dst, kCorePeerMac);
      EXPECT_EQ(p->src, kSbcMac[kCore]);
      EXPECT_EQ(p->source, Plan::coreLocal());
      EXPECT_EQ(p->destination, Plan::corePeer());
      EXPECT_EQ(p->ttl, 64);
      EXPECT_EQ(p->payload, payloads[k]);
      ++sent;
    }
  }
  EXPECT_EQ(view().legs[0].rtp.packets, sent + 1);
  EXPECT_EQ(h_.counters().mediaPackets, sent + 1);
  EXPECT_EQ(h_.counters().latches, 1u);
  EXPECT_EQ(h_.totalDrops(), 0u);
}

// The NIC's checksum verdicts decide the path, not the result: with offload verdicts (GOOD), a
// packet takes the fast path; with "the field is not valid but the data is" (NONE: virtio, veth)
// there is no checksum to adjust, so the general path computes it whole.
TEST_P(MediaRelayTest, NicChecksumVerdictsGiveTheSameWire) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  const uint64_t good = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  ParsedUdp p = single(h_.receive(kAccess, {fromAccessPeer(1)}, kT0, good), kCore);
  EXPECT_EQ(p.payload, rtpPayload(1));
  p = single(h_.receive(kAccess, {fromAccessPeer(2)}, kT0, good), kCore);
  EXPECT_EQ(p.payload, rtpPayload(2));

  Bytes stale = fromAccessPeer(3);
  stale[kEthernetLength + kIpv4HeaderLength + 6] ^= 0x5a;  // the UDP checksum field, not the data
  const uint64_t none = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_NONE;
  p = single(h_.receive(kAccess, {stale}, kT0, none), kCore);
  EXPECT_EQ(p.payload, rtpPayload(3));
  EXPECT_EQ(h_.counters().mediaPackets, 3u);
}

// A source that is not the latched peer never takes the fast path: the forged packet is
// dropped as RTP bleed, and the next packet of the real peer is still relayed.
TEST_P(MediaRelayTest, ForgedPortOfTheLatchedHostIsDropped) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  ASSERT_EQ(h_.receive(kAccess, fromAccessPeer(1), kT0).size(), 1u);
  SocketAddress forged = Plan::accessPeer();
  forged.port = static_cast<uint16_t>(forged.port + 2);
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, forged), kT0).empty());
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 1u);
  EXPECT_EQ(h_.receive(kAccess, fromAccessPeer(3), kT0).size(), 1u);
}

// ---- source checks (RTP bleed) ----

TEST_P(MediaRelayTest, ForgedSourceBeforeLatchIsUnexpected) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(1, sock("203.0.113.66:4000")), kT0).empty()) << "other address";
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, sock("203.0.113.10:4001")), kT0).empty()) << "other port";
  EXPECT_EQ(dropped(DropReason::kMediaUnexpectedSource), 2u);
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 0u);
  SessionView v = view();
  EXPECT_FALSE(v.legs[0].latched);
  EXPECT_EQ(v.legs[0].rtp.sourceDrops, 2u);
  EXPECT_EQ(v.legs[0].rtp.packets, 0u);

  single(h_.receive(kAccess, fromAccessPeer(3), kT0), kCore);
  EXPECT_TRUE(view().legs[0].latched);
}

TEST_P(MediaRelayTest, ForgedSourceAfterLatchIsMismatch) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  single(h_.receive(kAccess, fromAccessPeer(1), kT0), kCore);
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, sock("203.0.113.66:4000")), kT0).empty()) << "other address";
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(3, sock("203.0.113.10:4001")), kT0).empty()) << "other port";
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 2u);
  EXPECT_EQ(dropped(DropReason::kMediaUnexpectedSource), 0u);
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.sourceDrops, 2u);
  EXPECT_EQ(v.legs[0].latchedPeer, Plan::accessPeer()) << "the latch did not move";
  single(h_.receive(kAccess, fromAccessPeer(4), kT0), kCore);
  EXPECT_EQ(view().legs[0].rtp.packets, 2u);
}

TEST_P(MediaRelayTest, LatchAnyLatchesFirstSourceAndAnswersThroughItsMac) {
  h_.resolvePeers();
  create(withNatedAccessLeg(h_.accessCoreSpec()));
  // Nothing to send toward the access peer before it has spoken (the core peer's packet still
  // latches the core leg: it came from the peer the SDP named).
  EXPECT_TRUE(h_.receive(kCore, fromCorePeer(1), kT0).empty());
  EXPECT_EQ(dropped(DropReason::kNoNeighbor), 1u);
  EXPECT_EQ(h_.counters().latches, 1u);
  EXPECT_TRUE(view().legs[1].latched);

  // The NATed peer speaks, through the access gateway.
  ParsedUdp toCore = single(h_.receive(kAccess, fromAccessPeer(2, kNatPublic, kAccessGatewayMac), kT0), kCore);
  EXPECT_EQ(toCore.destination, Plan::corePeer());
  EXPECT_EQ(h_.counters().latches, 2u);
  SessionView v = view();
  EXPECT_TRUE(v.legs[0].latched);
  EXPECT_EQ(v.legs[0].latchedPeer, kNatPublic);
  EXPECT_EQ(v.legs[0].sendingTo, kNatPublic);

  ParsedUdp toAccess = single(h_.receive(kCore, fromCorePeer(3), kT0), kAccess);
  EXPECT_EQ(toAccess.dst, kAccessGatewayMac) << "answered through the MAC the latched packet came from";
  EXPECT_EQ(toAccess.src, kSbcMac[kAccess]);
  EXPECT_EQ(toAccess.source, Plan::accessLocal());
  EXPECT_EQ(toAccess.destination, kNatPublic);

  // Somebody else after the latch.
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(4, kNatOther, kAccessGatewayMac), kT0).empty());
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 1u);
  EXPECT_EQ(view().legs[0].latchedPeer, kNatPublic);
}

TEST_P(MediaRelayTest, OwnAddressIsNeverLatched) {
  h_.resolvePeers();
  create(withNatedAccessLeg(h_.accessCoreSpec()));
  Bytes spoofed = fromAccessPeer(1, sock("203.0.113.1:20000"), kOtherMac);
  EXPECT_TRUE(h_.receive(kAccess, spoofed, kT0).empty());
  EXPECT_EQ(dropped(DropReason::kMediaUnexpectedSource), 1u);
  EXPECT_FALSE(view().legs[0].latched);
  EXPECT_EQ(h_.counters().latches, 0u);
}

// ---- re-latching after silence ----

TEST_P(MediaRelayTest, RelatchHappensOnlyAfterTheSilence) {
  h_.resolvePeers();
  MediaSessionSpec s = withNatedAccessLeg(h_.accessCoreSpec());
  s.relatchSilenceMs = 500;
  create(s);
  const uint64_t ms = kTscPerMs;
  single(h_.receive(kAccess, fromAccessPeer(1, kNatPublic, kAccessGatewayMac), kT0), kCore);
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, kNatOther, kOtherMac), kT0 + 100 * ms).empty());
  single(h_.receive(kAccess, fromAccessPeer(3, kNatPublic, kAccessGatewayMac), kT0 + 200 * ms), kCore);
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(4, kNatOther, kOtherMac), kT0 + 650 * ms).empty())
      << "450 ms since the latched peer spoke: not yet";
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 2u);
  EXPECT_EQ(h_.counters().relatches, 0u);

  single(h_.receive(kAccess, fromAccessPeer(5, kNatOther, kOtherMac), kT0 + 701 * ms), kCore);
  EXPECT_EQ(h_.counters().relatches, 1u);
  SessionView v = view(1, kT0 + 701 * ms);
  EXPECT_EQ(v.legs[0].latchedPeer, kNatOther);
  ParsedUdp back = single(h_.receive(kCore, fromCorePeer(6), kT0 + 702 * ms), kAccess);
  EXPECT_EQ(back.destination, kNatOther);
  EXPECT_EQ(back.dst, kOtherMac);
  // The old source is now the stranger.
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(7, kNatPublic, kAccessGatewayMac), kT0 + 703 * ms).empty());
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 3u);
}

TEST_P(MediaRelayTest, NoRelatchWhenTheSessionDoesNotAllowIt) {
  h_.resolvePeers();
  create(withNatedAccessLeg(h_.accessCoreSpec()));  // relatchSilenceMs = 0
  single(h_.receive(kAccess, fromAccessPeer(1, kNatPublic, kAccessGatewayMac), kT0), kCore);
  const uint64_t anHourLater = kT0 + 3600'000 * kTscPerMs;
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, kNatOther, kOtherMac), anHourLater).empty());
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 1u);
  EXPECT_EQ(h_.counters().relatches, 0u);
  EXPECT_EQ(view().legs[0].latchedPeer, kNatPublic);
}

TEST_P(MediaRelayTest, RelatchOnAKnownPeerLegAcceptsOnlyThatPeer) {
  h_.resolvePeers();
  MediaSessionSpec s = h_.accessCoreSpec();
  s.relatchSilenceMs = 500;
  create(s);
  single(h_.receive(kAccess, fromAccessPeer(1), kT0), kCore);
  const uint64_t later = kT0 + 10'000 * kTscPerMs;
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, sock("203.0.113.66:4000")), later).empty());
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(3, sock("203.0.113.10:4002")), later).empty())
      << "the SDP named port 4000";
  EXPECT_EQ(dropped(DropReason::kMediaSourceMismatch), 2u);
  EXPECT_EQ(h_.counters().relatches, 0u);
}

TEST_P(MediaRelayTest, RelatchToAnotherPortOfTheNamedHostWhenItsPortIsUnknown) {
  h_.resolvePeers();
  MediaSessionSpec s = h_.accessCoreSpec();
  s.legs[0].remote.port = 0;  // host known, port not
  s.relatchSilenceMs = 500;
  create(s);
  single(h_.receive(kAccess, fromAccessPeer(1, sock("203.0.113.10:4000")), kT0), kCore);
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, sock("203.0.113.10:4002")), kT0 + 100 * kTscPerMs).empty());
  single(h_.receive(kAccess, fromAccessPeer(3, sock("203.0.113.10:4002")), kT0 + 501 * kTscPerMs), kCore);
  EXPECT_EQ(h_.counters().relatches, 1u);
  ParsedUdp back = single(h_.receive(kCore, fromCorePeer(4), kT0 + 502 * kTscPerMs), kAccess);
  EXPECT_EQ(back.destination, sock("203.0.113.10:4002"));
  EXPECT_EQ(back.dst, kAccessPeerMac);
}

// Regression: an update that keeps a leg's latch moves the session to fresh flow slots. Their
// last-seen time must come along; a stale one would let any source pass the "silence" check
// and steal the latch until the peer's next packet: an RTP-bleed window at every re-INVITE.
TEST_P(MediaRelayTest, UpdateDoesNotOpenARelatchWindow) {
  h_.resolvePeers();
  MediaSessionSpec s = withNatedAccessLeg(h_.accessCoreSpec());
  s.relatchSilenceMs = 500;
  create(s);
  single(h_.receive(kAccess, fromAccessPeer(1, kNatPublic, kAccessGatewayMac), kT0), kCore);
  MediaSessionSpec changed = s;
  changed.legs[1].remote = sock("198.51.100.20:6002");  // the core side moved its port
  ASSERT_TRUE(h_.sessions->update(changed, kT0 + 1 * kTscPerMs).ok());
  ASSERT_TRUE(view().legs[0].latched) << "the access leg keeps its latch";

  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2, kNatOther, kOtherMac), kT0 + 2 * kTscPerMs).empty())
      << "2 ms after the peer last spoke, a stranger must not re-latch";
  EXPECT_EQ(h_.counters().relatches, 0u);
  EXPECT_EQ(view().legs[0].latchedPeer, kNatPublic);
}

// Regression: the relatch silence must be the flow's, not the receiving worker's. With several
// workers, RSS sends a forged source's 5-tuple to a worker that never relayed this flow; it
// must still see that the real peer spoke a moment ago.
TEST_P(MediaRelayTest, RelatchSilenceHoldsAcrossWorkers) {
  h_.resolvePeers();
  MediaSessionSpec s = withNatedAccessLeg(h_.accessCoreSpec());
  s.relatchSilenceMs = 500;
  create(s);
  SharedTables tables{&h_.interfaces, h_.flows.get(), h_.neighbors.get(), h_.exceptionRing, h_.rcu};
  Worker second(tables, 1);
  single(h_.receive(kAccess, fromAccessPeer(1, kNatPublic, kAccessGatewayMac), kT0), kCore);

  // 1 ms later the forged packet reaches the other worker.
  rte_mbuf* forged = toMbuf(h_.pool, fromAccessPeer(2, kNatOther, kOtherMac), kAccess);
  second.processBurst(kAccess, &forged, 1, kT0 + kTscPerMs);
  unsigned sent = 0;
  auto sink = [&sent](uint8_t, rte_mbuf** packets, uint16_t n) -> uint16_t {
    sent += n;
    rte_pktmbuf_free_bulk(packets, n);
    return n;
  };
  second.flush(sink);
  EXPECT_EQ(sent, 0u) << "relayed a stranger 1 ms after the latched peer spoke";
  EXPECT_EQ(second.counters().relatches, 0u);
  EXPECT_EQ(second.counters().drops[static_cast<unsigned>(DropReason::kMediaSourceMismatch)], 1u);
  EXPECT_EQ(view().legs[0].latchedPeer, kNatPublic);
}

// ---- RTCP ----

TEST_P(MediaRelayTest, RtcpOnNextPortGoesToPeerPortPlusOne) {
  h_.resolvePeers();
  MediaSessionSpec s = h_.accessCoreSpec();
  s.legs[0].rtcpMux = s.legs[1].rtcpMux = false;
  create(s);
  Bytes rtcp = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("203.0.113.10:4001"), sock("203.0.113.1:20001"),
                        rtcpPayload(201));
  ParsedUdp p = single(h_.receive(kAccess, rtcp, kT0), kCore);
  EXPECT_EQ(p.source, sock("198.51.100.1:20003"));
  EXPECT_EQ(p.destination, sock("198.51.100.20:6001"));
  EXPECT_EQ(p.dst, kCorePeerMac);
  EXPECT_EQ(p.payload, rtcpPayload(201));
  EXPECT_EQ(h_.counters().rtcpPackets, 1u);
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtcp.packets, 1u);
  EXPECT_EQ(v.legs[0].rtp.packets, 0u);

  // And back, from the core peer's RTCP port.
  Bytes back = udpFrame(h_.toSbc(kCore, kCorePeerMac), sock("198.51.100.20:6001"), sock("198.51.100.1:20003"),
                        rtcpPayload(200));
  ParsedUdp q = single(h_.receive(kCore, back, kT0), kAccess);
  EXPECT_EQ(q.source, sock("203.0.113.1:20001"));
  EXPECT_EQ(q.destination, sock("203.0.113.10:4001"));
  EXPECT_EQ(h_.counters().rtcpPackets, 2u);

  // RTP still uses the even ports and is not counted as RTCP.
  ParsedUdp r = single(h_.receive(kAccess, fromAccessPeer(1), kT0), kCore);
  EXPECT_EQ(r.destination, Plan::corePeer());
  EXPECT_EQ(h_.counters().rtcpPackets, 2u);
  EXPECT_EQ(h_.counters().mediaPackets, 3u);
}

TEST_P(MediaRelayTest, RtcpMuxPacketIsCountedAsRtcp) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  Bytes sr = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(), rtcpPayload(200));
  ParsedUdp p = single(h_.receive(kAccess, sr, kT0), kCore);
  EXPECT_EQ(p.destination, Plan::corePeer());
  EXPECT_EQ(p.payload, rtcpPayload(200));
  EXPECT_EQ(h_.counters().rtcpPackets, 1u);
  single(h_.receive(kAccess, fromAccessPeer(1), kT0), kCore);
  EXPECT_EQ(h_.counters().rtcpPackets, 1u) << "RTP is not RTCP";
  EXPECT_EQ(h_.counters().mediaPackets, 2u);
}

TEST_P(MediaRelayTest, NonRtpIsDroppedAndDoesNotLatch) {
  h_.resolvePeers();
  create(withNatedAccessLeg(h_.accessCoreSpec()));
  L2 l2 = h_.toSbc(kAccess, kAccessGatewayMac);
  Bytes stun(20, 0);  // a STUN binding request starts 0x00 0x01: version 0
  stun[1] = 0x01;
  Bytes fourBytes{0x80, 0x00, 0x00, 0x01};
  Bytes elevenBytes = rtpPayload(1);
  elevenBytes.resize(11);  // not RTCP (PT 0), too short for RTP
  for (const Bytes* payload : {&stun, &fourBytes, &elevenBytes}) {
    EXPECT_TRUE(h_.receive(kAccess, udpFrame(l2, kNatPublic, Plan::accessLocal(), *payload), kT0).empty());
  }
  EXPECT_EQ(dropped(DropReason::kMediaNotRtp), 3u);
  EXPECT_FALSE(view().legs[0].latched);
  EXPECT_EQ(h_.counters().latches, 0u);

  single(h_.receive(kAccess, fromAccessPeer(1, kNatOther, kOtherMac), kT0), kCore);
  EXPECT_EQ(view().legs[0].latchedPeer, kNatOther) << "the first RTP source latches";
}

// ---- next hops ----

TEST_P(MediaRelayTest, UnresolvedNeighborThenGratuitousArpSetsTheMac) {
  h_.neighbors->setStatic(kAccess, Plan::accessPeer().ip, kAccessPeerMac);
  create(h_.accessCoreSpec());
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(1), kT0).empty());
  EXPECT_EQ(dropped(DropReason::kNoNeighbor), 1u);

  EXPECT_TRUE(h_.receive(kCore, gratuitousArp(kCorePeerMac, Plan::corePeer().ip), kT0).empty());
  EXPECT_EQ(h_.counters().neighborUpdates, 1u);
  auto kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 1u) << "the kernel sees the gratuitous ARP too";
  EXPECT_EQ(kernel[0].frame, gratuitousArp(kCorePeerMac, Plan::corePeer().ip));
  EXPECT_EQ(single(h_.receive(kAccess, fromAccessPeer(2), kT0), kCore).dst, kCorePeerMac);

  // The VIP moves: the very next packet follows it.
  const MacAddress moved{0x02, 0xcc, 0, 0, 0, 0x21};
  h_.receive(kCore, gratuitousArp(moved, Plan::corePeer().ip), kT0);
  EXPECT_EQ(h_.counters().neighborUpdates, 2u);
  EXPECT_EQ(single(h_.receive(kAccess, fromAccessPeer(3), kT0), kCore).dst, moved);
}

// ---- IPv6, family change, VLAN ----

TEST_P(MediaRelayTest, Ipv6SessionRewrite) {
  MediaSessionSpec s = h_.ipv6Spec(/*bothLegs=*/true);
  create(s);

  Bytes in = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), s.legs[0].remote, s.legs[0].local, rtpPayload(5), {}, 33);
  auto out = h_.receive(kAccess, in, kT0);
  ParsedUdp p = single(out, kCore);
  EXPECT_EQ(out[0].frame.size(), in.size());
  EXPECT_EQ(p.family, IpFamily::kV6);
  EXPECT_EQ(p.dst, kCorePeerMac);
  EXPECT_EQ(p.src, kSbcMac[kCore]);
  EXPECT_EQ(p.source, s.legs[1].local);
  EXPECT_EQ(p.destination, s.legs[1].remote);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.payload, rtpPayload(5));

  Bytes back = udpFrame(h_.toSbc(kCore, kCorePeerMac), s.legs[1].remote, s.legs[1].local, rtpPayload(6));
  ParsedUdp q = single(h_.receive(kCore, back, kT0), kAccess);
  EXPECT_EQ(q.dst, kAccessPeerMac);
  EXPECT_EQ(q.source, s.legs[0].local);
  EXPECT_EQ(q.destination, s.legs[0].remote);
  EXPECT_EQ(q.payload, rtpPayload(6));
}

TEST_P(MediaRelayTest, Ipv4LegToIpv6LegChangesFamilyBothWays) {
  MediaSessionSpec s = h_.ipv6Spec(/*bothLegs=*/false);
  create(s);

  Ipv4Fields fields;
  fields.tos = 0xb8;
  Bytes in = rtp(kAccess, kAccessPeerMac, Plan::accessPeer(), Plan::accessLocal(), 11, fields);
  auto out = h_.receive(kAccess, in, kT0);
  ParsedUdp p = single(out, kCore);
  EXPECT_EQ(out[0].frame.size(), in.size() + 20) << "IPv6 header is 20 bytes longer";
  EXPECT_EQ(p.family, IpFamily::kV6);
  EXPECT_EQ(p.dst, kCorePeerMac);
  EXPECT_EQ(p.src, kSbcMac[kCore]);
  EXPECT_EQ(p.source, s.legs[1].local);
  EXPECT_EQ(p.destination, s.legs[1].remote);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.tos, 0xb8) << "TOS becomes the traffic class";
  EXPECT_EQ(p.payload, rtpPayload(11));

  Bytes back = udpFrame(h_.toSbc(kCore, kCorePeerMac), s.legs[1].remote, s.legs[1].local, rtpPayload(12));
  auto out2 = h_.receive(kCore, back, kT0);
  ParsedUdp q = single(out2, kAccess);
  EXPECT_EQ(out2[0].frame.size(), back.size() - 20);
  EXPECT_EQ(q.family, IpFamily::kV4);
  EXPECT_EQ(q.dst, kAccessPeerMac);
  EXPECT_EQ(q.source, Plan::accessLocal());
  EXPECT_EQ(q.destination, Plan::accessPeer());
  EXPECT_EQ(q.ttl, 64);
  EXPECT_EQ(q.payload, rtpPayload(12));
  EXPECT_EQ(out2[0].frame[kEthernetLength + 6] & 0x40, 0x40) << "DF set";
}

TEST_P(MediaRelayTest, VlanEgressInsertsTagAndVlanIngressLosesIt) {
  MediaSessionSpec s = h_.accessCoreSpec();
  s.legs[1].interfaceName = "vlan0";
  s.legs[1].local = sock("192.0.2.1:20002");
  s.legs[1].remote = sock("192.0.2.30:8000");
  h_.neighbors->setStatic(kAccess, Plan::accessPeer().ip, kAccessPeerMac);
  h_.neighbors->setStatic(kVlan, ip("192.0.2.30"), kVlanPeerMac);
  create(s);

  Bytes in = fromAccessPeer(21);
  auto out = h_.receive(kAccess, in, kT0);
  ParsedUdp p = single(out, kVlan);
  EXPECT_EQ(out[0].frame.size(), in.size() + 4);
  ASSERT_TRUE(p.vlanTci.has_value());
  EXPECT_EQ(*p.vlanTci & 0xfff, kVlanId);
  EXPECT_EQ(p.dst, kVlanPeerMac);
  EXPECT_EQ(p.src, kSbcMac[kVlan]);
  EXPECT_EQ(p.source, s.legs[1].local);
  EXPECT_EQ(p.destination, s.legs[1].remote);
  EXPECT_EQ(p.payload, rtpPayload(21));
  // The latch opened the flow to the fast path, which writes untagged headers: not toward vlan0.
  for (uint16_t sequence = 23; sequence < 27; ++sequence) {
    ParsedUdp later = single(h_.receive(kAccess, fromAccessPeer(sequence), kT0), kVlan);
    ASSERT_TRUE(later.vlanTci.has_value()) << "packet " << sequence;
    EXPECT_EQ(*later.vlanTci & 0xfff, kVlanId);
    EXPECT_EQ(later.payload, rtpPayload(sequence));
  }

  Bytes tagged = rtp(kVlan, kVlanPeerMac, s.legs[1].remote, s.legs[1].local, 22);
  auto out2 = h_.receive(kVlan, tagged, kT0);
  ParsedUdp q = single(out2, kAccess);
  EXPECT_EQ(out2[0].frame.size(), tagged.size() - 4);
  EXPECT_FALSE(q.vlanTci.has_value());
  EXPECT_EQ(q.dst, kAccessPeerMac);
  EXPECT_EQ(q.destination, Plan::accessPeer());
  EXPECT_EQ(q.payload, rtpPayload(22));
}

// The worker loop relays a burst's media one call late, so that the flows' cache lines can
// arrive meanwhile. Each held burst must still leave as its own interface's traffic, and
// nothing may stay behind after a drain.
TEST_P(MediaRelayTest, PipelinedBurstsAreRelayedOneCallLateFromTheirOwnInterface) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  EXPECT_TRUE(h_.receivePipelined(kAccess, fromAccessPeer(1), kT0).empty()) << "held, not yet relayed";
  std::vector<Captured> out = h_.receivePipelined(kCore, fromCorePeer(2), kT0);
  ASSERT_EQ(out.size(), 1u) << h_.dropSummary();
  EXPECT_EQ(out[0].interfaceIndex, kCore) << "the access packet, relayed toward the core";
  out = h_.drainPipeline();
  ASSERT_EQ(out.size(), 1u) << h_.dropSummary();
  EXPECT_EQ(out[0].interfaceIndex, kAccess) << "the core packet, relayed toward the access side";
  EXPECT_TRUE(h_.drainPipeline().empty());
  EXPECT_EQ(h_.counters().mediaPackets, 2u);
  EXPECT_EQ(h_.totalDrops(), 0u);
}

// The worker tells RCU that it holds no flow in the middle of each pipelined call, after the
// held burst has left and before the next call reads this burst's flow lines. A flow retired
// while the burst that uses it is being relayed and sent must stay whole until that burst has
// left, and be freed after. A packet whose session goes while it is held is judged when it is
// relayed: it finds no flow.
TEST_P(MediaRelayTest, AFlowRetiredWhileItsBurstIsInFlightIsFreedOnlyAfterTheBurstLeaves) {
  ASSERT_EQ(rte_rcu_qsbr_thread_register(h_.rcu, 0), 0);
  rte_rcu_qsbr_thread_online(h_.rcu, 0);
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  EXPECT_TRUE(h_.receivePipelined(kAccess, fromAccessPeer(1), kT0).empty()) << "held";
  const uint32_t inUse = h_.flows->inUse();

  // The next call relays the held packet and hands it to the sink: the control side removes the
  // session and reclaims at that moment, and must not get the flows yet.
  std::vector<Captured> out;
  uint32_t inUseWhileTransmitting = 0;
  bool removed = false;
  auto sink = [&](uint8_t index, rte_mbuf** packets, uint16_t n) -> uint16_t {
    if (!removed) removed = h_.sessions->remove(h_.accessCoreSpec().id).ok();
    h_.flows->reclaim();
    inUseWhileTransmitting = h_.flows->inUse();
    for (uint16_t i = 0; i < n; ++i) out.push_back({index, bytesOf(packets[i])});
    rte_pktmbuf_free_bulk(packets, n);
    return n;
  };
  rte_mbuf* m = toMbuf(h_.pool, fromCorePeer(2), h_.interfaces.interfaces[kCore].portId);
  ASSERT_NE(m, nullptr);
  h_.worker->processBurstPipelined(kCore, &m, 1, kT0, sink);
  ASSERT_TRUE(removed);
  EXPECT_EQ(inUseWhileTransmitting, inUse) << "freed before the burst that used it had left";
  ParsedUdp p = single(out, kCore);
  EXPECT_EQ(p.source, Plan::coreLocal());
  EXPECT_EQ(p.destination, Plan::corePeer());
  EXPECT_EQ(p.payload, rtpPayload(1));
  h_.flows->reclaim();
  EXPECT_EQ(h_.flows->inUse(), 0u) << "the flows are free once the worker has reported";

  // The core packet, held while its session went.
  EXPECT_TRUE(h_.drainPipeline().empty());
  EXPECT_EQ(h_.drops(DropReason::kMediaNoSession), 1u) << h_.dropSummary();
  rte_rcu_qsbr_thread_offline(h_.rcu, 0);
  rte_rcu_qsbr_thread_unregister(h_.rcu, 0);
}

// A flow away from its home slot (an update published it while the old flow waited out its grace
// period there) is found through the table's entry and relayed as any other (not as the old flow,
// which would send from the core port the update moved), in one burst with a
// flow at home and with packets that have no flow at all, which go where they always went: to a
// media port, dropped; to SIP, the exception path. The relay stops at the first packet away from
// home, after the one at home before it, and goes on from there once the rest's flows are found:
// each packet is relayed once.
TEST_P(MediaRelayTest, FlowsAwayFromHomeAndPacketsWithoutAFlowShareABurstWithFlowsAtHome) {
  h_.resolvePeers();
  create(h_.accessCoreSpec(1));
  MediaSessionSpec second = h_.accessCoreSpec(2);
  second.legs[0].local = sock("203.0.113.1:20010");
  second.legs[1].local = sock("198.51.100.1:20012");
  create(second);
  // The flow the update replaces has latched its peer: its fast path is open, and must not take
  // packets once it is retired.
  ASSERT_EQ(h_.receive(kAccess, rtp(kAccess, kAccessPeerMac, Plan::accessPeer(), second.legs[0].local, 100), kT0).size(), 1u);
  second.legs[1].local = sock("198.51.100.1:20014");  // what the access flow's packets leave from
  ASSERT_TRUE(h_.sessions->update(second, kT0).ok());
  const Flow* away = h_.flows->lookup(FlowKey::make(h_.interfaces.interfaces[kAccess].portId, second.legs[0].local));
  ASSERT_NE(away, nullptr);
  EXPECT_FALSE(away->atHome()) << "its home held the flow the update replaced";
  EXPECT_TRUE(accessRtpFlow().atHome());

  const std::vector<Bytes> burst = {
      fromAccessPeer(1),
      rtp(kAccess, kAccessPeerMac, Plan::accessPeer(), second.legs[0].local, 101),
      rtp(kAccess, kAccessPeerMac, Plan::accessPeer(), sock("203.0.113.1:20004"), 7),  // no session
      udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), sock("203.0.113.1:5060"), Bytes(40, 'S')),
      fromAccessPeer(2),
      rtp(kAccess, kAccessPeerMac, Plan::accessPeer(), second.legs[0].local, 102),
  };
  const std::vector<Captured> out = h_.receive(kAccess, burst, kT0);
  ASSERT_EQ(out.size(), 4u) << h_.dropSummary();
  std::vector<std::pair<SocketAddress, Bytes>> relayed;
  for (const Captured& c : out) {
    EXPECT_EQ(c.interfaceIndex, kCore);
    EXPECT_TRUE(checksumsValid(c.frame));
    auto p = parseUdp(c.frame);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->destination, Plan::corePeer());
    relayed.emplace_back(p->source, p->payload);
  }
  const std::vector<std::pair<SocketAddress, Bytes>> expected = {{Plan::coreLocal(), rtpPayload(1)},
                                                                 {second.legs[1].local, rtpPayload(101)},
                                                                 {Plan::coreLocal(), rtpPayload(2)},
                                                                 {second.legs[1].local, rtpPayload(102)}};
  EXPECT_EQ(relayed, expected) << "in the order they came";
  EXPECT_EQ(dropped(DropReason::kMediaNoSession), 1u) << h_.dropSummary();
  EXPECT_EQ(h_.totalDrops(), 1u) << h_.dropSummary();
  const std::vector<Captured> kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 1u) << "SIP goes to the kernel";
  EXPECT_EQ(kernel[0].frame, burst[3]);
  EXPECT_EQ(h_.counters().mediaPackets, 5u);
}

// ---- RTP loss per direction (RFC 3550 A.1, A.3) ----

TEST_P(MediaRelayTest, SequenceGapsAreCountedAsLost) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  relayFromAccess({100, 101, 103, 104, 107});  // 102, 105, 106 never came
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.packets, 5u);
  EXPECT_EQ(v.legs[0].rtp.lost, 3u);
  EXPECT_EQ(v.legs[1].rtp.lost, 0u) << "the other direction carried nothing";
  relayFromAccess({108, 109});
  EXPECT_EQ(view().legs[0].rtp.lost, 3u);
  relayFromAccess({111});
  EXPECT_EQ(view().legs[0].rtp.lost, 4u);
}

TEST_P(MediaRelayTest, LossIsCountedAcrossTheSequenceNumberWrap) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  relayFromAccess({65533, 65534, 65535, 0, 2});  // 1 lost just after the wrap
  EXPECT_EQ(view().legs[0].rtp.lost, 1u);
  relayFromAccess({4, 5});  // and 3
  EXPECT_EQ(view().legs[0].rtp.lost, 2u);
  EXPECT_EQ(view().legs[0].rtp.packets, 7u);
}

// Reordered packets are late, not lost; a duplicate counts as received, so (as in RFC 3550 A.3)
// it offsets a loss, and the count never goes below 0.
TEST_P(MediaRelayTest, LateAndDuplicatePacketsAreNotLost) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  relayFromAccess({10, 12, 11, 13});
  EXPECT_EQ(view().legs[0].rtp.lost, 0u);
  relayFromAccess({13, 12, 14});  // two duplicates: received exceeds expected
  EXPECT_EQ(view().legs[0].rtp.lost, 0u);
  relayFromAccess({18});  // 15, 16, 17 missing, less the two duplicates
  EXPECT_EQ(view().legs[0].rtp.lost, 1u);
  relayFromAccess({9});  // older than the first: received, expected unchanged
  EXPECT_EQ(view().legs[0].rtp.lost, 0u);
}

// With rtcp-mux, RTCP (RFC 5761: packet types 192-223 in the second byte) shares the flow; it
// is relayed and counted as a packet, but it has no RTP sequence number and is not "received".
TEST_P(MediaRelayTest, RtcpOnAMuxedFlowIsNeitherSequencedNorReceived) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  relayFromAccess({1});
  std::vector<Bytes> frames{rtcpFromAccessPeer(200), fromAccessPeer(2), rtcpFromAccessPeer(201),
                            fromAccessPeer(4)};
  ASSERT_EQ(h_.receive(kAccess, frames, kT0).size(), 4u) << h_.dropSummary();
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.packets, 5u);
  EXPECT_EQ(v.legs[0].rtp.lost, 1u) << "3 is lost; the RTCP packets fill no gap";
  EXPECT_EQ(h_.counters().rtcpPackets, 2u);
}

// The first packet of a source goes through the general path, which starts the loss count at
// its sequence number. When that packet is RTCP, the source's first RTP packet starts it, and
// only then does the fast path admit the source.
TEST_P(MediaRelayTest, RtcpBeforeTheFirstRtpLeavesTheBaseToTheRtp) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  single(h_.receive(kAccess, rtcpFromAccessPeer(200), kT0), kCore);
  EXPECT_TRUE(view().legs[0].latched);
  EXPECT_EQ(accessRtpFlow().latchedV4.load(), 0u) << "no RTP yet: every packet takes the general path";
  single(h_.receive(kAccess, rtcpFromAccessPeer(201), kT0), kCore);
  relayFromAccess({40000, 40001, 40003});
  EXPECT_NE(accessRtpFlow().latchedV4.load(), 0u);
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.packets, 5u);
  EXPECT_EQ(v.legs[0].rtp.lost, 1u);
}

// A stream that restarts from the same address (a new SSRC: sipp plays its DTMF file after its
// voice file) jumps in sequence number. RFC 3550 A.1: the jump is set aside, and when the next
// packet follows it, the count starts again there; nothing of the jump is loss.
TEST_P(MediaRelayTest, AStreamThatRestartsIsNotLoss) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  relayFromAccess({59366, 59367, 59368});
  relayFromAccess({7984, 7985, 7986, 7988});  // 14,152 ahead: a restart; 7987 lost
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.packets, 7u);
  EXPECT_EQ(v.legs[0].rtp.lost, 1u);
  relayFromAccess({2000, 2001, 2002});  // backwards, beyond any reordering: a restart too
  EXPECT_EQ(view().legs[0].rtp.lost, 1u);
}

TEST_P(MediaRelayTest, AStraySequenceNumberIsRelayedButNotCounted) {
  h_.resolvePeers();
  create(h_.accessCoreSpec());
  relayFromAccess({100, 101, 102});
  relayFromAccess({40000});  // not followed by 40001: no restart
  relayFromAccess({103, 105});
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.packets, 6u);
  EXPECT_EQ(v.legs[0].rtp.lost, 1u) << "104; 40000 is neither expected nor received";
}

// A relatch is a new source (a new SSRC, its own sequence numbers): the count starts again at
// its first packet, and what the old source lost stays counted.
TEST_P(MediaRelayTest, ARelatchStartsTheCountAgainAndKeepsWhatWasLost) {
  h_.resolvePeers();
  MediaSessionSpec s = withNatedAccessLeg(h_.accessCoreSpec());
  s.relatchSilenceMs = 500;
  create(s);
  relayFromAccess({1, 2, 4}, kT0, kNatPublic, kAccessGatewayMac);
  EXPECT_EQ(view().legs[0].rtp.lost, 1u);
  relayFromAccess({30000, 30001, 30004}, kT0 + 701 * kTscPerMs, kNatOther, kOtherMac);
  EXPECT_EQ(h_.counters().relatches, 1u);
  SessionView v = view(1, kT0 + 701 * kTscPerMs);
  EXPECT_EQ(v.legs[0].latchedPeer, kNatOther);
  EXPECT_EQ(v.legs[0].rtp.packets, 6u);
  EXPECT_EQ(v.legs[0].rtp.lost, 3u) << "1 from the first source, 2 from the second";
}

// A packet the SBC admitted and then could not send (next hop not resolved yet) did arrive:
// it is a drop of ours, counted as such, not a loss on the way in.
TEST_P(MediaRelayTest, PacketsDroppedAfterAdmissionAreNotLost) {
  h_.neighbors->setStatic(kAccess, Plan::accessPeer().ip, kAccessPeerMac);
  create(h_.accessCoreSpec());
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(1), kT0).empty());
  EXPECT_TRUE(h_.receive(kAccess, fromAccessPeer(2), kT0).empty());
  EXPECT_EQ(dropped(DropReason::kNoNeighbor), 2u);
  EXPECT_TRUE(h_.receive(kCore, gratuitousArp(kCorePeerMac, Plan::corePeer().ip), kT0).empty());
  h_.drainException();
  relayFromAccess({3, 4});
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.packets, 2u);
  EXPECT_EQ(v.legs[0].rtp.lost, 0u);
  relayFromAccess({6});
  EXPECT_EQ(view().legs[0].rtp.lost, 1u);
}

TEST_P(MediaRelayTest, Ipv6FlowsCountLossToo) {
  MediaSessionSpec s = h_.ipv6Spec(/*bothLegs=*/true);
  create(s);
  std::vector<Bytes> frames;
  for (uint16_t seq : {65535, 1, 2, 5})
    frames.push_back(udpFrame(h_.toSbc(kAccess, kAccessPeerMac), s.legs[0].remote, s.legs[0].local, rtpPayload(seq)));
  ASSERT_EQ(h_.receive(kAccess, frames, kT0).size(), 4u) << h_.dropSummary();
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.packets, 4u);
  EXPECT_EQ(v.legs[0].rtp.lost, 3u) << "0, 3 and 4";
}

// Without rtcp-mux, RTCP has its own flow on port + 1: it counts no loss, and RTP's count is
// the RTP port's alone.
TEST_P(MediaRelayTest, TheRtcpPortCountsNoLoss) {
  h_.resolvePeers();
  MediaSessionSpec s = h_.accessCoreSpec();
  s.legs[0].rtcpMux = s.legs[1].rtcpMux = false;
  create(s);
  relayFromAccess({7, 9});
  for (uint8_t type : {200, 201, 202})
    single(h_.receive(kAccess, udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("203.0.113.10:4001"),
                                        sock("203.0.113.1:20001"), rtcpPayload(type)), kT0), kCore);
  SessionView v = view();
  EXPECT_EQ(v.legs[0].rtp.lost, 1u);
  EXPECT_EQ(v.legs[0].rtcp.packets, 3u);
  EXPECT_EQ(v.legs[0].rtcp.lost, 0u);
}

INSTANTIATE_TEST_SUITE_P(Paths, MediaRelayTest, ::testing::Values(FastPath::kScalar, FastPath::kAvx512),
                         [](const ::testing::TestParamInfo<FastPath>& p) { return std::string(fastPathName(p.param)); });

// Both builds of the fast path, fed the same random traffic on the same session, send the same
// bytes and count the same: RTP of every length with any TTL, TOS and ID, with and without a UDP
// checksum; RTCP; a version other than 2; UDP too short for RTP; sequence numbers late, repeated
// and jumping; a forged source port. Each kind but the first leaves the fast path for the general
// one, and must leave the packet as it found it.
TEST(FastPathsTest, BothPathsSendTheSameBytesAndCountTheSame) {
  if (!fastPathSupported(FastPath::kAvx512)) GTEST_SKIP() << "this CPU (or DPDK's SIMD limit) has no AVX-512 path";
  DataplaneHarness scalar, vector;
  ASSERT_TRUE(scalar.worker->setFastPath(FastPath::kScalar));
  ASSERT_TRUE(vector.worker->setFastPath(FastPath::kAvx512));
  for (DataplaneHarness* h : {&scalar, &vector}) {
    h->resolvePeers();
    Status st = h->sessions->create(h->accessCoreSpec(), kT0);
    ASSERT_TRUE(st.ok()) << st.error;
  }
  std::mt19937 random(11);
  uint16_t sequence = 1000;
  unsigned compared = 0;
  for (unsigned burst = 0; burst < 200; ++burst) {
    std::vector<Bytes> frames;
    for (unsigned k = 0; k < kMaxBurst; ++k) {
      const Ipv4Fields fields = randomIpv4Fields(random);
      const unsigned kind = random() % 16;
      const uint16_t step = kind == 5 ? 20000 : kind == 6 ? static_cast<uint16_t>(-3) : kind == 7 ? 0 : 1;
      sequence = static_cast<uint16_t>(sequence + step);
      Bytes payload = rtpPayload(sequence, static_cast<uint32_t>(random()), 0x5bc0ffee, random() % 300,
                                 static_cast<uint8_t>(random() % 128), static_cast<uint8_t>(random()));
      SocketAddress source = Plan::accessPeer();
      if (kind == 1) payload = rtcpPayload(static_cast<uint8_t>(192 + random() % 32));
      if (kind == 2) payload[0] = static_cast<uint8_t>(random() & 0x7f);  // version 0 or 1
      if (kind == 3) payload.resize(random() % 12);
      if (kind == 4) source.port = static_cast<uint16_t>(source.port + 1);
      const L2 l2 = scalar.toSbc(kAccess, kAccessPeerMac);
      frames.push_back(kind == 8 ? udp4FrameNoChecksum(l2, source, Plan::accessLocal(), payload)
                                 : udpFrame(l2, source, Plan::accessLocal(), payload, fields));
    }
    const uint64_t now = kT0 + burst * kTscPerMs;
    auto a = scalar.receive(kAccess, frames, now);
    auto b = vector.receive(kAccess, frames, now);
    ASSERT_EQ(a.size(), b.size()) << "burst " << burst;
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].interfaceIndex, b[k].interfaceIndex);
      ASSERT_EQ(a[k].frame, b[k].frame) << "burst " << burst << " packet " << k;
      ++compared;
    }
  }
  EXPECT_GT(compared, 200u * kMaxBurst / 2);
  const WorkerCounters& x = scalar.counters();
  const WorkerCounters& y = vector.counters();
  EXPECT_EQ(x.mediaPackets, y.mediaPackets);
  EXPECT_EQ(x.rtcpPackets, y.rtcpPackets);
  EXPECT_EQ(x.latches, y.latches);
  EXPECT_EQ(x.txBytes[kCore], y.txBytes[kCore]);
  for (unsigned r = 0; r < static_cast<unsigned>(DropReason::kCount); ++r)
    EXPECT_EQ(x.drops[r], y.drops[r]) << kDropReasonInfo[r].name;
  EXPECT_GT(x.drops[static_cast<unsigned>(DropReason::kMediaSourceMismatch)], 0u);
  auto va = scalar.sessions->view(1, kT0);
  auto vb = vector.sessions->view(1, kT0);
  ASSERT_TRUE(va.has_value() && vb.has_value());
  for (unsigned leg = 0; leg < 2; ++leg) {
    EXPECT_EQ(va->legs[leg].rtp.packets, vb->legs[leg].rtp.packets);
    EXPECT_EQ(va->legs[leg].rtp.bytes, vb->legs[leg].rtp.bytes);
    EXPECT_EQ(va->legs[leg].rtp.lost, vb->legs[leg].rtp.lost);
  }
}

// Beyond Worker::kFlowsAskedInClassify flows in use, the relay asks for the next burst's flow
// lines as it relays (MediaContext::askForNextLine), where classify asks for them below it: a
// worker with that many flows relays the same pipelined bursts into the same bytes, and counts
// the same, as one with a few, with either build of the fast path. Among the RTP, RTCP and a
// forged source send packets to the general path mid-burst, where the fast run starts again.
TEST(FastPathsTest, AWorkerWithManyFlowsRelaysAsOneWithFew) {
  for (const FastPath path : {FastPath::kScalar, FastPath::kAvx512}) {
    if (!fastPathSupported(path)) continue;
    SCOPED_TRACE(fastPathName(path));
    DataplaneHarness few, many(Worker::kFlowsAskedInClassify + 64);
    for (DataplaneHarness* h : {&few, &many}) {
      ASSERT_TRUE(h->worker->setFastPath(path));
      h->resolvePeers();
      Status st = h->sessions->create(h->accessCoreSpec(), kT0);
      ASSERT_TRUE(st.ok()) << st.error;
    }
    // Flows allocated and never published: live lines, for the worker's count, on no one's path.
    for (uint32_t k = 0; k <= Worker::kFlowsAskedInClassify; ++k) {
      const IpAddress a = IpAddress::v4(0xcb007100u + k / 40000);  // 203.0.113.0: the access realm's
      ASSERT_NE(many.flows->allocate(FlowKey::make(0, SocketAddress{a, static_cast<uint16_t>(20100 + k % 40000)})),
                nullptr);
    }
    ASSERT_GT(many.flows->inUse(), Worker::kFlowsAskedInClassify);
    ASSERT_LE(few.flows->inUse(), Worker::kFlowsAskedInClassify);

    std::mt19937 random(5);
    uint16_t sequence = 100;
    std::vector<Captured> a, b;
    auto append = [](std::vector<Captured>& to, std::vector<Captured> from) {
      to.insert(to.end(), from.begin(), from.end());
    };
    for (unsigned burst = 0; burst < 40; ++burst) {
      std::vector<Bytes> frames;
      const unsigned size = 1 + random() % kMaxBurst;
      for (unsigned k = 0; k < size; ++k) {
        const unsigned kind = random() % 10;
        Bytes payload = kind == 1 ? rtcpPayload(200) : rtpPayload(++sequence);
        SocketAddress source = Plan::accessPeer();
        if (kind == 2) source.port = static_cast<uint16_t>(source.port + 1);  // forged
        frames.push_back(udpFrame(few.toSbc(kAccess, kAccessPeerMac), source, Plan::accessLocal(), payload));
      }
      const uint64_t now = kT0 + burst * kTscPerMs;
      append(a, few.receivePipelined(kAccess, frames, now));
      append(b, many.receivePipelined(kAccess, frames, now));
    }
    append(a, few.drainPipeline());
    append(b, many.drainPipeline());
    ASSERT_EQ(a.size(), b.size());
    EXPECT_GT(a.size(), 300u);
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].interfaceIndex, b[k].interfaceIndex);
      ASSERT_EQ(a[k].frame, b[k].frame) << "packet " << k;
    }
    EXPECT_EQ(few.counters().mediaPackets, many.counters().mediaPackets);
    EXPECT_EQ(few.counters().rtcpPackets, many.counters().rtcpPackets);
    EXPECT_EQ(few.drops(DropReason::kMediaSourceMismatch), many.drops(DropReason::kMediaSourceMismatch));
    EXPECT_GT(many.drops(DropReason::kMediaSourceMismatch), 0u);
  }
}

}  // namespace
}  // namespace sbc::dataplane::test
