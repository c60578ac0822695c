// Classify's common case in AVX-512 (classify_fast.h): the checks of classifyFastIpv4Udp in
// classify.cc, made on one 256-bit load of the mbuf's fields and one of the frame's headers,
// with byte compares into mask registers. The scalar version spends about 100 integer
// instructions a packet on the same checks.
//
// Only the functions below are built for AVX-512 (SBC_AVX512, a target attribute, not a flag for
// the file), so that no AVX-512 copy of a shared inline function can reach a CPU without it.

#include <immintrin.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include <array>
#include <cstddef>

#include "dataplane/classify_fast.h"
#include "dataplane/fast_path.h"
#include "dataplane/unaligned.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wmaybe-uninitialized
// reports at every use. Clang has no such warning, and warns of the unknown name.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace sbc::dataplane {
namespace {

// The checks read 256-bit windows: the mbuf's bytes 16 to 47, the frame's bytes 10 to 41 (from
// the EtherType to the UDP length), and the frame's first 32 bytes for the destination MAC. So
// every check is a mask, and one test and one branch a packet say whether all passed: with the
// MAC and a source in 127/8 tested apart, in scalar code, and their results joined to the mask's,
// the checks took six instructions more and two more branches (sbcbench relay, 6 alternated pairs,
// 100k sessions one way: 0.5515 -> 0.562; 4 pairs both ways at 1k 0.574 -> 0.5815, at 100k
// 0.560 -> 0.5665). 512-bit vectors held the mbuf's first line and the frame's first 64 bytes, but
// Zen 4 runs each 512-bit operation as two 256-bit halves, as any CPU whose vector units are 256
// bits wide does (the figures: media_relay_avx512.cc). And each check keeps the lanes that passed
// the one before (a masked compare), so that one test of the last mask says whether all passed:
// operations between masks run one a cycle on Zen 4.
constexpr unsigned kMbufWindow = 16;
constexpr unsigned kNbSegs = offsetof(rte_mbuf, nb_segs) - kMbufWindow, kPort = offsetof(rte_mbuf, port) - kMbufWindow;
constexpr unsigned kOlFlags = offsetof(rte_mbuf, ol_flags) - kMbufWindow, kPktLen = offsetof(rte_mbuf, pkt_len) - kMbufWindow;
static_assert(offsetof(rte_mbuf, nb_segs) >= kMbufWindow && kNbSegs + 2 == kPort && kOlFlags + 8 <= 32 &&
                  kPktLen + 4 <= 32,
              "DPDK 22.11's mbuf layout: the fields checked lie in the window");
constexpr uint16_t kVerdictBits = RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK;
static_assert(((RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK) >> 16) == 0, "verdicts in ol_flags' low bytes");

// The frame: untagged Ethernet, IPv4 without options, UDP. Offsets in the frame ...
constexpr unsigned kFrameWindow = 10;
constexpr unsigned kSourceInFrame = 26, kDestinationInFrame = 30, kDestinationPortInFrame = 36;
constexpr unsigned kHeaders = 42;  // Ethernet, IPv4, UDP: the window's end
constexpr unsigned kUdpLengthOffset = kHeaders - 8;  // frame length less this is the UDP length
// ... and in the window.
constexpr unsigned kEtherType = 12 - kFrameWindow, kVersionIhl = 14 - kFrameWindow, kIpLength = 16 - kFrameWindow;
constexpr unsigned kFragment = 20 - kFrameWindow, kTtl = 22 - kFrameWindow, kProtocol = 23 - kFrameWindow;
constexpr unsigned kSource = kSourceInFrame - kFrameWindow, kDestination = kDestinationInFrame - kFrameWindow;
constexpr unsigned kUdpLength = 38 - kFrameWindow;
static_assert(kHeaders - kFrameWindow == 32, "the window ends with the UDP length");

enum Table {
  kMbufWant,      // one segment; the port and the checksum verdicts are the burst's (BurstChecks)
  kMbufCare,
  kFrameWant,     // IPv4 with a 20-byte header, UDP (and the lengths, per packet)
  kFrameCare,
  kLengthOffset,  // 16-bit lanes: frame length less these is the IP length and the UDP length
  kLengthSwap,    // those two lengths in wire order, every other byte 0 (vpshufb, within 128-bit lanes)
  kRangeBias,     // (byte - bias) <= limit, unsigned: a TTL; source not in 0/8 or 224/3; destination not in 224/3
  kRangeLimit,
  kMacCare,       // the frame's first 32 bytes: the destination MAC's
  kNotSource,     // 0x80 but in the source address's first byte: only that byte can be 127
  kLoopback,      // 127 in the source address's first byte
  kTables
};
using Tables = std::array<std::array<uint8_t, 32>, kTables>;

constexpr Tables makeTables() {
  Tables t{};
  t[kFrameCare][kEtherType] = t[kFrameCare][kEtherType + 1] = t[kFrameCare][kVersionIhl] = 0xff;
  t[kFrameCare][kFragment] = 0x3f;  // MF and the offset's high bits; DF may be set
  t[kFrameCare][kFragment + 1] = 0xff;
  t[kFrameCare][kProtocol] = 0xff;
  t[kFrameWant][kEtherType] = 0x08;
  t[kFrameWant][kVersionIhl] = 0x45;
  t[kFrameWant][kProtocol] = IPPROTO_UDP;
  for (unsigned i = 0; i < 32; ++i) {
    t[kRangeLimit][i] = 0xff;  // never above
    t[kLengthSwap][i] = 0x80;  // 0
  }
  t[kRangeBias][kTtl] = 1;        // TTL - 1 > 254: TTL 0
  t[kRangeLimit][kTtl] = 254;
  t[kRangeBias][kSource] = 1;     // first byte - 1 > 222: 0 or 224 and above
  t[kRangeLimit][kSource] = 222;
  t[kRangeLimit][kDestination] = 223;  // first byte > 223: multicast or reserved
  static_assert(kIpLength % 2 == 0 && kUdpLength % 2 == 0 && kIpLength < 16 && kUdpLength >= 16, "one per 128-bit lane");
  t[kLengthOffset][kIpLength] = 14;
  t[kLengthOffset][kUdpLength] = kUdpLengthOffset;
  for (const unsigned lane : {kIpLength, kUdpLength}) {
    t[kLengthSwap][lane] = static_cast<uint8_t>((lane + 1) % 16);
    t[kLengthSwap][lane + 1] = static_cast<uint8_t>(lane % 16);
    t[kFrameCare][lane] = t[kFrameCare][lane + 1] = 0xff;
  }
  t[kMbufWant][kNbSegs] = 1;
  t[kMbufCare][kNbSegs] = t[kMbufCare][kNbSegs + 1] = 0xff;
  t[kMbufCare][kPort] = t[kMbufCare][kPort + 1] = 0xff;
  t[kMbufCare][kOlFlags] = static_cast<uint8_t>(kVerdictBits);
  t[kMbufCare][kOlFlags + 1] = static_cast<uint8_t>(kVerdictBits >> 8);
  t[kMbufCare][kPktLen + 2] = t[kMbufCare][kPktLen + 3] = 0xff;  // the lengths are compared in 16 bits
  for (unsigned i = 0; i < 6; ++i) t[kMacCare][i] = 0xff;
  for (unsigned i = 0; i < 32; ++i) {
    t[kNotSource][i] = i == kSource ? 0 : 0x80;
    t[kLoopback][i] = i == kSource ? 127 : 0;
  }
  return t;
}

alignas(64) constexpr Tables kTableBytes = makeTables();

struct BurstChecks {
  __m256i mbufWant, mbufCare;    // one segment, the burst's port and checksum verdicts, length < 64 KiB
  __m256i frameWant, frameCare;  // IPv4 with a 20-byte header, no fragment, UDP; the lengths
  __m256i lengthOffset, lengthSwap;
  __m256i rangeBias, rangeLimit;
  __m256i macWant, macCare;  // our MAC, in the frame's first 6 bytes
  __m256i notSource, loopback;  // a source in 127/8
  uint64_t keyRest;  // the key's third word but for the UDP port
};

SBC_AVX512 inline __m256i loadTable(Table t) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(kTableBytes[t].data()));
}

// The burst's values go into the tables' vectors by masked broadcasts. Built in memory with byte
// stores, each vector's load waited for the stores to drain (no store forwarding from several
// stores into one load): an eighth of classify's samples in perf, sbcbench relay 0.8 % slower at
// 1k sessions (4 alternated pairs).
SBC_AVX512 inline BurstChecks makeBurstChecks(const uint8_t* mac, uint16_t port, uint16_t verdicts, uint64_t keyRest) {
  static_assert(kPort % 2 == 0 && kOlFlags % 2 == 0, "16-bit lanes");
  __m256i mbufWant = _mm256_mask_set1_epi16(loadTable(kMbufWant), __mmask16{1} << (kPort / 2), static_cast<short>(port));
  mbufWant = _mm256_mask_set1_epi16(mbufWant, __mmask16{1} << (kOlFlags / 2), static_cast<short>(verdicts));
  return {mbufWant,
          loadTable(kMbufCare),
          loadTable(kFrameWant),
          loadTable(kFrameCare),
          loadTable(kLengthOffset),
          loadTable(kLengthSwap),
          loadTable(kRangeBias),
          loadTable(kRangeLimit),
          _mm256_maskz_loadu_epi8(0x3f, mac),
          loadTable(kMacCare),
          loadTable(kNotSource),
          loadTable(kLoopback),
          keyRest};
}

// One frame: true, with its key's address (word 0; word 1 is 0) and UDP port (word 2 is it with
// the burst's keyRest) and its mbuf marked, when it passes every check.
SBC_AVX512 inline bool classifyFastVector(const BurstChecks& c, rte_mbuf* m, uint64_t& w0, uint32_t& udpPort) {
  const uint16_t dataLength = m->data_len;
  // Shorter than its headers and an RTP header's 12 bytes: the full parser's, and no fast candidate
  // (fastCandidate). Else the window is within the segment's data.
  if (unlikely(dataLength < kUdpLengthOffset + kMinFastUdpLength)) return false;
  const __m256i mbuf = _mm256_loadu_epi8(reinterpret_cast<const uint8_t*>(m) + kMbufWindow);
  const uint8_t* frame = rte_pktmbuf_mtod(m, const uint8_t*);
  const __m256i h = _mm256_loadu_epi8(frame + kFrameWindow);
  // The lengths the frame must hold, in wire order, joined to what else it must hold.
  const __m256i lengths = _mm256_shuffle_epi8(
      _mm256_sub_epi16(_mm256_set1_epi16(static_cast<short>(dataLength)), c.lengthOffset), c.lengthSwap);
  const __m256i frameDiffers = _mm256_ternarylogic_epi32(h, c.frameWant, lengths, 0x1e);  // h ^ (want | lengths)
  __mmask32 good = _mm256_testn_epi8_mask(_mm256_xor_si256(mbuf, c.mbufWant), c.mbufCare);
  good = _mm256_mask_testn_epi8_mask(good, frameDiffers, c.frameCare);
  good = _mm256_mask_cmple_epu8_mask(good, _mm256_sub_epi8(h, c.rangeBias), c.rangeLimit);
  good = _mm256_mask_testn_epi8_mask(good, _mm256_xor_si256(_mm256_loadu_epi8(frame), c.macWant), c.macCare);
  // A source in 127/8, which the range above lets through: (byte ^ 127) is 0 there alone, and
  // every other byte has its top bit set first. (A compare with a vector of 127s: GCC made that
  // vector again for every packet.)
  const __m256i notLoopback = _mm256_ternarylogic_epi32(h, c.loopback, c.notSource, 0xbe);  // (h ^ B) | C
  good = _mm256_mask_test_epi8_mask(good, notLoopback, notLoopback);
  if (unlikely(!_kortestc_mask32_u8(good, good))) return false;
  // l2_len and l3_len: the low 16 bits of tx_offload.
  m->tx_offload = (m->tx_offload & ~uint64_t{0xffff}) | sizeof(rte_ether_hdr) | sizeof(rte_ipv4_hdr) << 7;
  m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
  w0 = load32(frame + kDestinationInFrame);
  udpPort = load16(frame + kDestinationPortInFrame);
  return true;
}

// The burst's loop; `passed(i, w0, udpPort)` takes the key of each packet that passes.
template <typename Passed>
SBC_AVX512 inline uint32_t classifyRun(const BurstChecks& c, rte_mbuf** packets, uint16_t count,
                                       ClassifiedBurst& out, uint64_t& bytes, Passed passed) {
  uint32_t refused = 0;
  constexpr uint16_t kPrefetchAhead = 3;
  for (uint16_t i = 0; i < count && i < kPrefetchAhead; ++i) rte_prefetch0(rte_pktmbuf_mtod(packets[i], void*));
  for (uint16_t i = 0; i < count; ++i) {
    if (i + kPrefetchAhead < count) rte_prefetch0(rte_pktmbuf_mtod(packets[i + kPrefetchAhead], void*));
    rte_mbuf* m = packets[i];
    out.udp[i] = m;
    bytes += rte_pktmbuf_pkt_len(m);
    uint64_t w0;
    uint32_t udpPort;
    if (likely(classifyFastVector(c, m, w0, udpPort)))
      passed(i, w0, udpPort);
    else
      refused |= uint32_t{1} << i;
  }
  return refused;
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
  uint64_t bytes = 0;
  uint32_t refused;
  if (locator != nullptr) {
    // The home is what the worker needs of the key: with a locator, the key is not stored. The
    // loop owns a copy of the locator, whose members stay in registers: through the pointer, GCC
    // loaded them again after each of the loop's stores (30 instructions a packet for the home,
    // where 20 do). Whether it asks for the homes' lines is tested here, once.
    const uint64_t restTag = FlowTable::AddressCache::restTag(keyRest);
    if (locator->asks())
      refused = classifyRun(c, packets, count, out, bytes,
                            [&out, restTag, local = *locator](uint16_t i, uint64_t w0, uint32_t udpPort) mutable {
                              const uint32_t home = local.findV4(w0, restTag, udpPort);
                              local.ask(home);
                              out.udpHomes[i] = home;
                            });
    else
      refused = classifyRun(c, packets, count, out, bytes,
                            [&out, restTag, local = *locator](uint16_t i, uint64_t w0, uint32_t udpPort) mutable {
                              out.udpHomes[i] = local.findV4(w0, restTag, udpPort);
                            });
  } else {
    refused = classifyRun(c, packets, count, out, bytes, [&out, &c](uint16_t i, uint64_t w0, uint32_t udpPort) {
      storeFlowKeyWords(out.udpKeys[i], w0, udpPort | c.keyRest);
    });
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
