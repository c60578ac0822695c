// The `max-frame` setting of an interface (dataplane/config.h) and what it becomes for the ports
// (dataplane/ports.cc): the range validate() accepts, the af_packet ring devargs under the
// kernel's rules and the PMD's, and the mbuf size an rx pool must have.

#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <algorithm>
#include <bit>

#include "dataplane/config.h"
#include "dataplane/ports.h"

namespace sbc::dataplane {
namespace {

InterfaceConfig afPacket(uint32_t maxFrame, const std::string& extra = "") {
  InterfaceConfig i;
  i.name = "access0";
  i.device = "net_af_packet0,iface=acc" + extra;
  i.realm = "access";
  i.addresses = {*IpPrefix::parse("198.18.1.1/24")};
  i.maxFrame = maxFrame;
  return i;
}

std::string vdevArg(const DataplaneConfig& c) {
  const auto args = buildEalArgs(c, {"--no-huge", "-m", "64", "--file-prefix", "x"}, "sbcd");
  auto at = std::find(args.begin(), args.end(), "--vdev");
  return at == args.end() || at + 1 == args.end() ? "" : *(at + 1);
}

TEST(MaxFrameTest, ValidateTakesTheStandardFrameUpToTheLargestAfPacketSlot) {
  DataplaneConfig c;
  c.interfaces = {afPacket(0)};
  EXPECT_TRUE(c.validate().empty()) << "0: the standard frame";
  for (uint32_t ok : {kStandardMaxFrame, 9018u, 16000u, kLargestMaxFrame}) {
    c.interfaces[0].maxFrame = ok;
    EXPECT_TRUE(c.validate().empty()) << ok;
  }
  c.interfaces[0].maxFrame = 1500;
  EXPECT_EQ(c.validate(), std::vector<std::string>{"interface access0: max-frame 1500 is not 1518 to 32702"});
  c.interfaces[0].maxFrame = kLargestMaxFrame + 1;
  EXPECT_EQ(c.validate(), std::vector<std::string>{"interface access0: max-frame 32703 is not 1518 to 32702"});
}

// The kernel (packet_set_ring) and the PMD (which finds slot i at i × framesz) both accept it,
// and the frame fits its slot.
void expectValidRing(uint32_t maxFrame) {
  SCOPED_TRACE("max-frame " + std::to_string(maxFrame));
  const uint32_t page = static_cast<uint32_t>(getpagesize());
  const AfPacketRing r = afPacketRingFor(maxFrame, page);
  EXPECT_EQ(r.frameSize % 16, 0u);
  EXPECT_GE(r.frameSize, maxFrame + 66) << "TPACKET_V2 puts an untagged frame 66 bytes into its slot";
  EXPECT_TRUE(std::has_single_bit(r.frameSize)) << "blocks are powers of two pages, without gaps";
  EXPECT_EQ(r.blockSize % page, 0u);
  EXPECT_EQ(r.blockSize % r.frameSize, 0u);
  EXPECT_EQ(r.frameCount % (r.blockSize / r.frameSize), 0u) << "slots per block × blocks";
  EXPECT_GE(r.frameCount, 256u);
  EXPECT_LE(r.frameCount, 512u);
  EXPECT_LE(uint64_t{r.frameCount} * r.frameSize, 8u << 20) << "ring bytes";
  EXPECT_LE(r.frameSize - 32, UINT16_MAX - RTE_PKTMBUF_HEADROOM) << "the PMD's rx check against one mbuf";
}

TEST(MaxFrameTest, AfPacketRingsFollowTheKernelsRules) {
  for (uint32_t maxFrame : {kStandardMaxFrame, 1982u, 1983u, 3500u, 9018u, 16000u, 16318u, 16319u, kLargestMaxFrame})
    expectValidRing(maxFrame);
  const AfPacketRing lab = afPacketRingFor(16000, 4096);
  EXPECT_EQ(lab.frameSize, 16384u);
  EXPECT_EQ(lab.blockSize, 16384u);
  EXPECT_EQ(lab.frameCount, 512u);
  const AfPacketRing largest = afPacketRingFor(kLargestMaxFrame, 4096);
  EXPECT_EQ(largest.frameSize, 32768u);
  EXPECT_EQ(largest.frameCount, 256u);
  EXPECT_EQ(afPacketRingFor(1982, 4096).frameSize, 2048u) << "the PMD's default slot still holds it";
  EXPECT_EQ(afPacketRingFor(1983, 4096).frameSize, 4096u);
}

TEST(MaxFrameTest, AfPacketDeviceGetsItsRingUnlessTheOperatorSizedIt) {
  DataplaneConfig c;
  c.interfaces = {afPacket(16000)};
  EXPECT_EQ(vdevArg(c), "net_af_packet0,iface=acc,framesz=16384,blocksz=16384,framecnt=512,qpairs=1");
  c.workers = 2;
  EXPECT_EQ(vdevArg(c), "net_af_packet0,iface=acc,framesz=16384,blocksz=16384,framecnt=512,qpairs=2");
  c.workers = 1;
  c.interfaces = {afPacket(16000, ",framesz=4096,blocksz=4096,framecnt=64")};
  EXPECT_EQ(vdevArg(c), "net_af_packet0,iface=acc,framesz=4096,blocksz=4096,framecnt=64,qpairs=1")
      << "the operator's own ring";
  c.interfaces = {afPacket(0)};
  EXPECT_EQ(vdevArg(c), "net_af_packet0,iface=acc,qpairs=1") << "as before";
  c.interfaces = {afPacket(kStandardMaxFrame)};
  EXPECT_EQ(vdevArg(c), "net_af_packet0,iface=acc,qpairs=1");
  InterfaceConfig ring = afPacket(16000);
  ring.device = "net_ring0";
  c.interfaces = {ring};
  EXPECT_EQ(vdevArg(c), "net_ring0") << "only af_packet has a ring to size";
}

TEST(MaxFrameTest, RxMbufsHoldWhatThePortHandsOver) {
  // af_packet copies its slot less the 32-byte header, and refuses a pool whose mbufs are smaller.
  EXPECT_EQ(rxFrameBytes(afPacket(0)), 2048u - 32) << "the PMD's default slot: the shared pool's mbufs";
  EXPECT_LE(rxFrameBytes(afPacket(0)), uint32_t{RTE_MBUF_DEFAULT_DATAROOM});
  EXPECT_EQ(rxFrameBytes(afPacket(16000)), 16384u - 32);
  EXPECT_EQ(rxFrameBytes(afPacket(0, ",framesz=8192")), 8192u - 32) << "the operator's slot";
  EXPECT_EQ(rxFrameBytes(afPacket(kLargestMaxFrame)), 32768u - 32);
  InterfaceConfig nic = afPacket(9018);
  nic.device = "0000:3b:00.0";
  EXPECT_EQ(rxFrameBytes(nic), 9018u);
  nic.maxFrame = 0;
  EXPECT_EQ(rxFrameBytes(nic), kStandardMaxFrame);
}

}  // namespace
}  // namespace sbc::dataplane
