#pragma once
// The media flow table: FlowKey (port, local address, local UDP port) → Flow, read lock-free by
// workers, written by the control side alone.
//
// The SBC allocates its own media ports, so the key needs no hash. A directory of the local
// addresses in use (a handful per interface: found by one multiply and a probe or two, always in
// cache) gives each (port, address) an index; an array of 65,536 slots per indexed address, one
// per UDP port, gives the flow. A lookup is two dependent loads, and the second can be prefetched
// a whole burst before it is needed. rte_hash cost about 170 instructions a packet here.
//
// Flows live in a fixed pool allocated at start-up; a flow that is deleted or replaced goes back
// to the pool only after every worker has passed a quiescent state (rte_rcu_qsbr), so a worker
// never reads a recycled flow. Directory entries are never removed (there are as many as the
// SBC has local addresses in use), so a worker never reads a recycled one either.

#include <rte_branch_prediction.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "dataplane/flow.h"

namespace sbc::dataplane {

class FlowTable {
 public:
  // (port, address) pairs a table can index by default: 256 KiB of address space each,
  // reserved, not committed; the kernel gives a page only where a port is used.
  static constexpr uint32_t kDefaultMaxLocalAddresses = 1024;
  static constexpr uint32_t kMaxBulk = 64;

  // `rcu` is the workers' QSBR variable; it outlives the table.
  static std::unique_ptr<FlowTable> create(uint32_t capacity, rte_rcu_qsbr* rcu, const char* name,
                                           uint32_t maxLocalAddresses = kDefaultMaxLocalAddresses);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // ---- worker side (lock-free) ----
  // Where the flow slot of `key` is published: an entry that never moves, so it may be kept
  // across quiescent states. Read it with slotAt(). A key whose (port, address) the table has
  // never seen gets an entry of the never-written array, which reads as "no flow".
  const std::atomic<uint32_t>* entryFor(const FlowKey& key) const {
    uint64_t w[3];
    std::memcpy(w, &key, sizeof w);
    return portsOf(findAddress(w)) + (w[2] & kUdpPortMask);
  }
  // The flow slot an entry holds, or kNoSlot. A slot is valid until the reader's next
  // quiescent state.
  static uint32_t slotAt(const std::atomic<uint32_t>* entry) {
    return entry->load(std::memory_order_acquire) - 1;
  }
  static constexpr uint32_t kNoSlot = 0xffffffffu;

  // A worker's own memory of the (port, address)es it has located, direct-mapped, so that a
  // burst spread over many of the SBC's addresses (a million sessions need dozens) does not
  // search the directory for every packet. An address in the directory keeps its index, and so
  // its port array, for the table's life: an entry never goes stale. An address the directory
  // does not hold is not remembered (it may be added). One per worker: workers write it.
  struct AddressCache {
    static constexpr unsigned kBits = 6;
    struct Entry {
      uint64_t words[3] = {0, 0, 0};  // a key's words, UDP port cleared; all zero matches no key
      const std::atomic<uint32_t>* ports = nullptr;
    };
    Entry entries[1u << kBits];
  };

  // Finds keys' entries over one burst and asks for their cache lines, one by one as a caller
  // makes its keys (classify's AVX-512 path) or all at once (locateAll).
  class Locator {
   public:
    Locator(const FlowTable& table, AddressCache& cache) : table_(table), cache_(cache) {}
    // A key as its three words (see FlowKey).
    const std::atomic<uint32_t>* locate(uint64_t w0, uint64_t w1, uint64_t w2) {
      // A burst mostly goes to one or a few of the SBC's addresses: the previous key's address
      // is tried first, then the worker's cache, then the directory.
      const uint64_t rest = w2 & ~kUdpPortMask;
      if (((w0 ^ last0_) | (w1 ^ last1_) | (rest ^ lastRest_)) != 0) {
        last0_ = w0;
        last1_ = w1;
        lastRest_ = rest;
        const AddressCache::Entry& e = cache_.entries[cacheIndex(w0, w1, rest)];
        ports_ = e.ports;
        if (unlikely(((e.words[0] ^ w0) | (e.words[1] ^ w1) | (e.words[2] ^ rest)) != 0))
          ports_ = table_.remember(cache_, w0, w1, rest);
      }
      const std::atomic<uint32_t>* entry = ports_ + (w2 & kUdpPortMask);
      rte_prefetch0(entry);
      return entry;
    }
    // Each of `count` keys' entries, their cache lines asked for.
    void locateAll(const FlowKey* keys, uint32_t count, const std::atomic<uint32_t>** entries) {
      for (uint32_t i = 0; i < count; ++i) {
        // The words one by one, in registers: a key copied whole goes through the stack.
        const uint8_t* key = reinterpret_cast<const uint8_t*>(&keys[i]);
        uint64_t w0, w1, w2;
        std::memcpy(&w0, key, 8);
        std::memcpy(&w1, key + 8, 8);
        std::memcpy(&w2, key + 16, 8);
        entries[i] = locate(w0, w1, w2);
      }
    }

   private:
    const FlowTable& table_;
    AddressCache& cache_;
    uint64_t last0_ = 0, last1_ = 0, lastRest_ = 0;  // matches no key (family is 4 or 6)
    const std::atomic<uint32_t>* ports_ = nullptr;
  };

  // Flow lookup in two steps, so that a worker can do other work while the entries come in:
  // locateBulk finds each key's entry and asks for its cache line; slotAt reads it later.
  // The table stores slots, not pointers, so that a worker can compute the address of a flow
  // and of its counters without first reading the flow (another cache miss).
  void locateBulk(const FlowKey* keys, uint32_t count, const std::atomic<uint32_t>** entries,
                  AddressCache& cache) const {
    Locator(*this, cache).locateAll(keys, count, entries);
  }
  // Both steps at once, for up to kMaxBulk keys: bit i of the result is set when keys[i] was
  // found, and then slots[i] is its flow's slot.
  uint64_t lookupBulk(const FlowKey* keys, uint32_t count, uint32_t* slots) const {
    const std::atomic<uint32_t>* entries[kMaxBulk];
    AddressCache cache;
    locateBulk(keys, count, entries, cache);
    uint64_t hits = 0;
    for (uint32_t i = 0; i < count; ++i) {
      slots[i] = slotAt(entries[i]);
      hits |= uint64_t{slots[i] != kNoSlot} << i;
    }
    return hits;
  }
  Flow* lookup(const FlowKey& key) const;
  Flow* pool() const { return pool_; }
  FlowCold* coldPool() const { return cold_; }
  // A flow's slot: its place in the pool, in the cold pool and in the workers' FlowStats.
  uint32_t slotOf(const Flow* flow) const { return static_cast<uint32_t>(flow - pool_); }
  FlowCold& coldOf(const Flow* flow) const { return cold_[slotOf(flow)]; }

  // ---- control side (single writer) ----
  Flow* allocate();                    // null when the pool is empty
  void release(Flow* unpublished);     // a flow that was never published
  // Adds the key or replaces its flow; the replaced flow is retired. False when the key's
  // (port, address) would be one more than maxLocalAddresses().
  bool publish(const FlowKey& key, Flow* flow);
  bool remove(const FlowKey& key);     // the flow is retired
  void reclaim();                      // frees retired flows whose grace period is over

  uint32_t capacity() const { return capacity_; }
  uint32_t maxLocalAddresses() const { return maxAddresses_; }
  uint32_t inUse() const { return capacity_ - static_cast<uint32_t>(freeList_.size()); }

 private:
  static constexpr uint32_t kNoAddress = 0xffffffffu;
  static constexpr uint64_t kUdpPortMask = 0xffff;  // word 2 of a FlowKey: the UDP port's bits

  // One (port, family, address): word 0-1 the address, word 2 the rest of a FlowKey with the
  // UDP port cleared. `number` is the address's index + 1, written last: 0 is a free entry.
  struct alignas(32) DirectoryEntry {
    uint64_t words[3];
    std::atomic<uint32_t> number{0};
  };

  uint32_t directoryHash(const uint64_t* w) const {
    const uint64_t x = (w[0] + w[1] * 0xff51afd7ed558ccdull + (w[2] & ~kUdpPortMask)) * 0x9e3779b97f4a7c15ull;
    return static_cast<uint32_t>(x >> 32) & directoryMask_;
  }
  uint32_t findAddress(const uint64_t* w) const {
    const uint64_t rest = w[2] & ~kUdpPortMask;
    uint32_t h = directoryHash(w);
    const uint32_t probes = maxProbes_.load(std::memory_order_acquire);
    for (uint32_t p = 0; p <= probes; ++p, h = (h + 1) & directoryMask_) {
      const DirectoryEntry& e = directory_[h];
      const uint32_t number = e.number.load(std::memory_order_acquire);
      if (number == 0) break;
      if (((e.words[0] ^ w[0]) | (e.words[1] ^ w[1]) | (e.words[2] ^ rest)) == 0) return number - 1;
    }
    return kNoAddress;
  }
  uint32_t addAddress(const uint64_t* w);  // control side; kNoAddress when the directory is full
  static uint32_t cacheIndex(uint64_t w0, uint64_t w1, uint64_t rest) {
    return static_cast<uint32_t>(((w0 ^ w1 ^ rest) * 0x9e3779b97f4a7c15ull) >> (64 - AddressCache::kBits));
  }
  // The directory's answer for an address the cache missed, remembered when it is one.
  __attribute__((noinline)) const std::atomic<uint32_t>* remember(AddressCache& cache, uint64_t w0, uint64_t w1,
                                                                  uint64_t rest) const {
    const uint64_t w[3] = {w0, w1, rest};
    const uint32_t address = findAddress(w);
    const std::atomic<uint32_t>* ports = portsOf(address);
    if (address != kNoAddress) {
      AddressCache::Entry& e = cache.entries[cacheIndex(w0, w1, rest)];
      e.words[0] = w0;
      e.words[1] = w1;
      e.words[2] = rest;
      e.ports = ports;
    }
    return ports;
  }
  // An address's 65,536 entries. Past the last address there is one more array that is never
  // written: kNoAddress gets that one, so that a lookup needs no branch for it.
  const std::atomic<uint32_t>* portsOf(uint32_t address) const {
    return ports_ + (static_cast<size_t>(address == kNoAddress ? maxAddresses_ : address) << 16);
  }

  FlowTable() = default;
  void retire(Flow* flow);
  static void freeRetired(void* self, void* elements, unsigned count);

  rte_rcu_qsbr* rcu_ = nullptr;
  rte_rcu_qsbr_dq* deferred_ = nullptr;
  DirectoryEntry* directory_ = nullptr;  // a power of two of entries, at most half of them used
  uint32_t directoryMask_ = 0;
  std::atomic<uint32_t> maxProbes_{0};  // the longest probe any entry of the directory needs
  uint32_t addresses_ = 0;
  uint32_t maxAddresses_ = 0;
  std::atomic<uint32_t>* ports_ = nullptr;  // 65,536 entries per address, slot + 1 (0: none),
                                            // for maxAddresses_ + 1 addresses
  size_t portsBytes_ = 0;
  Flow* pool_ = nullptr;
  size_t poolBytes_ = 0;
  FlowCold* cold_ = nullptr;  // cold_[i] belongs to pool_[i]
  uint32_t capacity_ = 0;
  std::vector<uint32_t> freeList_;
};

}  // namespace sbc::dataplane
