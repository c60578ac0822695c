// Traffic that finds no media flow (dataplane/worker.cc handleUnmatchedUdp, toException,
// flushException): media ports without a session are dropped, everything else for the SBC goes
// to the exception ring (the kernel behind the TAP), and only when the interface has one.

#include <gtest/gtest.h>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

class UnmatchedTrafficTest : public HarnessTest {
 protected:
  Bytes udpTo(uint8_t iface, const char* src, const char* dst) const {
    return udpFrame(h_.toSbc(iface, kAccessPeerMac), sock(src), sock(dst), rtpPayload(1));
  }
};

TEST_F(UnmatchedTrafficTest, MediaPortWithoutSessionIsDropped) {
  EXPECT_TRUE(h_.receive(kAccess, udpTo(kAccess, "203.0.113.10:4000", "203.0.113.1:20000"), kT0).empty());
  EXPECT_TRUE(h_.receive(kAccess, udpTo(kAccess, "203.0.113.10:4000", "203.0.113.1:29999"), kT0).empty());
  EXPECT_TRUE(h_.receive(kAccess, udpTo(kAccess, "[2001:db8:a::10]:4000", "[2001:db8:a::1]:25000"), kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kMediaNoSession), 3u);
  EXPECT_EQ(h_.totalDrops(), 3u) << h_.dropSummary();
  EXPECT_TRUE(h_.drainException().empty());
}

TEST_F(UnmatchedTrafficTest, SessionOnOtherAddressDoesNotCoverThisOne) {
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  // The session's port on the core address, but received on the access interface.
  EXPECT_TRUE(h_.receive(kAccess, udpTo(kAccess, "203.0.113.10:4000", "203.0.113.1:20002"), kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kMediaNoSession), 1u);
}

TEST_F(UnmatchedTrafficTest, UdpOutsideMediaRangeGoesToTheKernel) {
  Bytes sip = udpTo(kAccess, "203.0.113.10:5060", "203.0.113.1:5060");
  Bytes sip6 = udpTo(kAccess, "[2001:db8:a::10]:5060", "[2001:db8:a::1]:5060");
  Bytes above = udpTo(kAccess, "203.0.113.10:5060", "203.0.113.1:30000");
  EXPECT_TRUE(h_.receive(kAccess, {sip, sip6, above}, kT0).empty());
  auto kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 3u) << h_.dropSummary();
  EXPECT_EQ(kernel[0].frame, sip);
  EXPECT_EQ(kernel[1].frame, sip6);
  EXPECT_EQ(kernel[2].frame, above);
  EXPECT_EQ(kernel[0].interfaceIndex, h_.interfaces.interfaces[kAccess].portId) << "mbuf keeps its rx port";
  EXPECT_EQ(h_.counters().exceptionPackets, 3u);
  EXPECT_EQ(h_.totalDrops(), 0u) << h_.dropSummary();
}

TEST_F(UnmatchedTrafficTest, NoExceptionPathOnTheInterface) {
  Bytes sip = udpFrame(h_.toSbc(kNoTap, kAccessPeerMac), sock("100.64.0.10:5060"), sock("100.64.0.1:5060"),
                       rtpPayload(1));
  Bytes ping = icmpEcho4Frame(h_.toSbc(kNoTap, kAccessPeerMac), ip("100.64.0.10"), ip("100.64.0.1"), 1, 1);
  Bytes arp = gratuitousArp(kAccessPeerMac, ip("100.64.0.10"));
  EXPECT_TRUE(h_.receive(kNoTap, {sip, ping, arp}, kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kNoExceptionPath), 3u);
  EXPECT_TRUE(h_.drainException().empty());
  EXPECT_EQ(h_.counters().exceptionPackets, 0u);
}

TEST_F(UnmatchedTrafficTest, UdpToAnotherAddressIsNotForUs) {
  EXPECT_TRUE(h_.receive(kAccess, udpTo(kAccess, "203.0.113.10:4000", "203.0.113.77:20000"), kT0).empty());
  EXPECT_TRUE(h_.receive(kAccess, udpTo(kAccess, "203.0.113.10:4000", "198.51.100.1:5060"), kT0).empty())
      << "the core interface's address, received on access";
  EXPECT_TRUE(h_.receive(kAccess, udpTo(kAccess, "[2001:db8:a::10]:4000", "[2001:db8:a::77]:5060"), kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kNotForUs), 3u);
  EXPECT_TRUE(h_.drainException().empty());
}

TEST_F(UnmatchedTrafficTest, IcmpEchoToUsGoesToTheKernel) {
  Bytes ping = icmpEcho4Frame(h_.toSbc(kAccess, kAccessPeerMac), ip("203.0.113.10"), ip("203.0.113.1"), 9, 1);
  Bytes ping6 = icmpv6EchoFrame(h_.toSbc(kAccess, kAccessPeerMac), ip("2001:db8:a::10"), ip("2001:db8:a::1"), 9, 1);
  EXPECT_TRUE(h_.receive(kAccess, {ping, ping6}, kT0).empty());
  auto kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 2u) << h_.dropSummary();
  EXPECT_EQ(kernel[0].frame, ping);
  EXPECT_EQ(kernel[1].frame, ping6);
  EXPECT_EQ(h_.counters().exceptionPackets, 2u);
}

TEST_F(UnmatchedTrafficTest, TaggedTrafficReachesTheRingWithItsTag) {
  // The exception path strips the tag for the TAP; the worker hands the frame on unchanged.
  Bytes sip = udpFrame(h_.toSbc(kVlan, kVlanPeerMac), sock("192.0.2.30:5060"), sock("192.0.2.1:5060"), rtpPayload(1));
  h_.receive(kVlan, sip, kT0);
  auto kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 1u) << h_.dropSummary();
  EXPECT_EQ(kernel[0].frame, sip);
}

TEST_F(UnmatchedTrafficTest, OwnSourceIsNotPassedToTheKernel) {
  Bytes spoofed = udpFrame(h_.toSbc(kAccess, kOtherMac), sock("203.0.113.1:5060"), sock("203.0.113.1:5060"),
                           rtpPayload(1));
  Bytes spoofedPing = icmpEcho4Frame(h_.toSbc(kAccess, kOtherMac), ip("203.0.113.1"), ip("203.0.113.1"), 1, 1);
  Bytes spoofed6 = icmpv6EchoFrame(h_.toSbc(kAccess, kOtherMac), ip("2001:db8:a::1"), ip("2001:db8:a::1"), 1, 1);
  EXPECT_TRUE(h_.receive(kAccess, {spoofed, spoofedPing, spoofed6}, kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kIpBadSource), 3u) << h_.dropSummary();
  EXPECT_TRUE(h_.drainException().empty());
}

TEST_F(UnmatchedTrafficTest, FullExceptionRingDropsAndCounts) {
  // The harness ring holds 255; fill it, then one more burst finds no room.
  std::vector<Bytes> burst(kMaxBurst, udpTo(kAccess, "203.0.113.10:5060", "203.0.113.1:5060"));
  for (int i = 0; i < 8; ++i) h_.receive(kAccess, burst, kT0);  // 256 offered
  EXPECT_EQ(h_.counters().exceptionPackets, 255u);
  EXPECT_EQ(h_.drops(DropReason::kExceptionQueueFull), 1u);
  EXPECT_EQ(h_.drainException().size(), 255u);
}

}  // namespace
}  // namespace sbc::dataplane::test
