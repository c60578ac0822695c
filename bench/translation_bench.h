#pragma once
// `sbcbench translation`: what an address translation costs this machine, apart from the data.
//
// At 100k sessions and more, each relayed packet reads a flow line from a table of tens or
// hundreds of MiB: a miss in the TLB as much as in the caches. The flow pool sits on
// transparent huge pages, so a TLB on bare metal needs one entry per 2 MiB. Under a hypervisor
// that backs the guest with 4 KiB pages, the TLB holds 4 KiB translations whatever the guest
// maps, and each miss is a two-dimensional walk. This bench tells the two cases apart: a chase
// through N lines, one per 4 KiB page of huge-page memory, against the same N lines packed
// together (the same data footprint, a few pages). The ratio is the translations' share.

#include <cstdint>
#include <vector>

namespace sbc::bench {

struct TranslationOptions {
  std::vector<uint32_t> pageCounts{1024, 4096, 16384, 65536};
  uint64_t loads = 10'000'000;  // per chase
  bool json = false;
};

int runTranslationBench(const TranslationOptions& options);

}  // namespace sbc::bench
