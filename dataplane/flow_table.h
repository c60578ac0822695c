#pragma once
// The media flow table: FlowKey (port, local address, local UDP port) → Flow, read lock-free by
// workers, written by the control side alone.
//
// The SBC allocates its own media ports, so the key needs no hash. A directory of the local
// addresses in use (a handful per interface: found by one multiply and a probe or two, always in
// cache) gives each (port, address) an index; an array of 65,536 entries per indexed address, one
// per UDP port, gives the flow's slot. rte_hash cost about 170 instructions a packet here.
//
// Each key also has a home: the slot whose number is its entry's place in those arrays (address
// index × 65,536 + port), which a worker knows from the key alone. A flow is put in its key's home
// slot whenever that slot is free, and then carries a mark (Flow::atHome) while it is the key's
// published flow. So a worker prefetches the home flow line straight from the key and, finding
// the mark, never reads the entry: at 100k sessions and more that read was the relay's largest
// cost (a line fill and a page walk a packet). A flow that cannot be at home (an update, while
// the old flow at home waits out its grace period) takes a slot of the overflow region beyond the
// homes, found through the entry as before.
//
// Flows live in slots handed out by the control side; a flow that is deleted or replaced goes back
// only after every worker has passed a quiescent state (rte_rcu_qsbr), so a worker never reads a
// recycled flow. Directory entries are never removed (there are as many as the SBC has local
// addresses in use), so a worker never reads a recycled one either, and a home slot only ever
// holds flows of its own key.
//
// The slots' memory (flow lines, cold parts, and the workers' per-slot arrays, mapSlotArray) is
// reserved for every home and overflow slot, and committed a chunk at a time by the control side
// when it first hands out a slot of the chunk: never a page fault on a worker.

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
  // (port, address) pairs a table can index by default. Each has 65,536 entries and as many home
  // slots of address space, reserved, not committed: the kernel gives a page only where a port
  // is used.
  static constexpr uint32_t kDefaultMaxLocalAddresses = 1024;
  static constexpr uint32_t kMaxBulk = 64;
  // Slots committed at once: 256 KiB of flow lines (which are on huge pages where the kernel
  // has them: the kernel then commits 2 MiB of them at a time), 512 KiB of cold parts.
  static constexpr uint32_t kChunkSlots = 4096;

  // `capacity`: how many flows may exist at once, published or waiting out a grace period.
  // `rcu` is the workers' QSBR variable; it outlives the table.
  static std::unique_ptr<FlowTable> create(uint32_t capacity, rte_rcu_qsbr* rcu, const char* name,
                                           uint32_t maxLocalAddresses = kDefaultMaxLocalAddresses);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // ---- worker side (lock-free) ----
  // The slot of the flow published for the key whose home is `home`, or kNoSlot: the home slot
  // itself when its flow is marked, else what the key's entry holds. A slot is valid until the
  // reader's next quiescent state.
  uint32_t slotFrom(uint32_t home) const {
    if (likely(pool_[home].atHome())) return home;
    return slotAt(&ports_[home]);
  }
  static constexpr uint32_t kNoSlot = 0xffffffffu;

  // A worker's own memory of the (port, address)es it has located, direct-mapped, so that a
  // burst spread over many of the SBC's addresses (a million sessions need dozens) does not
  // search the directory for every packet. An address in the directory keeps its index, and so
  // its homes, for the table's life: an entry never goes stale. An address the directory does
  // not hold is not remembered (it may be added). One per worker: workers write it.
  //
  // 512 entries (16 KiB, of which a worker touches one line per address in use): two addresses
  // that share an entry evict each other at every turn, and each miss costs a search of the
  // directory. With 64 entries, a million sessions' 50 addresses (25 per realm, 40,000 ports
  // each, as sbcbench lays them out) took 37 entries; with 512 they take 50. sbcbench relay at
  // 1M sessions both ways, 3 alternated pairs: ratio 0.421 -> 0.446 (34.4 -> 32.4 ns a packet);
  // 1k the same (4 pairs, 0.5385 against 0.543).
  //
  // An entry is found by its tag (tagOf), one word: an IPv4 key's whole but for the UDP port, so
  // that classify's AVX-512 path, whose keys are all IPv4, tests one word (Locator::findV4). An
  // IPv6 key's tag holds a fold of its address, which the words then tell apart.
  struct AddressCache {
    static constexpr unsigned kBits = 9;
    struct Entry {
      uint64_t tag = 0;               // 0 matches no key: no key's family is 0
      uint64_t words[2] = {0, 0};     // the key's address words
      uint32_t homes = 0;             // the address's first home slot
    };
    // The tag's part from a key's third word with its UDP port cleared (`rest`: the port id and
    // the family), below the address: the port id in bits 0-15, the family in 16-23.
    static uint64_t restTag(uint64_t rest) { return rest >> 16; }
    // A key's tag: an IPv4 address fills the high 32 bits (its second word is 0), and the tags of
    // two IPv4 keys are the same only where the keys are but for the UDP port. An IPv6 key's has
    // the low 32 bits of its address words' xor there, and another family. (With the address in
    // the low bits and the rest above it, the multiplicative hash of cacheIndex put a million
    // sessions' 50 addresses in 45 entries, 200 in 120.)
    static uint64_t tagOf(uint64_t w0, uint64_t w1, uint64_t rest) { return tagOfV4(w0 ^ w1, restTag(rest)); }
    // The same from an IPv4 address (word 0) and a restTag: what Locator::findV4 compares.
    static uint64_t tagOfV4(uint64_t w0, uint64_t restTag) { return w0 << 32 | restTag; }
    Entry entries[1u << kBits];
    uint64_t misses = 0;  // keys whose address was not in the cache: searches of the directory
  };

  // Finds keys' home slots over one burst, one by one as a caller makes its keys (classify's
  // AVX-512 path) or all at once (locateAll), and, when told to `ask`, asks for each home's flow
  // line as soon as it is found; the relay reads the lines a call later
  // (Worker::processBurstPipelined). A worker tells it to where the pages of the live flow lines
  // fit the TLB: beyond that, the relay asks for them instead, spread over the burst before
  // (MediaContext::askForNextLine), where asked for all at once within classify's loop their page
  // walks stalled it (Worker::kFlowsAskedInClassify).
  class Locator {
   public:
    Locator(const FlowTable& table, AddressCache& cache, bool ask = true)
        : table_(table), cache_(cache), pool_(table.pool_), ask_(ask) {}
    // A key as its three words (see FlowKey): its home slot.
    uint32_t locate(uint64_t w0, uint64_t w1, uint64_t w2) {
      const uint32_t home = find(w0, w1, w2);
      if (ask_) ask(home);
      return home;
    }
    // locate in two steps, for a loop that tests whether the locator asks once, not per key.
    bool asks() const { return ask_; }
    void ask(uint32_t home) const { askForFlowLine(pool_, home); }
    // An IPv4 key's home, from its address (word 0), AddressCache::restTag of its third word and
    // its UDP port (the third word's low 16 bits): the cache's tag is a shift and an or, and its
    // test one compare.
    uint32_t findV4(uint64_t w0, uint64_t restTag, uint32_t udpPort) {
      const uint64_t tag = AddressCache::tagOfV4(w0, restTag);
      const AddressCache::Entry& e = cache_.entries[cacheIndex(tag)];
      uint32_t homes = e.homes;
      if (unlikely(e.tag != tag)) homes = table_.remember(cache_, w0, 0, restTag << 16);
      return homes + portIndex(udpPort);
    }
    uint32_t find(uint64_t w0, uint64_t w1, uint64_t w2) {
      // The worker's cache first, then the directory. Every key goes to the cache, though a burst
      // often goes to one address: a test for "the previous key's address" cost more than it
      // saved where the burst's packets alternate between a few addresses (sessions spread over
      // them, the common case of a busy SBC), whose order no branch predictor follows
      // (sbcbench relay at 100k sessions, three addresses: 0.537-0.543 with the test, 0.547-0.569
      // without it; at 1k, one address, the same).
      const uint64_t rest = w2 & ~kUdpPortMask;
      const uint64_t tag = AddressCache::tagOf(w0, w1, rest);
      const AddressCache::Entry& e = cache_.entries[cacheIndex(tag)];
      uint32_t homes = e.homes;
      if (unlikely(((e.tag ^ tag) | (e.words[0] ^ w0) | (e.words[1] ^ w1)) != 0))
        homes = table_.remember(cache_, w0, w1, rest);
      return homes + portIndex(w2);
    }
    // A key's home (its line asked for, if the locator asks).
    uint32_t locateKey(const FlowKey& key) {
      // The words one by one, in registers: a key copied whole goes through the stack.
      const uint8_t* k = reinterpret_cast<const uint8_t*>(&key);
      uint64_t w0, w1, w2;
      std::memcpy(&w0, k, 8);
      std::memcpy(&w1, k + 8, 8);
      std::memcpy(&w2, k + 16, 8);
      return locate(w0, w1, w2);
    }
    // Each of `count` keys' homes (their lines asked for, if the locator asks).
    void locateAll(const FlowKey* keys, uint32_t count, uint32_t* homes) {
      for (uint32_t i = 0; i < count; ++i) homes[i] = locateKey(keys[i]);
    }

   private:
    const FlowTable& table_;
    AddressCache& cache_;
    // The table's pool_, held here: a loop that copies its Locator into a local keeps this in a
    // register, where table_.pool_ is loaded again after every store the loop makes.
    const Flow* pool_;
    bool ask_;
  };

  // Flow lookup in two steps, so that a worker can do other work while the lines come in:
  // locateBulk finds each key's home and asks for its line; slotFrom reads it later.
  // The table gives slots, not pointers, so that a worker can compute the address of a flow's
  // cold part and of its counters without first reading the flow (another cache miss).
  void locateBulk(const FlowKey* keys, uint32_t count, uint32_t* homes, AddressCache& cache) const {
    Locator(*this, cache).locateAll(keys, count, homes);
  }
  // Both steps at once, for up to kMaxBulk keys: bit i of the result is set when keys[i] was
  // found, and then slots[i] is its flow's slot.
  uint64_t lookupBulk(const FlowKey* keys, uint32_t count, uint32_t* slots) const {
    uint32_t homes[kMaxBulk];
    AddressCache cache;
    locateBulk(keys, count, homes, cache);
    uint64_t hits = 0;
    for (uint32_t i = 0; i < count; ++i) {
      slots[i] = slotFrom(homes[i]);
      hits |= uint64_t{slots[i] != kNoSlot} << i;
    }
    return hits;
  }
  Flow* lookup(const FlowKey& key) const;
  // The home slot of `key` (every key has one; an address the directory does not hold gets a
  // home that is never written, which reads as "no flow").
  uint32_t homeOf(const FlowKey& key) const {
    uint64_t w[3];
    std::memcpy(w, &key, sizeof w);
    return homeIn(findAddress(w), w[2]);
  }
  Flow* pool() const { return pool_; }
  FlowCold* coldPool() const { return cold_; }
  // A flow's slot: its place in the pool, in the cold pool and in the slot arrays.
  uint32_t slotOf(const Flow* flow) const { return static_cast<uint32_t>(flow - pool_); }
  FlowCold& coldOf(const Flow* flow) const { return cold_[slotOf(flow)]; }
  // How many slots there are (homes, then the overflow region): the length of a slot array.
  size_t slots() const { return slots_; }

  // An array of `elementSize` bytes per slot, zeroed, for a worker's own per-flow state (its
  // FlowStats, its firewall memos): reserved for every slot, committed with the table's chunks,
  // so that a worker never takes a page fault in it. Null when there is no address space.
  // Call from the control side; unmap before the table goes.
  void* mapSlotArray(size_t elementSize);
  void unmapSlotArray(void* array);

  // ---- control side (single writer) ----
  // A fresh flow for `key`, in its home slot when that is free, else in the overflow region;
  // null when `capacity` flows exist already (or the memory for its chunk is not there).
  Flow* allocate(const FlowKey& key);
  void release(Flow* unpublished);     // a flow that was never published
  // Adds the key or replaces its flow; the replaced flow is retired. False when the key's
  // (port, address) would be one more than maxLocalAddresses().
  bool publish(const FlowKey& key, Flow* flow);
  bool remove(const FlowKey& key);     // the flow is retired
  void reclaim();                      // frees retired flows whose grace period is over
  // Whether `flow` sits in its key's home slot (allocate puts it in the overflow region while the
  // home holds an older flow of the key, retired and waiting out its grace period), and whether
  // `key`'s home is free to take now.
  bool inHomeSlot(const Flow* flow) const { return isHome(slotOf(flow)); }
  bool homeFree(const FlowKey& key) const;

  uint32_t capacity() const { return capacity_; }
  uint32_t maxLocalAddresses() const { return maxAddresses_; }
  // Flows allocated and not yet free again: published, unpublished, or in a grace period. Workers
  // read it too, as a hint of how many flow lines are live (it may lag a moment).
  uint32_t inUse() const { return inUse_.load(std::memory_order_relaxed); }

 private:
  static constexpr uint32_t kNoAddress = 0xffffffffu;
  static constexpr uint64_t kUdpPortMask = 0xffff;  // word 2 of a FlowKey: the UDP port's bits
  // A home's place among its address's 65,536: the UDP port in host order (the key holds it in
  // network order, as the header does), so that the flows of a media port range lie on
  // consecutive lines. Indexed by the port as it sits in the header, they were spread 256 lines
  // apart: 1,000 sessions' flows on 1,000 pages, where they now fill 16; a million's (25
  // addresses of 40,000 ports) on 19,200 pages rather than 15,600. sbcbench relay one way, 3
  // alternated pairs: 1k 0.568 -> 0.577, 100k 0.557 -> 0.562, 1M 0.538 -> 0.550.
  static uint32_t portIndex(uint64_t portBe) { return __builtin_bswap16(static_cast<uint16_t>(portBe)); }

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
  // The address of a key's words, added to the directory if it is new and there is room.
  uint32_t findOrAddAddress(const uint64_t* w) {
    const uint32_t address = findAddress(w);
    return address != kNoAddress ? address : addAddress(w);
  }
  static uint32_t cacheIndex(uint64_t tag) {
    return static_cast<uint32_t>((tag * 0x9e3779b97f4a7c15ull) >> (64 - AddressCache::kBits));
  }
  // The directory's answer for an address the cache missed, remembered when it is one.
  __attribute__((noinline)) uint32_t remember(AddressCache& cache, uint64_t w0, uint64_t w1, uint64_t rest) const {
    const uint64_t w[3] = {w0, w1, rest};
    ++cache.misses;
    const uint32_t address = findAddress(w);
    const uint32_t homes = homesOf(address);
    if (address != kNoAddress) {
      const uint64_t tag = AddressCache::tagOf(w0, w1, rest);
      AddressCache::Entry& e = cache.entries[cacheIndex(tag)];
      e.tag = tag;
      e.words[0] = w0;
      e.words[1] = w1;
      e.homes = homes;
    }
    return homes;
  }
  // An address's first home slot, and the index of its first entry in ports_. Past the last
  // address there is one more range that is never written: kNoAddress gets that one, so that a
  // lookup needs no branch for it (its flow lines read as zero: no mark; its entries: no flow).
  uint32_t homesOf(uint32_t address) const { return (address == kNoAddress ? maxAddresses_ : address) << 16; }
  // The home of the key whose address is `address` and whose third word is `w2`: also the index
  // of its entry in ports_.
  uint32_t homeIn(uint32_t address, uint64_t w2) const {
    return homesOf(address) | portIndex(w2);
  }
  bool isHome(uint32_t slot) const { return slot < homeSlots_; }
  // The flow slot an entry holds, or kNoSlot.
  static uint32_t slotAt(const std::atomic<uint32_t>* entry) { return entry->load(std::memory_order_acquire) - 1; }

  FlowTable() = default;
  void retire(Flow* flow);
  void free(uint32_t slot);
  // Commits the chunk of `slot` in the pools and the slot arrays, once; false without memory.
  bool commit(uint32_t slot);
  static void freeRetired(void* self, void* elements, unsigned count);

  struct SlotArray {
    uint8_t* base;
    size_t elementSize;
  };

  rte_rcu_qsbr* rcu_ = nullptr;
  rte_rcu_qsbr_dq* deferred_ = nullptr;
  DirectoryEntry* directory_ = nullptr;  // a power of two of entries, at most half of them used
  uint32_t directoryMask_ = 0;
  std::atomic<uint32_t> maxProbes_{0};  // the longest probe any entry of the directory needs
  uint32_t addresses_ = 0;
  uint32_t maxAddresses_ = 0;
  std::atomic<uint32_t>* ports_ = nullptr;  // 65,536 entries per address, slot + 1 (0: none),
                                            // for maxAddresses_ + 1 addresses
  Flow* pool_ = nullptr;        // homeSlots_ homes, then capacity_ overflow slots
  FlowCold* cold_ = nullptr;    // cold_[i] belongs to pool_[i]
  uint32_t homeSlots_ = 0;      // (maxAddresses_ + 1) << 16, ports_'s length
  size_t slots_ = 0;            // homes and overflow, rounded up to whole chunks
  uint32_t capacity_ = 0;
  std::atomic<uint32_t> inUse_{0};  // written by the control side alone
  std::vector<uint64_t> homeTaken_;     // bit per home slot: allocated, published or retired
  std::vector<uint32_t> overflowFree_;  // overflow slots free to hand out
  std::vector<bool> committed_;         // per chunk
  std::vector<SlotArray> slotArrays_;
};

}  // namespace sbc::dataplane
