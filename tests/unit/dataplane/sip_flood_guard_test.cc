// The SIP flood guard (dataplane/sip_flood_guard.cc): per-source buckets, the deny period,
// trust, the bounded table; and in a worker (dataplane/worker.cc), the drops by reason before
// the exception ring. Time is a fake TSC at kTscHz.

#include "dataplane/sip_flood_guard.h"

#include <gtest/gtest.h>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

SipFloodGuardConfig smallLimits() {
  SipFloodGuardConfig c;
  c.untrustedPps = 10;
  c.untrustedBurst = 20;
  c.trustedPps = 1000;
  c.trustedBurst = 200;
  c.denyPeriodSeconds = 5;
  return c;
}

std::array<uint8_t, 4> v4(uint32_t hostOrder) {
  return {uint8_t(hostOrder >> 24), uint8_t(hostOrder >> 16), uint8_t(hostOrder >> 8), uint8_t(hostOrder)};
}

class FloodGuardTest : public ::testing::Test {
 protected:
  std::shared_ptr<const SipFloodGuardSettings> settings_ =
      SipFloodGuardSettings::compile(smallLimits(), {*IpPrefix::parse("198.18.1.0/24")}, kTscHz, 1);
  SipFloodGuard guard_;
  // Sends `n` packets from `source` at `nowTsc`; returns how many were admitted.
  unsigned send(const std::array<uint8_t, 4>& source, unsigned n, uint64_t nowTsc, FloodVerdict* last = nullptr) {
    unsigned admitted = 0;
    for (unsigned i = 0; i < n; ++i) {
      FloodVerdict v = guard_.check(*settings_, 0, 4, source.data(), nowTsc);
      admitted += v == FloodVerdict::kAdmit;
      if (last) *last = v;
    }
    return admitted;
  }
};

const auto kStranger = v4(0xc6124001);  // 198.18.64.1: untrusted
const auto kTrunk = v4(0xc612010a);     // 198.18.1.10: inside the trusted prefix

TEST_F(FloodGuardTest, BucketAdmitsTheBurstThenBlocks) {
  EXPECT_EQ(send(kStranger, 20, kT0), 20u) << "the whole burst passes";
  FloodVerdict v;
  EXPECT_EQ(send(kStranger, 1, kT0, &v), 0u);
  EXPECT_EQ(v, FloodVerdict::kFlood) << "the packet over the bucket";
  EXPECT_EQ(send(kStranger, 3, kT0 + kTscPerMs, &v), 0u);
  EXPECT_EQ(v, FloodVerdict::kBlocked) << "then the source is blocked";
}

TEST_F(FloodGuardTest, RateWithinTheBucketIsNeverBlocked) {
  // 10 pps for 10 s: one packet every 100 ms.
  for (unsigned i = 0; i < 100; ++i) EXPECT_EQ(send(kStranger, 1, kT0 + i * 100 * kTscPerMs), 1u) << i;
  EXPECT_TRUE(guard_.blocked(kT0 + 10'000 * kTscPerMs).empty());
}

TEST_F(FloodGuardTest, BlockedForTheDenyPeriodThenReleased) {
  send(kStranger, 25, kT0);
  auto blocked = guard_.blocked(kT0 + 1);
  ASSERT_EQ(blocked.size(), 1u);
  EXPECT_EQ(blocked[0].source, *IpAddress::parse("198.18.64.1"));
  EXPECT_FALSE(blocked[0].trusted);
  EXPECT_EQ(blocked[0].limitPps, 10u);
  EXPECT_GT(blocked[0].ratePps, 10u);
  EXPECT_EQ(blocked[0].untilTsc - blocked[0].blockedAtTsc, 5 * kTscHz + 1);
  // Still blocked just before the end, even at a polite rate.
  EXPECT_EQ(send(kStranger, 1, kT0 + 4'999 * kTscPerMs), 0u);
  EXPECT_EQ(guard_.blocked(kT0 + 4'999 * kTscPerMs)[0].dropped, 5u) << "4 in the burst, 1 now";
  // Released after it, with a full bucket.
  EXPECT_TRUE(guard_.blocked(kT0 + 5'001 * kTscPerMs).empty());
  EXPECT_EQ(send(kStranger, 20, kT0 + 5'001 * kTscPerMs), 20u);
}

TEST_F(FloodGuardTest, TrustedSourcesGetTheLargerBucket) {
  EXPECT_EQ(send(kTrunk, 200, kT0), 200u);
  EXPECT_EQ(send(kTrunk, 1, kT0), 0u);
  auto blocked = guard_.blocked(kT0 + 1);
  ASSERT_EQ(blocked.size(), 1u);
  EXPECT_TRUE(blocked[0].trusted);
  EXPECT_EQ(blocked[0].limitPps, 1000u);
}

TEST_F(FloodGuardTest, ANewConfigurationMovesTrust) {
  EXPECT_EQ(send(kStranger, 15, kT0), 15u);
  settings_ = SipFloodGuardSettings::compile(smallLimits(), {*IpPrefix::parse("198.18.64.0/24")}, kTscHz, 2);
  // Trusted now: its bucket refills to the trusted size, no block at 30 more.
  EXPECT_EQ(send(kStranger, 30, kT0 + kTscHz), 30u);
  EXPECT_TRUE(guard_.blocked(kT0 + kTscHz).empty());
}

TEST_F(FloodGuardTest, ManySpoofedSourcesAreBoundedByTheUntrustedTotal) {
  // 100,000 sources, each sending one packet, within one second: more than the table holds.
  // The table keeps its size, every one of them passes the untrusted total (10 × 100 pps,
  // a tenth of a second's worth of burst), and a trunk still gets through.
  unsigned admitted = 0;
  for (uint32_t i = 0; i < 100'000; ++i)
    admitted += send(v4(0xc6130000 + i), 1, kT0 + i * (kTscHz / 100'000));
  EXPECT_LE(admitted, 1000u + 100u) << "one second of the untrusted total, and its burst";
  EXPECT_GE(admitted, 900u);
  FloodGuardStats stats = guard_.stats();
  EXPECT_LE(stats.tracked, uint64_t{SipFloodGuard::kSets} * SipFloodGuard::kWays);
  EXPECT_GT(stats.untracked + stats.aggregateDrops, 0u);
  EXPECT_EQ(send(kTrunk, 100, kT0 + kTscHz), 100u) << "the trunk is not held back by the strangers";
}

TEST_F(FloodGuardTest, FullTableKeepsBlockedSourcesBlocked) {
  // A source blocked, then a wave of new sources (idle entries are reused, blocked ones are not).
  send(kStranger, 25, kT0);
  for (uint32_t i = 0; i < 50'000; ++i) send(v4(0xc6130000 + i), 1, kT0 + 2 * kTscHz + i);
  FloodVerdict v;
  send(kStranger, 1, kT0 + 3 * kTscHz, &v);
  EXPECT_EQ(v, FloodVerdict::kBlocked);
}

TEST_F(FloodGuardTest, Ipv6SourcesAreMeteredApart) {
  auto a = IpAddress::parse("2001:db8:a::10")->bytes;
  auto b = IpAddress::parse("2001:db8:a::11")->bytes;
  unsigned admitted = 0;
  for (int i = 0; i < 25; ++i) admitted += guard_.check(*settings_, 0, 6, a.data(), kT0) == FloodVerdict::kAdmit;
  EXPECT_EQ(admitted, 20u);
  EXPECT_EQ(guard_.check(*settings_, 0, 6, b.data(), kT0), FloodVerdict::kAdmit);
}

// In a worker: packets for the SBC over the bucket are dropped before the exception ring and
// counted by reason; media and ARP are not metered.
class WorkerFloodGuardTest : public HarnessTest {
 protected:
  void SetUp() override {
    SharedTables tables{&h_.interfaces, h_.flows.get(), h_.neighbors.get(), h_.exceptionRing, h_.rcu};
    settings_ = SipFloodGuardSettings::compile(smallLimits(), {*IpPrefix::parse("203.0.113.0/28")}, kTscHz, 1);
    published_.store(settings_.get());
    tables.floodGuard = &published_;
    h_.worker = std::make_unique<Worker>(tables, 0);
  }
  Bytes sipFrom(const char* source) const {
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock(source), sock("203.0.113.1:5060"), Bytes(40, 'x'));
  }
  void sendBursts(const Bytes& frame, unsigned total, uint64_t nowTsc) {
    for (unsigned sent = 0; sent < total; sent += kMaxBurst)
      h_.receive(kAccess, std::vector<Bytes>(std::min<unsigned>(kMaxBurst, total - sent), frame), nowTsc);
  }
  std::shared_ptr<const SipFloodGuardSettings> settings_;
  std::atomic<const SipFloodGuardSettings*> published_{nullptr};
};

TEST_F(WorkerFloodGuardTest, FloodIsDroppedBeforeTheExceptionRingByReason) {
  sendBursts(sipFrom("203.0.113.99:5060"), 64, kT0);
  EXPECT_EQ(h_.drainException().size(), 20u) << h_.dropSummary();
  EXPECT_EQ(h_.drops(DropReason::kSipFlood), 1u);
  EXPECT_EQ(h_.drops(DropReason::kBlockedSource), 43u);
  // A trusted source (inside 203.0.113.0/28) at the same time is not affected.
  sendBursts(sipFrom("203.0.113.10:5060"), 64, kT0);
  EXPECT_EQ(h_.drainException().size(), 64u) << h_.dropSummary();
  // After the deny period the stranger is let in again.
  sendBursts(sipFrom("203.0.113.99:5060"), 1, kT0 + 6 * kTscHz);
  EXPECT_EQ(h_.drainException().size(), 1u);
}

TEST_F(WorkerFloodGuardTest, PingAndTcpAreMeteredArpIsNot) {
  Bytes ping = icmpEcho4Frame(h_.toSbc(kAccess, kAccessPeerMac), ip("203.0.113.99"), ip("203.0.113.1"), 1, 1);
  sendBursts(ping, 30, kT0);
  EXPECT_EQ(h_.drainException().size(), 20u);
  EXPECT_EQ(h_.drops(DropReason::kSipFlood) + h_.drops(DropReason::kBlockedSource), 10u);
  Bytes garp = gratuitousArp(kAccessPeerMac, ip("203.0.113.99"));
  sendBursts(garp, 30, kT0);
  EXPECT_EQ(h_.drainException().size(), 30u) << "ARP is never metered (neighbour learning needs it)";
}

TEST_F(WorkerFloodGuardTest, MediaToAPortNoSessionOwnsIsDroppedNotMetered) {
  Bytes media = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("203.0.113.99:4000"),
                         sock("203.0.113.1:20000"), rtpPayload(1));
  sendBursts(media, 64, kT0);
  EXPECT_EQ(h_.drops(DropReason::kMediaNoSession), 64u);
  EXPECT_EQ(h_.drops(DropReason::kSipFlood) + h_.drops(DropReason::kBlockedSource), 0u);
  EXPECT_TRUE(h_.worker->floodGuard().blocked(kT0).empty());
}

TEST_F(WorkerFloodGuardTest, DisabledGuardAdmitsEverything) {
  SipFloodGuardConfig off = smallLimits();
  off.enabled = false;
  settings_ = SipFloodGuardSettings::compile(off, {}, kTscHz, 2);
  published_.store(settings_.get());
  sendBursts(sipFrom("203.0.113.99:5060"), 64, kT0);
  EXPECT_EQ(h_.drainException().size(), 64u);
}

}  // namespace
}  // namespace sbc::dataplane::test
