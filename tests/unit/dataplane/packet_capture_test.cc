// `monitor capture` (dataplane/packet_capture.cc): frames received by a worker that match the
// filter land in a pcap file, read back here with libpcap byte for byte; a full ring counts drops
// and never holds the worker up; the capture stops by itself after maxPackets.

#include "dataplane/packet_capture.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>

#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

std::vector<Bytes> readPcap(const std::string& file, int* linkType = nullptr) {
  char error[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(file.c_str(), error);
  EXPECT_NE(p, nullptr) << error;
  if (p == nullptr) return {};
  if (linkType) *linkType = pcap_datalink(p);
  std::vector<Bytes> frames;
  pcap_pkthdr* header;
  const u_char* data;
  while (pcap_next_ex(p, &header, &data) == 1) {
    EXPECT_EQ(header->caplen, header->len);
    frames.emplace_back(data, data + header->caplen);
  }
  pcap_close(p);
  return frames;
}

class PacketCaptureTest : public HarnessTest {
 protected:
  void SetUp() override {
    static unsigned pools = 0;
    pool_ = createCapturePool(("captest" + std::to_string(getpid()) + "_" + std::to_string(pools++)).c_str(), 511, 0);
    ASSERT_NE(pool_, nullptr);
    SharedTables tables{&h_.interfaces, h_.flows.get(), h_.neighbors.get(), h_.exceptionRing, h_.rcu};
    tables.capture = &published_;
    h_.worker = std::make_unique<Worker>(tables, 0);
    file_ = "/tmp/sbc-capture-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pcap";
  }
  void TearDown() override {
    published_.store(nullptr);
    session_.reset();
    HarnessTest::TearDown();
    if (pool_) rte_mempool_free(pool_);
    std::remove(file_.c_str());
  }
  void start(CaptureSpec spec, uint64_t mask = ~uint64_t{0}) {
    spec.file = file_;
    std::string error;
    session_ = CaptureSession::open(spec, mask, pool_, kTscHz, error);
    ASSERT_TRUE(session_) << error;
    published_.store(session_->filter());
  }
  Bytes udp(const char* src, const char* dst) const {
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock(src), sock(dst), Bytes(100, 0x42));
  }

  rte_mempool* pool_ = nullptr;
  std::atomic<CaptureFilter*> published_{nullptr};
  std::unique_ptr<CaptureSession> session_;
  std::string file_;
};

TEST_F(PacketCaptureTest, MatchingFramesLandInThePcapFileByteForByte) {
  CaptureSpec spec;
  spec.address = *IpPrefix::parse("203.0.113.10/32");
  spec.port = 5060;
  spec.protocol = 17;
  start(spec);
  Bytes sip = udp("203.0.113.10:5060", "203.0.113.1:5060");
  Bytes otherPort = udp("203.0.113.10:4000", "203.0.113.1:20000");
  Bytes otherHost = udp("203.0.113.11:5060", "203.0.113.1:5060");
  Bytes sip6 = udp("[2001:db8:a::10]:5060", "[2001:db8:a::1]:5060");
  Bytes tcp = tcpSynFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("203.0.113.10:5060"), sock("203.0.113.1:5060"));
  h_.receive(kAccess, {sip, otherPort, otherHost, sip6, tcp, sip}, kT0);
  EXPECT_EQ(session_->drain(), 2u);
  session_->close();
  int linkType = 0;
  auto frames = readPcap(file_, &linkType);
  EXPECT_EQ(linkType, DLT_EN10MB);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], sip);
  EXPECT_EQ(frames[1], sip);
  CaptureView v = session_->view(false);
  EXPECT_EQ(v.captured, 2u);
  EXPECT_EQ(v.dropped, 0u);
}

TEST_F(PacketCaptureTest, UnfilteredCaptureTakesEverythingOnItsInterfaceOnly) {
  start(CaptureSpec{}, uint64_t{1} << kAccess);
  Bytes garp = gratuitousArp(kAccessPeerMac, ip("203.0.113.10"));
  Bytes bad = udp("203.0.113.10:5060", "203.0.113.1:5060");
  bad[kEthernetLength + 10] ^= 0xff;  // a broken IPv4 checksum: classify drops it, the capture has it
  h_.receive(kAccess, {garp, bad}, kT0);
  h_.receive(kCore, udpFrame(h_.toSbc(kCore, kCorePeerMac), sock("198.51.100.20:5060"),
                             sock("198.51.100.1:5060"), Bytes(10, 1)), kT0);
  session_->close();
  auto frames = readPcap(file_);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], garp);
  EXPECT_EQ(frames[1], bad);
}

TEST_F(PacketCaptureTest, StopsAfterMaxPackets) {
  CaptureSpec spec;
  spec.maxPackets = 5;
  start(spec);
  Bytes sip = udp("203.0.113.10:5060", "203.0.113.1:5060");
  h_.receive(kAccess, std::vector<Bytes>(8, sip), kT0);
  h_.receive(kAccess, std::vector<Bytes>(8, sip), kT0);
  EXPECT_EQ(session_->drain(), 5u);
  EXPECT_TRUE(session_->complete());
  session_->close();
  EXPECT_EQ(readPcap(file_).size(), 5u);
}

TEST_F(PacketCaptureTest, AFullRingCountsDropsAndNeverBlocks) {
  start(CaptureSpec{});
  Bytes sip = udp("203.0.113.10:5060", "203.0.113.1:5060");
  // The ring holds 4,095; the pool 511 copies: the rest are counted, and the worker goes on
  // delivering every frame to the kernel.
  for (int i = 0; i < 32; ++i) {
    h_.receive(kAccess, std::vector<Bytes>(kMaxBurst, sip), kT0);
    h_.drainException();
  }
  CaptureView v = session_->view(true);
  EXPECT_EQ(session_->filter()->taken.load() + v.dropped, 32u * kMaxBurst);
  EXPECT_GT(v.dropped, 0u);
  EXPECT_EQ(h_.counters().exceptionPackets, 32u * kMaxBurst);
  session_->close();
  EXPECT_EQ(readPcap(file_).size(), session_->filter()->taken.load());
}

TEST_F(PacketCaptureTest, AnUnwritableFileIsRefusedWithItsName) {
  CaptureSpec spec;
  spec.file = "/nonexistent-dir/x.pcap";
  std::string error;
  EXPECT_FALSE(CaptureSession::open(spec, ~uint64_t{0}, pool_, kTscHz, error));
  EXPECT_NE(error.find("/nonexistent-dir/x.pcap"), std::string::npos) << error;
}

}  // namespace
}  // namespace sbc::dataplane::test
