#include "dataplane/flow_table.h"

#include <arpa/inet.h>
#include <sys/mman.h>

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

std::unique_ptr<FlowTable> FlowTable::create(uint32_t capacity, rte_rcu_qsbr* rcu, const char* name,
                                             uint32_t maxLocalAddresses) {
  std::unique_ptr<FlowTable> t(new FlowTable());
  t->capacity_ = capacity;
  t->rcu_ = rcu;
  t->maxAddresses_ = maxLocalAddresses < 1 ? 1 : maxLocalAddresses;

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
  // Address space for every address the directory can hold, reserved but not committed: the
  // kernel gives a page only where the control side first publishes a port (zero: no flow).
  t->portsBytes_ = (size_t{t->maxAddresses_} + 1) << 16 << 2;
  void* ports = mmap(nullptr, t->portsBytes_, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (ports == MAP_FAILED) return nullptr;
  madvise(ports, t->portsBytes_, MADV_HUGEPAGE);
  t->ports_ = static_cast<std::atomic<uint32_t>*>(ports);
  static_assert(sizeof(std::atomic<uint32_t>) == 4 && std::atomic<uint32_t>::is_always_lock_free);

  // Plain anonymous memory: flows are read by CPUs only, never by a NIC, so they need no
  // DPDK memory; transparent huge pages keep the TLB quiet at a million sessions.
  t->poolBytes_ = sizeof(Flow) * static_cast<size_t>(capacity);
  void* mem = mmap(nullptr, t->poolBytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  madvise(mem, t->poolBytes_, MADV_HUGEPAGE);
  t->pool_ = static_cast<Flow*>(mem);
  t->cold_ = new (std::nothrow) FlowCold[capacity];
  if (t->cold_ == nullptr) return nullptr;
  t->freeList_.reserve(capacity);
  for (uint32_t i = capacity; i-- > 0;) {
    new (&t->pool_[i]) Flow();
    t->freeList_.push_back(i);
  }
  return t;
}

FlowTable::~FlowTable() {
  if (deferred_ != nullptr) {
    // Workers are stopped by now; whatever is still deferred goes back without waiting.
    rte_rcu_qsbr_dq_delete(deferred_);
  }
  delete[] directory_;
  if (ports_ != nullptr) munmap(ports_, portsBytes_);
  if (pool_ != nullptr) munmap(pool_, poolBytes_);
  delete[] cold_;
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
  const uint32_t slot = slotAt(entryFor(key));
  return slot == kNoSlot ? nullptr : &pool_[slot];
}

Flow* FlowTable::allocate() {
  if (freeList_.empty()) {
    reclaim();
    if (freeList_.empty()) return nullptr;
  }
  uint32_t index = freeList_.back();
  freeList_.pop_back();
  Flow* f = &pool_[index];
  f->~Flow();
  new (f) Flow();
  cold_[index].~FlowCold();
  new (&cold_[index]) FlowCold();
  return f;
}

void FlowTable::release(Flow* unpublished) { freeList_.push_back(slotOf(unpublished)); }

bool FlowTable::publish(const FlowKey& key, Flow* flow) {
  uint64_t w[3];
  std::memcpy(w, &key, sizeof w);
  uint32_t address = findAddress(w);
  if (address == kNoAddress) address = addAddress(w);
  if (address == kNoAddress) return false;
  std::atomic<uint32_t>& entry = ports_[(static_cast<size_t>(address) << 16) | (w[2] & kUdpPortMask)];
  const uint32_t old = entry.load(std::memory_order_relaxed);
  // Release: a worker that reads the slot sees the flow as the control side filled it.
  const uint32_t slot = slotOf(flow);
  entry.store(slot + 1, std::memory_order_release);
  if (old != 0 && old - 1 != slot) retire(&pool_[old - 1]);
  return true;
}

bool FlowTable::remove(const FlowKey& key) {
  uint64_t w[3];
  std::memcpy(w, &key, sizeof w);
  const uint32_t address = findAddress(w);
  if (address == kNoAddress) return false;
  std::atomic<uint32_t>& entry = ports_[(static_cast<size_t>(address) << 16) | (w[2] & kUdpPortMask)];
  const uint32_t old = entry.load(std::memory_order_relaxed);
  if (old == 0) return false;
  entry.store(0, std::memory_order_release);
  retire(&pool_[old - 1]);
  return true;
}

void FlowTable::retire(Flow* flow) {
  // The queue is as large as the pool, so it cannot be full; a failure here is a bug.
  if (rte_rcu_qsbr_dq_enqueue(deferred_, &flow) != 0) {
    rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
    freeList_.push_back(slotOf(flow));
  }
}

void FlowTable::reclaim() {
  unsigned freed = 0, pending = 0, available = 0;
  rte_rcu_qsbr_dq_reclaim(deferred_, 1024, &freed, &pending, &available);
}

void FlowTable::freeRetired(void* self, void* elements, unsigned count) {
  auto* table = static_cast<FlowTable*>(self);
  auto** flows = static_cast<Flow**>(elements);
  for (unsigned i = 0; i < count; ++i) table->freeList_.push_back(table->slotOf(flows[i]));
}

}  // namespace sbc::dataplane
