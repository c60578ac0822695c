#pragma once
// Each worker owns one of these and is the only writer; `show` sums them over workers. No
// atomics: a reader on another core may see a value a few packets old, never a torn one
// (aligned 8-byte stores are single-copy atomic on the CPUs DPDK supports).

#include <cstdint>

#include "dataplane/drop_reasons.h"
#include "dataplane/interface_table.h"

namespace sbc::dataplane {

struct alignas(64) WorkerCounters {
  uint64_t rxPackets[kMaxInterfaces];
  uint64_t rxBytes[kMaxInterfaces];
  uint64_t txPackets[kMaxInterfaces];
  uint64_t txBytes[kMaxInterfaces];
  uint64_t drops[kDropReasonCount];
  uint64_t mediaPackets;
  uint64_t rtcpPackets;
  uint64_t exceptionPackets;
  uint64_t latches;
  uint64_t relatches;
  uint64_t neighborUpdates;
  uint64_t polls;      // passes of the worker loop
  uint64_t busyPolls;  // passes that received or sent something

  void drop(DropReason r) { ++drops[static_cast<unsigned>(r)]; }
  void drop(DropReason r, uint64_t n) { drops[static_cast<unsigned>(r)] += n; }
};

}  // namespace sbc::dataplane
