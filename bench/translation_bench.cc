#include "bench/translation_bench.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

namespace sbc::bench {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kLine = 64;
constexpr size_t kHugePage = 2u << 20;
// Where each chase ended: kept, so that the chase is not optimized away.
volatile uintptr_t chaseEnd = 0;

// Anonymous memory on transparent huge pages where the kernel grants them, as the flow pool is
// (FlowTable::create). Null when there is no memory.
struct HugeMapping {
  explicit HugeMapping(size_t bytes) : bytes(bytes) {
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    madvise(m, bytes, MADV_HUGEPAGE);
    base = static_cast<uint8_t*>(m);
    for (size_t i = 0; i < bytes; i += kPage) base[i] = 1;
  }
  ~HugeMapping() {
    if (base != nullptr) munmap(base, bytes);
  }
  HugeMapping(const HugeMapping&) = delete;
  HugeMapping& operator=(const HugeMapping&) = delete;
  uint8_t* base = nullptr;
  size_t bytes;
};

// KiB of the mapping at `address` that the kernel backs with huge pages (/proc/self/smaps).
uint64_t hugeKibAt(const void* address) {
  FILE* f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return 0;
  char line[256];
  bool inside = false;
  uint64_t kib = 0;
  const auto a = reinterpret_cast<uintptr_t>(address);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long long from = 0, to = 0;
    if (std::sscanf(line, "%llx-%llx ", &from, &to) == 2) {  // a mapping's first line
      inside = a >= from && a < to;
      continue;
    }
    unsigned long long value = 0;
    if (inside && std::sscanf(line, "AnonHugePages: %llu kB", &value) == 1) kib = value;
  }
  std::fclose(f);
  return kib;
}

// Links `places` (byte offsets into `base`) into one cycle in a random order and follows it
// `loads` times; returns ns per load. Each load depends on the one before, so the time is the
// latency of one access: its translation and its data.
double chase(uint8_t* base, const std::vector<size_t>& places, uint64_t loads) {
  std::vector<size_t> order(places.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
  for (size_t i = 0; i < order.size(); ++i) {
    void* next = base + places[order[(i + 1) % order.size()]];
    std::memcpy(base + places[order[i]], &next, sizeof next);
  }
  void* p = base + places[order[0]];
  for (size_t i = 0; i < places.size(); ++i) std::memcpy(&p, p, sizeof p);  // warm: caches and TLB
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < loads; ++i) std::memcpy(&p, p, sizeof p);
  const auto end = std::chrono::steady_clock::now();
  chaseEnd = reinterpret_cast<uintptr_t>(p);
  return std::chrono::duration<double, std::nano>(end - start).count() / static_cast<double>(loads);
}

// Walks `lines` random lines of the table at `base` (`bytes`), each asked for into L2 `ahead`
// lines before it is read and written, as the relay does with a burst's flow lines; returns ns
// per line. Nothing depends on a line's value, so only the memory system's throughput limits it.
double walkAtRandom(uint8_t* base, size_t bytes, uint64_t lines, unsigned ahead) {
  std::vector<uint32_t> order(size_t{1} << 20);  // a power of 2: the index wraps by a mask
  std::mt19937_64 random(7);
  for (uint32_t& line : order) line = static_cast<uint32_t>(random() % (bytes / kLine));
  const size_t mask = order.size() - 1;
  auto walk = [&](uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      __builtin_prefetch(base + size_t{order[(i + ahead) & mask]} * kLine, 0, 1);  // prefetcht2
      auto* counter = reinterpret_cast<uint64_t*>(base + size_t{order[i & mask]} * kLine);
      *counter += 1;
    }
  };
  walk(order.size());  // warm: caches and TLB
  const auto start = std::chrono::steady_clock::now();
  walk(lines);
  const auto end = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(end - start).count() / static_cast<double>(lines);
}

}  // namespace

int runTranslationBench(const TranslationOptions& o) {
  struct Row {
    uint32_t pages;
    double spread, packed;
    uint64_t hugeKib;
  };
  std::vector<Row> rows;
  for (uint32_t pages : o.pageCounts) {
    // Whole huge pages, and one more so that the spread lines start on a huge page boundary.
    const size_t span = (pages * kPage + kHugePage - 1) / kHugePage * kHugePage;
    HugeMapping memory(span + kHugePage);
    if (memory.base == nullptr) {
      std::fprintf(stderr, "sbcbench translation: no memory for %u pages\n", pages);
      return 1;
    }
    uint8_t* base = reinterpret_cast<uint8_t*>(
        (reinterpret_cast<uintptr_t>(memory.base) + kHugePage - 1) & ~uintptr_t{kHugePage - 1});
    // One line per 4 KiB page, at a different place in each, so that the lines spread over the
    // cache's sets as the packed ones do; and the same number of lines side by side.
    std::vector<size_t> spread(pages), packed(pages);
    for (uint32_t i = 0; i < pages; ++i) {
      spread[i] = size_t{i} * kPage + (i % (kPage / kLine)) * kLine;
      packed[i] = size_t{i} * kLine;
    }
    const double spreadNs = chase(base, spread, o.loads);
    const double packedNs = chase(base, packed, o.loads);
    rows.push_back({pages, spreadNs, packedNs, hugeKibAt(base)});
  }
  struct Walk {
    uint32_t mib;
    double ns;
  };
  std::vector<Walk> walks;
  for (uint32_t mib : o.tableMib) {
    const size_t bytes = size_t{mib} << 20;
    HugeMapping table(bytes);
    if (table.base == nullptr) {
      std::fprintf(stderr, "sbcbench translation: no memory for a %u MiB table\n", mib);
      return 1;
    }
    walks.push_back({mib, walkAtRandom(table.base, bytes, o.tableLines, o.ahead)});
  }
  if (o.json) {
    std::printf("{\"bench\":\"translation\",\"results\":[");
    for (size_t i = 0; i < rows.size(); ++i)
      std::printf("%s{\"pages\":%u,\"huge_kib\":%llu,\"ns_spread\":%.2f,\"ns_packed\":%.2f,\"ratio\":%.2f}",
                  i ? "," : "", rows[i].pages, static_cast<unsigned long long>(rows[i].hugeKib), rows[i].spread,
                  rows[i].packed, rows[i].spread / rows[i].packed);
    std::printf("],\"random_walks\":[");
    for (size_t i = 0; i < walks.size(); ++i)
      std::printf("%s{\"table_mib\":%u,\"ahead\":%u,\"ns_per_line\":%.2f}", i ? "," : "", walks[i].mib, o.ahead,
                  walks[i].ns);
    std::printf("]}\n");
  } else {
    for (const Row& r : rows)
      std::printf("%6u lines, one per 4 KiB page (%6.1f MiB, %llu KiB on huge pages): %6.2f ns a load; "
                  "packed: %6.2f ns; ratio %.2f\n",
                  r.pages, static_cast<double>(r.pages) * kPage / (1 << 20),
                  static_cast<unsigned long long>(r.hugeKib), r.spread, r.packed, r.spread / r.packed);
    for (const Walk& w : walks)
      std::printf("%4u MiB table, random lines each asked for %u ahead, read and written: %5.2f ns a line\n", w.mib,
                  o.ahead, w.ns);
  }
  return 0;
}

}  // namespace sbc::bench
