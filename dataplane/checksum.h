#pragma once
// Incremental Internet checksum update (RFC 1624, eqn. 3): HC' = ~(~HC + ~m + m'). The relay
// changes addresses and ports but never the payload, so it adjusts the UDP checksum by the
// words it changed instead of summing the whole datagram again.

#include <cstdint>
#include <cstring>

namespace sbc::dataplane {

// Folds a 64-bit accumulation of 16- or 32-bit words to the 16-bit one's complement sum.
// Adding a word to itself rotated by half its width leaves, in the upper half, the sum of both
// halves with the end-around carry already in: 64 → 32 → 16 bits in six instructions. (A sum of
// the two halves cannot carry out again after the first carry, so nothing is lost.) The result
// is 0 only for a sum of 0, as with repeated folding.
inline uint16_t foldOnesComplement(uint64_t sum) {
  const uint32_t half = static_cast<uint32_t>((sum + (sum << 32 | sum >> 32)) >> 32);
  return static_cast<uint16_t>((half + (half << 16 | half >> 16)) >> 16);
}

class ChecksumDelta {
 public:
  // Regions are whole 32-bit words (addresses, port pairs). Summing 32-bit words into a 64-bit
  // accumulator and folding at the end gives the same one's complement sum as 16-bit words
  // (RFC 1071 §2(B)), in half the additions; byte order does not matter as long as old and new
  // are read the same way.
  void remove(const void* bytes, unsigned length) { add(bytes, length, true); }
  void insert(const void* bytes, unsigned length) { add(bytes, length, false); }

  // Applies the delta to a checksum field as stored in the header.
  uint16_t apply(uint16_t checksum) const {
    return static_cast<uint16_t>(~foldOnesComplement(static_cast<uint16_t>(~checksum) + sum_));
  }

 private:
  void add(const void* bytes, unsigned length, bool complement) {
    const auto* p = static_cast<const uint8_t*>(bytes);
    for (unsigned i = 0; i < length; i += 4) {
      uint32_t word;
      std::memcpy(&word, p + i, 4);
      sum_ += complement ? ~word : word;
    }
  }
  uint64_t sum_ = 0;
};

// The one's complement sum of `length` bytes (RFC 1071), folded to 16 bits and not
// complemented: what rte_raw_cksum returns, read the same way (words in memory order, an odd
// last byte padded with zero). It adds 32-bit words into a 64-bit accumulator, sixteen bytes a
// step, where rte_raw_cksum adds 16-bit words one by one: the difference is what software
// checksum verification costs on ports without rx offload (af_packet, virtio without csum).
inline uint16_t onesComplementSum(const void* data, size_t length, uint64_t sum = 0) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (; length >= 16; p += 16, length -= 16) {
    uint32_t w[4];
    std::memcpy(w, p, sizeof w);
    sum += uint64_t{w[0]} + w[1] + w[2] + w[3];
  }
  for (; length >= 4; p += 4, length -= 4) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    sum += w;
  }
  if (length >= 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);
    sum += w;
    p += 2;
    length -= 2;
  }
  if (length == 1) {
    uint16_t w = 0;
    std::memcpy(&w, p, 1);
    sum += w;
  }
  return foldOnesComplement(sum);
}

// True when an IPv4 UDP datagram's checksum holds: pseudo-header plus datagram sum to 0xffff.
// `ipHeader` points at the IPv4 header, `udp` at `udpLength` bytes of UDP header and payload.
inline bool ipv4UdpChecksumHolds(const void* ipHeader, const void* udp, uint16_t udpLength) {
  uint8_t pseudo[12];
  std::memcpy(pseudo, static_cast<const uint8_t*>(ipHeader) + 12, 8);  // source, destination
  pseudo[8] = 0;
  pseudo[9] = 17;  // UDP
  pseudo[10] = static_cast<uint8_t>(udpLength >> 8);
  pseudo[11] = static_cast<uint8_t>(udpLength);
  return onesComplementSum(udp, udpLength, onesComplementSum(pseudo, sizeof pseudo)) == 0xffff;
}

// UDP sends 0 as "no checksum"; a computed 0 goes on the wire as 0xffff (RFC 768).
inline uint16_t udpChecksumForWire(uint16_t computed) { return computed == 0 ? 0xffff : computed; }

}  // namespace sbc::dataplane
