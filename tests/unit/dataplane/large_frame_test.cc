// SIP messages larger than one Ethernet frame (RFC 3261 18.1.1 wants UDP messages up to 65,535
// octets received). On a NIC their IP fragments arrive one by one: classify hands those for the
// SBC's addresses whole to the exception ring, for the kernel behind the TAP to reassemble, and
// drops the others; media flows never see a fragment. An af_packet port (max-frame) hands over
// the kernel's reassembled datagram in one large mbuf: the worker passes it on by the lengths in
// its IP header, and the exception path (ExceptionPath, with a net_ring port standing in for
// the TAP) cuts it into fragments the TAP's MTU takes, since net_tap refuses larger frames.

#include <gtest/gtest.h>
#include <rte_bus_vdev.h>
#include <rte_ethdev.h>

#include <algorithm>

#include "dataplane/exception_path.h"
#include "tests/unit/dataplane/dataplane_harness.h"

namespace sbc::dataplane::test {
namespace {

constexpr uint16_t kMoreFragments = 0x2000;
constexpr unsigned kBigFrame = 16000;  // the lab's max-frame (tests/integration/lib/lab.sh)

class LargeFrameTest : public HarnessTest {
 protected:
  void SetUp() override {
    big_ = rte_pktmbuf_pool_create("large_frames", 63, 0, 0, RTE_PKTMBUF_HEADROOM + kBigFrame,
                                   static_cast<int>(rte_socket_id()));
    ASSERT_NE(big_, nullptr);
  }
  void TearDown() override {
    HarnessTest::TearDown();
    EXPECT_EQ(rte_mempool_in_use_count(big_), 0u) << "large mbufs leaked";
    rte_mempool_free(big_);
  }

  // `frames` received on `iface` in mbufs of the large pool, as a max-frame port's rx gives them.
  std::vector<Captured> receiveLarge(uint8_t iface, const std::vector<Bytes>& frames) {
    rte_mbuf* burst[kMaxBurst];
    uint16_t count = 0;
    for (const Bytes& f : frames) {
      rte_mbuf* m = toMbuf(big_, f, h_.interfaces.interfaces[iface].portId);
      if (m == nullptr) return {};
      burst[count++] = m;
    }
    h_.worker->processBurst(iface, burst, count, kT0);
    return h_.flushCaptured();
  }

  Bytes fragment(const char* src, const char* dst, uint16_t field, const Bytes& payload = rtpPayload(1)) const {
    Ipv4Fields fields;
    fields.fragment = field;
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock(src), sock(dst), payload, fields);
  }
  Bytes v6Fragment(const char* dst) const {
    Bytes l4{17, 0, 0x00, 0x01, 0x5b, 0xc0, 0xff, 0xee};  // UDP follows, offset 0, M set
    l4.resize(l4.size() + 1232, 0x5a);
    return ethernet(h_.toSbc(kAccess, kAccessPeerMac), RTE_ETHER_TYPE_IPV6,
                    ipv6Packet(ip("2001:db8:a::10"), ip(dst), 44, l4));
  }

  rte_mempool* big_ = nullptr;
};

// ---- fragments through the worker ----

TEST_F(LargeFrameTest, FragmentsForUsGoWholeToTheExceptionRing) {
  const Bytes first = fragment("203.0.113.10:5060", "203.0.113.1:5060", kMoreFragments);
  const Bytes last = fragment("203.0.113.10:5060", "203.0.113.1:5060", 185);  // 1480 bytes in
  const Bytes v6 = v6Fragment("2001:db8:a::1");
  EXPECT_TRUE(h_.receive(kAccess, {first, last, v6}, kT0).empty());
  auto kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 3u) << h_.dropSummary();
  EXPECT_EQ(kernel[0].frame, first);
  EXPECT_EQ(kernel[1].frame, last);
  EXPECT_EQ(kernel[2].frame, v6);
  EXPECT_EQ(h_.counters().exceptionPackets, 3u);
  EXPECT_EQ(h_.totalDrops(), 0u) << h_.dropSummary();
}

TEST_F(LargeFrameTest, FragmentsForOthersAreDroppedAndCounted) {
  EXPECT_TRUE(h_.receive(kAccess, {fragment("203.0.113.10:5060", "203.0.113.77:5060", kMoreFragments),
                                   fragment("203.0.113.10:5060", "198.51.100.1:5060", 185),
                                   v6Fragment("2001:db8:a::77")},
                         kT0)
                  .empty());
  EXPECT_EQ(h_.drops(DropReason::kIpFragment), 3u);
  EXPECT_EQ(h_.totalDrops(), 3u) << h_.dropSummary();
  EXPECT_TRUE(h_.drainException().empty());
}

TEST_F(LargeFrameTest, FragmentsForUsWithoutAnExceptionPathAreCountedSo) {
  Ipv4Fields fields;
  fields.fragment = kMoreFragments;
  Bytes f = udpFrame(h_.toSbc(kNoTap, kAccessPeerMac), sock("100.64.0.10:5060"), sock("100.64.0.1:5060"),
                     rtpPayload(1), fields);
  EXPECT_TRUE(h_.receive(kNoTap, f, kT0).empty());
  EXPECT_EQ(h_.drops(DropReason::kNoExceptionPath), 1u) << h_.dropSummary();
  EXPECT_TRUE(h_.drainException().empty());
}

TEST_F(LargeFrameTest, MediaFlowsNeverSeeAFragment) {
  // The first fragment carries a UDP header naming a session's port: still the kernel's.
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  const Bytes first = fragment("203.0.113.10:4000", "203.0.113.1:20000", kMoreFragments);
  EXPECT_TRUE(h_.receive(kAccess, first, kT0).empty()) << "not relayed";
  auto kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 1u) << h_.dropSummary();
  EXPECT_EQ(kernel[0].frame, first);
  EXPECT_EQ(h_.counters().mediaPackets, 0u);
  auto view = h_.sessions->view(1, kT0);
  ASSERT_TRUE(view.has_value());
  EXPECT_FALSE(view->legs[0].latched);
  EXPECT_EQ(view->legs[0].rtp.packets, 0u);
}

// ---- a jumbo frame in one mbuf ----

TEST_F(LargeFrameTest, JumboSipDatagramGoesToTheExceptionRingWhole) {
  const Bytes sip = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("203.0.113.10:5060"),
                             sock("203.0.113.1:5060"), Bytes(kBigFrame - 42, 'S'));
  ASSERT_EQ(sip.size(), kBigFrame);
  EXPECT_TRUE(receiveLarge(kAccess, {sip}).empty());
  auto kernel = h_.drainException();
  ASSERT_EQ(kernel.size(), 1u) << h_.dropSummary();
  EXPECT_EQ(kernel[0].frame, sip);
}

TEST_F(LargeFrameTest, JumboMediaIsRelayedWhole) {
  // Two in one burst: the first takes the general path (it latches), the second the fast path.
  h_.resolvePeers();
  ASSERT_TRUE(h_.sessions->create(h_.accessCoreSpec(), kT0).ok());
  const auto jumbo = [&](uint16_t sequence) {
    return udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(),
                    rtpPayload(sequence, 160, 0x5bc0ffee, 9000));
  };
  auto out = receiveLarge(kAccess, {jumbo(1), jumbo(2)});
  ASSERT_EQ(out.size(), 2u) << h_.dropSummary();
  for (uint16_t k = 0; k < 2; ++k) {
    EXPECT_EQ(out[k].interfaceIndex, kCore);
    EXPECT_EQ(out[k].frame.size(), jumbo(1).size());
    EXPECT_TRUE(checksumsValid(out[k].frame));
    std::string why;
    auto p = parseUdp(out[k].frame, &why);
    ASSERT_TRUE(p.has_value()) << why;
    EXPECT_EQ(p->source, Plan::coreLocal());
    EXPECT_EQ(p->destination, Plan::corePeer());
    EXPECT_EQ(p->payload, rtpPayload(k + 1, 160, 0x5bc0ffee, 9000));
  }
}

TEST_F(LargeFrameTest, JumboMediaChangesFamilyWhole) {
  MediaSessionSpec s = h_.ipv6Spec(/*bothLegs=*/false);
  ASSERT_TRUE(h_.sessions->create(s, kT0).ok());
  const Bytes in = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), Plan::accessPeer(), Plan::accessLocal(),
                            rtpPayload(7, 160, 0x5bc0ffee, 9000));
  auto out = receiveLarge(kAccess, {in});
  ASSERT_EQ(out.size(), 1u) << h_.dropSummary();
  EXPECT_EQ(out[0].frame.size(), in.size() + 20);
  EXPECT_TRUE(checksumsValid(out[0].frame));
  auto p = parseUdp(out[0].frame);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->family, IpFamily::kV6);
  EXPECT_EQ(p->payload, rtpPayload(7, 160, 0x5bc0ffee, 9000));
}

// ---- the exception path toward a TAP of MTU 1500 ----

// A net_ring port as the access interface's TAP. It hands back what it is sent, as a kernel
// that echoes everything would: ExceptionPath takes that as the kernel's frames and queues them
// on the interface's control tx ring, where the test reads what the TAP was given.
class ExceptionPathTest : public LargeFrameTest {
 protected:
  void SetUp() override {
    LargeFrameTest::SetUp();
    static unsigned taps = 0;
    tapName_ = "net_ring_exctap" + std::to_string(taps++);
    ASSERT_EQ(rte_eal_hotplug_add("vdev", tapName_.c_str(), ""), 0) << "net_ring driver";
    ASSERT_EQ(rte_eth_dev_get_port_by_name(tapName_.c_str(), &tap_), 0);
    rte_eth_conf conf{};
    ASSERT_EQ(rte_eth_dev_configure(tap_, 1, 1, &conf), 0);
    ASSERT_EQ(rte_eth_rx_queue_setup(tap_, 0, 256, SOCKET_ID_ANY, nullptr, h_.pool), 0);
    ASSERT_EQ(rte_eth_tx_queue_setup(tap_, 0, 256, SOCKET_ID_ANY, nullptr), 0);
    ASSERT_EQ(rte_eth_dev_start(tap_), 0);
    uint16_t mtu = 0;
    ASSERT_EQ(rte_eth_dev_get_mtu(tap_, &mtu), 0);
    ASSERT_EQ(mtu, RTE_ETHER_MTU);
    // The harness's other TAP port ids are made up: no exception path there in these tests.
    for (uint8_t i = 0; i < h_.interfaces.count; ++i) h_.interfaces.interfaces[i].tapPortId = kNoPort;
    h_.interfaces.interfaces[kAccess].tapPortId = tap_;
    controlTx_ = rte_ring_create((tapName_ + "_ctl").c_str(), 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    ASSERT_NE(controlTx_, nullptr);
    h_.interfaces.interfaces[kAccess].controlTx = controlTx_;
    path_ = std::make_unique<ExceptionPath>(h_.interfaces, h_.exceptionRing, h_.pool);
  }
  void TearDown() override {
    EXPECT_TRUE(kernelReceived().empty()) << "every test takes what the TAP got";
    h_.interfaces.interfaces[kAccess].controlTx = nullptr;
    rte_ring_free(controlTx_);
    rte_eth_dev_stop(tap_);
    rte_eth_dev_close(tap_);
    rte_eal_hotplug_remove("vdev", tapName_.c_str());
    LargeFrameTest::TearDown();
  }

  // Frames the TAP was given, in order, after a poll (the mbufs are freed).
  std::vector<Bytes> kernelReceived() {
    std::vector<Bytes> frames;
    void* packets[kMaxBurst];
    while (unsigned n = rte_ring_sc_dequeue_burst(controlTx_, packets, kMaxBurst, nullptr)) {
      for (unsigned i = 0; i < n; ++i) {
        auto* m = static_cast<rte_mbuf*>(packets[i]);
        frames.push_back(bytesOf(m));
        rte_pktmbuf_free(m);
      }
    }
    return frames;
  }
  const ExceptionCounters& counters() const { return path_->counters(); }

  std::string tapName_;
  uint16_t tap_ = 0;
  rte_ring* controlTx_ = nullptr;
  std::unique_ptr<ExceptionPath> path_;
};

uint16_t get16(const Bytes& f, size_t at) { return static_cast<uint16_t>(f[at] << 8 | f[at + 1]); }

TEST_F(ExceptionPathTest, DatagramLargerThanTheTapMtuReachesItAsFragments) {
  Ipv4Fields fields;
  fields.packetId = 0x4242;
  const Bytes sip = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("203.0.113.10:5060"),
                             sock("203.0.113.1:5060"), Bytes(kBigFrame - 42, 'S'), fields);
  EXPECT_TRUE(receiveLarge(kAccess, {sip}).empty());
  path_->poll();
  const std::vector<Bytes> pieces = kernelReceived();
  // 15,986 bytes of IP data in pieces of 1,480 (1500 less the header, a multiple of 8).
  ASSERT_EQ(pieces.size(), 11u);
  Bytes data;
  for (size_t k = 0; k < pieces.size(); ++k) {
    const Bytes& p = pieces[k];
    SCOPED_TRACE("fragment " + std::to_string(k));
    ASSERT_GE(p.size(), kEthernetLength + kIpv4HeaderLength);
    EXPECT_LE(p.size(), RTE_ETHER_MTU + kEthernetLength);
    EXPECT_TRUE(std::equal(p.begin(), p.begin() + kEthernetLength, sip.begin())) << "Ethernet header kept";
    EXPECT_EQ(get16(p, kEthernetLength + 2), p.size() - kEthernetLength) << "IP total length";
    EXPECT_EQ(get16(p, kEthernetLength + 4), 0x4242) << "identification kept";
    const uint16_t field = get16(p, kEthernetLength + 6);
    EXPECT_EQ(field & 0x1fff, data.size() / 8) << "offset";
    EXPECT_EQ((field & kMoreFragments) != 0, k + 1 < pieces.size()) << "MF on all but the last";
    EXPECT_EQ(field & 0x4000, 0) << "no DF on a fragment";
    EXPECT_EQ(onesComplementSum(p.data() + kEthernetLength, kIpv4HeaderLength), 0xffff) << "header checksum";
    EXPECT_TRUE(std::equal(p.begin() + kEthernetLength + 12, p.begin() + kEthernetLength + 20,
                           sip.begin() + kEthernetLength + 12))
        << "addresses kept";
    data.insert(data.end(), p.begin() + kEthernetLength + kIpv4HeaderLength, p.end());
  }
  EXPECT_TRUE(std::equal(data.begin(), data.end(), sip.begin() + kEthernetLength + kIpv4HeaderLength,
                         sip.end()))
      << "the pieces put back together are the datagram";
  EXPECT_EQ(data.size(), sip.size() - kEthernetLength - kIpv4HeaderLength);
  EXPECT_EQ(counters().toKernel[kAccess], 1u);
  EXPECT_EQ(counters().splitForKernel[kAccess], 1u);
  EXPECT_EQ(counters().fragmentsToKernel[kAccess], 0u);
  EXPECT_EQ(counters().fromKernel[kAccess], 11u) << "the TAP's echo";
  EXPECT_EQ(counters().dropped, 0u);
}

TEST_F(ExceptionPathTest, FragmentsFromTheWireAreCountedAndPassedUnchanged) {
  const Bytes first = fragment("203.0.113.10:5060", "203.0.113.1:5060", kMoreFragments);
  const Bytes ping = icmpEcho4Frame(h_.toSbc(kAccess, kAccessPeerMac), ip("203.0.113.10"), ip("203.0.113.1"), 1, 1);
  EXPECT_TRUE(h_.receive(kAccess, {first, ping}, kT0).empty());
  path_->poll();
  EXPECT_EQ(kernelReceived(), (std::vector<Bytes>{first, ping}));
  EXPECT_EQ(counters().toKernel[kAccess], 2u);
  EXPECT_EQ(counters().fragmentsToKernel[kAccess], 1u);
  EXPECT_EQ(counters().splitForKernel[kAccess], 0u);
}

TEST_F(ExceptionPathTest, FrameOfExactlyTheTapMtuIsNotCut) {
  const Bytes sip = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("203.0.113.10:5060"),
                             sock("203.0.113.1:5060"), Bytes(RTE_ETHER_MTU - 28, 'S'));
  ASSERT_EQ(sip.size(), RTE_ETHER_MTU + kEthernetLength);
  EXPECT_TRUE(h_.receive(kAccess, sip, kT0).empty());
  path_->poll();
  EXPECT_EQ(kernelReceived(), std::vector<Bytes>{sip});
  EXPECT_EQ(counters().splitForKernel[kAccess], 0u);
}

TEST_F(ExceptionPathTest, Ipv6LargerThanTheTapMtuIsDroppedAndCounted) {
  // IPv6 fragments only at the source: no port hands sbcd such a frame (af_packet reassembles
  // IPv4 alone), and one that comes anyway is counted, not passed on cut.
  const Bytes sip6 = udpFrame(h_.toSbc(kAccess, kAccessPeerMac), sock("[2001:db8:a::10]:5060"),
                              sock("[2001:db8:a::1]:5060"), Bytes(4000, 'S'));
  EXPECT_TRUE(receiveLarge(kAccess, {sip6}).empty());
  path_->poll();
  EXPECT_TRUE(kernelReceived().empty());
  EXPECT_EQ(counters().toKernel[kAccess], 0u);
  EXPECT_EQ(counters().dropped, 1u);
}

}  // namespace
}  // namespace sbc::dataplane::test
