// classifyBurst (dataplane/classify.cc): every verdict, with the FlowKey and mbuf metadata it
// sets, and every drop reason the stage can produce, one broken field at a time. Frames are
// real (correct checksums) unless the test breaks one on purpose. Every test runs once per build
// of the common case (FastPath: scalar, AVX-512 where the CPU has it), and ClassifyPathsTest
// gives both the same mutated frames and compares what they decide.

#include "dataplane/classify.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <rte_ether.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <random>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

enum class Path { kUdp, kArp, kNeighborDiscovery, kLocal, kDropped };

const char* pathName(Path p) {
  switch (p) {
    case Path::kUdp: return "udp";
    case Path::kArp: return "arp";
    case Path::kNeighborDiscovery: return "neighbor-discovery";
    case Path::kLocal: return "local";
    case Path::kDropped: return "dropped";
  }
  return "?";
}
void PrintTo(Path p, std::ostream* os) { *os << pathName(p); }

struct Classified {
  Path path = Path::kDropped;
  DropReason reason = DropReason::kCount;  // kCount: not dropped
  FlowKey key{};
  uint32_t pktLen = 0;
  uint16_t l2Len = 0;
  uint16_t l3Len = 0;
  uint32_t packetType = 0;
  bool contiguous = true;
  Bytes bytes;  // the frame as classify left it
};

// Offsets in an untagged frame.
constexpr size_t kIp = kEthernetLength;
constexpr size_t kV4Udp = kIp + kIpv4HeaderLength;
constexpr size_t kV6Udp = kIp + kIpv6HeaderLength;

void set16(Bytes& f, size_t at, uint16_t v) {
  f[at] = static_cast<uint8_t>(v >> 8);
  f[at + 1] = static_cast<uint8_t>(v);
}

class ClassifyTest : public HarnessTest, public ::testing::WithParamInterface<FastPath> {
 protected:
  void SetUp() override {
    if (!fastPathSupported(GetParam()))
      GTEST_SKIP() << "this CPU (or DPDK's SIMD limit) does not run the " << fastPathName(GetParam()) << " path";
  }

  Classified classify(uint8_t iface, rte_mbuf* m) {
    WorkerCounters counters{};
    Classified c;
    if (m == nullptr) return c;
    const uint32_t inputLength = rte_pktmbuf_pkt_len(m);
    classifyBurst(h_.interfaces.interfaces[iface], &m, 1, burst_, counters, GetParam());
    rte_mbuf* kept = nullptr;
    if (burst_.udpCount == 1) {
      c.path = Path::kUdp;
      c.key = burst_.udpKeys[0];
      kept = burst_.udp[0];
    } else if (burst_.arpCount == 1) {
      c.path = Path::kArp;
      kept = burst_.arp[0];
    } else if (burst_.neighborDiscoveryCount == 1) {
      c.path = Path::kNeighborDiscovery;
      kept = burst_.neighborDiscovery[0];
    } else if (burst_.localCount == 1) {
      c.path = Path::kLocal;
      kept = burst_.local[0];
    }
    unsigned dropped = 0;
    for (unsigned r = 0; r < kDropReasonCount; ++r) {
      dropped += static_cast<unsigned>(counters.drops[r]);
      if (counters.drops[r] != 0) c.reason = static_cast<DropReason>(r);
    }
    const unsigned placed = burst_.udpCount + burst_.arpCount + burst_.neighborDiscoveryCount + burst_.localCount;
    EXPECT_EQ(dropped + placed, 1u) << "a packet lands in exactly one place";
    EXPECT_EQ(counters.rxBytes[iface], inputLength) << "rx bytes are counted as received";
    if (kept != nullptr) {
      c.pktLen = rte_pktmbuf_pkt_len(kept);
      c.l2Len = kept->l2_len;
      c.l3Len = kept->l3_len;
      c.packetType = kept->packet_type;
      c.contiguous = rte_pktmbuf_is_contiguous(kept);
      c.bytes = bytesOf(kept);
      rte_pktmbuf_free(kept);
    }
    return c;
  }
  Classified classify(uint8_t iface, const Bytes& frame, uint64_t olFlags = 0) {
    return classify(iface, toMbuf(h_.pool, frame, h_.interfaces.interfaces[iface].portId, olFlags));
  }
  DropReason dropOf(uint8_t iface, const Bytes& frame, uint64_t olFlags = 0) {
    Classified c = classify(iface, frame, olFlags);
    EXPECT_EQ(c.path, Path::kDropped);
    return c.reason;
  }
  Path pathOf(uint8_t iface, const Bytes& frame, uint64_t olFlags = 0) {
    Classified c = classify(iface, frame, olFlags);
    EXPECT_EQ(c.reason, DropReason::kCount) << "dropped";
    return c.path;
  }

  L2 fromPeer(uint8_t iface = kAccess) const { return h_.toSbc(iface, kAccessPeerMac); }
  Bytes udp4(const Bytes& payload = rtpPayload(1), const Ipv4Fields& fields = {}) const {
    return udpFrame(fromPeer(), sock("203.0.113.10:4000"), sock("203.0.113.1:20000"), payload, fields);
  }
  Bytes udp6(const Bytes& payload = rtpPayload(1), uint8_t hopLimit = 64) const {
    return udpFrame(fromPeer(), sock("[2001:db8:a::10]:4000"), sock("[2001:db8:a::1]:20000"), payload, {},
                    hopLimit);
  }
  Bytes v6With(uint8_t nextHeader, const char* dst, const Bytes& l4 = Bytes(16, 0)) const {
    return ethernet(fromPeer(), RTE_ETHER_TYPE_IPV6, ipv6Packet(ip("2001:db8:a::10"), ip(dst), nextHeader, l4));
  }

  ClassifiedBurst burst_;
};

// ---- verdicts ----

TEST_P(ClassifyTest, Ipv4UdpGivesFlowKeyAndMetadata) {
  Classified c = classify(kAccess, udp4());
  ASSERT_EQ(c.path, Path::kUdp);
  FlowKey expected = FlowKey::make(kAccess, sock("203.0.113.1:20000"));
  EXPECT_EQ(std::memcmp(&c.key, &expected, sizeof expected), 0) << "key bytes, padding included";
  EXPECT_EQ(c.key.udpPortBe, htons(20000));
  EXPECT_EQ(c.key.portId, kAccess);
  EXPECT_EQ(c.key.family, static_cast<uint8_t>(IpFamily::kV4));
  EXPECT_EQ(c.l2Len, kEthernetLength);
  EXPECT_EQ(c.l3Len, kIpv4HeaderLength);
  EXPECT_EQ(c.packetType, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP);
  EXPECT_EQ(c.bytes, udp4()) << "classify does not change a valid frame";
}

TEST_P(ClassifyTest, Ipv6UdpGivesFlowKeyAndMetadata) {
  Classified c = classify(kAccess, udp6());
  ASSERT_EQ(c.path, Path::kUdp);
  FlowKey expected = FlowKey::make(kAccess, sock("[2001:db8:a::1]:20000"));
  EXPECT_EQ(std::memcmp(&c.key, &expected, sizeof expected), 0) << "key bytes, padding included";
  EXPECT_EQ(c.l2Len, kEthernetLength);
  EXPECT_EQ(c.l3Len, kIpv6HeaderLength);
  EXPECT_EQ(c.packetType, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_UDP);
}

TEST_P(ClassifyTest, VlanTaggedUdpOnVlanInterface) {
  Bytes f = udpFrame(h_.toSbc(kVlan, kVlanPeerMac), sock("192.0.2.30:8000"), sock("192.0.2.1:20000"),
                     rtpPayload(1));
  Classified c = classify(kVlan, f);
  ASSERT_EQ(c.path, Path::kUdp);
  FlowKey expected = FlowKey::make(kVlan, sock("192.0.2.1:20000"));
  EXPECT_EQ(std::memcmp(&c.key, &expected, sizeof expected), 0);
  EXPECT_EQ(c.l2Len, kEthernetLength + kVlanTagLength);
}

TEST_P(ClassifyTest, VlanPriorityBitsAreIgnored) {
  L2 l2 = h_.toSbc(kVlan, kVlanPeerMac);
  l2.vlan = static_cast<uint16_t>((5u << 13) | kVlanId);  // PCP 5
  Bytes f = udpFrame(l2, sock("192.0.2.30:8000"), sock("192.0.2.1:20000"), rtpPayload(1));
  EXPECT_EQ(pathOf(kVlan, f), Path::kUdp);
}

TEST_P(ClassifyTest, UdpToAnotherUnicastAddressIsLeftToTheFlowStage) {
  // Classify only rejects multicast/broadcast destinations; the flow stage decides "not for us".
  Bytes f = udpFrame(fromPeer(), sock("203.0.113.10:4000"), sock("203.0.113.77:20000"), rtpPayload(1));
  EXPECT_EQ(pathOf(kAccess, f), Path::kUdp);
}

TEST_P(ClassifyTest, ArpRequestAndReply) {
  Bytes request = arpFrame(L2{kBroadcastMac, kAccessPeerMac, {}}, 1, kAccessPeerMac, ip("203.0.113.10"),
                           MacAddress{}, ip("203.0.113.1"));
  Classified c = classify(kAccess, request);
  EXPECT_EQ(c.path, Path::kArp);
  EXPECT_EQ(c.l2Len, kEthernetLength);
  EXPECT_EQ(c.packetType, RTE_PTYPE_L2_ETHER_ARP);
  Bytes reply = arpFrame(fromPeer(), 2, kAccessPeerMac, ip("203.0.113.10"), kSbcMac[kAccess], ip("203.0.113.1"));
  EXPECT_EQ(pathOf(kAccess, reply), Path::kArp);
}

TEST_P(ClassifyTest, TaggedArpOnVlanInterface) {
  Classified c = classify(kVlan, gratuitousArp(kVlanPeerMac, ip("192.0.2.30"), kVlanId));
  EXPECT_EQ(c.path, Path::kArp);
  EXPECT_EQ(c.l2Len, kEthernetLength + kVlanTagLength);
}

TEST_P(ClassifyTest, NeighborDiscoveryForUs) {
  IpAddress ours = ip("2001:db8:a::1"), peer = ip("2001:db8:a::10");
  IpAddress group = solicitedNodeGroup(ours);
  Bytes ns = neighborSolicitation(L2{multicastMacFor(group), kAccessPeerMac, {}}, peer, group, ours,
                                  llaOption(1, kAccessPeerMac));
  EXPECT_EQ(pathOf(kAccess, ns), Path::kNeighborDiscovery) << "NS to our solicited-node group";
  Bytes unicastNs = neighborSolicitation(fromPeer(), peer, ours, ours, llaOption(1, kAccessPeerMac));
  EXPECT_EQ(pathOf(kAccess, unicastNs), Path::kNeighborDiscovery) << "NS to our address";
  Bytes na = neighborAdvertisement(fromPeer(), peer, ours, peer, llaOption(2, kAccessPeerMac));
  EXPECT_EQ(pathOf(kAccess, na), Path::kNeighborDiscovery) << "NA to our address";
  IpAddress allNodes = ip("ff02::1");
  Bytes unsolicited = neighborAdvertisement(L2{multicastMacFor(allNodes), kAccessPeerMac, {}}, peer, allNodes,
                                            peer, llaOption(2, kAccessPeerMac));
  EXPECT_EQ(pathOf(kAccess, unsolicited), Path::kNeighborDiscovery) << "unsolicited NA to all-nodes";
}

TEST_P(ClassifyTest, NeighborSolicitationForSomeoneElsesGroupIsNotForUs) {
  IpAddress other = ip("2001:db8:a::4242");
  IpAddress group = solicitedNodeGroup(other);
  Bytes ns = neighborSolicitation(L2{multicastMacFor(group), kAccessPeerMac, {}}, ip("2001:db8:a::10"), group,
                                  other, llaOption(1, kAccessPeerMac));
  EXPECT_EQ(dropOf(kAccess, ns), DropReason::kNotForUs);
}

TEST_P(ClassifyTest, LocalIcmpAndTcpToOurAddress) {
  EXPECT_EQ(pathOf(kAccess, icmpEcho4Frame(fromPeer(), ip("203.0.113.10"), ip("203.0.113.1"), 7, 1)), Path::kLocal);
  EXPECT_EQ(pathOf(kAccess, tcpSynFrame(fromPeer(), sock("203.0.113.10:40000"), sock("203.0.113.1:5061"))),
            Path::kLocal);
  EXPECT_EQ(pathOf(kAccess, icmpv6EchoFrame(fromPeer(), ip("2001:db8:a::10"), ip("2001:db8:a::1"), 7, 1)),
            Path::kLocal);
  EXPECT_EQ(pathOf(kAccess, tcpSynFrame(fromPeer(), sock("[2001:db8:a::10]:40000"), sock("[2001:db8:a::1]:5061"))),
            Path::kLocal);
  EXPECT_EQ(pathOf(kAccess, v6With(59, "2001:db8:a::1")), Path::kLocal) << "no-next-header to us";
}

TEST_P(ClassifyTest, NonUdpToAnotherAddressIsNotForUs) {
  EXPECT_EQ(dropOf(kAccess, icmpEcho4Frame(fromPeer(), ip("203.0.113.10"), ip("203.0.113.99"), 7, 1)),
            DropReason::kNotForUs);
  EXPECT_EQ(dropOf(kAccess, tcpSynFrame(fromPeer(), sock("203.0.113.10:40000"), sock("203.0.113.99:5061"))),
            DropReason::kNotForUs);
  EXPECT_EQ(dropOf(kAccess, icmpv6EchoFrame(fromPeer(), ip("2001:db8:a::10"), ip("2001:db8:a::99"), 7, 1)),
            DropReason::kNotForUs);
  EXPECT_EQ(dropOf(kAccess, icmpv6EchoFrame(fromPeer(), ip("2001:db8:a::10"), ip("ff02::1"), 7, 1)),
            DropReason::kNotForUs)
      << "only neighbour discovery is taken from multicast groups";
  EXPECT_EQ(dropOf(kAccess, v6With(59, "ff02::1")), DropReason::kNotForUs);
  EXPECT_EQ(dropOf(kAccess, v6With(59, "2001:db8:a::99")), DropReason::kNotForUs);
}

TEST_P(ClassifyTest, BurstIsSortedWithKeysAlignedToPackets) {
  Bytes udpA = udp4();
  Bytes bad = udp4();
  bad[kIp + 10] ^= 0xff;  // header checksum
  Bytes arp = gratuitousArp(kAccessPeerMac, ip("203.0.113.10"));
  Bytes udpB = udpFrame(fromPeer(), sock("203.0.113.10:4000"), sock("203.0.113.1:21000"), rtpPayload(2));
  Bytes local = icmpEcho4Frame(fromPeer(), ip("203.0.113.10"), ip("203.0.113.1"), 1, 1);
  rte_mbuf* in[5];
  const Bytes* frames[5] = {&udpA, &bad, &arp, &udpB, &local};
  for (int i = 0; i < 5; ++i) in[i] = toMbuf(h_.pool, *frames[i], kAccess);
  WorkerCounters counters{};
  classifyBurst(h_.interfaces.interfaces[kAccess], in, 5, burst_, counters, GetParam());
  ASSERT_EQ(burst_.udpCount, 2);
  ASSERT_EQ(burst_.arpCount, 1);
  ASSERT_EQ(burst_.localCount, 1);
  EXPECT_EQ(burst_.neighborDiscoveryCount, 0);
  EXPECT_EQ(counters.drops[static_cast<unsigned>(DropReason::kIpBadChecksum)], 1u);
  EXPECT_EQ(burst_.udp[0], in[0]);
  EXPECT_EQ(burst_.udp[1], in[3]);
  EXPECT_EQ(burst_.udpKeys[0].udpPortBe, htons(20000));
  EXPECT_EQ(burst_.udpKeys[1].udpPortBe, htons(21000));
  EXPECT_EQ(burst_.arp[0], in[2]);
  EXPECT_EQ(burst_.local[0], in[4]);
  size_t totalBytes = udpA.size() + bad.size() + arp.size() + udpB.size() + local.size();
  EXPECT_EQ(counters.rxBytes[kAccess], totalBytes);
  rte_pktmbuf_free(in[0]);
  rte_pktmbuf_free(in[2]);
  rte_pktmbuf_free(in[3]);
  rte_pktmbuf_free(in[4]);
}

// ---- Ethernet ----

TEST_P(ClassifyTest, TruncatedEthernetAndVlanHeaders) {
  Bytes f = udp4();
  EXPECT_EQ(dropOf(kAccess, Bytes{}), DropReason::kTruncatedFrame) << "0 bytes";
  EXPECT_EQ(dropOf(kAccess, Bytes(f.begin(), f.begin() + 13)), DropReason::kTruncatedFrame) << "13 bytes";
  Bytes tagged = udpFrame(h_.toSbc(kVlan, kVlanPeerMac), sock("192.0.2.30:8000"), sock("192.0.2.1:20000"),
                          rtpPayload(1));
  EXPECT_EQ(dropOf(kVlan, Bytes(tagged.begin(), tagged.begin() + 17)), DropReason::kTruncatedFrame)
      << "17 bytes: tag cut short";
  EXPECT_EQ(dropOf(kVlan, Bytes(tagged.begin(), tagged.begin() + 18 + 19)), DropReason::kTruncatedFrame)
      << "tagged, IPv4 header cut short";
}

TEST_P(ClassifyTest, TruncatedNetworkHeaders) {
  Bytes v4 = udp4();
  EXPECT_EQ(dropOf(kAccess, Bytes(v4.begin(), v4.begin() + 33)), DropReason::kTruncatedFrame) << "33 bytes";
  Bytes v6 = udp6();
  EXPECT_EQ(dropOf(kAccess, Bytes(v6.begin(), v6.begin() + 53)), DropReason::kTruncatedFrame) << "53 bytes";
  Bytes arp = gratuitousArp(kAccessPeerMac, ip("203.0.113.10"));
  EXPECT_EQ(dropOf(kAccess, Bytes(arp.begin(), arp.begin() + 41)), DropReason::kTruncatedFrame) << "41 bytes";
  // An ICMPv6 message of 2 bytes: no room for type, code and checksum.
  EXPECT_EQ(dropOf(kAccess, v6With(58, "2001:db8:a::1", Bytes{135, 0})), DropReason::kTruncatedFrame);
}

TEST_P(ClassifyTest, FrameCutInsideTheUdpDatagram) {
  Bytes f = udp4();
  // The IP length still claims the whole datagram.
  EXPECT_EQ(dropOf(kAccess, Bytes(f.begin(), f.begin() + kV4Udp + 4)), DropReason::kIpBadTotalLength);
  Bytes g = udp6();
  EXPECT_EQ(dropOf(kAccess, Bytes(g.begin(), g.begin() + kV6Udp + 4)), DropReason::kIpBadTotalLength);
}

TEST_P(ClassifyTest, WrongVlan) {
  L2 otherVlan = h_.toSbc(kVlan, kVlanPeerMac);
  otherVlan.vlan = 200;
  Bytes f = udpFrame(otherVlan, sock("192.0.2.30:8000"), sock("192.0.2.1:20000"), rtpPayload(1));
  EXPECT_EQ(dropOf(kVlan, f), DropReason::kWrongVlan) << "VLAN 200 on a VLAN 100 interface";
  Bytes untagged = udpFrame(L2{kSbcMac[kVlan], kVlanPeerMac, {}}, sock("192.0.2.30:8000"),
                            sock("192.0.2.1:20000"), rtpPayload(1));
  EXPECT_EQ(dropOf(kVlan, untagged), DropReason::kWrongVlan) << "untagged on a VLAN interface";
  Bytes arp = gratuitousArp(kVlanPeerMac, ip("192.0.2.30"));
  EXPECT_EQ(dropOf(kVlan, arp), DropReason::kWrongVlan) << "untagged ARP on a VLAN interface";
  L2 tagged = fromPeer();
  tagged.vlan = kVlanId;
  EXPECT_EQ(dropOf(kAccess, udpFrame(tagged, sock("203.0.113.10:4000"), sock("203.0.113.1:20000"), rtpPayload(1))),
            DropReason::kWrongVlan)
      << "tagged on an untagged interface";
}

TEST_P(ClassifyTest, UnknownEthertype) {
  EXPECT_EQ(dropOf(kAccess, ethernet(fromPeer(), 0x88cc, Bytes(46, 0))), DropReason::kUnknownEthertype);
  L2 tagged = h_.toSbc(kVlan, kVlanPeerMac);
  EXPECT_EQ(dropOf(kVlan, ethernet(tagged, 0x88cc, Bytes(46, 0))), DropReason::kUnknownEthertype)
      << "inside the tag";
}

TEST_P(ClassifyTest, UnicastToAnotherMacIsNotForUs) {
  L2 l2 = fromPeer();
  l2.dst = kOtherMac;
  EXPECT_EQ(dropOf(kAccess, udpFrame(l2, sock("203.0.113.10:4000"), sock("203.0.113.1:20000"), rtpPayload(1))),
            DropReason::kNotForUs);
  EXPECT_EQ(dropOf(kAccess, arpFrame(l2, 2, kAccessPeerMac, ip("203.0.113.10"), kOtherMac, ip("203.0.113.1"))),
            DropReason::kNotForUs);
}

TEST_P(ClassifyTest, EthernetPaddingIsTrimmed) {
  // 4 bytes of UDP payload: 46 bytes of frame, padded to the 60-byte minimum on the wire.
  Bytes f = udp4(Bytes{1, 2, 3, 4});
  ASSERT_EQ(f.size(), 46u);
  Bytes padded = f;
  padded.resize(60, 0);
  Classified c = classify(kAccess, padded);
  ASSERT_EQ(c.path, Path::kUdp);
  EXPECT_EQ(c.pktLen, 46u);
  EXPECT_EQ(c.bytes, f);

  Bytes tagged = udpFrame(h_.toSbc(kVlan, kVlanPeerMac), sock("192.0.2.30:8000"), sock("192.0.2.1:20000"),
                          Bytes{1, 2, 3, 4});
  Bytes taggedPadded = tagged;
  taggedPadded.resize(64, 0);
  Classified t = classify(kVlan, taggedPadded);
  ASSERT_EQ(t.path, Path::kUdp);
  EXPECT_EQ(t.pktLen, tagged.size());

  Bytes v6 = udp6(Bytes{1, 2, 3, 4});
  Bytes v6Padded = v6;
  v6Padded.resize(v6.size() + 10, 0xee);
  Classified s = classify(kAccess, v6Padded);
  ASSERT_EQ(s.path, Path::kUdp);
  EXPECT_EQ(s.pktLen, v6.size());
}

// The relay's fast path takes only datagrams with room for an RTP header (kMinFastUdpLength), and
// counts on classify to say which: shorter ones are UDP still, for the general path to judge.
TEST_P(ClassifyTest, UdpTooShortForAnRtpHeaderIsNoFastCandidate) {
  for (const size_t payload : {size_t{0}, size_t{4}, size_t{11}, size_t{12}, size_t{172}}) {
    for (const bool padded : {false, true}) {
      Bytes f = udp4(Bytes(payload, 0x80));
      if (padded) f.resize(std::max<size_t>(f.size() + 8, 60), 0);
      Classified c = classify(kAccess, f, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD);
      ASSERT_EQ(c.path, Path::kUdp) << payload << " bytes";
      EXPECT_EQ(burst_.udpFastMask, payload >= 12 ? 1u : 0u) << payload << " bytes" << (padded ? ", padded" : "");
    }
  }
}

TEST_P(ClassifyTest, ScatteredFrameIsLinearized) {
  Bytes f = udp4();
  Classified c = classify(kAccess, toChainedMbuf(h_.pool, f, kAccess, 30));
  ASSERT_EQ(c.path, Path::kUdp);
  EXPECT_TRUE(c.contiguous);
  EXPECT_EQ(c.bytes, f);
}

// ---- IPv4 ----

TEST_P(ClassifyTest, Ipv4BadVersion) {
  Bytes f = udp4();
  f[kIp] = 0x65;
  fixChecksums(f);
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpBadVersion);
}

TEST_P(ClassifyTest, Ipv4HeaderLengthBelowFive) {
  Bytes f = udp4();
  f[kIp] = 0x44;
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpBadHeaderLength);
}

TEST_P(ClassifyTest, Ipv4Options) {
  Ipv4Fields fields;
  fields.options = {0x01, 0x01, 0x01, 0x00};  // NOP NOP NOP EOL
  Bytes f = udp4(rtpPayload(1), fields);
  fixChecksums(f);
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpOptions);
}

TEST_P(ClassifyTest, Ipv4TotalLengthLongerThanFrameOrShorterThanHeader) {
  Bytes f = udp4();
  set16(f, kIp + 2, static_cast<uint16_t>(f.size() - kIp + 1));
  fixChecksums(f);
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpBadTotalLength) << "one byte longer than the frame";
  Bytes g = udp4();
  set16(g, kIp + 2, 19);
  fixChecksums(g);
  EXPECT_EQ(dropOf(kAccess, g), DropReason::kIpBadTotalLength) << "shorter than the header";
}

TEST_P(ClassifyTest, Ipv4BadHeaderChecksum) {
  Bytes f = udp4();
  f[kIp + 11] ^= 0x01;
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpBadChecksum);
}

TEST_P(ClassifyTest, Ipv4FragmentsForUsGoToTheKernelWhole) {
  // The kernel behind the exception path reassembles them (a SIP message larger than a frame);
  // they are never parsed as UDP, whose header only the first one carries.
  Ipv4Fields first;
  first.fragment = 0x2000;  // MF, offset 0
  Ipv4Fields middle;
  middle.fragment = 0x2000 | 185;  // MF, 1480 bytes in
  Ipv4Fields last;
  last.fragment = 185;  // no MF: the last fragment
  for (const Ipv4Fields& fields : {first, middle, last}) {
    const Bytes f = udp4(rtpPayload(1), fields);
    Classified c = classify(kAccess, f);
    ASSERT_EQ(c.path, Path::kLocal) << "fragment field " << fields.fragment;
    EXPECT_EQ(c.reason, DropReason::kCount);
    EXPECT_EQ(c.packetType, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_FRAG);
    EXPECT_EQ(c.l2Len, kEthernetLength);
    EXPECT_EQ(c.l3Len, kIpv4HeaderLength);
    EXPECT_EQ(c.bytes, f) << "handed over unchanged";
  }
  Bytes padded = udp4(Bytes{1, 2, 3, 4}, first);
  const size_t length = padded.size();
  padded.resize(60, 0);
  EXPECT_EQ(classify(kAccess, padded).pktLen, length) << "Ethernet padding trimmed";
  Bytes tagged = udpFrame(h_.toSbc(kVlan, kVlanPeerMac), sock("192.0.2.30:8000"), sock("192.0.2.1:5060"),
                          rtpPayload(1), first);
  EXPECT_EQ(pathOf(kVlan, tagged), Path::kLocal) << "on a VLAN interface";
}

TEST_P(ClassifyTest, Ipv4FragmentsForOthersAreDropped) {
  Ipv4Fields moreFragments;
  moreFragments.fragment = 0x2000;
  Ipv4Fields offset;
  offset.fragment = 0x0001;  // 8 bytes in, no MF: the last fragment
  const auto to = [&](const char* dst, const Ipv4Fields& fields) {
    return udpFrame(fromPeer(), sock("203.0.113.10:4000"), sock(dst), rtpPayload(1), fields);
  };
  EXPECT_EQ(dropOf(kAccess, to("203.0.113.77:20000", moreFragments)), DropReason::kIpFragment) << "MF set";
  EXPECT_EQ(dropOf(kAccess, to("203.0.113.77:20000", offset)), DropReason::kIpFragment) << "offset set";
  EXPECT_EQ(dropOf(kAccess, to("198.51.100.1:5060", offset)), DropReason::kIpFragment)
      << "the core interface's address, received on access";
  L2 multicast{MacAddress{0x01, 0x00, 0x5e, 0x01, 0x01, 0x01}, kAccessPeerMac, {}};
  EXPECT_EQ(dropOf(kAccess, udpFrame(multicast, sock("203.0.113.10:4000"), sock("239.1.1.1:20000"),
                                     rtpPayload(1), moreFragments)),
            DropReason::kIpFragment);
}

TEST_P(ClassifyTest, Ipv4FragmentsForUsAreCheckedLikeAnyPacket) {
  Ipv4Fields fragment;
  fragment.fragment = 0x2000;
  Bytes badChecksum = udp4(rtpPayload(1), fragment);
  badChecksum[kIp + 10] ^= 0x01;
  EXPECT_EQ(dropOf(kAccess, badChecksum), DropReason::kIpBadChecksum);
  Ipv4Fields expired = fragment;
  expired.ttl = 0;
  EXPECT_EQ(dropOf(kAccess, udp4(rtpPayload(1), expired)), DropReason::kIpTtlExpired);
  EXPECT_EQ(dropOf(kAccess, udpFrame(fromPeer(), sock("127.0.0.1:4000"), sock("203.0.113.1:5060"),
                                     rtpPayload(1), fragment)),
            DropReason::kIpBadSource);
  Bytes cut = udp4(rtpPayload(1), fragment);
  cut.resize(cut.size() - 1);
  EXPECT_EQ(dropOf(kAccess, cut), DropReason::kIpBadTotalLength);
}

TEST_P(ClassifyTest, Ipv4DontFragmentIsNoFragment) {
  Ipv4Fields dontFragment;
  dontFragment.fragment = 0x4000;
  EXPECT_EQ(pathOf(kAccess, udp4(rtpPayload(1), dontFragment)), Path::kUdp) << "DF alone is fine";
  Ipv4Fields none;
  none.fragment = 0;
  EXPECT_EQ(pathOf(kAccess, udp4(rtpPayload(1), none)), Path::kUdp);
}

TEST_P(ClassifyTest, Ipv4TtlZero) {
  Ipv4Fields zero;
  zero.ttl = 0;
  EXPECT_EQ(dropOf(kAccess, udp4(rtpPayload(1), zero)), DropReason::kIpTtlExpired);
  Ipv4Fields one;
  one.ttl = 1;
  EXPECT_EQ(pathOf(kAccess, udp4(rtpPayload(1), one)), Path::kUdp) << "TTL 1 is still deliverable to us";
}

TEST_P(ClassifyTest, Ipv4MulticastOrBroadcastSource) {
  EXPECT_EQ(dropOf(kAccess, udpFrame(fromPeer(), sock("224.0.0.9:520"), sock("203.0.113.1:20000"), rtpPayload(1))),
            DropReason::kIpBadSource);
  EXPECT_EQ(dropOf(kAccess, udpFrame(fromPeer(), sock("239.255.255.250:1900"), sock("203.0.113.1:20000"),
                                     rtpPayload(1))),
            DropReason::kIpBadSource);
  EXPECT_EQ(dropOf(kAccess, udpFrame(fromPeer(), sock("255.255.255.255:67"), sock("203.0.113.1:20000"),
                                     rtpPayload(1))),
            DropReason::kIpBadSource);
}

TEST_P(ClassifyTest, OwnSourceIsLeftToTheStagesItCouldFool) {
  // classify.h: the exception path and latching refuse our own source (see hasOwnSource);
  // relayed media needs no such scan, its source must equal the latched peer anyway.
  Bytes f = udpFrame(fromPeer(), sock("203.0.113.1:20000"), sock("203.0.113.1:20000"), rtpPayload(1));
  EXPECT_EQ(pathOf(kAccess, f), Path::kUdp);
  Bytes g = udpFrame(fromPeer(), sock("[2001:db8:a::1]:20000"), sock("[2001:db8:a::1]:20000"), rtpPayload(1));
  EXPECT_EQ(pathOf(kAccess, g), Path::kUdp);
}

TEST_P(ClassifyTest, Ipv4MulticastOrBroadcastDestination) {
  L2 l2{MacAddress{0x01, 0x00, 0x5e, 0x01, 0x01, 0x01}, kAccessPeerMac, {}};
  EXPECT_EQ(dropOf(kAccess, udpFrame(l2, sock("203.0.113.10:4000"), sock("239.1.1.1:20000"), rtpPayload(1))),
            DropReason::kNotForUs);
  L2 broadcast{kBroadcastMac, kAccessPeerMac, {}};
  EXPECT_EQ(dropOf(kAccess, udpFrame(broadcast, sock("203.0.113.10:68"), sock("255.255.255.255:67"), rtpPayload(1))),
            DropReason::kNotForUs);
  // Same destinations with our unicast MAC (the fast path's case).
  EXPECT_EQ(dropOf(kAccess, udpFrame(fromPeer(), sock("203.0.113.10:4000"), sock("224.0.0.1:20000"), rtpPayload(1))),
            DropReason::kNotForUs);
}

TEST_P(ClassifyTest, Ipv4UdpLengthMismatch) {
  Bytes shorter = udp4();
  set16(shorter, kV4Udp + 4, static_cast<uint16_t>(shorter.size() - kV4Udp - 1));
  EXPECT_EQ(dropOf(kAccess, shorter), DropReason::kUdpBadLength) << "UDP length one short";
  Bytes longer = udp4();
  set16(longer, kV4Udp + 4, static_cast<uint16_t>(longer.size() - kV4Udp + 1));
  EXPECT_EQ(dropOf(kAccess, longer), DropReason::kUdpBadLength) << "UDP length one long";
  Bytes noRoom = udp4();
  set16(noRoom, kIp + 2, kIpv4HeaderLength + 4);  // IP says 4 bytes of UDP
  noRoom.resize(kV4Udp + 4);
  fixChecksums(noRoom);
  EXPECT_EQ(dropOf(kAccess, noRoom), DropReason::kUdpBadLength) << "no room for a UDP header";
}

TEST_P(ClassifyTest, Ipv4BadUdpChecksum) {
  Bytes f = udp4();
  f.back() ^= 0x01;  // payload changed, checksum not
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kUdpBadChecksum);
}

TEST_P(ClassifyTest, Ipv4UdpWithoutChecksumIsAccepted) {
  Bytes f = udp4FrameNoChecksum(fromPeer(), sock("203.0.113.10:4000"), sock("203.0.113.1:20000"), rtpPayload(1));
  EXPECT_EQ(pathOf(kAccess, f), Path::kUdp);
}

TEST_P(ClassifyTest, NicL4ChecksumVerdictIsTrusted) {
  Bytes wrong = udp4();
  wrong.back() ^= 0x01;
  EXPECT_EQ(pathOf(kAccess, wrong, RTE_MBUF_F_RX_L4_CKSUM_GOOD), Path::kUdp) << "L4 GOOD, checksum wrong";
  EXPECT_EQ(pathOf(kAccess, wrong, RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_IP_CKSUM_GOOD), Path::kUdp)
      << "both GOOD, checksum wrong";
  EXPECT_EQ(dropOf(kAccess, udp4(), RTE_MBUF_F_RX_L4_CKSUM_BAD), DropReason::kUdpBadChecksum)
      << "L4 BAD, checksum right";
  EXPECT_EQ(dropOf(kAccess, udp4(), RTE_MBUF_F_RX_L4_CKSUM_BAD | RTE_MBUF_F_RX_IP_CKSUM_GOOD),
            DropReason::kUdpBadChecksum);
  Bytes wrong6 = udp6();
  wrong6.back() ^= 0x01;
  EXPECT_EQ(pathOf(kAccess, wrong6, RTE_MBUF_F_RX_L4_CKSUM_GOOD), Path::kUdp) << "IPv6, L4 GOOD";
  EXPECT_EQ(dropOf(kAccess, udp6(), RTE_MBUF_F_RX_L4_CKSUM_BAD), DropReason::kUdpBadChecksum) << "IPv6, L4 BAD";
}

TEST_P(ClassifyTest, NicIpChecksumVerdictIsTrusted) {
  Bytes wrong = udp4();
  wrong[kIp + 11] ^= 0x01;
  EXPECT_EQ(pathOf(kAccess, wrong, RTE_MBUF_F_RX_IP_CKSUM_GOOD), Path::kUdp) << "IP GOOD, header checksum wrong";
  EXPECT_EQ(dropOf(kAccess, udp4(), RTE_MBUF_F_RX_IP_CKSUM_BAD), DropReason::kIpBadChecksum)
      << "IP BAD, header checksum right";
  EXPECT_EQ(dropOf(kAccess, udp4(), RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_GOOD),
            DropReason::kIpBadChecksum);
}

// ---- IPv6 ----

TEST_P(ClassifyTest, Ipv6BadVersion) {
  Bytes f = udp6();
  f[kIp] = 0x40;
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpBadVersion);
}

TEST_P(ClassifyTest, Ipv6PayloadLengthLongerThanFrame) {
  Bytes f = udp6();
  set16(f, kIp + 4, static_cast<uint16_t>(f.size() - kV6Udp + 1));
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpBadTotalLength);
}

TEST_P(ClassifyTest, Ipv6HopLimitZero) {
  EXPECT_EQ(dropOf(kAccess, udp6(rtpPayload(1), 0)), DropReason::kIpTtlExpired);
}

TEST_P(ClassifyTest, Ipv6MulticastSource) {
  Bytes f = udpFrame(fromPeer(), sock("[ff02::1]:4000"), sock("[2001:db8:a::1]:20000"), rtpPayload(1));
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kIpBadSource);
}

TEST_P(ClassifyTest, Ipv6UdpToMulticastIsNotForUs) {
  IpAddress group = ip("ff02::fb");
  Bytes f = udpFrame(L2{multicastMacFor(group), kAccessPeerMac, {}}, sock("[2001:db8:a::10]:5353"),
                     sock("[ff02::fb]:5353"), rtpPayload(1));
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kNotForUs);
}

TEST_P(ClassifyTest, Ipv6UdpLengthMismatch) {
  Bytes f = udp6();
  set16(f, kV6Udp + 4, static_cast<uint16_t>(f.size() - kV6Udp - 2));
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kUdpBadLength);
  Bytes tiny = v6With(17, "2001:db8:a::1", Bytes{0x0f, 0xa0, 0x4e, 0x20});  // 4 bytes of "UDP"
  EXPECT_EQ(dropOf(kAccess, tiny), DropReason::kUdpBadLength);
}

TEST_P(ClassifyTest, Ipv6BadUdpChecksum) {
  Bytes f = udp6();
  f.back() ^= 0x80;
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kUdpBadChecksum);
}

TEST_P(ClassifyTest, Ipv6UdpWithoutChecksumIsDropped) {
  Bytes f = udp6();
  set16(f, kV6Udp + 6, 0);
  EXPECT_EQ(dropOf(kAccess, f), DropReason::kUdpZeroChecksumV6);
}

TEST_P(ClassifyTest, Ipv6ExtensionHeaders) {
  for (uint8_t nh : {0, 43, 60, 51, 50}) {
    EXPECT_EQ(dropOf(kAccess, v6With(nh, "2001:db8:a::1")), DropReason::kIpv6ExtensionHeader)
        << "next header " << int{nh};
  }
}

TEST_P(ClassifyTest, Ipv6FragmentHeaderForUsGoesToTheKernelWhole) {
  // Fragment header: next header UDP, offset 0 with M set, identification.
  const Bytes header{17, 0, 0x00, 0x01, 0x5b, 0xc0, 0xff, 0xee};
  Bytes l4 = header;
  l4.resize(header.size() + 64, 0xab);
  const Bytes f = v6With(44, "2001:db8:a::1", l4);
  Classified c = classify(kAccess, f);
  ASSERT_EQ(c.path, Path::kLocal);
  EXPECT_EQ(c.packetType, RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV6 | RTE_PTYPE_L4_FRAG);
  EXPECT_EQ(c.l3Len, kIpv6HeaderLength);
  EXPECT_EQ(c.bytes, f);
  EXPECT_EQ(dropOf(kAccess, v6With(44, "2001:db8:a::77", l4)), DropReason::kIpFragment) << "not ours";
  EXPECT_EQ(dropOf(kAccess, v6With(44, "ff02::1", l4)), DropReason::kIpFragment) << "a group";
  EXPECT_EQ(dropOf(kAccess, v6With(44, "2001:db8:c::1", l4)), DropReason::kIpFragment)
      << "the core interface's address, received on access";
}

// A jumbo frame in one segment, as a port with max-frame receives it (af_packet hands over a
// fragmented datagram the kernel reassembled): lengths come from the IP header, not from a
// 2 KB mbuf's idea of a frame.
TEST_P(ClassifyTest, JumboFrameInOneSegment) {
  rte_mempool* big = rte_pktmbuf_pool_create("classify_jumbo", 15, 0, 0, RTE_PKTMBUF_HEADROOM + 16384,
                                             static_cast<int>(rte_socket_id()));
  ASSERT_NE(big, nullptr);
  const Bytes sip(15958, 'x');  // the whole frame: 16,000 bytes
  const Bytes f = udpFrame(fromPeer(), sock("203.0.113.10:5060"), sock("203.0.113.1:5060"), sip);
  ASSERT_EQ(f.size(), 16000u);
  Classified c = classify(kAccess, toMbuf(big, f, kAccess));
  ASSERT_EQ(c.path, Path::kUdp);
  EXPECT_EQ(c.key.udpPortBe, htons(5060));
  EXPECT_EQ(c.pktLen, 16000u);
  EXPECT_EQ(c.bytes, f);
  Bytes padded = f;
  padded.resize(f.size() + 100, 0);
  EXPECT_EQ(classify(kAccess, toMbuf(big, padded, kAccess)).pktLen, 16000u) << "trailer trimmed";
  const Bytes v6 = udpFrame(fromPeer(), sock("[2001:db8:a::10]:5060"), sock("[2001:db8:a::1]:5060"), sip);
  Classified c6 = classify(kAccess, toMbuf(big, v6, kAccess));
  ASSERT_EQ(c6.path, Path::kUdp);
  EXPECT_EQ(c6.bytes, v6);
  Bytes claimsMore = f;
  set16(claimsMore, kIp + 2, 16000);  // the IP length says 14 bytes more than the frame holds
  fixChecksums(claimsMore);
  Classified bad = classify(kAccess, toMbuf(big, claimsMore, kAccess));
  EXPECT_EQ(bad.path, Path::kDropped);
  EXPECT_EQ(bad.reason, DropReason::kIpBadTotalLength);
  EXPECT_EQ(rte_mempool_in_use_count(big), 0u);
  rte_mempool_free(big);
}

// With a locator, classify finds each UDP packet's home slot in the flow table (the AVX-512 path
// as it classifies it, storing no key): the same homes locateBulk finds for the packets' keys,
// for keys spread over two addresses and many ports, on both paths, and in a burst where the
// full parser takes packets (the ARP, and a padded UDP frame, which it keys) and the rest close
// up.
TEST_P(ClassifyTest, HomesClassifyFindsAreTheOnesLocateBulkFinds) {
  h_.resolvePeers();
  Status created = h_.sessions->create(h_.accessCoreSpec(), kT0);  // 203.0.113.1:20000 has a flow
  ASSERT_TRUE(created.ok()) << created.error;
  const char* locals[] = {"203.0.113.1:20000", "203.0.113.1:20002", "203.0.113.2:30000", "203.0.113.1:40000",
                          "203.0.113.2:30002", "203.0.113.9:5060"};
  for (bool withArp : {false, true}) {
    std::vector<rte_mbuf*> in;
    FlowKey keys[std::size(locals)];
    for (size_t i = 0; i < std::size(locals); ++i) {
      keys[i] = FlowKey::make(kAccess, sock(locals[i]));
      Bytes frame = udpFrame(fromPeer(), sock("203.0.113.10:4000"), sock(locals[i]), rtpPayload(1));
      if (withArp && i == 3) frame.insert(frame.end(), 4, 0);  // Ethernet padding: the full parser's
      in.push_back(toMbuf(h_.pool, frame, kAccess));
    }
    if (withArp) in.insert(in.begin() + 1, toMbuf(h_.pool, gratuitousArp(kAccessPeerMac, ip("203.0.113.10")), kAccess));
    WorkerCounters counters{};
    FlowTable::AddressCache cache;
    FlowTable::Locator locator(*h_.flows, cache);
    classifyBurst(h_.interfaces.interfaces[kAccess], in.data(), static_cast<uint16_t>(in.size()), burst_, counters,
                  GetParam(), &locator);
    ASSERT_EQ(burst_.udpCount, std::size(locals));
    uint32_t expected[kMaxBurst];
    FlowTable::AddressCache fresh;
    h_.flows->locateBulk(keys, burst_.udpCount, expected, fresh);
    for (uint16_t i = 0; i < burst_.udpCount; ++i) {
      EXPECT_EQ(burst_.udpHomes[i], expected[i]) << locals[i];
      EXPECT_EQ(burst_.udpHomes[i], h_.flows->homeOf(keys[i])) << locals[i];
    }
    EXPECT_EQ(h_.flows->slotFrom(burst_.udpHomes[0]), burst_.udpHomes[0]) << "the session's flow, at home";
    for (uint16_t i = 1; i < burst_.udpCount; ++i)
      EXPECT_EQ(h_.flows->slotFrom(burst_.udpHomes[i]), FlowTable::kNoSlot) << locals[i] << ": no flow";
    rte_pktmbuf_free_bulk(burst_.udp, burst_.udpCount);
    rte_pktmbuf_free_bulk(burst_.arp, burst_.arpCount);
  }
}

// ---- ARP ----

TEST_P(ClassifyTest, ArpMalformed) {
  const Bytes good = gratuitousArp(kAccessPeerMac, ip("203.0.113.10"));
  struct Case {
    size_t offset;
    uint8_t value;
    const char* what;
  } cases[] = {
      {kEthernetLength + 1, 6, "hardware type 6 (IEEE 802)"},
      {kEthernetLength + 2, 0x86, "protocol 0x86dd"},
      {kEthernetLength + 4, 8, "hardware length 8"},
      {kEthernetLength + 5, 16, "protocol length 16"},
  };
  for (const Case& c : cases) {
    Bytes f = good;
    f[c.offset] = c.value;
    if (c.offset == kEthernetLength + 2) f[c.offset + 1] = 0xdd;
    EXPECT_EQ(dropOf(kAccess, f), DropReason::kArpMalformed) << c.what;
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, ClassifyTest, ::testing::Values(FastPath::kScalar, FastPath::kAvx512),
                         [](const ::testing::TestParamInfo<FastPath>& p) { return std::string(fastPathName(p.param)); });

// What classifyBurst decided for one packet of a burst.
struct Decision {
  int array = -1;  // 0 udp, 1 arp, 2 neighbour discovery, 3 local; -1 dropped
  FlowKey key{};
  uint16_t l2Len = 0, l3Len = 0;
  uint32_t packetType = 0;
  bool fast = false;  // a fast candidate, for the relay
  Bytes bytes;
  bool operator==(const Decision& o) const {
    return array == o.array && std::memcmp(&key, &o.key, sizeof key) == 0 && l2Len == o.l2Len && l3Len == o.l3Len &&
           packetType == o.packetType && fast == o.fast && bytes == o.bytes;
  }
};

std::vector<Decision> decide(DataplaneHarness& h, const std::vector<Bytes>& frames, const std::vector<uint16_t>& ports,
                             const std::vector<uint64_t>& flags, FastPath path, WorkerCounters& counters) {
  std::vector<rte_mbuf*> in;
  for (size_t i = 0; i < frames.size(); ++i) in.push_back(toMbuf(h.pool, frames[i], ports[i], flags[i]));
  ClassifiedBurst out;
  classifyBurst(h.interfaces.interfaces[kAccess], in.data(), static_cast<uint16_t>(in.size()), out, counters, path);
  std::vector<Decision> d(frames.size());
  auto record = [&](rte_mbuf* const* packets, uint16_t n, int array) {
    for (uint16_t k = 0; k < n; ++k) {
      const size_t i = static_cast<size_t>(std::find(in.begin(), in.end(), packets[k]) - in.begin());
      d[i].array = array;
      if (array == 0) {
        d[i].key = out.udpKeys[k];
        d[i].fast = (out.udpFastMask >> k) & 1;
      }
      d[i].l2Len = packets[k]->l2_len;
      d[i].l3Len = packets[k]->l3_len;
      d[i].packetType = packets[k]->packet_type;
      d[i].bytes = bytesOf(packets[k]);
      rte_pktmbuf_free(packets[k]);
    }
  };
  record(out.udp, out.udpCount, 0);
  record(out.arp, out.arpCount, 1);
  record(out.neighborDiscovery, out.neighborDiscoveryCount, 2);
  record(out.local, out.localCount, 3);
  return d;
}

// Both builds of the common case, given the same bursts, decide the same for every packet (its
// array, key, metadata, whether the relay's fast path may take it, and bytes, or its drop reason)
// and count the same: valid IPv4/UDP, and the same with a header byte changed, cut short,
// padded, with a source or destination the fast checks refuse, from another port than the
// burst's first packet, with NIC verdicts of every kind, too short for RTP, and ARP mixed in.
TEST(ClassifyPathsTest, BothPathsDecideTheSameForMutatedFrames) {
  if (!fastPathSupported(FastPath::kAvx512)) GTEST_SKIP() << "this CPU (or DPDK's SIMD limit) has no AVX-512 path";
  DataplaneHarness h;
  std::mt19937 random(5);
  const L2 l2 = h.toSbc(kAccess, kAccessPeerMac);
  const uint16_t port = h.interfaces.interfaces[kAccess].portId;
  const uint16_t otherPort = h.interfaces.interfaces[kCore].portId;
  constexpr uint64_t kGood = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  const uint64_t verdicts[] = {0, kGood, RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
                               RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD,
                               RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_NONE, RTE_MBUF_F_RX_IP_CKSUM_GOOD};
  const uint8_t firstBytes[] = {0, 1, 126, 127, 128, 223, 224, 239, 255};
  WorkerCounters scalarCounters{}, vectorCounters{};
  unsigned udp = 0;
  for (unsigned burst = 0; burst < 400; ++burst) {
    std::vector<Bytes> frames;
    std::vector<uint16_t> ports;
    std::vector<uint64_t> flags;
    const uint64_t burstFlags = verdicts[random() % std::size(verdicts)];
    for (unsigned k = 0; k < kMaxBurst; ++k) {
      Ipv4Fields fields;
      fields.ttl = static_cast<uint8_t>(random() % 4 == 0 ? random() % 3 : 64);
      fields.fragment = static_cast<uint16_t>(random() % 8 == 0 ? random() : 0x4000);
      Bytes f = udpFrame(l2, sock("203.0.113.10:4000"), sock("203.0.113.1:20000"),
                         rtpPayload(static_cast<uint16_t>(random()), 160, 0x5bc0ffee, random() % 200), fields);
      uint16_t framePort = port;
      uint64_t frameFlags = burstFlags;
      switch (random() % 11) {
        case 0: f[random() % 54] ^= static_cast<uint8_t>(1u << (random() % 8)); break;
        case 1: f[random() % 42] = static_cast<uint8_t>(random()); break;
        case 2: f.resize(random() % f.size()); break;
        case 3: f.resize(f.size() + 1 + random() % 20, 0); break;  // Ethernet padding
        case 4: f[kIp + 12] = firstBytes[random() % std::size(firstBytes)]; break;  // source
        case 5: f[kIp + 16] = firstBytes[random() % std::size(firstBytes)]; break;  // destination
        case 6: framePort = otherPort; break;
        case 7: frameFlags = verdicts[random() % std::size(verdicts)]; break;
        case 8: f = gratuitousArp(kAccessPeerMac, ip("203.0.113.10")); break;
        case 9:  // too short for an RTP header: UDP, but no fast candidate
          f = udpFrame(l2, sock("203.0.113.10:4000"), sock("203.0.113.1:20000"), Bytes(random() % 12, 0x80), fields);
          break;
        default: break;
      }
      frames.push_back(f);
      ports.push_back(framePort);
      flags.push_back(frameFlags);
    }
    const auto a = decide(h, frames, ports, flags, FastPath::kScalar, scalarCounters);
    const auto b = decide(h, frames, ports, flags, FastPath::kAvx512, vectorCounters);
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_TRUE(a[i] == b[i]) << "burst " << burst << " packet " << i << ": array " << a[i].array << " vs "
                                << b[i].array;
      udp += a[i].array == 0;
    }
  }
  EXPECT_GT(udp, 400u * kMaxBurst / 5) << "many frames are valid";
  for (unsigned r = 0; r < kDropReasonCount; ++r)
    EXPECT_EQ(scalarCounters.drops[r], vectorCounters.drops[r]) << kDropReasonInfo[r].name;
  EXPECT_EQ(scalarCounters.rxBytes[kAccess], vectorCounters.rxBytes[kAccess]);
  EXPECT_EQ(h.mbufsInUse(), 0u);
}

}  // namespace
}  // namespace sbc::dataplane::test
