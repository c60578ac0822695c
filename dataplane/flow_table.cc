#include "dataplane/flow_table.h"

#include <arpa/inet.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <string>

namespace sbc::dataplane {

FlowKey FlowKey::make(uint16_t portId, const SocketAddress& local) {
  FlowKey k{};
  std::memcpy(k.address, local.ip.bytes.data(), 16);
  k.udpPortBe = htons(local.port);
  k.portId = portId;
  k.family = static_cast<uint8_t>(local.ip.family);
  return k;
}

WireAddress WireAddress::from(const SocketAddress& a) {
  WireAddress w{};
  std::memcpy(w.address, a.ip.bytes.data(), 16);
  w.portBe = htons(a.port);
  w.family = a.ip.family;
  return w;
}

SocketAddress WireAddress::toSocketAddress() const {
  SocketAddress a;
  a.ip.family = family;
  std::memcpy(a.ip.bytes.data(), address, 16);
  a.port = ntohs(portBe);
  return a;
}

namespace {

// Address space for `bytes`, reserved, not committed (the table commits it chunk by chunk);
// with `huge`, on huge pages where the kernel has them, for the TLB's sake (what workers read per
// packet). Aligned to 2 MiB, so that the huge pages cover it whole. Null when there is none.
void* reserve(size_t bytes, bool huge) {
  constexpr size_t kHuge = size_t{2} << 20;
  void* mem = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(mem);
  const uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
  if (aligned != start) munmap(mem, aligned - start);
  munmap(reinterpret_cast<void*>(aligned + bytes), start + kHuge - aligned);
  if (huge) madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

// Commits [mem, mem + bytes), page-aligned, which nobody has written yet.
bool populate(void* mem, size_t bytes) {
  if (madvise(mem, bytes, MADV_POPULATE_WRITE) == 0) return true;
  if (errno == ENOMEM) return false;
  std::memset(mem, 0, bytes);  // a kernel without MADV_POPULATE_WRITE (before 5.14)
  return true;
}

}  // namespace

std::unique_ptr<FlowTable> FlowTable::create(uint32_t capacity, rte_rcu_qsbr* rcu, const char* name,
                                             uint32_t maxLocalAddresses) {
  std::unique_ptr<FlowTable> t(new FlowTable());
  t->capacity_ = capacity;
  t->rcu_ = rcu;
  // A home slot number (address << 16 | port) and an overflow slot fit 32 bits, below kNoSlot.
  t->maxAddresses_ = std::clamp<uint32_t>(maxLocalAddresses, 1, 32767);
  t->homeSlots_ = (t->maxAddresses_ + 1) << 16;
  if (capacity > kNoSlot - 1 - t->homeSlots_) return nullptr;
  t->slots_ = (size_t{t->homeSlots_} + capacity + kChunkSlots - 1) / kChunkSlots * kChunkSlots;

  std::string dqName = std::string(name) + "_dq";
  rte_rcu_qsbr_dq_parameters dq{};
  dq.name = dqName.c_str();
  dq.size = capacity < 64 ? 64 : capacity;
  dq.esize = sizeof(Flow*);
  dq.trigger_reclaim_limit = 256;
  dq.max_reclaim_size = 1024;
  dq.free_fn = &FlowTable::freeRetired;
  dq.p = t.get();
  dq.v = rcu;
  t->deferred_ = rte_rcu_qsbr_dq_create(&dq);
  if (t->deferred_ == nullptr) return nullptr;

  uint32_t slots = 2;
  while (slots < 2 * t->maxAddresses_) slots *= 2;
  t->directoryMask_ = slots - 1;
  t->directory_ = new (std::nothrow) DirectoryEntry[slots];
  if (t->directory_ == nullptr) return nullptr;
  // The entries are committed by the kernel where the control side first publishes a port
  // (zero: no flow); the flows by the table, chunk by chunk. Flows are read by CPUs only, never
  // by a NIC, so they need no DPDK memory.
  t->ports_ = static_cast<std::atomic<uint32_t>*>(reserve(size_t{t->homeSlots_} * 4, true));
  t->pool_ = static_cast<Flow*>(reserve(t->slots_ * sizeof(Flow), true));
  // The general path's and the control side's: not worth 2 MiB at a time.
  t->cold_ = static_cast<FlowCold*>(reserve(t->slots_ * sizeof(FlowCold), false));
  if (t->ports_ == nullptr || t->pool_ == nullptr || t->cold_ == nullptr) return nullptr;
  static_assert(sizeof(std::atomic<uint32_t>) == 4 && std::atomic<uint32_t>::is_always_lock_free);
  t->homeTaken_.assign(t->homeSlots_ / 64, 0);
  t->committed_.assign(t->slots_ / kChunkSlots, false);
  t->overflowFree_.reserve(capacity);
  for (uint32_t i = capacity; i-- > 0;) t->overflowFree_.push_back(t->homeSlots_ + i);
  return t;
}

FlowTable::~FlowTable() {
  if (deferred_ != nullptr) {
    // Workers are stopped by now; whatever is still deferred goes back without waiting.
    rte_rcu_qsbr_dq_delete(deferred_);
  }
  delete[] directory_;
  if (ports_ != nullptr) munmap(ports_, size_t{homeSlots_} * 4);
  if (pool_ != nullptr) munmap(pool_, slots_ * sizeof(Flow));
  if (cold_ != nullptr) munmap(cold_, slots_ * sizeof(FlowCold));
  for (const SlotArray& a : slotArrays_) munmap(a.base, slots_ * a.elementSize);
}

void* FlowTable::mapSlotArray(size_t elementSize) {
  void* mem = reserve(slots_ * elementSize, true);
  if (mem == nullptr) return nullptr;
  SlotArray array{static_cast<uint8_t*>(mem), elementSize};
  // The chunks in use already: a worker made after the first sessions.
  const size_t chunkBytes = size_t{kChunkSlots} * elementSize;
  for (size_t c = 0; c < committed_.size(); ++c)
    if (committed_[c] && !populate(array.base + c * chunkBytes, chunkBytes)) {
      munmap(mem, slots_ * elementSize);
      return nullptr;
    }
  slotArrays_.push_back(array);
  return mem;
}

void FlowTable::unmapSlotArray(void* array) {
  for (size_t i = 0; i < slotArrays_.size(); ++i)
    if (slotArrays_[i].base == array) {
      munmap(array, slots_ * slotArrays_[i].elementSize);
      slotArrays_.erase(slotArrays_.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
}

bool FlowTable::commit(uint32_t slot) {
  const uint32_t chunk = slot / kChunkSlots;
  if (committed_[chunk]) return true;
  // Nobody has written the chunk yet: no slot of it was ever handed out.
  const size_t first = size_t{chunk} * kChunkSlots;
  if (!populate(pool_ + first, kChunkSlots * sizeof(Flow)) || !populate(cold_ + first, kChunkSlots * sizeof(FlowCold)))
    return false;
  for (const SlotArray& a : slotArrays_)
    if (!populate(a.base + first * a.elementSize, kChunkSlots * a.elementSize)) return false;
  committed_[chunk] = true;
  return true;
}

uint32_t FlowTable::addAddress(const uint64_t* w) {
  if (addresses_ == maxAddresses_) return kNoAddress;
  uint32_t h = directoryHash(w);
  uint32_t probes = 0;
  while (directory_[h].number.load(std::memory_order_relaxed) != 0) {
    h = (h + 1) & directoryMask_;
    ++probes;
  }
  DirectoryEntry& e = directory_[h];
  e.words[0] = w[0];
  e.words[1] = w[1];
  e.words[2] = w[2] & ~kUdpPortMask;
  const uint32_t address = addresses_++;
  if (probes > maxProbes_.load(std::memory_order_relaxed)) maxProbes_.store(probes, std::memory_order_release);
  e.number.store(address + 1, std::memory_order_release);
  return address;
}

Flow* FlowTable::lookup(const FlowKey& key) const {
  const uint32_t slot = slotFrom(homeOf(key));
  return slot == kNoSlot ? nullptr : &pool_[slot];
}

bool FlowTable::homeFree(const FlowKey& key) const {
  uint64_t w[3];
  std::memcpy(w, &key, sizeof w);
  const uint32_t address = findAddress(w);
  if (address == kNoAddress) return false;  // no published key's: publish adds the address
  const uint32_t home = homeIn(address, w[2]);
  return !((homeTaken_[home / 64] >> (home % 64)) & 1);
}

Flow* FlowTable::allocate(const FlowKey& key) {
  if (inUse_ == capacity_) {
    reclaim();
    if (inUse_ == capacity_) return nullptr;
  }
  uint64_t w[3];
  std::memcpy(w, &key, sizeof w);
  const uint32_t address = findOrAddAddress(w);
  uint32_t slot = kNoSlot;
  if (address != kNoAddress) {
    const uint32_t home = homeIn(address, w[2]);
    if (!((homeTaken_[home / 64] >> (home % 64)) & 1)) slot = home;
  }
  // Fewer than capacity_ flows are in use, and the overflow region holds capacity_ slots.
  if (slot == kNoSlot) slot = overflowFree_.back();
  if (!commit(slot)) return nullptr;
  if (isHome(slot))
    homeTaken_[slot / 64] |= uint64_t{1} << (slot % 64);
  else
    overflowFree_.pop_back();
  ++inUse_;
  Flow* f = &pool_[slot];
  new (f) Flow();
  new (&cold_[slot]) FlowCold();
  return f;
}

void FlowTable::free(uint32_t slot) {
  pool_[slot].~Flow();
  cold_[slot].~FlowCold();
  if (isHome(slot))
    homeTaken_[slot / 64] &= ~(uint64_t{1} << (slot % 64));
  else
    overflowFree_.push_back(slot);
  --inUse_;
}

void FlowTable::release(Flow* unpublished) { free(slotOf(unpublished)); }

bool FlowTable::publish(const FlowKey& key, Flow* flow) {
  uint64_t w[3];
  std::memcpy(w, &key, sizeof w);
  const uint32_t address = findOrAddAddress(w);
  if (address == kNoAddress) return false;
  const uint32_t home = homeIn(address, w[2]);
  std::atomic<uint32_t>& entry = ports_[home];
  const uint32_t old = entry.load(std::memory_order_relaxed);
  // Release: a worker that reads the slot, or finds the mark, sees the flow as the control side
  // filled it. A worker may find the old flow for a moment yet: it stays valid until its grace
  // period is over.
  const uint32_t slot = slotOf(flow);
  entry.store(slot + 1, std::memory_order_release);
  if (slot == home) flow->setHome(true);
  if (old != 0 && old - 1 != slot) retire(&pool_[old - 1]);
  return true;
}

bool FlowTable::remove(const FlowKey& key) {
  uint64_t w[3];
  std::memcpy(w, &key, sizeof w);
  const uint32_t address = findAddress(w);
  if (address == kNoAddress) return false;
  std::atomic<uint32_t>& entry = ports_[homeIn(address, w[2])];
  const uint32_t old = entry.load(std::memory_order_relaxed);
  if (old == 0) return false;
  entry.store(0, std::memory_order_release);
  retire(&pool_[old - 1]);
  return true;
}

void FlowTable::retire(Flow* flow) {
  // From now on a worker that finds the flow's home finds no mark, and reads the entry.
  if (flow->atHome()) flow->setHome(false);
  // The queue is as large as the pool, so it cannot be full; a failure here is a bug.
  if (rte_rcu_qsbr_dq_enqueue(deferred_, &flow) != 0) {
    rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
    free(slotOf(flow));
  }
}

void FlowTable::reclaim() {
  unsigned freed = 0, pending = 0, available = 0;
  rte_rcu_qsbr_dq_reclaim(deferred_, 1024, &freed, &pending, &available);
}

void FlowTable::freeRetired(void* self, void* elements, unsigned count) {
  auto* table = static_cast<FlowTable*>(self);
  auto** flows = static_cast<Flow**>(elements);
  for (unsigned i = 0; i < count; ++i) table->free(table->slotOf(flows[i]));
}

}  // namespace sbc::dataplane
