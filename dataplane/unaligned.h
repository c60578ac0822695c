#pragma once
// Unaligned loads from packet bytes, in the bytes' own order: memcpy, which compilers turn into
// one mov, so headers can be read as words wherever they sit in the frame.

#include <cstdint>
#include <cstring>

namespace sbc::dataplane {

inline uint16_t load16(const void* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline uint32_t load32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t load64(const void* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace sbc::dataplane
