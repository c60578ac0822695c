// Classify's common case in AVX-512 (classify_fast.h): the checks of classifyFastIpv4Udp in
// classify.cc, made on one load of the mbuf's first line and one of the frame's first 64 bytes,
// with byte compares into mask registers, and the flow key built by one permute. The scalar
// version spends about 100 integer instructions a packet on the same checks.
//
// Only the functions below are built for AVX-512 (a target attribute, not a flag for the file),
// so that no AVX-512 copy of a shared inline function can reach a CPU without it.

#include <immintrin.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include <array>
#include <cstddef>

#include "dataplane/classify_fast.h"
#include "dataplane/unaligned.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wmaybe-uninitialized
// reports at every use. Clang has no such warning, and warns of the unknown name.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define SBC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi")))

namespace sbc::dataplane {
namespace {

// The mbuf's first line, as DPDK 22.11 lays it out.
constexpr unsigned kNbSegs = offsetof(rte_mbuf, nb_segs), kPort = offsetof(rte_mbuf, port);
constexpr unsigned kOlFlags = offsetof(rte_mbuf, ol_flags), kPktLen = offsetof(rte_mbuf, pkt_len);
static_assert(kNbSegs + 2 == kPort && kOlFlags + 8 <= 64 && kPktLen + 4 <= 64);
constexpr uint16_t kVerdictBits = RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK;
static_assert(((RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK) >> 16) == 0, "verdicts in ol_flags' low bytes");

// And the frame's: untagged Ethernet, IPv4 without options, UDP.
constexpr unsigned kEtherType = 12, kVersionIhl = 14, kIpLength = 16, kFragment = 20, kTtl = 22, kProtocol = 23;
constexpr unsigned kSource = 26, kDestination = 30, kDestinationPort = 36, kUdpLength = 38;
constexpr unsigned kHeaders = 42;  // Ethernet, IPv4, UDP
constexpr unsigned kUdpLengthOffset = kHeaders - 8;  // frame length less this is the UDP length

enum Table {
  kFrameCare,     // bytes that must equal the burst's (kFrameWant: built per burst, for the MAC)
  kRangeBias,     // (byte - bias) > limit, unsigned: TTL 0; source in 0/8 or 224/3; destination in 224/3
  kRangeLimit,
  kLengthOffset,  // 16-bit lanes: frame length less these is the IP length (lane 8) and the UDP length (lane 19)
  kShortLimit,    // lane 0 (the frame length itself) below 42: too short for its headers
  kWordSwap,      // the lengths in wire order, to compare with the header bytes
  kLengthCare,
  kIota,
  kKeyIndex,      // the FlowKey from the frame (indices < 64) and the burst's constants (64 + i)
  kMbufWant,      // one segment; the port and the checksum verdicts are the burst's (BurstChecks)
  kMbufCare,
  kFrameWant,     // IPv4 with a 20-byte header, UDP; the MAC is the interface's (BurstChecks)
  kTables
};
using Tables = std::array<std::array<uint8_t, 64>, kTables>;

constexpr Tables makeTables() {
  Tables t{};
  for (unsigned i = 0; i < 6; ++i) t[kFrameCare][i] = 0xff;  // our MAC
  t[kFrameCare][kEtherType] = t[kFrameCare][kEtherType + 1] = t[kFrameCare][kVersionIhl] = 0xff;
  t[kFrameCare][kFragment] = 0x3f;  // MF and the offset's high bits; DF may be set
  t[kFrameCare][kFragment + 1] = 0xff;
  t[kFrameCare][kProtocol] = 0xff;
  for (unsigned i = 0; i < 64; ++i) {
    t[kRangeLimit][i] = 0xff;  // never above
    t[kWordSwap][i] = static_cast<uint8_t>((i & 15) ^ 1);
    t[kIota][i] = static_cast<uint8_t>(i);
  }
  t[kRangeBias][kTtl] = 1;        // TTL - 1 > 254: TTL 0
  t[kRangeLimit][kTtl] = 254;
  t[kRangeBias][kSource] = 1;     // first byte - 1 > 222: 0 or 224 and above
  t[kRangeLimit][kSource] = 222;
  t[kRangeLimit][kDestination] = 223;  // first byte > 223: multicast or reserved
  t[kLengthOffset][kIpLength] = 14;
  t[kLengthOffset][kUdpLength] = kUdpLengthOffset;
  t[kShortLimit][0] = kHeaders;
  t[kLengthCare][kIpLength] = t[kLengthCare][kIpLength + 1] = 0xff;
  t[kLengthCare][kUdpLength] = t[kLengthCare][kUdpLength + 1] = 0xff;
  // FlowKey: the IPv4 destination in bytes 0-3, zeros to 15, the UDP port, then the port id
  // and family from the burst's constants; zeros after.
  for (unsigned i = 0; i < 64; ++i) t[kKeyIndex][i] = static_cast<uint8_t>(64 + i);
  for (unsigned i = 0; i < 4; ++i) t[kKeyIndex][offsetof(FlowKey, address) + i] = static_cast<uint8_t>(kDestination + i);
  t[kKeyIndex][offsetof(FlowKey, udpPortBe)] = kDestinationPort;
  t[kKeyIndex][offsetof(FlowKey, udpPortBe) + 1] = kDestinationPort + 1;
  t[kMbufWant][kNbSegs] = 1;
  t[kMbufCare][kNbSegs] = t[kMbufCare][kNbSegs + 1] = 0xff;
  t[kMbufCare][kPort] = t[kMbufCare][kPort + 1] = 0xff;
  t[kMbufCare][kOlFlags] = static_cast<uint8_t>(kVerdictBits);
  t[kMbufCare][kOlFlags + 1] = static_cast<uint8_t>(kVerdictBits >> 8);
  t[kMbufCare][kPktLen + 2] = t[kMbufCare][kPktLen + 3] = 0xff;  // the lengths are compared in 16 bits
  t[kFrameWant][kEtherType] = 0x08;
  t[kFrameWant][kVersionIhl] = 0x45;
  t[kFrameWant][kProtocol] = IPPROTO_UDP;
  return t;
}

alignas(64) constexpr Tables kTableBytes = makeTables();

struct BurstChecks {
  __m512i mbufWant, mbufCare;    // one segment, the burst's port and checksum verdicts, length < 64 KiB
  __m512i frameWant, frameCare;  // our MAC, IPv4 with a 20-byte header, no fragment, UDP
  __m512i rangeBias, rangeLimit, loopback;
  __m512i lengthOffset, shortLimit, wordSwap, lengthCare, iota;
  __m512i keyIndex, keyConstants;
};

SBC_AVX512 inline __m512i loadTable(Table t) { return _mm512_load_si512(kTableBytes[t].data()); }

// The burst's values go into the tables' vectors by masked broadcasts. Built in memory with byte
// stores, each vector's 64-byte load waited for the stores to drain (no store forwarding from
// several stores into one load): an eighth of classify's samples in perf, sbcbench relay 0.8 %
// slower at 1k sessions (4 alternated pairs).
SBC_AVX512 inline BurstChecks makeBurstChecks(const uint8_t* mac, uint16_t port, uint16_t verdicts, uint64_t keyRest) {
  static_assert(kPort % 2 == 0 && kOlFlags % 2 == 0, "16-bit lanes");
  __m512i mbufWant = _mm512_mask_set1_epi16(loadTable(kMbufWant), __mmask32{1} << (kPort / 2), static_cast<short>(port));
  mbufWant = _mm512_mask_set1_epi16(mbufWant, __mmask32{1} << (kOlFlags / 2), static_cast<short>(verdicts));
  uint64_t macWord = 0;  // the frame's first 8 bytes: our MAC, then the source's, which no check cares about
  std::memcpy(&macWord, mac, 6);
  static_assert(offsetof(FlowKey, udpPortBe) == 16, "keyRest is the key's third word");
  return {mbufWant,
          loadTable(kMbufCare),
          _mm512_mask_set1_epi64(loadTable(kFrameWant), 1, static_cast<long long>(macWord)),
          loadTable(kFrameCare),
          loadTable(kRangeBias),
          loadTable(kRangeLimit),
          _mm512_set1_epi8(127),
          loadTable(kLengthOffset),
          loadTable(kShortLimit),
          loadTable(kWordSwap),
          loadTable(kLengthCare),
          loadTable(kIota),
          loadTable(kKeyIndex),
          _mm512_maskz_set1_epi64(uint8_t{1} << 2, static_cast<long long>(keyRest))};
}

// One frame: true, with its key written and its mbuf marked, when it passes every check.
SBC_AVX512 inline bool classifyFastVector(const BurstChecks& c, rte_mbuf* m, FlowKey& key) {
  const __m512i mbuf = _mm512_load_si512(m);
  const uint16_t dataLength = m->data_len;
  const uint8_t* frame = rte_pktmbuf_mtod(m, const uint8_t*);
  // Never past the segment's data: what a short frame lacks reads as zeros, which fail.
  const __mmask64 inFrame = _mm512_cmplt_epu8_mask(c.iota, _mm512_set1_epi8(static_cast<char>(dataLength < 64 ? dataLength : 64)));
  const __m512i h = _mm512_maskz_loadu_epi8(inFrame, frame);
  const __m512i lengths = _mm512_sub_epi16(_mm512_set1_epi16(static_cast<short>(dataLength)), c.lengthOffset);
  const __mmask64 bad =
      _kor_mask64(_kor_mask64(_mm512_test_epi8_mask(_mm512_xor_si512(mbuf, c.mbufWant), c.mbufCare),
                              _mm512_test_epi8_mask(_mm512_xor_si512(h, c.frameWant), c.frameCare)),
                  _kor_mask64(_kor_mask64(_mm512_cmpgt_epu8_mask(_mm512_sub_epi8(h, c.rangeBias), c.rangeLimit),
                                          _mm512_mask_cmpeq_epi8_mask(uint64_t{1} << kSource, h, c.loopback)),
                              _kor_mask64(_mm512_test_epi8_mask(_mm512_xor_si512(h, _mm512_shuffle_epi8(lengths, c.wordSwap)),
                                                                c.lengthCare),
                                          static_cast<__mmask64>(_mm512_cmplt_epu16_mask(lengths, c.shortLimit)))));
  if (unlikely(bad != 0)) return false;
  // l2_len and l3_len: the low 16 bits of tx_offload.
  m->tx_offload = (m->tx_offload & ~uint64_t{0xffff}) | sizeof(rte_ether_hdr) | sizeof(rte_ipv4_hdr) << 7;
  m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
  const __m512i k = _mm512_permutex2var_epi8(h, c.keyIndex, c.keyConstants);
  static_assert(sizeof(FlowKey) == 24);
  auto* out = reinterpret_cast<uint8_t*>(&key);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm512_castsi512_si128(k));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), _mm512_extracti32x4_epi32(k, 1));
  return true;
}

}  // namespace

SBC_AVX512 uint32_t classifyFastBurstAvx512(const uint8_t* mac, rte_mbuf** packets, uint16_t count,
                                            ClassifiedBurst& out, uint64_t& rxBytes, FlowTable::Locator* locator) {
  if (count == 0) return 0;
  // The burst's port and checksum verdicts, from its first packet: the others must match them
  // (one queue of one port, one kind of NIC). Verdicts other than both GOOD or both UNKNOWN
  // (software checks) are left to the full parser.
  uint16_t verdicts = static_cast<uint16_t>(packets[0]->ol_flags & kVerdictBits);
  if (verdicts != 0) verdicts = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
  // The key's third word but for the UDP port: the port id and the family.
  const uint64_t keyRest = uint64_t{packets[0]->port} << 16 | uint64_t{static_cast<uint8_t>(IpFamily::kV4)} << 32;
  static_assert(offsetof(FlowKey, portId) == 18 && offsetof(FlowKey, family) == 20);
  const BurstChecks c = makeBurstChecks(mac, packets[0]->port, verdicts, keyRest);
  uint32_t refused = 0;
  uint64_t bytes = 0;
  constexpr uint16_t kPrefetchAhead = 3;
  for (uint16_t i = 0; i < count && i < kPrefetchAhead; ++i) rte_prefetch0(rte_pktmbuf_mtod(packets[i], void*));
  for (uint16_t i = 0; i < count; ++i) {
    if (i + kPrefetchAhead < count) rte_prefetch0(rte_pktmbuf_mtod(packets[i + kPrefetchAhead], void*));
    rte_mbuf* m = packets[i];
    out.udp[i] = m;
    bytes += rte_pktmbuf_pkt_len(m);
    if (likely(classifyFastVector(c, m, out.udpKeys[i]))) {
      // The key's words, from the frame: address, zero, then UDP port with the burst's rest.
      if (locator != nullptr) {
        const uint8_t* frame = rte_pktmbuf_mtod(m, const uint8_t*);
        out.udpHomes[i] = locator->locate(load32(frame + kDestination), 0, load16(frame + kDestinationPort) | keyRest);
      }
    } else {
      refused |= uint32_t{1} << i;
    }
  }
  rxBytes += bytes;
  // A port that gives no verdicts (af_packet, most virtual ports): the checksums in software.
  if (unlikely(verdicts == 0)) {
    for (uint32_t p = ~refused & static_cast<uint32_t>((uint64_t{1} << count) - 1); p != 0; p &= p - 1) {
      const unsigned i = static_cast<unsigned>(__builtin_ctz(p));
      const uint16_t udpLength = static_cast<uint16_t>(rte_pktmbuf_pkt_len(packets[i]) - kUdpLengthOffset);
      if (!ipv4UdpFrameChecksumsHold(rte_pktmbuf_mtod(packets[i], const uint8_t*), udpLength))
        refused |= uint32_t{1} << i;
    }
  }
  return refused;
}

}  // namespace sbc::dataplane
