// Deterministic mutation fuzzing of the whole worker pipeline: 20,000 frames derived from valid
// RTP, RTCP, ARP, neighbour discovery and SIP frames by truncation, bit flips, length-field
// rewrites and appended bytes (some with checksums repaired afterwards, so that the deeper
// stages see them too) go through Worker::processBurst while two sessions are up. Afterwards
// every input is accounted for, every mbuf is back in the pool, and the sessions still relay.

#include <gtest/gtest.h>

#include <random>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

struct LengthField {
  size_t offset;
  unsigned width;  // 1 or 2 bytes
};

struct Seed {
  uint8_t iface;
  Bytes frame;
  std::vector<LengthField> lengths;
};

constexpr size_t kL3 = kEthernetLength;

MediaSessionSpec v6Spec() {
  MediaSessionSpec s;
  s.id = 2;
  s.legs[0] = {"access0", sock("[2001:db8:a::1]:20010"), sock("[2001:db8:a::10]:4010"), false, true};
  s.legs[1] = {"core0", sock("[2001:db8:c::1]:20012"), sock("[2001:db8:c::20]:6010"), false, true};
  return s;
}

class Mutator {
 public:
  explicit Mutator(uint32_t seed) : engine_(seed) {}
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(engine_() % n); }

  Bytes mutate(const Seed& seed, uint64_t& olFlags) {
    Bytes f = seed.frame;
    olFlags = 0;
    switch (below(7)) {
      case 0:  // truncation
        f.resize(below(static_cast<uint32_t>(f.size())));
        break;
      case 1:  // bit flips
        flipBits(f);
        break;
      case 2: {  // a length field gets a random value
        const LengthField& l = seed.lengths[below(static_cast<uint32_t>(seed.lengths.size()))];
        uint32_t v = static_cast<uint32_t>(engine_());
        if (l.width == 2) {
          // Near the true value half the time: off-by-a-few is where parsers slip.
          uint16_t now = static_cast<uint16_t>(f[l.offset] << 8 | f[l.offset + 1]);
          uint16_t value = below(2) ? static_cast<uint16_t>(now + static_cast<int>(below(17)) - 8) : static_cast<uint16_t>(v);
          f[l.offset] = static_cast<uint8_t>(value >> 8);
          f[l.offset + 1] = static_cast<uint8_t>(value);
        } else {
          f[l.offset] = static_cast<uint8_t>(v);
        }
        if (below(2)) fixChecksums(f);
        break;
      }
      case 3:  // bit flips in the headers, checksums repaired
        flipBits(f, std::min<size_t>(f.size(), 90));
        fixChecksums(f);
        break;
      case 4:  // a header byte rewritten, checksums repaired
        f[below(static_cast<uint32_t>(std::min<size_t>(f.size(), 90)))] = static_cast<uint8_t>(engine_());
        fixChecksums(f);
        break;
      case 5: {  // bytes appended (padding or garbage)
        unsigned extra = 1 + below(64);
        for (unsigned i = 0; i < extra; ++i) f.push_back(static_cast<uint8_t>(engine_()));
        break;
      }
      case 6: {  // a NIC's checksum verdicts, right or wrong
        static constexpr uint64_t kFlags[] = {RTE_MBUF_F_RX_L4_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_BAD,
                                              RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_BAD,
                                              RTE_MBUF_F_RX_L4_CKSUM_NONE, RTE_MBUF_F_RX_IP_CKSUM_NONE};
        olFlags = kFlags[below(6)] | kFlags[below(6)];
        flipBits(f);
        break;
      }
    }
    return f;
  }

 private:
  void flipBits(Bytes& f, size_t within = 0) {
    size_t span = within != 0 ? within : f.size();
    if (span == 0) return;
    unsigned flips = 1 + below(4);
    for (unsigned i = 0; i < flips; ++i) f[below(static_cast<uint32_t>(span))] ^= static_cast<uint8_t>(1u << below(8));
  }
  std::mt19937 engine_;
};

TEST(RobustnessTest, MutatedFramesAreAllAccountedForAndSessionsSurvive) {
  DataplaneHarness h(64, 4096);
  h.resolvePeers();
  h.neighbors->setStatic(kAccess, ip("2001:db8:a::10"), kAccessPeerMac);
  h.neighbors->setStatic(kCore, ip("2001:db8:c::20"), kCorePeerMac);
  ASSERT_TRUE(h.sessions->create(h.accessCoreSpec(1), kT0).ok());
  ASSERT_TRUE(h.sessions->create(v6Spec(), kT0).ok());
  const MediaSessionSpec v6 = v6Spec();

  const L2 fromAccess = h.toSbc(kAccess, kAccessPeerMac);
  const L2 fromCore = h.toSbc(kCore, kCorePeerMac);
  const IpAddress stranger4 = ip("203.0.113.200"), stranger6 = ip("2001:db8:a::200");
  const IpAddress group = solicitedNodeGroup(ip("2001:db8:a::1"));
  const LengthField v4Lengths[] = {{kL3 + 2, 2}, {kL3 + 20 + 4, 2}, {kL3, 1}};
  const LengthField v6Lengths[] = {{kL3 + 4, 2}, {kL3 + 40 + 4, 2}};
  std::vector<Seed> seeds = {
      {kAccess, udpFrame(fromAccess, Plan::accessPeer(), Plan::accessLocal(), rtpPayload(1)),
       {v4Lengths, v4Lengths + 3}},
      {kCore, udpFrame(fromCore, Plan::corePeer(), Plan::coreLocal(), rtpPayload(2)), {v4Lengths, v4Lengths + 3}},
      {kAccess, udpFrame(fromAccess, Plan::accessPeer(), Plan::accessLocal(), rtcpPayload(200)),
       {v4Lengths, v4Lengths + 3}},
      {kAccess, udpFrame(fromAccess, v6.legs[0].remote, v6.legs[0].local, rtpPayload(3)), {v6Lengths, v6Lengths + 2}},
      {kCore, udpFrame(fromCore, v6.legs[1].remote, v6.legs[1].local, rtpPayload(4)), {v6Lengths, v6Lengths + 2}},
      {kAccess, udpFrame(fromAccess, sock("203.0.113.10:5060"), sock("203.0.113.1:5060"), Bytes(200, 'S')),
       {v4Lengths, v4Lengths + 3}},
      {kAccess, gratuitousArp(kAccessPeerMac, stranger4), {{kL3 + 4, 1}, {kL3 + 5, 1}}},
      {kAccess, arpFrame(L2{kBroadcastMac, kAccessPeerMac, {}}, 1, kAccessPeerMac, stranger4, MacAddress{},
                         ip("203.0.113.1")),
       {{kL3 + 4, 1}, {kL3 + 5, 1}}},
      {kAccess, neighborSolicitation(L2{multicastMacFor(group), kAccessPeerMac, {}}, stranger6, group,
                                     ip("2001:db8:a::1"), llaOption(1, kAccessPeerMac)),
       {{kL3 + 4, 2}, {kL3 + 40 + 24 + 1, 1}}},
      {kAccess, neighborAdvertisement(fromAccess, stranger6, ip("2001:db8:a::1"), stranger6, llaOption(2, kAccessPeerMac)),
       {{kL3 + 4, 2}, {kL3 + 40 + 24 + 1, 1}}},
  };
  // The sessions latch on their real peers first, as in a call.
  for (int s : {0, 1, 3, 4}) ASSERT_EQ(h.receive(seeds[s].iface, seeds[s].frame, kT0).size(), 1u) << h.dropSummary();

  Mutator mutator(0x5bc);
  constexpr unsigned kInputs = 20000;
  unsigned fed = 0, kernel = 0, relayed = 0;
  uint64_t now = kT0;
  while (fed < kInputs) {
    // One burst: frames of one interface, as an rx queue delivers them.
    const uint8_t iface = mutator.below(4) == 0 ? kCore : kAccess;
    std::vector<Bytes> burst;
    uint64_t olFlags = 0;
    unsigned size = 1 + mutator.below(kMaxBurst);
    while (burst.size() < size && fed + burst.size() < kInputs) {
      const Seed& seed = seeds[mutator.below(static_cast<uint32_t>(seeds.size()))];
      if (seed.iface != iface) continue;
      burst.push_back(mutator.mutate(seed, olFlags));
    }
    now += kTscPerMs;
    relayed += static_cast<unsigned>(h.receive(iface, burst, now, olFlags).size());
    kernel += static_cast<unsigned>(h.drainException().size());
    fed += static_cast<unsigned>(burst.size());
  }

  const WorkerCounters& c = h.counters();
  uint64_t tx = 0, rx = 0;
  for (unsigned i = 0; i < kMaxInterfaces; ++i) {
    tx += c.txPackets[i];
    rx += c.rxPackets[i];
  }
  const uint64_t seedPackets = 4;  // the latching packets above
  EXPECT_EQ(rx, kInputs + seedPackets);
  EXPECT_EQ(tx, relayed + seedPackets);
  EXPECT_EQ(c.exceptionPackets, kernel);
  EXPECT_EQ(h.totalDrops() + tx + c.exceptionPackets, kInputs + seedPackets)
      << "every packet is relayed, handed to the kernel or dropped with a reason: " << h.dropSummary();
  EXPECT_EQ(h.mbufsInUse(), 0u) << "every mbuf is back in the pool";

  // The fuzz reached deep: media relayed, the kernel fed, and many different reasons to drop.
  EXPECT_GT(relayed, 100u);
  EXPECT_GT(kernel, 100u);
  unsigned reasons = 0;
  for (unsigned r = 0; r < kDropReasonCount; ++r) reasons += c.drops[r] != 0;
  EXPECT_GE(reasons, 12u) << h.dropSummary();

  // Valid ARP/ND among the mutants may legitimately have taught the neighbour table something;
  // put the peers' MACs back so that the check below is about the sessions alone.
  h.resolvePeers();
  h.neighbors->setStatic(kAccess, ip("2001:db8:a::10"), kAccessPeerMac);
  h.neighbors->setStatic(kCore, ip("2001:db8:c::20"), kCorePeerMac);
  now += kTscPerMs;
  auto out = h.receive(kAccess, udpFrame(fromAccess, Plan::accessPeer(), Plan::accessLocal(), rtpPayload(999)), now);
  ASSERT_EQ(out.size(), 1u) << h.dropSummary();
  ASSERT_TRUE(checksumsValid(out[0].frame));
  auto p = parseUdp(out[0].frame);
  ASSERT_TRUE(p);
  EXPECT_EQ(out[0].interfaceIndex, kCore);
  EXPECT_EQ(p->dst, kCorePeerMac);
  EXPECT_EQ(p->source, Plan::coreLocal());
  EXPECT_EQ(p->destination, Plan::corePeer());
  EXPECT_EQ(p->payload, rtpPayload(999));

  auto out6 = h.receive(kCore, udpFrame(fromCore, v6.legs[1].remote, v6.legs[1].local, rtpPayload(1000)), now);
  ASSERT_EQ(out6.size(), 1u) << h.dropSummary();
  ASSERT_TRUE(checksumsValid(out6[0].frame));
  auto q = parseUdp(out6[0].frame);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->destination, v6.legs[0].remote);
  EXPECT_EQ(q->payload, rtpPayload(1000));
  EXPECT_EQ(h.mbufsInUse(), 0u);
}

}  // namespace
}  // namespace sbc::dataplane::test
