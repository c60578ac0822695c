#pragma once
// Which build of the packet path's fast paths a worker runs. Classify (classify_avx512.cc) and
// the media relay (media_relay_avx512.cc) each have an AVX-512 build of their common case beside
// the scalar one; both builds take the same packets and leave the same bytes, and the AVX-512
// one does it in the vector unit, which the scalar code leaves idle while it saturates the
// integer and load/store ports.

#include <cstdint>

namespace sbc::dataplane {

enum class FastPath : uint8_t { kScalar, kAvx512 };

// Whether this CPU can run `path` (AVX-512 F, BW, VL and VBMI) and DPDK's SIMD limit
// allows it (--force-max-simd-bitwidth: 256 bits by default on x86, for CPUs that slow their clock
// for 512-bit work; sbcd asks for 512 unless the operator gives a value).
bool fastPathSupported(FastPath path);
// The fastest supported path.
FastPath bestFastPath();
const char* fastPathName(FastPath path);

}  // namespace sbc::dataplane
