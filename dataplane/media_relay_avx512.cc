// The relay's fast path in AVX-512 (media_relay_fast.h): the same checks and rewrite as
// relayFastV4 in media_relay.cc, made from one 256-bit load of the packet's IPv4, UDP and RTP
// headers and one of its flow's first 32 bytes, and stored with one 256-bit store (the MACs: two
// scalar stores). The instructions are AVX-512's (byte permutes, compares into masks), on
// 256-bit vectors (see kWindow). The scalar path keeps the integer
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
// Only the functions below are built for AVX-512 (SBC_AVX512, a target attribute, not a flag for
// the whole file): inline functions of shared headers that this file does not inline stay plain
// x86-64, so that no AVX-512 copy of one can reach a CPU without it.

#include <immintrin.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <array>
#include <cstddef>

#include "dataplane/media_relay_fast.h"
#include "dataplane/fast_path.h"
#include "dataplane/unaligned.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wmaybe-uninitialized
// reports at every use. Clang has no such warning, and warns of the unknown name.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace sbc::dataplane {
namespace {

// The relay reads and rewrites a frame's bytes 14 to 45 (IPv4, UDP, the RTP header's first four
// bytes) as one 256-bit vector; the MACs before them are two scalar stores. 512-bit vectors held
// the whole header, but Zen 4 runs each 512-bit operation as two 256-bit halves, as any CPU whose
// vector units are 256 bits wide does. With classify's windows (classify_avx512.cc): sbcbench
// relay at 1k sessions both ways on the Zen 4 guest, 8 alternated pairs, 34.7 -> 33.4 ns a packet
// (ratio 0.538 -> 0.553).
constexpr unsigned kWindow = sizeof(rte_ether_hdr);
// Where things are in that window (untagged IPv4/UDP/RTP, as a fast candidate is) ...
constexpr unsigned kIpTtl = 22 - kWindow, kIpChecksum = 24 - kWindow, kIpSource = 26 - kWindow;
constexpr unsigned kIpDestination = 30 - kWindow, kUdpPorts = 34 - kWindow, kUdpChecksum = 40 - kWindow;
constexpr unsigned kRtp = 42 - kWindow;
constexpr unsigned kUdpLength = 38;  // in the frame
static_assert(kRtp + 4 <= 32, "the RTP header's first word is in the window");
// ... and in a flow's first 32 bytes (Flow's layout puts there what the relay reads).
constexpr unsigned kLatched = offsetof(Flow, latchedV4);
constexpr unsigned kEgressV4 = offsetof(Flow, egressV4);
constexpr unsigned kEgressPort = offsetof(Flow, egressPortBe);
constexpr unsigned kLeaving = offsetof(Flow, checksumLeaving);
constexpr unsigned kPeerV4 = offsetof(Flow, destination) + offsetof(FlowDestination, peerV4);
constexpr unsigned kPeerPort = offsetof(Flow, destination) + offsetof(FlowDestination, peerPortBe);
constexpr unsigned kPeerFamily = offsetof(Flow, destination) + offsetof(FlowDestination, peerFamily);
constexpr unsigned kEntering = offsetof(Flow, destination) + offsetof(FlowDestination, checksumEntering);
static_assert(kLatched + 8 <= 32 && kEgressV4 + 4 <= 32 && kEgressPort + 2 <= 32 && kLeaving + 4 <= 32 &&
                  kPeerV4 + 4 <= 32 && kPeerPort + 2 <= 32 && kPeerFamily < 32 && kEntering + 4 <= 32,
              "the flow's first 32 bytes hold what the fast path reads");
// A byte of the window that is 0 in every packet the fast path takes: the low byte of the IPv4
// fragment offset (classify refuses fragments). The permutes fill their unused lanes from it
// rather than through a mask: the identity check compares it with latchedV4's top byte, which is
// 0, so a packet where it is not 0 never gets past that check to the checksums.
constexpr uint8_t kZeroByte = 21 - kWindow;

// The byte tables of the vector constants, built at compile time (no start-up code: it would run
// on CPUs without AVX-512 too). Indices of 32 and above in a two-source permute pick the flow's
// bytes.
enum Table {
  kIdentityIndex,   // the packet's source address and port, moved under latchedV4
  kFlowWant,        // what a flow line must hold where kFlowCare is set (after the move above)
  kFlowCare,
  kRangeBias,       // (byte - bias) <= limit, unsigned: RTP version 2 and not RTCP (RFC 5761 §4)
  kRangeLimit,
  kRewriteIndex,    // the new addresses and ports, from the flow line (indices 32 + offset)
  kTermIndex,       // the checksums' terms, byte by byte, from the frame and the flow line (32 + offset)
  kTermBias,        // what vpsadbw subtracts: 0xff complements a byte, others add a constant
  kTermShift,       // qword lanes: the high bytes' sums weigh 256
  kComplement,      // 16-bit lanes: the IP checksum is its sum's complement; the new TTL and protocol
  kSumKept,         // 16-bit lanes: the sums' words where the checksums are
  kChecksumWords,   // 16-bit lanes: the words written from the sums: the two checksums', TTL-protocol
  kIpChecksumSet,   // 16-bit lanes: nonzero in the words always written (IP checksum, TTL-protocol)
  kTables
};
using Tables = std::array<std::array<uint8_t, 32>, kTables>;

constexpr Tables makeTables() {
  Tables t{};
  const uint8_t identity[6] = {kIpSource, kIpSource + 1, kIpSource + 2, kIpSource + 3, kUdpPorts, kUdpPorts + 1};
  for (unsigned i = 0; i < 32; ++i) t[kIdentityIndex][i] = t[kTermIndex][i] = kZeroByte;
  for (unsigned i = 0; i < 6; ++i) {
    t[kIdentityIndex][kLatched + i] = identity[i];
    t[kFlowCare][kLatched + i] = 0xff;
  }
  // latchedV4's marker (v4Identity): byte 6 is 1 and byte 7 is 0 for an admitted IPv4 source.
  t[kFlowWant][kLatched + 6] = 1;
  t[kFlowCare][kLatched + 6] = t[kFlowCare][kLatched + 7] = 0xff;
  t[kFlowWant][kPeerFamily] = static_cast<uint8_t>(IpFamily::kV4);
  t[kFlowCare][kPeerFamily] = 0xff;
  for (unsigned i = 0; i < 32; ++i) {
    t[kRangeLimit][i] = 0xff;  // never above
    t[kRewriteIndex][i] = static_cast<uint8_t>(i);
  }
  t[kRangeBias][kRtp] = 0x80;      // version 2: 0x80..0xbf
  t[kRangeLimit][kRtp] = 0x3f;
  t[kRangeBias][kRtp + 1] = 224;   // payload type byte 192..223: RTCP
  t[kRangeLimit][kRtp + 1] = 223;
  for (unsigned i = 0; i < 4; ++i) {
    t[kRewriteIndex][kIpSource + i] = static_cast<uint8_t>(32 + kEgressV4 + i);
    t[kRewriteIndex][kIpDestination + i] = static_cast<uint8_t>(32 + kPeerV4 + i);
  }
  for (unsigned i = 0; i < 2; ++i) {
    t[kRewriteIndex][kUdpPorts + i] = static_cast<uint8_t>(32 + kEgressPort + i);
    t[kRewriteIndex][kUdpPorts + 2 + i] = static_cast<uint8_t>(32 + kPeerPort + i);
  }
  // The terms' bytes go in two pairs of qwords, the IP sum's in qwords 0 and 1, the UDP one's in
  // 2 and 3, high bytes in the first of each pair. The IP sum takes the old checksum and
  // TTL-protocol word leaving (complemented by their bias), the flow's terms for the addresses
  // and ports leaving and entering (checksumLeaving, checksumEntering), and the new TTL-protocol
  // word as the bias of a byte the permute leaves 0; the checksum is its complement. The UDP sum
  // takes their complements instead, the old checksum as it is: in ones' complement that sum is
  // the checksum, and it is never 0 (RFC 768's 0 goes as 0xffff). Each sum ends in its pair's
  // second qword, in its word 1 (bytes 10-11 and 26-27, where the checksums are) once folded.
  static_assert(kIpChecksum == 8 + 2 && kUdpChecksum == 24 + 2, "each sum lands in word 1 of a qword");
  for (unsigned half = 0; half < 2; ++half) {
    const unsigned ip = 8 * (1 - half), udp = 8 * (3 - half);  // low bytes, then high
    t[kTermIndex][ip] = static_cast<uint8_t>(kIpChecksum + half);
    t[kTermIndex][ip + 1] = static_cast<uint8_t>(kIpTtl + half);
    t[kTermIndex][ip + 2] = static_cast<uint8_t>(32 + kLeaving + half);
    t[kTermIndex][ip + 3] = static_cast<uint8_t>(32 + kEntering + half);
    t[kTermBias][ip] = t[kTermBias][ip + 1] = 0xff;
    t[kTermBias][ip + 4] = half == 0 ? kOriginTtl : uint8_t{IPPROTO_UDP};
    t[kTermIndex][udp] = static_cast<uint8_t>(kUdpChecksum + half);
    t[kTermIndex][udp + 1] = static_cast<uint8_t>(32 + kLeaving + 2 + half);
    t[kTermIndex][udp + 2] = static_cast<uint8_t>(32 + kEntering + 2 + half);
    t[kTermBias][udp + 1] = t[kTermBias][udp + 2] = 0xff;
  }
  t[kTermShift][0] = t[kTermShift][16] = 8;
  t[kComplement][kIpChecksum] = t[kComplement][kIpChecksum + 1] = 0xff;
  t[kComplement][kIpTtl] = kOriginTtl;
  t[kComplement][kIpTtl + 1] = IPPROTO_UDP;
  for (const unsigned word : {kIpChecksum, kUdpChecksum}) t[kSumKept][word] = t[kSumKept][word + 1] = 0xff;
  for (const unsigned word : {kIpTtl, kIpChecksum, kUdpChecksum})
    t[kChecksumWords][word] = t[kChecksumWords][word + 1] = 0xff;
  t[kIpChecksumSet][kIpChecksum] = t[kIpChecksumSet][kIpTtl] = 1;
  return t;
}

alignas(64) constexpr Tables kTableBytes = makeTables();

static_assert(kIpChecksum % 2 == 0 && kUdpChecksum % 2 == 0, "16-bit lanes");

struct RelayVectors {
  __m256i identityIndex, flowWant, flowCare, rangeBias, rangeLimit;
  __m256i rewriteIndex;
  __m256i termIndex, termBias, termShift, complement, sumKept, checksumWords, ipChecksumSet;
};

SBC_AVX512 inline __m256i loadTable(Table t) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(kTableBytes[t].data()));
}

SBC_AVX512 inline RelayVectors loadRelayVectors() {
  return {loadTable(kIdentityIndex), loadTable(kFlowWant),    loadTable(kFlowCare),
          loadTable(kRangeBias),     loadTable(kRangeLimit),  loadTable(kRewriteIndex),
          loadTable(kTermIndex),     loadTable(kTermBias),    loadTable(kTermShift),
          loadTable(kComplement),    loadTable(kSumKept),     loadTable(kChecksumWords), loadTable(kIpChecksumSet)};
}

// relayFastV4, in vectors. Returns false, having changed nothing, where it would: also, with
// kHomes, where the flow's home mark is missing (relayFastRunAvx512), which it reads first. The
// mark's test is here rather than in the run's loop condition, where GCC kept half of the vector
// constants out of registers (sbcbench relay at 100k sessions both ways: 0.535 against 0.5505).
// Always inlined: called from two loops (with and without the next burst's asks), GCC made it a
// call, and the context and the vector constants went through the stack (0.5155 against 0.549
// at 1k sessions both ways).
template <bool kHomes>
SBC_AVX512 __attribute__((always_inline)) inline bool relayFastV4Vector(const MediaContext& ctx, const RelayVectors& c,
                                                                        rte_mbuf* m, Flow& flow, uint32_t slot) {
  if (kHomes && unlikely(!flow.atHome())) return false;
  uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
  // A fast candidate's UDP datagram holds 12 bytes of RTP header at least, and its segment holds
  // the datagram whole (classify checked the lengths: fastCandidate), so the window, which ends 4
  // bytes into the RTP header, is within the frame.
  static_assert(kWindow + 32 <= (kUdpLength - 4) + kMinFastUdpLength, "the window ends within the datagram");
  const __m256i h = _mm256_loadu_epi8(frame + kWindow);
  // The destination under its seqlock: the flow's load between two reads of the sequence.
  const FlowDestination& d = flow.destination;
  const uint32_t sequence = d.sequence.load(std::memory_order_acquire);
  const __m256i f = _mm256_load_si256(reinterpret_cast<const __m256i*>(&flow));
  const uint64_t hop = load64(&d.neighborIndex);  // neighbour index, then the direct MAC
  std::atomic_thread_fence(std::memory_order_acquire);
  const uint32_t after = d.sequence.load(std::memory_order_relaxed);

  // From the latched source (latchedV4 also closes the path: 0 or kNotFast never match), toward
  // an IPv4 peer; RTP version 2, not RTCP. Each test keeps the lanes that passed the one before
  // (a masked compare), so that one test of the last mask says whether all passed, with no
  // operations between masks (one a cycle on Zen 4).
  const __m256i identity = _mm256_ternarylogic_epi32(_mm256_permutexvar_epi8(c.identityIndex, h), f,
                                                     c.flowWant, 0x96);  // xor of the three
  const __mmask32 good = _mm256_mask_cmple_epu8_mask(_mm256_testn_epi8_mask(identity, c.flowCare),
                                                     _mm256_sub_epi8(h, c.rangeBias), c.rangeLimit);
  if (!_kortestc_mask32_u8(good, good)) return false;
  // Even (no write under way) and unchanged: the writers only ever add to it.
  if (after != (sequence & ~1u)) return false;
  const uint32_t highest = flow.highestSequence.load(std::memory_order_relaxed);
  const int32_t ahead = Flow::sequenceAhead(highest, __builtin_bswap16(load16(frame + kWindow + kRtp + 2)));
  if (unlikely(isSequenceJump(ahead))) return false;
  const uint32_t newHighest = Flow::highestAfter(highest, ahead);
  uint64_t dstMac;
  if (unlikely(!nextHopMac(ctx, hop, dstMac))) return false;
  TxBuffer& tx = ctx.tx[flow.egressInterface];
  const EgressHeader& egress = tx.egress;
  // Nothing refuses the packet from here on: its MACs go now, and need no register through the
  // vector work below (GCC kept them on the stack).
  const uint64_t macs = dstMac | egress.sourceHead;
  std::memcpy(frame, &macs, 8);
  std::memcpy(frame + 8, &egress.sourceTail, 4);

  // The new headers: addresses and ports from the flow, then both checksums (RFC 1624), from the
  // flow's terms for the addresses and ports (checksumTerms) and the frame's old words: each
  // sum's bytes added up by one vpsadbw, low and high bytes apart, then weighed and added in
  // qword lanes. Each sum is below 2^20, in its qword's low dword (H:L): H:L + L:H, rotated,
  // holds H + L with its carry added back in its high word, the sum folded to 16 bits where the
  // checksum goes. (Folded by masks and shifts, it took five operations more.)
  const __m256i rewritten = _mm256_permutex2var_epi8(h, c.rewriteIndex, f);
  const __m256i terms = _mm256_permutex2var_epi8(h, c.termIndex, f);
  __m256i sums = _mm256_sllv_epi64(_mm256_sad_epu8(terms, c.termBias), c.termShift);
  sums = _mm256_add_epi64(sums, _mm256_shuffle_epi32(sums, _MM_PERM_BADC));
  sums = _mm256_add_epi32(sums, _mm256_rol_epi32(sums, 16));
  // A UDP checksum that was 0 (the sender computed none) stays 0: only checksum words that are
  // not 0 are written, the IP one's made so. The new TTL and protocol, which the IP sum has taken
  // in, go in the same blend, as a word always written: the sums kept where the checksums are
  // (sumKept), xor the complement's bytes, which hold the TTL and protocol in their word.
  const __mmask16 write = _mm256_test_epi16_mask(_mm256_or_si256(h, c.ipChecksumSet), c.checksumWords);
  const __m256i out =
      _mm256_mask_mov_epi16(rewritten, write, _mm256_ternarylogic_epi32(sums, c.sumKept, c.complement, 0x6a));
  _mm256_storeu_epi8(frame + kWindow, out);  // bytes past the headers go back as read

  queueRelayed(ctx, tx, m, flow, slot, newHighest);
  return true;
}

template <bool kHomes, bool kAsk>
SBC_AVX512 inline uint16_t relayFastRunOf(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots,
                                          uint32_t fastMask, uint16_t start, uint16_t count) {
  const RelayVectors c = loadRelayVectors();
  // Read once: the packets' stores might alias the context.
  const MediaContext local = ctx;
  const uint16_t end = fastRunEnd(fastMask, start, count);
  uint16_t i = start;
  local.bringFirstLines(slots, start);
  while (i < end) {
    if constexpr (kAsk) local.askForNextLine(i);
    local.bringLineAhead(slots, i);
    if (!relayFastV4Vector<kHomes>(local, c, packets[i], local.flows[slots[i]], slots[i])) break;
    ++i;
  }
  return i;
}

}  // namespace

SBC_AVX512 uint16_t relayFastRunAvx512(MediaContext& ctx, rte_mbuf** packets, const uint32_t* slots,
                                       uint32_t fastMask, uint16_t start, uint16_t count, bool homes) {
  if (ctx.nextHomes != nullptr)
    return homes ? relayFastRunOf<true, true>(ctx, packets, slots, fastMask, start, count)
                 : relayFastRunOf<false, true>(ctx, packets, slots, fastMask, start, count);
  return homes ? relayFastRunOf<true, false>(ctx, packets, slots, fastMask, start, count)
               : relayFastRunOf<false, false>(ctx, packets, slots, fastMask, start, count);
}

}  // namespace sbc::dataplane
