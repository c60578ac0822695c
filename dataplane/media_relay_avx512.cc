// The relay's fast path in AVX-512 (media_relay_fast.h): the same checks and rewrite as
// relayFastV4 in media_relay.cc, made from one 64-byte load of the packet's headers and one of
// its flow's first line, and stored with one 64-byte store. The scalar path keeps the integer
// and load/store ports at their limit (llvm-mca's znver3 model: about 100 ALU and 80 memory
// operations a packet, 28 cycles); here the checks and the new headers go to the vector unit,
// which it leaves idle. The checksums stay integer adds: the flow holds the terms of the
// addresses and ports (checksumTerms), so a few adds remain, where summing in vectors took a
// chain of shuffles longer than the rest.
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
// reports at every use. Clang has no such warning, and warns of the unknown name.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#define SBC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,bmi2")))

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
  kChecksumIndex,   // 16-bit lanes: the IP checksum (word 12) from word 0, the UDP one (word 20)
                    // from word 2
  kTables
};
using Tables = std::array<std::array<uint8_t, 64>, kTables>;

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
  t[kChecksumIndex][kIpChecksum] = 0;
  t[kChecksumIndex][kUdpChecksum] = 2;
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
constexpr __mmask64 kMacBytes = 0xfff;
constexpr __mmask64 kTtlProtocolBytes = uint64_t{3} << kIpTtl;
constexpr __mmask32 kIpChecksumWord = uint32_t{1} << (kIpChecksum / 2);
constexpr __mmask32 kUdpChecksumWord = uint32_t{1} << (kUdpChecksum / 2);
constexpr uint16_t kNewTtlProtocol = kOriginTtl | IPPROTO_UDP << 8;

struct RelayVectors {
  __m512i identityIndex, flowWant, flowCare, rangeBias, rangeLimit, wordSwap, shortLimit;
  __m512i rewriteIndex, ttlProtocol, checksumIndex;
};

SBC_AVX512 inline __m512i loadTable(Table t) { return _mm512_load_si512(kTableBytes[t].data()); }

SBC_AVX512 inline RelayVectors loadRelayVectors() {
  return {loadTable(kIdentityIndex),   loadTable(kFlowWant),    loadTable(kFlowCare),
          loadTable(kRangeBias),       loadTable(kRangeLimit),  loadTable(kWordSwap),
          loadTable(kShortLimit),      loadTable(kRewriteIndex), loadTable(kTtlProtocol),
          loadTable(kChecksumIndex)};
}

// relayFastV4, in vectors. Returns false, having changed nothing, where it would.
SBC_AVX512 inline bool relayFastV4Vector(const MediaContext& ctx, const RelayVectors& c, rte_mbuf* m, Flow& flow,
                                         uint32_t slot) {
  // The 64-byte load and store reach past a short frame: only within its own buffer.
  if (unlikely(m->data_off + 64u > m->buf_len)) return false;
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  const __m512i h = _mm512_loadu_si512(frame);
  // The destination under its seqlock: the flow line's load between two reads of the sequence.
  const FlowDestination& d = flow.destination;
  const uint32_t sequence = d.sequence.load(std::memory_order_acquire);
  const __m512i f = _mm512_load_si512(&flow);
  const uint64_t hop = load64(&d.neighborIndex);  // neighbour index, then the direct MAC
  const uint32_t entering = d.checksumEntering;
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
  const uint32_t leaving = flow.checksumLeaving;  // set before latchedV4
  const uint32_t highest = flow.highestSequence.load(std::memory_order_relaxed);
  const int32_t ahead = Flow::sequenceAhead(highest, __builtin_bswap16(load16(frame + kRtp + 2)));
  if (unlikely(isSequenceJump(ahead))) return false;
  uint64_t dstMac;
  if (!nextHopMac(ctx, hop, dstMac)) return false;
  const EgressHeader& egress = ctx.egressHeaders[flow.egressInterface];
  if (egress.vlan != 0) return false;

  // The new headers: MACs, then addresses and ports from the flow, TTL and protocol.
  const __m128i macs = _mm_insert_epi32(_mm_cvtsi64_si128(static_cast<long long>(dstMac | egress.sourceHead)),
                                        static_cast<int>(egress.sourceTail), 2);
  __m512i out = _mm512_permutex2var_epi8(h, c.rewriteIndex, f);
  out = _mm512_mask_mov_epi8(out, kMacBytes, _mm512_castsi128_si512(macs));
  out = _mm512_mask_mov_epi8(out, kTtlProtocolBytes, c.ttlProtocol);
  // Both checksums, from the flow's terms for the addresses and ports (checksumTerms): a few
  // integer adds beside the vector work, the IP and UDP sums side by side in one register.
  constexpr uint64_t kLanes = 0x0000ffff0000ffffull;
  const uint32_t ttlAndChecksum = load32(frame + kIpTtl);  // TTL, protocol, then the IP checksum
  const uint16_t oldUdpChecksum = load16(frame + kUdpChecksum);
  const uint64_t checksums = checksumsRelayed(_pdep_u64(leaving, kLanes), _pdep_u64(entering, kLanes),
                                              static_cast<uint16_t>(ttlAndChecksum >> 16),
                                              static_cast<uint16_t>(ttlAndChecksum), kNewTtlProtocol, oldUdpChecksum);
  // One that was 0 (the sender computed none) stays 0.
  const __mmask32 write = kIpChecksumWord | (oldUdpChecksum != 0 ? kUdpChecksumWord : 0);
  const __m512i checksumWords = _mm512_castsi128_si512(_mm_cvtsi64_si128(static_cast<long long>(checksums)));
  out = _mm512_mask_permutexvar_epi16(out, write, c.checksumIndex, checksumWords);
  _mm512_storeu_si512(frame, out);  // bytes past the headers go back as they were read

  queueRelayed(ctx, m, flow, slot, highest, ahead);
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
  while (i < end && relayFastV4Vector(local, c, packets[i], local.flows[slots[i]], slots[i])) ++i;
  return i;
}

}  // namespace sbc::dataplane
