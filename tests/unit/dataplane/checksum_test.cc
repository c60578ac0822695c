// ChecksumDelta (dataplane/checksum.h) against full recomputation: the relay's incremental
// updates of the IPv4 header and UDP checksums must give exactly what summing the rewritten
// packet from scratch gives, including UDP's rule that a computed 0 is sent as 0xffff.

#include "dataplane/checksum.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "tests/unit/dataplane/packet_builder.h"

namespace sbc::dataplane::test {
namespace {

constexpr size_t kL3 = kEthernetLength;
constexpr size_t kL4v4 = kL3 + kIpv4HeaderLength;
constexpr size_t kL4v6 = kL3 + kIpv6HeaderLength;

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  uint32_t next() { return static_cast<uint32_t>(engine_()); }
  uint32_t below(uint32_t n) { return next() % n; }
  IpAddress v4() { return IpAddress::v4(next() | 1); }
  IpAddress v6() {
    IpAddress a;
    a.family = IpFamily::kV6;
    for (auto& b : a.bytes) b = static_cast<uint8_t>(next());
    return a;
  }
  uint16_t port() { return static_cast<uint16_t>(1 + below(65535)); }
  Bytes payload() {
    Bytes p(below(300));
    for (auto& b : p) b = static_cast<uint8_t>(next());
    return p;
  }

 private:
  std::mt19937 engine_;  // fully specified by the standard: the same sequence everywhere
};

uint16_t load16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
void store16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }

// Rewrites addresses, ports (and the IPv4 TTL) of a frame the way media_relay does: removing the
// old words from and inserting the new ones into a ChecksumDelta.
void rewriteIncrementally(Bytes& f, bool v6, const SocketAddress& from, const SocketAddress& to) {
  uint8_t* l3 = f.data() + kL3;
  uint8_t* udp = f.data() + (v6 ? kL4v6 : kL4v4);
  ChecksumDelta delta;
  if (!v6) {
    delta.remove(l3 + 12, 8);
    std::memcpy(l3 + 12, from.ip.bytes.data(), 4);
    std::memcpy(l3 + 16, to.ip.bytes.data(), 4);
    delta.insert(l3 + 12, 8);
    ChecksumDelta header = delta;
    header.remove(l3 + 8, 4);
    l3[8] = 64;
    header.insert(l3 + 8, 4);
    store16(l3 + 10, header.apply(load16(l3 + 10)));
  } else {
    delta.remove(l3 + 8, 32);
    std::memcpy(l3 + 8, from.ip.bytes.data(), 16);
    std::memcpy(l3 + 24, to.ip.bytes.data(), 16);
    delta.insert(l3 + 8, 32);
  }
  delta.remove(udp, 4);
  uint16_t fromPort = htons(from.port), toPort = htons(to.port);
  std::memcpy(udp, &fromPort, 2);
  std::memcpy(udp + 2, &toPort, 2);
  delta.insert(udp, 4);
  store16(udp + 6, udpChecksumForWire(delta.apply(load16(udp + 6))));
}

// The checksums DPDK computes from scratch for the frame as it now stands.
struct FullChecksums {
  uint16_t ip = 0;
  uint16_t udp = 0;
};
FullChecksums recompute(Bytes f, bool v6) {
  FullChecksums c;
  uint8_t* udp = f.data() + (v6 ? kL4v6 : kL4v4);
  store16(udp + 6, 0);
  if (!v6) {
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(f.data() + kL3);
    ip->hdr_checksum = 0;
    c.ip = rte_ipv4_cksum(ip);
    c.udp = rte_ipv4_udptcp_cksum(ip, udp);
  } else {
    c.udp = rte_ipv6_udptcp_cksum(reinterpret_cast<rte_ipv6_hdr*>(f.data() + kL3), udp);
  }
  return c;
}

// Sets the first payload word so that the UDP datagram's one's complement sum (pseudo-header
// included) is 0xffff: its computed checksum is then 0, which UDP must send as 0xffff.
void tuneForZeroChecksum(Bytes& f, bool v6) {
  size_t l4 = v6 ? kL4v6 : kL4v4;
  store16(f.data() + l4 + 6, 0);
  store16(f.data() + l4 + 8, 0);
  FullChecksums c = recompute(f, v6);
  // c.udp is ~sum (0 mapped to 0xffff); adding ~sum as a payload word makes the sum 0xffff.
  uint16_t tuning = c.udp == 0xffff ? 0 : c.udp;
  store16(f.data() + l4 + 8, tuning);
  store16(f.data() + l4 + 6, recompute(f, v6).udp);
}

TEST(ChecksumDeltaTest, Ipv4RewritesMatchFullRecomputation) {
  Random r(20240611);
  for (int i = 0; i < 5000; ++i) {
    SocketAddress src{r.v4(), r.port()}, dst{r.v4(), r.port()};
    Ipv4Fields fields;
    fields.ttl = static_cast<uint8_t>(1 + r.below(255));
    fields.packetId = static_cast<uint16_t>(r.next());
    Bytes f = udpFrame(L2{}, src, dst, r.payload(), fields);
    SocketAddress from{r.v4(), r.port()}, to{r.v4(), r.port()};
    rewriteIncrementally(f, false, from, to);

    FullChecksums full = recompute(f, false);
    auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(f.data() + kL3);
    ASSERT_EQ(ip->hdr_checksum, full.ip) << "iteration " << i;
    ASSERT_EQ(load16(f.data() + kL4v4 + 6), full.udp) << "iteration " << i;
    ASSERT_TRUE(checksumsValid(f)) << "iteration " << i;
  }
}

TEST(ChecksumDeltaTest, Ipv6RewritesMatchFullRecomputation) {
  Random r(77);
  for (int i = 0; i < 5000; ++i) {
    SocketAddress src{r.v6(), r.port()}, dst{r.v6(), r.port()};
    Bytes f = udpFrame(L2{}, src, dst, r.payload());
    SocketAddress from{r.v6(), r.port()}, to{r.v6(), r.port()};
    rewriteIncrementally(f, true, from, to);

    ASSERT_EQ(load16(f.data() + kL4v6 + 6), recompute(f, true).udp) << "iteration " << i;
    ASSERT_TRUE(checksumsValid(f)) << "iteration " << i;
  }
}

TEST(ChecksumDeltaTest, ComputedZeroGoesOnTheWireAsFfff) {
  Random r(5);
  for (bool v6 : {false, true}) {
    for (int i = 0; i < 200; ++i) {
      SocketAddress before{v6 ? r.v6() : r.v4(), r.port()}, beforeDst{v6 ? r.v6() : r.v4(), r.port()};
      SocketAddress from{v6 ? r.v6() : r.v4(), r.port()}, to{v6 ? r.v6() : r.v4(), r.port()};
      Bytes payload = r.payload();
      payload.resize(std::max<size_t>(payload.size(), 2));
      // The frame as the relay will emit it, tuned so its checksum computes to 0 …
      Bytes after = udpFrame(L2{}, from, to, payload);
      tuneForZeroChecksum(after, v6);
      size_t l4 = v6 ? kL4v6 : kL4v4;
      ASSERT_EQ(load16(after.data() + l4 + 6), 0xffff);
      // … and the same datagram as it arrives, with its own (ordinary) checksum.
      std::memcpy(payload.data(), after.data() + l4 + 8, 2);
      Bytes f = udpFrame(L2{}, before, beforeDst, payload);
      rewriteIncrementally(f, v6, from, to);

      EXPECT_EQ(load16(f.data() + l4 + 6), 0xffff) << (v6 ? "IPv6" : "IPv4") << " iteration " << i;
      EXPECT_TRUE(checksumsValid(f)) << (v6 ? "IPv6" : "IPv4") << " iteration " << i;
    }
  }
}

TEST(ChecksumDeltaTest, IncomingFfffChecksumIsUpdatedCorrectly) {
  Random r(99);
  for (bool v6 : {false, true}) {
    for (int i = 0; i < 200; ++i) {
      SocketAddress src{v6 ? r.v6() : r.v4(), r.port()}, dst{v6 ? r.v6() : r.v4(), r.port()};
      Bytes payload = r.payload();
      payload.resize(std::max<size_t>(payload.size(), 2));
      Bytes f = udpFrame(L2{}, src, dst, payload);
      tuneForZeroChecksum(f, v6);  // arrives carrying 0xffff
      size_t l4 = v6 ? kL4v6 : kL4v4;
      ASSERT_EQ(load16(f.data() + l4 + 6), 0xffff);
      SocketAddress from{v6 ? r.v6() : r.v4(), r.port()}, to{v6 ? r.v6() : r.v4(), r.port()};
      rewriteIncrementally(f, v6, from, to);

      EXPECT_EQ(load16(f.data() + l4 + 6), recompute(f, v6).udp) << "iteration " << i;
      EXPECT_TRUE(checksumsValid(f)) << "iteration " << i;
    }
  }
}

TEST(ChecksumDeltaTest, NoChangeLeavesChecksumAlone) {
  Bytes f = udpFrame(L2{}, sock("203.0.113.10:4000"), sock("203.0.113.1:20000"), rtpPayload(1));
  uint16_t before = load16(f.data() + kL4v4 + 6);
  ChecksumDelta delta;
  delta.remove(f.data() + kL3 + 12, 8);
  delta.insert(f.data() + kL3 + 12, 8);
  EXPECT_EQ(delta.apply(before), before);
}

TEST(ChecksumDeltaTest, UdpChecksumForWireMapsOnlyZero) {
  EXPECT_EQ(udpChecksumForWire(0), 0xffff);
  EXPECT_EQ(udpChecksumForWire(0xffff), 0xffff);
  EXPECT_EQ(udpChecksumForWire(1), 1);
  EXPECT_EQ(udpChecksumForWire(0x1234), 0x1234);
}

// Our sum must agree with DPDK's for every length and alignment (odd lengths pad the last byte).
// (Qualified: the test namespace has its own, independent onesComplementSum, in network order.)
// foldOnesComplement adds each half to its rotated self; it must agree with folding the carries
// back one step at a time, for any 64-bit sum, and give 0 only for 0.
TEST(FoldTest, AgreesWithRepeatedFolding) {
  auto reference = [](uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
  };
  std::mt19937_64 random(11);
  std::vector<uint64_t> sums = {0, 1, 0xffff, 0x10000, 0x1ffff, 0xffffffff, 0x100000000ull, 0xffff0000ffffull,
                                0xffffffffffffffffull, 0x8000000000000000ull, 0xfffffffe00000001ull};
  for (int i = 0; i < 100000; ++i) sums.push_back(random() >> (random() % 64));
  for (uint64_t sum : sums) {
    ASSERT_EQ(foldOnesComplement(sum), reference(sum)) << std::hex << sum;
    if (sum != 0) {
      ASSERT_NE(foldOnesComplement(sum), 0) << std::hex << sum;
    }
  }
}

TEST(OnesComplementSumTest, AgreesWithRteRawCksum) {
  std::mt19937 random(42);
  std::vector<uint8_t> buffer(1600);
  for (auto& b : buffer) b = static_cast<uint8_t>(random());
  for (size_t offset = 0; offset < 4; ++offset)
    for (size_t length = 0; length <= 300; ++length)
      ASSERT_EQ(dataplane::onesComplementSum(buffer.data() + offset, length),
                rte_raw_cksum(buffer.data() + offset, length))
          << "offset " << offset << " length " << length;
  std::fill(buffer.begin(), buffer.end(), 0xff);  // the largest sums: every carry folds back
  EXPECT_EQ(dataplane::onesComplementSum(buffer.data(), buffer.size()),
            rte_raw_cksum(buffer.data(), buffer.size()));
}

TEST(OnesComplementSumTest, UdpVerdictAgreesWithDpdk) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 500; ++trial) {
    uint8_t packet[20 + 8 + 173] = {};
    auto* ip = reinterpret_cast<rte_ipv4_hdr*>(packet);
    auto* udp = reinterpret_cast<rte_udp_hdr*>(packet + 20);
    uint16_t udpLength = static_cast<uint16_t>(8 + random() % 174);
    ip->version_ihl = 0x45;
    ip->total_length = htons(static_cast<uint16_t>(20 + udpLength));
    ip->next_proto_id = IPPROTO_UDP;
    ip->src_addr = static_cast<uint32_t>(random());
    ip->dst_addr = static_cast<uint32_t>(random());
    udp->dgram_len = htons(udpLength);
    for (uint16_t i = 8; i < udpLength; ++i) packet[20 + i] = static_cast<uint8_t>(random());
    udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
    if (trial % 2) packet[20 + random() % udpLength] ^= static_cast<uint8_t>(1 + random() % 255);
    bool dpdk = rte_ipv4_udptcp_cksum_verify(ip, udp) == 0;
    ASSERT_EQ(ipv4UdpChecksumHolds(ip, udp, udpLength), dpdk) << "trial " << trial;
  }
}

}  // namespace
}  // namespace sbc::dataplane::test
