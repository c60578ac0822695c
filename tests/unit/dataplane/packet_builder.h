#pragma once
// Real frames for the dataplane tests: Ethernet (with an optional 802.1Q tag), IPv4, IPv6, UDP,
// RTP/RTCP, ARP, ICMP echo and ICMPv6 neighbour discovery, built as bytes (so a test can break
// one field on purpose) and copied into mbufs. Every checksum is correct unless a test changes
// it afterwards. The verifier half parses what a worker sent and recomputes its IPv4 header and
// UDP checksums from scratch, independently of DPDK's helpers and of dataplane/checksum.h.

#include <gtest/gtest.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dataplane/config.h"
#include "dataplane/ip_address.h"

namespace sbc::dataplane::test {

using Bytes = std::vector<uint8_t>;

inline constexpr unsigned kEthernetLength = 14;
inline constexpr unsigned kVlanTagLength = 4;
inline constexpr unsigned kIpv4HeaderLength = 20;
inline constexpr unsigned kIpv6HeaderLength = 40;
inline constexpr unsigned kUdpHeaderLength = 8;
inline constexpr unsigned kRtpHeaderLength = 12;

inline constexpr MacAddress kBroadcastMac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct L2 {
  MacAddress dst{};
  MacAddress src{};
  std::optional<uint16_t> vlan;  // the 802.1Q TCI (VID, PCP 0) when tagged
  uint16_t headerLength() const { return vlan ? kEthernetLength + kVlanTagLength : kEthernetLength; }
};

struct Ipv4Fields {
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t packetId = 0x1234;
  uint16_t fragment = 0x4000;  // flags and offset, host order; DF by default
  Bytes options;               // appended after the fixed header, IHL grows to match
};

// ---- payloads ----
Bytes rtpPayload(uint16_t sequence, uint32_t timestamp = 160, uint32_t ssrc = 0x5bc0ffee,
                 unsigned mediaBytes = 160, uint8_t payloadType = 0, uint8_t fill = 0xd5);
// An RTCP receiver report with no report blocks (8 bytes) of packet type `packetType`.
Bytes rtcpPayload(uint8_t packetType = 201, uint32_t ssrc = 0x5bc0ffee);

// ---- frames ----
Bytes ethernet(const L2& l2, uint16_t etherType, const Bytes& payload);
// An IPv4 packet (header checksum filled) around `l4`.
Bytes ipv4Packet(const IpAddress& src, const IpAddress& dst, uint8_t protocol, const Bytes& l4,
                 const Ipv4Fields& fields = {});
Bytes ipv6Packet(const IpAddress& src, const IpAddress& dst, uint8_t nextHeader, const Bytes& l4,
                 uint8_t hopLimit = 64);

// UDP with a correct checksum, over IPv4 or IPv6 according to the addresses' family.
Bytes udpFrame(const L2& l2, const SocketAddress& src, const SocketAddress& dst,
               const Bytes& payload, const Ipv4Fields& fields = {}, uint8_t hopLimit = 64);
// IPv4 UDP with the checksum field left 0 ("no checksum").
Bytes udp4FrameNoChecksum(const L2& l2, const SocketAddress& src, const SocketAddress& dst,
                          const Bytes& payload);

Bytes arpFrame(const L2& l2, uint16_t op, const MacAddress& senderMac, const IpAddress& senderIp,
               const MacAddress& targetMac, const IpAddress& targetIp);
// Gratuitous ARP: a broadcast request whose sender and target are `ip`.
Bytes gratuitousArp(const MacAddress& mac, const IpAddress& ip, std::optional<uint16_t> vlan = {});

Bytes icmpEcho4Frame(const L2& l2, const IpAddress& src, const IpAddress& dst, uint16_t id,
                     uint16_t sequence);
Bytes icmpv6EchoFrame(const L2& l2, const IpAddress& src, const IpAddress& dst, uint16_t id,
                      uint16_t sequence);
// A bare TCP SYN (20-byte header, checksum filled) over IPv4 or IPv6.
Bytes tcpSynFrame(const L2& l2, const SocketAddress& src, const SocketAddress& dst);

// ICMPv6 neighbour discovery. `options` are raw option bytes (type, length in 8-byte units, …);
// llaOption() builds the usual source/target link-layer address option.
Bytes llaOption(uint8_t type, const MacAddress& mac);
Bytes neighborSolicitation(const L2& l2, const IpAddress& src, const IpAddress& dst,
                           const IpAddress& target, const Bytes& options, uint8_t hopLimit = 255);
Bytes neighborAdvertisement(const L2& l2, const IpAddress& src, const IpAddress& dst,
                            const IpAddress& target, const Bytes& options, uint8_t hopLimit = 255);
IpAddress solicitedNodeGroup(const IpAddress& unicast);
MacAddress multicastMacFor(const IpAddress& v6Group);

// Recomputes the checksum of an IPv4/IPv6 frame built above after a test edited its bytes: the
// IPv4 header checksum and the UDP/ICMP/ICMPv6/TCP checksum (only when it is nonzero for IPv4
// UDP, so "no checksum" stays so). Frames the helper cannot parse are left alone.
void fixChecksums(Bytes& frame);

// ---- mbufs ----
// Copies `frame` into a fresh mbuf from `pool` received on `portId`, with `olFlags` as a NIC
// would set them. Aborts the test on pool exhaustion.
rte_mbuf* toMbuf(rte_mempool* pool, const Bytes& frame, uint16_t portId, uint64_t olFlags = 0);
// The same bytes spread over two chained segments, split at `firstSegmentBytes`.
rte_mbuf* toChainedMbuf(rte_mempool* pool, const Bytes& frame, uint16_t portId,
                        unsigned firstSegmentBytes);
Bytes bytesOf(const rte_mbuf* m);

// ---- verifier ----
struct ParsedUdp {
  MacAddress dst{}, src{};
  std::optional<uint16_t> vlanTci;
  IpFamily family = IpFamily::kNone;
  SocketAddress source, destination;
  uint8_t ttl = 0;  // TTL or hop limit
  uint8_t tos = 0;  // TOS or traffic class
  uint16_t udpChecksum = 0;
  Bytes payload;
};

// Parses an Ethernet/IP/UDP frame, checking every length field against the frame.
std::optional<ParsedUdp> parseUdp(const Bytes& frame, std::string* why = nullptr);

// Recomputes, from scratch, the IPv4 header checksum and the UDP checksum (pseudo-header
// included) of `frame`; fails with the reason when either is wrong or a UDP checksum that
// should be present is 0 (always for IPv6; for IPv4 when `requireUdpChecksum`).
::testing::AssertionResult checksumsValid(const Bytes& frame, bool requireUdpChecksum = true);

// One's complement sum (RFC 1071) of `length` bytes, folded, not inverted.
uint16_t onesComplementSum(const uint8_t* data, size_t length, uint32_t initial = 0);

IpAddress ip(const char* text);
SocketAddress sock(const char* text);

}  // namespace sbc::dataplane::test

namespace sbc::dataplane {
// gtest prints addresses as text rather than as bytes.
inline void PrintTo(const IpAddress& a, std::ostream* os) { *os << a.toString(); }
inline void PrintTo(const SocketAddress& a, std::ostream* os) { *os << a.toString(); }
}  // namespace sbc::dataplane
