// First: DPDK 22.11's rte_vect.h declares its functions without C linkage for C++, and other DPDK
// headers include it.
extern "C" {
#include <rte_vect.h>
}

#include "dataplane/fast_path.h"

#include <rte_cpuflags.h>

#include <initializer_list>

namespace sbc::dataplane {

bool fastPathSupported(FastPath path) {
  if (path == FastPath::kScalar) return true;
  for (rte_cpu_flag_t flag : {RTE_CPUFLAG_AVX512F, RTE_CPUFLAG_AVX512BW, RTE_CPUFLAG_AVX512VL, RTE_CPUFLAG_AVX512VBMI})
    if (rte_cpu_get_flag_enabled(flag) <= 0) return false;
  // AVX-512's instructions on 256-bit vectors (no clock penalty for 512-bit work to fear).
  return rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256;
}

FastPath bestFastPath() { return fastPathSupported(FastPath::kAvx512) ? FastPath::kAvx512 : FastPath::kScalar; }

const char* fastPathName(FastPath path) { return path == FastPath::kAvx512 ? "avx512" : "scalar"; }

}  // namespace sbc::dataplane
