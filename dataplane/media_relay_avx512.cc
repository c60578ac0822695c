// The relay's fast path in AVX-512 (media_relay_fast.h): the same checks and rewrite as
// relayFastV4 in media_relay.cc, made from one 64-byte load of the packet's headers and one of
// its flow's first line, and stored with one 64-byte store. The scalar path keeps the integer
// and load/store ports at their limit (llvm-mca's znver3 model: about 100 ALU and 80 memory
// operations a packet, 28 cycles); here the checks and the new headers go to the vector unit,
// which it leaves idle. The checksums too: the flow holds the terms of the addresses and ports
// (checksumTerms), and one vpsadbw sums them with the frame's old words, byte by byte. As
// integer adds (the flow's terms spread into two lanes by pdep, then added and folded) they took
// about 36 of the loop's instructions; the vector sum takes about 15. The permutes fill unused
// lanes from a byte known to be 0 (kZeroByte) rather than through masks, whose constants the
// compiler reloads every packet. sbcbench relay, alternated pairs: at 1k sessions the ratio went
// from 0.525 to 0.546 with the vector sum, and from 0.546 to 0.564 without those masks.
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
// A byte of the frame that is 0 in every packet the fast path takes: the EtherType's low byte
// (IPv4, 0x0800). The permutes fill their unused lanes from it rather than through a mask: the
// identity check compares it with latchedV4's top byte, which is 0, so a packet where it is not
// 0 never gets past that check to the checksums.
constexpr uint8_t kZeroByte = 13;

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
  kTermIndex,       // the checksums' terms, byte by byte, from the frame and the flow line (64 + offset)
  kTermBias,        // what vpsadbw subtracts: 0xff complements a byte, others add a constant
  kTermShift,       // qword lanes: the high bytes' sums weigh 256
  kComplement,      // 16-bit lanes: the IP checksum is the sum's complement
  kTables
};
using Tables = std::array<std::array<uint8_t, 64>, kTables>;

constexpr Tables makeTables() {
  Tables t{};
  const uint8_t identity[6] = {kIpSource, kIpSource + 1, kIpSource + 2, kIpSource + 3, kUdpPorts, kUdpPorts + 1};
  for (unsigned i = 0; i < 64; ++i) t[kIdentityIndex][i] = t[kTermIndex][i] = kZeroByte;
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
  // The terms' bytes go where the sums are to land: the IP checksum's (word 12) in qwords 2 and 3,
  // the UDP one's (word 20) in qwords 4 and 5, high bytes in the first of each pair. The IP sum
  // takes the old checksum and TTL-protocol word leaving (complemented by their bias), the flow's
  // terms for the addresses and ports leaving and entering (checksumLeaving, checksumEntering),
  // and the new TTL-protocol word as the bias of a byte the permute leaves 0; the checksum is
  // its complement. The UDP sum takes their complements instead, the old checksum as it is: in
  // ones' complement that sum is the checksum, and it is never 0 (RFC 768's 0 goes as 0xffff).
  constexpr unsigned kLeaving = offsetof(Flow, checksumLeaving);
  constexpr unsigned kEntering = offsetof(Flow, destination) + offsetof(FlowDestination, checksumEntering);
  constexpr unsigned kIpSum = kIpChecksum / 8 - 1, kUdpSum = kUdpChecksum / 8 - 1;  // qwords of the high bytes
  static_assert(kIpChecksum % 8 == 0 && kUdpChecksum % 8 == 0, "each sum lands in a qword's low word");
  for (unsigned half = 0; half < 2; ++half) {
    const unsigned ip = 8 * (kIpSum + 1 - half), udp = 8 * (kUdpSum + 1 - half);  // low bytes, then high
    t[kTermIndex][ip] = static_cast<uint8_t>(kIpChecksum + half);
    t[kTermIndex][ip + 1] = static_cast<uint8_t>(kIpTtl + half);
    t[kTermIndex][ip + 2] = static_cast<uint8_t>(64 + kLeaving + half);
    t[kTermIndex][ip + 3] = static_cast<uint8_t>(64 + kEntering + half);
    t[kTermBias][ip] = t[kTermBias][ip + 1] = 0xff;
    t[kTermBias][ip + 4] = half == 0 ? kOriginTtl : uint8_t{IPPROTO_UDP};
    t[kTermIndex][udp] = static_cast<uint8_t>(kUdpChecksum + half);
    t[kTermIndex][udp + 1] = static_cast<uint8_t>(64 + kLeaving + 2 + half);
    t[kTermIndex][udp + 2] = static_cast<uint8_t>(64 + kEntering + 2 + half);
    t[kTermBias][udp + 1] = t[kTermBias][udp + 2] = 0xff;
  }
  t[kTermShift][8 * kIpSum] = t[kTermShift][8 * kUdpSum] = 8;
  t[kComplement][kIpChecksum] = t[kComplement][kIpChecksum + 1] = 0xff;
  return t;
}

alignas(64) constexpr Tables kTableBytes = makeTables();

constexpr __mmask64 kMacAndTtlProtocolBytes = 0xfff | uint64_t{3} << kIpTtl;
constexpr __mmask32 kIpChecksumWord = uint32_t{1} << (kIpChecksum / 2);
constexpr __mmask32 kUdpChecksumWord = uint32_t{1} << (kUdpChecksum / 2);

struct RelayVectors {
  __m512i identityIndex, flowWant, flowCare, rangeBias, rangeLimit, wordSwap, shortLimit;
  __m512i rewriteIndex, ttlProtocol;
  __m512i termIndex, termBias, termShift, complement, low16;
};

SBC_AVX512 inline __m512i loadTable(Table t) { return _mm512_load_si512(kTableBytes[t].data()); }

SBC_AVX512 inline RelayVectors loadRelayVectors() {
  return {loadTable(kIdentityIndex),   loadTable(kFlowWant),    loadTable(kFlowCare),
          loadTable(kRangeBias),       loadTable(kRangeLimit),  loadTable(kWordSwap),
          loadTable(kShortLimit),      loadTable(kRewriteIndex), loadTable(kTtlProtocol),
          loadTable(kTermIndex),       loadTable(kTermBias),    loadTable(kTermShift),
          loadTable(kComplement),      _mm512_set1_epi64(0xffff)};
}

// relayFastV4, in vectors. Returns false, having changed nothing, where it would: also, with
// kHomes, where the flow's home mark is missing (relayFastRunAvx512), which it reads first. The
// mark's test is here rather than in the run's loop condition, where GCC kept half of the vector
// constants out of registers (sbcbench relay at 100k sessions both ways: 0.535 against 0.5505).
template <bool kHomes>
SBC_AVX512 inline bool relayFastV4Vector(const MediaContext& ctx, const RelayVectors& c, rte_mbuf* m, Flow& flow,
                                         uint32_t slot) {
  if (kHomes && unlikely(!flow.atHome())) return false;
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
  const __m512i identity = _mm512_ternarylogic_epi32(_mm512_permutexvar_epi8(c.identityIndex, h),
                                                     f, c.flowWant, 0x96);  // xor of the three
  const __mmask64 bad =
      _kor_mask64(_kor_mask64(_mm512_test_epi8_mask(identity, c.flowCare),
                              _mm512_cmpgt_epu8_mask(_mm512_sub_epi8(h, c.rangeBias), c.rangeLimit)),
                  static_cast<__mmask64>(_mm512_cmplt_epu16_mask(_mm512_shuffle_epi8(h, c.wordSwap), c.shortLimit)));
  if ((bad != 0) | (((sequence & 1) | (sequence ^ after)) != 0)) return false;
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
  out = _mm512_mask_mov_epi8(out, kMacAndTtlProtocolBytes, _mm512_inserti32x4(c.ttlProtocol, macs, 0));
  // Both checksums (RFC 1624), from the flow's terms for the addresses and ports (checksumTerms)
  // and the frame's old words: each sum's bytes added up by one vpsadbw, low and high bytes apart,
  // then weighed, added and folded in qword lanes, where the checksums' words are.
  const __m512i terms = _mm512_permutex2var_epi8(h, c.termIndex, f);
  __m512i sums = _mm512_sllv_epi64(_mm512_sad_epu8(terms, c.termBias), c.termShift);
  sums = _mm512_add_epi64(sums, _mm512_shuffle_epi32(sums, _MM_PERM_BADC));
  sums = _mm512_add_epi64(_mm512_and_si512(sums, c.low16), _mm512_srli_epi64(sums, 16));
  sums = _mm512_add_epi64(_mm512_and_si512(sums, c.low16), _mm512_srli_epi64(sums, 16));
  // A UDP checksum that was 0 (the sender computed none) stays 0.
  const __mmask32 write = _kor_mask32(kIpChecksumWord, _mm512_mask_test_epi16_mask(kUdpChecksumWord, h, h));
  out = _mm512_mask_mov_epi16(out, write, _mm512_xor_si512(sums, c.complement));
  _mm512_storeu_si512(frame, out);  // bytes past the headers go back as they were read

  queueRelayed(ctx, m, flow, slot, highest, ahead);
  return true;
}

template <bool kHomes>
SBC_AVX512 inline uint16_t relayFastRunOf(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots,
                                          uint32_t fastMask, uint16_t start, uint16_t count) {
  const RelayVectors c = loadRelayVectors();
  // Read once: the packets' stores might alias the context.
  const MediaContext local = ctx;
  const uint16_t end = fastRunEnd(fastMask, start, count);
  uint16_t i = start;
  while (i < end && relayFastV4Vector<kHomes>(local, c, packets[i], local.flows[slots[i]], slots[i])) ++i;
  return i;
}

}  // namespace

SBC_AVX512 uint16_t relayFastRunAvx512(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots,
                                       uint32_t fastMask, uint16_t start, uint16_t count, bool homes) {
  return homes ? relayFastRunOf<true>(ctx, packets, slots, fastMask, start, count)
               : relayFastRunOf<false>(ctx, packets, slots, fastMask, start, count);
}

}  // namespace sbc::dataplane
