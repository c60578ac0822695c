// Neighbour learning (dataplane/neighbor_learning.cc, neighbor_table.cc) through the worker:
// ARP and ND refresh the MAC of next hops the control side created, never create entries, and
// hand the packet on to the kernel; malformed ND options teach nothing.

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

const IpAddress kPeer4 = ip("203.0.113.10");
const IpAddress kOurs4 = ip("203.0.113.1");
const IpAddress kPeer6 = ip("2001:db8:a::10");
const IpAddress kOurs6 = ip("2001:db8:a::1");
const MacAddress kNewMac{0x02, 0xaa, 0, 0, 0, 0x77};

class NeighborTest : public HarnessTest {
 protected:
  uint16_t entry(uint8_t iface, const IpAddress& a) {
    int32_t index = h_.neighbors->ensure(iface, a);
    EXPECT_GE(index, 0);
    return static_cast<uint16_t>(index);
  }
  // An entry resolved by learning (as after an ARP reply), not configured.
  uint16_t learnedEntry(uint8_t iface, const IpAddress& a, const MacAddress& mac) {
    uint16_t index = entry(iface, a);
    EXPECT_TRUE(h_.neighbors->learn(iface, a.bytes.data(), a.family, mac.data(), kT0));
    return index;
  }
  bool resolvedTo(uint16_t index, const MacAddress& mac) const {
    return h_.neighbors->macState(index) == (packMac(mac.data()) | kNeighborResolved);
  }
  bool unresolved(uint16_t index) const { return h_.neighbors->macState(index) == 0; }
  // Runs `frame` through the worker on access0; returns how many packets reached the kernel.
  size_t receive(const Bytes& frame, uint8_t iface = kAccess, uint64_t now = kT0) {
    EXPECT_TRUE(h_.receive(iface, frame, now).empty());
    return h_.drainException().size();
  }
  Bytes nsFromPeer(const Bytes& options, uint8_t hopLimit = 255) const {
    IpAddress group = solicitedNodeGroup(kOurs6);
    return neighborSolicitation(L2{multicastMacFor(group), kNewMac, {}}, kPeer6, group, kOurs6, options, hopLimit);
  }
  Bytes naFromPeer(const Bytes& options, const IpAddress& target = kPeer6, uint8_t hopLimit = 255) const {
    return neighborAdvertisement(h_.toSbc(kAccess, kNewMac), kPeer6, kOurs6, target, options, hopLimit);
  }
};

// ---- ARP ----

TEST_F(NeighborTest, ArpReplyUpdatesAnExistingEntry) {
  uint16_t n = entry(kAccess, kPeer4);
  ASSERT_TRUE(unresolved(n));
  Bytes reply = arpFrame(h_.toSbc(kAccess, kNewMac), 2, kNewMac, kPeer4, kSbcMac[kAccess], kOurs4);
  EXPECT_EQ(receive(reply), 1u) << "the kernel sees the reply too";
  EXPECT_TRUE(resolvedTo(n, kNewMac));
  EXPECT_EQ(h_.neighbors->at(n).updates.load(), 1u);
  EXPECT_EQ(h_.neighbors->at(n).updatedTsc.load(), kT0);
  EXPECT_EQ(h_.counters().neighborUpdates, 1u);
}

TEST_F(NeighborTest, ArpRequestForUsUpdatesAnExistingEntry) {
  uint16_t n = entry(kAccess, kPeer4);
  Bytes request = arpFrame(L2{kBroadcastMac, kNewMac, {}}, 1, kNewMac, kPeer4, MacAddress{}, kOurs4);
  EXPECT_EQ(receive(request), 1u);
  EXPECT_TRUE(resolvedTo(n, kNewMac));
}

TEST_F(NeighborTest, GratuitousArpUpdatesAnExistingEntry) {
  uint16_t n = learnedEntry(kAccess, kPeer4, kAccessPeerMac);
  EXPECT_EQ(receive(gratuitousArp(kNewMac, kPeer4)), 1u);
  EXPECT_TRUE(resolvedTo(n, kNewMac));
  // A gratuitous reply (op 2, sender = target) counts the same.
  const MacAddress third{0x02, 0xaa, 0, 0, 0, 0x78};
  Bytes garpReply = arpFrame(L2{kBroadcastMac, third, {}}, 2, third, kPeer4, kBroadcastMac, kPeer4);
  EXPECT_EQ(receive(garpReply), 1u);
  EXPECT_TRUE(resolvedTo(n, third));
  EXPECT_EQ(h_.neighbors->at(n).updates.load(), 3u);  // the first learning, then two moves
}

TEST_F(NeighborTest, SameMacAgainRefreshesWithoutCountingAnUpdate) {
  uint16_t n = entry(kAccess, kPeer4);
  receive(gratuitousArp(kNewMac, kPeer4), kAccess, kT0);
  receive(gratuitousArp(kNewMac, kPeer4), kAccess, kT0 + 5 * kTscPerMs);
  EXPECT_EQ(h_.neighbors->at(n).updates.load(), 1u);
  EXPECT_EQ(h_.neighbors->at(n).updatedTsc.load(), kT0 + 5 * kTscPerMs);
}

TEST_F(NeighborTest, ArpFromUnknownSenderCreatesNothing) {
  entry(kAccess, kPeer4);
  const size_t before = h_.neighbors->entriesInUse().size();
  Bytes reply = arpFrame(h_.toSbc(kAccess, kNewMac), 2, kNewMac, ip("203.0.113.11"), kSbcMac[kAccess], kOurs4);
  EXPECT_EQ(receive(reply), 1u) << "still for us: the kernel answers";
  EXPECT_EQ(receive(gratuitousArp(kNewMac, ip("203.0.113.12"))), 1u);
  EXPECT_EQ(h_.neighbors->entriesInUse().size(), before);
  EXPECT_EQ(h_.counters().neighborUpdates, 0u);
}

TEST_F(NeighborTest, ArpForSomeoneElseIsDroppedWithoutLearning) {
  uint16_t n = entry(kAccess, kPeer4);
  Bytes request = arpFrame(L2{kBroadcastMac, kNewMac, {}}, 1, kNewMac, kPeer4, MacAddress{}, ip("203.0.113.12"));
  EXPECT_EQ(receive(request), 0u);
  EXPECT_EQ(h_.drops(DropReason::kNotForUs), 1u);
  EXPECT_TRUE(unresolved(n));
}

TEST_F(NeighborTest, ArpIsLearnedOnlyOnTheInterfaceItArrivedOn) {
  uint16_t core = entry(kCore, ip("198.51.100.20"));
  receive(gratuitousArp(kNewMac, ip("198.51.100.20")), kAccess);
  EXPECT_TRUE(unresolved(core)) << "an access-side host cannot move a core next hop";
  receive(gratuitousArp(kNewMac, ip("198.51.100.20")), kCore);
  EXPECT_TRUE(resolvedTo(core, kNewMac));
}

TEST_F(NeighborTest, TaggedArpIsLearnedOnTheVlanInterface) {
  uint16_t n = entry(kVlan, ip("192.0.2.30"));
  EXPECT_EQ(receive(gratuitousArp(kNewMac, ip("192.0.2.30"), kVlanId), kVlan), 1u);
  EXPECT_TRUE(resolvedTo(n, kNewMac)) << "the ARP body is found behind the 802.1Q tag";
}

// ---- IPv6 neighbour discovery ----

TEST_F(NeighborTest, SolicitationSourceLinkLayerOptionIsLearned) {
  uint16_t n = entry(kAccess, kPeer6);
  EXPECT_EQ(receive(nsFromPeer(llaOption(1, kNewMac))), 1u) << "the kernel answers the solicitation";
  EXPECT_TRUE(resolvedTo(n, kNewMac));
  EXPECT_EQ(h_.counters().neighborUpdates, 1u);
}

TEST_F(NeighborTest, AdvertisementTargetLinkLayerOptionIsLearned) {
  uint16_t n = entry(kAccess, kPeer6);
  EXPECT_EQ(receive(naFromPeer(llaOption(2, kNewMac))), 1u);
  EXPECT_TRUE(resolvedTo(n, kNewMac));
}

TEST_F(NeighborTest, AdvertisementTeachesTheTargetNotTheSender) {
  uint16_t sender = entry(kAccess, kPeer6);
  uint16_t target = entry(kAccess, ip("2001:db8:a::11"));
  receive(naFromPeer(llaOption(2, kNewMac), ip("2001:db8:a::11")));
  EXPECT_TRUE(resolvedTo(target, kNewMac));
  EXPECT_TRUE(unresolved(sender));
}

TEST_F(NeighborTest, LinkLayerOptionAfterAnotherOptionIsFound) {
  uint16_t n = entry(kAccess, kPeer6);
  Bytes options{14, 1, 1, 2, 3, 4, 5, 6};  // a nonce option (RFC 3971) first
  Bytes lla = llaOption(1, kNewMac);
  options.insert(options.end(), lla.begin(), lla.end());
  receive(nsFromPeer(options));
  EXPECT_TRUE(resolvedTo(n, kNewMac));
}

TEST_F(NeighborTest, WrongOptionTypeTeachesNothing) {
  uint16_t n = entry(kAccess, kPeer6);
  receive(nsFromPeer(llaOption(2, kNewMac)));  // target LLA in a solicitation
  receive(naFromPeer(llaOption(1, kNewMac)));  // source LLA in an advertisement
  receive(nsFromPeer(Bytes{}));                // no option at all
  EXPECT_TRUE(unresolved(n));
  EXPECT_EQ(h_.counters().neighborUpdates, 0u);
}

TEST_F(NeighborTest, NeighborDiscoveryFromUnknownSenderCreatesNothing) {
  const size_t before = h_.neighbors->entriesInUse().size();
  EXPECT_EQ(receive(nsFromPeer(llaOption(1, kNewMac))), 1u);
  EXPECT_EQ(receive(naFromPeer(llaOption(2, kNewMac))), 1u);
  EXPECT_EQ(h_.neighbors->entriesInUse().size(), before);
  EXPECT_EQ(h_.counters().neighborUpdates, 0u);
}

TEST_F(NeighborTest, MalformedOptionsTeachNothing) {
  uint16_t n = entry(kAccess, kPeer6);
  Bytes lla = llaOption(1, kNewMac);
  Bytes zeroLength = lla;
  zeroLength[1] = 0;
  Bytes zeroThenGood{3, 0, 0, 0, 0, 0, 0, 0};  // a zero-length option before a good one
  zeroThenGood.insert(zeroThenGood.end(), lla.begin(), lla.end());
  Bytes overlong = lla;
  overlong[1] = 2;  // claims 16 bytes, 8 present
  Bytes huge = lla;
  huge[1] = 255;
  Bytes truncated = lla;
  truncated.resize(6);  // option header and 4 bytes of MAC
  for (const Bytes* options : {&zeroLength, &zeroThenGood, &overlong, &huge, &truncated}) {
    EXPECT_EQ(receive(nsFromPeer(*options)), 1u) << "the kernel still gets it";
  }
  EXPECT_TRUE(unresolved(n));
  EXPECT_EQ(h_.counters().neighborUpdates, 0u);
}

TEST_F(NeighborTest, NeighborDiscoveryShorterThanItsHeaderTeachesNothing) {
  uint16_t n = entry(kAccess, kPeer6);
  // A 20-byte "solicitation": no room for the whole target address.
  Bytes message(20, 0);
  message[0] = 135;
  std::copy(kOurs6.bytes.begin(), kOurs6.bytes.begin() + 12, message.begin() + 8);
  IpAddress group = solicitedNodeGroup(kOurs6);
  Bytes f = ethernet(L2{multicastMacFor(group), kNewMac, {}}, 0x86dd, ipv6Packet(kPeer6, group, 58, message, 255));
  fixChecksums(f);
  EXPECT_EQ(receive(f), 1u);
  EXPECT_TRUE(unresolved(n));
}

// RFC 4861 §7.1: ND messages whose hop limit is not 255 (they were routed) or whose ICMPv6
// checksum is wrong are discarded; otherwise an off-link host could send a unicast NA to our
// address and move any next hop's MAC (media black-holed), and a corrupted NA would too.
TEST_F(NeighborTest, RoutedAdvertisementIsNotLearned) {
  uint16_t n = learnedEntry(kAccess, kPeer6, kAccessPeerMac);
  receive(naFromPeer(llaOption(2, kNewMac), kPeer6, /*hopLimit=*/254));
  EXPECT_TRUE(resolvedTo(n, kAccessPeerMac)) << "an NA with hop limit 254 crossed a router";
  receive(nsFromPeer(llaOption(1, kNewMac), /*hopLimit=*/64));
  EXPECT_TRUE(resolvedTo(n, kAccessPeerMac)) << "an NS with hop limit 64 crossed a router";
}

TEST_F(NeighborTest, AdvertisementWithBadChecksumIsNotLearned) {
  uint16_t n = learnedEntry(kAccess, kPeer6, kAccessPeerMac);
  Bytes na = naFromPeer(llaOption(2, kNewMac));
  na[kEthernetLength + kIpv6HeaderLength + 2] ^= 0x5a;  // ICMPv6 checksum
  receive(na);
  EXPECT_TRUE(resolvedTo(n, kAccessPeerMac));
}

// A configured next hop is the operator's word: one forged ARP or NA from the access side
// must not redirect its media.
TEST_F(NeighborTest, StaticEntryIsNotChangedByArpOrNd) {
  uint16_t v4 = h_.neighbors->setStatic(kAccess, kPeer4, kAccessPeerMac);
  uint16_t v6 = h_.neighbors->setStatic(kAccess, kPeer6, kAccessPeerMac);
  receive(gratuitousArp(kNewMac, kPeer4));
  receive(naFromPeer(llaOption(2, kNewMac)));
  EXPECT_TRUE(resolvedTo(v4, kAccessPeerMac));
  EXPECT_TRUE(resolvedTo(v6, kAccessPeerMac));
  EXPECT_EQ(h_.counters().neighborUpdates, 0u);
}

}  // namespace
}  // namespace sbc::dataplane::test
