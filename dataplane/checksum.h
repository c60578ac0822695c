#pragma once
// Incremental Internet checksum update (RFC 1624, eqn. 3): HC' = ~(~HC + ~m + m'). The relay
// changes addresses and ports but never the payload, so it adjusts the UDP checksum by the
// words it changed instead of summing the whole datagram again.

#include <cstdint>
#include <cstring>

namespace sbc::dataplane {

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
    uint64_t sum = static_cast<uint16_t>(~checksum) + sum_;
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
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

// UDP sends 0 as "no checksum"; a computed 0 goes on the wire as 0xffff (RFC 768).
inline uint16_t udpChecksumForWire(uint16_t computed) { return computed == 0 ? 0xffff : computed; }

}  // namespace sbc::dataplane
