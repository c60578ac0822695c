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
//
// A chase gives the latency of a miss; the relay keeps many in flight (it asks for a burst's
// flow lines a burst before it reads them). So the bench also walks a table of the flow pool's
// size at random, each line asked for a burst ahead and then counted on (read and written, as a
// flow's counters are), with no other work: the time per line is the floor that the memory
// system sets on a packet whose flow line misses, at that table size.

#include <cstdint>
#include <vector>

namespace sbc::bench {

struct TranslationOptions {
  // From within the first-level TLB through the second level's reach to far beyond it. On the
  // Intel Xeon guest: 64 pages cost nothing, 256 and 1,024 a second-level hit each (1.7 and 1.2
  // ns more than packed), 2,048 some walks, 4,096 and more a walk each (7 to 15 ns).
  std::vector<uint32_t> pageCounts{64, 256, 1024, 2048, 4096, 16384, 65536};
  uint64_t loads = 10'000'000;  // per chase
  // Tables walked at random: about the flow lines of 1k sessions, 100k both ways (12.5 MiB), 1M
  // one way (64 MiB) and 1M both ways.
  std::vector<uint32_t> tableMib{1, 16, 64, 128};
  uint64_t tableLines = 10'000'000;  // per table
  unsigned ahead = 32;               // lines asked for before the one read: a burst
  bool json = false;
};

int runTranslationBench(const TranslationOptions& options);

}  // namespace sbc::bench
