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
// allows it (--force-max-simd-bitwidth of 256 bits at least: the AVX-512 build's vectors are
// 256 bits wide; 128 keeps the scalar build).
bool fastPathSupported(FastPath path);
// The fastest supported path.
FastPath bestFastPath();
const char* fastPathName(FastPath path);

// The target of the AVX-512 builds' functions: an attribute, not a flag for their files, so that
// no AVX-512 copy of a shared inline function reaches a CPU without it. (Not a tuning: a function
// tuned unlike the inline functions it calls cannot inline them. dataplane/CMakeLists.txt tunes
// the two files.)
#define SBC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi")))

}  // namespace sbc::dataplane
