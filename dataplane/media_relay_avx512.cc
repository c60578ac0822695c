// The relay's fast path in AVX-512 (media_relay_fast.h): the same checks and rewrite as
// relayFastV4 in media_relay.cc, made from one 64-byte load of the packet's headers and one of
// its flow's first line, and stored with one 64-byte store. The scalar path saturates the
// integer and load/store ports (about 100 ALU and 80 memory operations a packet); here the
// checks, the new headers and both checksums go to the vector unit, which it leaves idle.
//
// Only the functions below are built for AVX-512 (a target attribute, not a flag for the whole
// file): inline functions of shared headers that this file does not inline stay plain x86-64,
// so that no AVX-512 copy of one can reach a CPU without it.

#include <immintrin.h>
#include <rte_branch_prediction.h>
#include <rte_ip.h>

#include <array>
#include <cstddef>

#include "dataplane/media_relay_fast.h"
#include "dataplane/unaligned.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wmaybe-uninitialized
// reports at every use.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define SBC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi")))

namespace sbc::dataplane {
namespace {

// Where things are in a frame (untagged IPv4/UDP/RTP, as a fast candidate is) ...
constexpr unsigned kIpTtl = 22, kIpChecksum = 24, kIpSource = 26, kIpDestination = 30;
constexpr unsigned kUdpPorts = 34, kUdpLength = 38, kUdpChecksum = 40, kRtp = 42;
// ... and in a flow's first line.
constexpr unsigned kLatched = offsetof(Flow, latchedV4);
constexpr unsigned kEgressV4 = offsetof(Flow, egressV4);
constexpr unsigned kEgressPort = offsetof(Flow, egressPortBe);
constexpr unsigned kPeerV4 = offsetof(Flow, destination) + offsetof(FlowDestination, peerV4);
constexpr unsigned kPeerPort = offsetof(Flow, destination) + offsetof(FlowDestination, peerPortBe);
constexpr unsigned kPeerFamily = offsetof(Flow, destination) + offsetof(FlowDestination, peerFamily);
static_assert(kPeerV4 + 4 <= 64 && kLatched + 8 <= 64 && kEgressV4 + 4 <= 64, "the first line holds them");

// The byte tables of the vector constants, built at compile time (no start-up code: it would run
// on CPUs without AVX-512 too).
enum Table {
  kIdentityIndex,   // the packet's source address and port, moved under latchedV4
  kFlowWant,        // what a flow line must hold where kFlowCare is set (after the move above)
  kFlowCare,
  kRangeBias,       // (byte - bias) > limit, unsigned: RTP version 2 and not RTCP (RFC 5761 §4)
  kRangeLimit,
  kWordSwap,        // big-endian 16-bit fields made comparable
  kShortLimit,      // UDP length < 20: no room for an RTP header
  kRewriteIndex,    // the new addresses and ports, from the flow line (indices 64 + offset)
  kTtlProtocol,
  kIpSumIndex,      // the terms of each checksum's update, one 64-bit lane each
  kIpSumComplement,
  kUdpSumIndex,
  kUdpSumComplement,
  kChecksumIndex,   // the two results, moved to their fields
  kTables
};
using Tables = std::array<std::array<uint8_t, 64>, kTables>;

// One term of an incremental checksum: `bytes` bytes from `from` (64 + i: byte i of the new
// headers), complemented when it is an old word (RFC 1624: HC' = ~(~HC + ~m + m')).
struct Term {
  uint8_t from, bytes;
  bool old;
};

constexpr Tables makeTables() {
  Tables t{};
  const uint8_t identity[6] = {kIpSource, kIpSource + 1, kIpSource + 2, kIpSource + 3, kUdpPorts, kUdpPorts + 1};
  for (unsigned i = 0; i < 6; ++i) {
    t[kIdentityIndex][kLatched + i] = identity[i];
    t[kFlowCare][kLatched + i] = 0xff;
  }
  // latchedV4's marker (v4Identity): byte 6 is 1 and byte 7 is 0 for an admitted IPv4 source.
  t[kFlowWant][kLatched + 6] = 1;
  t[kFlowCare][kLatched + 6] = t[kFlowCare][kLatched + 7] = 0xff;
  t[kFlowWant][kPeerFamily] = static_cast<uint8_t>(IpFamily::kV4);
  t[kFlowCare][kPeerFamily] = 0xff;
  for (unsigned i = 0; i < 64; ++i) {
    t[kRangeLimit][i] = 0xff;  // never above
    t[kWordSwap][i] = static_cast<uint8_t>((i & 15) ^ 1);
    t[kRewriteIndex][i] = static_cast<uint8_t>(i);
  }
  t[kRangeBias][kRtp] = 0x80;      // version 2: 0x80..0xbf
  t[kRangeLimit][kRtp] = 0x3f;
  t[kRangeBias][kRtp + 1] = 224;   // payload type byte 192..223: RTCP
  t[kRangeLimit][kRtp + 1] = 223;
  t[kShortLimit][kUdpLength] = 20;  // the word's low byte, after the swap
  for (unsigned i = 0; i < 4; ++i) {
    t[kRewriteIndex][kIpSource + i] = static_cast<uint8_t>(64 + kEgressV4 + i);
    t[kRewriteIndex][kIpDestination + i] = static_cast<uint8_t>(64 + kPeerV4 + i);
  }
  for (unsigned i = 0; i < 2; ++i) {
    t[kRewriteIndex][kUdpPorts + i] = static_cast<uint8_t>(64 + kEgressPort + i);
    t[kRewriteIndex][kUdpPorts + 2 + i] = static_cast<uint8_t>(64 + kPeerPort + i);
  }
  t[kTtlProtocol][kIpTtl] = kOriginTtl;
  t[kTtlProtocol][kIpTtl + 1] = IPPROTO_UDP;
  // The IP header checksum: addresses, and TTL with protocol; the UDP checksum: addresses and
  // ports. The same terms as relayFastV4's sums, so that both give the same bytes.
  const Term ip[7] = {{kIpChecksum, 2, true},        {kIpTtl, 2, true},          {kIpSource, 4, true},
                      {kIpDestination, 4, true},     {64 + kIpTtl, 2, false},    {64 + kIpSource, 4, false},
                      {64 + kIpDestination, 4, false}};
  const Term udp[7] = {{kUdpChecksum, 2, true},      {kIpSource, 4, true},       {kIpDestination, 4, true},
                       {kUdpPorts, 4, true},         {64 + kIpSource, 4, false}, {64 + kIpDestination, 4, false},
                       {64 + kUdpPorts, 4, false}};
  for (unsigned lane = 0; lane < 7; ++lane)
    for (unsigned i = 0; i < 4; ++i) {
      if (i < ip[lane].bytes) {
        t[kIpSumIndex][lane * 8 + i] = static_cast<uint8_t>(ip[lane].from + i);
        t[kIpSumComplement][lane * 8 + i] = ip[lane].old ? 0xff : 0;
      }
      if (i < udp[lane].bytes) {
        t[kUdpSumIndex][lane * 8 + i] = static_cast<uint8_t>(udp[lane].from + i);
        t[kUdpSumComplement][lane * 8 + i] = udp[lane].old ? 0xff : 0;
      }
    }
  // 16-bit lanes: the IP checksum (word 12) from the first sum's lane, the UDP one (word 20)
  // from the second's (word 4).
  t[kChecksumIndex][2 * (kIpChecksum / 2)] = 0;
  t[kChecksumIndex][2 * (kUdpChecksum / 2)] = 4;
  return t;
}

alignas(64) constexpr Tables kTableBytes = makeTables();

// Bytes a table's lanes use: every index but the unused ones, which are 0 (no term is byte 0).
constexpr uint64_t usedBytes(const std::array<uint8_t, 64>& index) {
  uint64_t mask = 0;
  for (unsigned i = 0; i < 64; ++i) mask |= uint64_t{index[i] != 0} << i;
  return mask;
}
constexpr __mmask64 kIdentityBytes = usedBytes(kTableBytes[kIdentityIndex]);
constexpr __mmask64 kIpSumBytes = usedBytes(kTableBytes[kIpSumIndex]);
constexpr __mmask64 kUdpSumBytes = usedBytes(kTableBytes[kUdpSumIndex]);
constexpr __mmask64 kMacBytes = 0xfff;
constexpr __mmask64 kTtlProtocolBytes = uint64_t{3} << kIpTtl;
constexpr __mmask32 kIpChecksumWord = uint32_t{1} << (kIpChecksum / 2);
constexpr __mmask32 kUdpChecksumWord = uint32_t{1} << (kUdpChecksum / 2);

struct RelayVectors {
  __m512i identityIndex, flowWant, flowCare, rangeBias, rangeLimit, wordSwap, shortLimit;
  __m512i rewriteIndex, ttlProtocol, ipSumIndex, ipSumComplement, udpSumIndex, udpSumComplement;
  __m512i checksumIndex;
};

SBC_AVX512 inline __m512i loadTable(Table t) { return _mm512_load_si512(kTableBytes[t].data()); }

SBC_AVX512 inline RelayVectors loadRelayVectors() {
  return {loadTable(kIdentityIndex),   loadTable(kFlowWant),    loadTable(kFlowCare),
          loadTable(kRangeBias),       loadTable(kRangeLimit),  loadTable(kWordSwap),
          loadTable(kShortLimit),      loadTable(kRewriteIndex), loadTable(kTtlProtocol),
          loadTable(kIpSumIndex),      loadTable(kIpSumComplement), loadTable(kUdpSumIndex),
          loadTable(kUdpSumComplement), loadTable(kChecksumIndex)};
}

// relayFastV4, in vectors. Returns false, having changed nothing, where it would.
SBC_AVX512 inline bool relayFastV4Vector(const MediaContext& ctx, const RelayVectors& c, rte_mbuf* m, Flow& flow) {
  // The 64-byte load and store reach past a short frame: only within its own buffer.
  if (unlikely(m->data_off + 64u > m->buf_len)) return false;
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  const __m512i h = _mm512_loadu_si512(frame);
  // The destination under its seqlock: the flow line's load between two reads of the sequence.
  const FlowDestination& d = flow.destination;
  const uint32_t sequence = d.sequence.load(std::memory_order_acquire);
  const __m512i f = _mm512_load_si512(&flow);
  const uint64_t hop = load64(&d.neighborIndex);  // neighbour index, then the direct MAC
  std::atomic_thread_fence(std::memory_order_acquire);
  const uint32_t after = d.sequence.load(std::memory_order_relaxed);

  // From the latched source (latchedV4 also closes the path: 0 or kNotFast never match), toward
  // an IPv4 peer; RTP version 2, not RTCP, 12 bytes of RTP header at least.
  const __m512i identity = _mm512_ternarylogic_epi32(_mm512_maskz_permutexvar_epi8(kIdentityBytes, c.identityIndex, h),
                                                     f, c.flowWant, 0x96);  // xor of the three
  const __mmask64 bad =
      _kor_mask64(_kor_mask64(_mm512_test_epi8_mask(identity, c.flowCare),
                              _mm512_cmpgt_epu8_mask(_mm512_sub_epi8(h, c.rangeBias), c.rangeLimit)),
                  static_cast<__mmask64>(_mm512_cmplt_epu16_mask(_mm512_shuffle_epi8(h, c.wordSwap), c.shortLimit)));
  if ((bad != 0) | (((sequence & 1) | (sequence ^ after)) != 0)) return false;
  const uint32_t highest = flow.highestSequence.load(std::memory_order_relaxed);
  const int32_t ahead = Flow::sequenceAhead(highest, __builtin_bswap16(load16(frame + kRtp + 2)));
  if (unlikely(isSequenceJump(ahead))) return false;
  uint64_t dstMac = hop >> 16;
  if (const uint16_t neighbor = static_cast<uint16_t>(hop); neighbor != kNoNeighbor) {
    const uint64_t state = ctx.neighbors->macState(neighbor);
    if (!(state & kNeighborResolved)) return false;
    dstMac = state & 0xffffffffffffull;
  }
  const EgressHeader& egress = ctx.egressHeaders[flow.egressInterface];
  if (egress.vlan != 0) return false;

  // The new headers: MACs, then addresses and ports from the flow, TTL and protocol.
  const __m128i macs = _mm_insert_epi32(_mm_cvtsi64_si128(static_cast<long long>(dstMac | egress.sourceHead)),
                                        static_cast<int>(egress.sourceTail), 2);
  __m512i out = _mm512_permutex2var_epi8(h, c.rewriteIndex, f);
  out = _mm512_mask_mov_epi8(out, kMacBytes, _mm512_castsi128_si512(macs));
  out = _mm512_mask_mov_epi8(out, kTtlProtocolBytes, c.ttlProtocol);
  // Both checksums' updates at once: the terms of the IP one in `ip`, of the UDP one in `udp`,
  // summed across lanes into lane 0 (IP) and lane 1 (UDP), folded to 16 bits as
  // foldOnesComplement does and complemented.
  const __m512i ip = _mm512_xor_si512(_mm512_maskz_permutex2var_epi8(kIpSumBytes, h, c.ipSumIndex, out), c.ipSumComplement);
  const __m512i udp = _mm512_xor_si512(_mm512_maskz_permutex2var_epi8(kUdpSumBytes, h, c.udpSumIndex, out), c.udpSumComplement);
  __m512i sums = _mm512_add_epi64(_mm512_unpacklo_epi64(ip, udp), _mm512_unpackhi_epi64(ip, udp));
  sums = _mm512_add_epi64(sums, _mm512_shuffle_i64x2(sums, sums, _MM_SHUFFLE(1, 0, 3, 2)));
  sums = _mm512_add_epi64(sums, _mm512_shuffle_i64x2(sums, sums, _MM_SHUFFLE(2, 3, 0, 1)));
  sums = _mm512_srli_epi64(_mm512_add_epi64(sums, _mm512_rol_epi64(sums, 32)), 32);
  sums = _mm512_srli_epi32(_mm512_add_epi32(sums, _mm512_rol_epi32(sums, 16)), 16);
  __m512i checksums = _mm512_permutexvar_epi16(c.checksumIndex, _mm512_ternarylogic_epi32(sums, sums, sums, 0x55));
  // A UDP checksum that comes out 0 is sent as 0xffff (udpChecksumForWire); one that was 0 (the
  // sender computed none) stays 0.
  const __mmask32 zeroUdp = _mm512_mask_cmpeq_epi16_mask(kUdpChecksumWord, checksums, _mm512_setzero_si512());
  checksums = _mm512_mask_set1_epi16(checksums, zeroUdp, -1);
  const __mmask32 write = kIpChecksumWord | _mm512_mask_test_epi16_mask(kUdpChecksumWord, h, h);
  out = _mm512_mask_mov_epi16(out, write, checksums);
  _mm512_storeu_si512(frame, out);  // bytes past the headers go back as they were read

  const uint32_t length = rte_pktmbuf_pkt_len(m);  // the rewrite keeps it
  flow.advanceSequence(highest, ahead);
  flow.countPacket(length);
  flow.lastSeenCoarse.store(ctx.nowCoarse, std::memory_order_relaxed);
  ctx.tx[flow.egressInterface].append(m, length, flow.index);
  return true;
}

}  // namespace

SBC_AVX512 uint16_t relayFastRunAvx512(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots,
                                       uint32_t fastMask, uint16_t start, uint16_t count) {
  const RelayVectors c = loadRelayVectors();
  // Read once: the packets' stores might alias the context.
  const MediaContext local = ctx;
  const uint16_t end = fastRunEnd(fastMask, start, count);
  uint16_t i = start;
  while (i < end && relayFastV4Vector(local, c, packets[i], local.flows[slots[i]])) ++i;
  return i;
}

}  // namespace sbc::dataplane
