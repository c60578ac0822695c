#include "dataplane/flow_table.h"

#include <arpa/inet.h>
#include <rte_hash_crc.h>
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

uint32_t hashFlowKey(const void* key, uint32_t length, uint32_t seed) {
#if defined(__SSE4_2__)
  if (length == sizeof(FlowKey)) {
    uint64_t w[3];
    std::memcpy(w, key, sizeof w);
    uint64_t crc = seed;
    crc = __builtin_ia32_crc32di(crc, w[0]);
    crc = __builtin_ia32_crc32di(crc, w[1]);
    crc = __builtin_ia32_crc32di(crc, w[2]);
    return static_cast<uint32_t>(crc);
  }
#endif
  return rte_hash_crc(key, length, seed);
}

int compareFlowKeys(const void* a, const void* b, size_t) {
  uint64_t x[3], y[3];
  std::memcpy(x, a, sizeof x);
  std::memcpy(y, b, sizeof y);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) != 0;
}

std::unique_ptr<FlowTable> FlowTable::create(uint32_t capacity, rte_rcu_qsbr* rcu,
                                             const char* name) {
  std::unique_ptr<FlowTable> t(new FlowTable());
  t->capacity_ = capacity;
  t->rcu_ = rcu;

  rte_hash_parameters params{};
  std::string hashName = std::string(name) + "_h";
  params.name = hashName.c_str();
  params.entries = capacity < 8 ? 8 : capacity;
  params.key_len = sizeof(FlowKey);
  params.hash_func = hashFlowKey;
  params.socket_id = static_cast<int>(rte_socket_id());
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
  t->hash_ = rte_hash_create(&params);
  if (t->hash_ == nullptr) return nullptr;
  rte_hash_set_cmp_func(t->hash_, compareFlowKeys);

  // Key slots of deleted entries are recycled by the hash itself after the grace period.
  rte_hash_rcu_config hashRcu{};
  hashRcu.v = rcu;
  hashRcu.mode = RTE_HASH_QSBR_MODE_DQ;
  if (rte_hash_rcu_qsbr_add(t->hash_, &hashRcu) != 0) return nullptr;

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
    t->pool_[i].index = i;
    t->freeList_.push_back(i);
  }
  return t;
}

FlowTable::~FlowTable() {
  if (deferred_ != nullptr) {
    // Workers are stopped by now; whatever is still deferred goes back without waiting.
    rte_rcu_qsbr_dq_delete(deferred_);
  }
  if (hash_ != nullptr) rte_hash_free(hash_);
  if (pool_ != nullptr) munmap(pool_, poolBytes_);
  delete[] cold_;
}

Flow* FlowTable::lookup(const FlowKey& key) const {
  void* data = nullptr;
  if (rte_hash_lookup_data(hash_, &key, &data) < 0) return nullptr;
  return &pool_[reinterpret_cast<uintptr_t>(data)];
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
  f->index = index;
  cold_[index] = FlowCold{};
  return f;
}

void FlowTable::release(Flow* unpublished) { freeList_.push_back(unpublished->index); }

bool FlowTable::publish(const FlowKey& key, Flow* flow) {
  Flow* old = lookup(key);
  if (rte_hash_add_key_data(hash_, &key, reinterpret_cast<void*>(uintptr_t{flow->index})) != 0)
    return false;
  if (old != nullptr && old != flow) retire(old);
  return true;
}

bool FlowTable::remove(const FlowKey& key) {
  Flow* old = lookup(key);
  if (old == nullptr || rte_hash_del_key(hash_, &key) < 0) return false;
  retire(old);
  return true;
}

void FlowTable::retire(Flow* flow) {
  // The queue is as large as the pool, so it cannot be full; a failure here is a bug.
  if (rte_rcu_qsbr_dq_enqueue(deferred_, &flow) != 0) {
    rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
    freeList_.push_back(flow->index);
  }
}

void FlowTable::reclaim() {
  unsigned freed = 0, pending = 0, available = 0;
  rte_rcu_qsbr_dq_reclaim(deferred_, 1024, &freed, &pending, &available);
}

void FlowTable::freeRetired(void* self, void* elements, unsigned count) {
  auto* table = static_cast<FlowTable*>(self);
  auto** flows = static_cast<Flow**>(elements);
  for (unsigned i = 0; i < count; ++i) table->freeList_.push_back(flows[i]->index);
}

}  // namespace sbc::dataplane
