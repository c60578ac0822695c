#pragma once
// Classify's common case in AVX-512 (classify_avx512.cc): the checks and the key of
// classifyFastIpv4Udp (classify.cc) for a whole burst. A packet it refuses is left for the full
// parser, which knows every drop reason.

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/classify.h"

namespace sbc::dataplane {

// Puts every packet in out.udp (in order) and, for each that passes, its key in out.udpKeys, its
// flow table entry in out.udpEntries (with a `locator`), and its l2_len, l3_len and packet type in
// the mbuf; adds the frames' lengths to `rxBytes`. Returns the packets it refused, as bits. `mac`
// is the interface's. Call only where fastPathSupported(FastPath::kAvx512).
uint32_t classifyFastBurstAvx512(const uint8_t* mac, rte_mbuf** packets, uint16_t count, ClassifiedBurst& out,
                                 uint64_t& rxBytes, FlowTable::Locator* locator);

}  // namespace sbc::dataplane
