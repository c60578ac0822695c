#pragma once
// The media flow table: rte_hash from FlowKey to Flow*, read lock-free by workers, written by
// the control side alone. Flows live in a fixed pool allocated at start-up; a flow that is
// deleted or replaced goes back to the pool only after every worker has passed a quiescent
// state (rte_rcu_qsbr), so a worker never reads a recycled flow.

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/flow.h"

namespace sbc::dataplane {

class FlowTable {
 public:
  // `rcu` is the workers' QSBR variable; it outlives the table.
  static std::unique_ptr<FlowTable> create(uint32_t capacity, rte_rcu_qsbr* rcu,
                                           const char* name);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // ---- worker side (lock-free) ----
  // Up to 64 keys; bit i of the result is set when keys[i] was found, and then indices[i] is
  // its flow's slot. The hash stores slots, not pointers, so that a worker can compute the
  // address of a flow and of its counters without first reading the flow (a cache miss).
  uint64_t lookupBulk(const FlowKey** keys, uint32_t count, uint32_t* indices) const {
    void* data[RTE_HASH_LOOKUP_BULK_MAX];
    uint64_t hits = 0;
    rte_hash_lookup_bulk_data(hash_, reinterpret_cast<const void**>(keys), count, &hits, data);
    for (uint32_t i = 0; i < count; ++i) indices[i] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data[i]));
    return hits;
  }
  Flow* lookup(const FlowKey& key) const;
  Flow* pool() const { return pool_; }
  FlowCold* coldPool() const { return cold_; }

  // ---- control side (single writer) ----
  Flow* allocate();                    // null when the pool is empty
  void release(Flow* unpublished);     // a flow that was never published
  // Adds the key or replaces its flow; the replaced flow is retired.
  bool publish(const FlowKey& key, Flow* flow);
  bool remove(const FlowKey& key);     // the flow is retired
  void reclaim();                      // frees retired flows whose grace period is over

  uint32_t capacity() const { return capacity_; }
  uint32_t inUse() const { return capacity_ - static_cast<uint32_t>(freeList_.size()); }

 private:
  FlowTable() = default;
  void retire(Flow* flow);
  static void freeRetired(void* self, void* elements, unsigned count);

  rte_hash* hash_ = nullptr;
  rte_rcu_qsbr* rcu_ = nullptr;
  rte_rcu_qsbr_dq* deferred_ = nullptr;
  Flow* pool_ = nullptr;
  size_t poolBytes_ = 0;
  FlowCold* cold_ = nullptr;  // cold_[i] belongs to pool_[i]
  uint32_t capacity_ = 0;
  std::vector<uint32_t> freeList_;
};

}  // namespace sbc::dataplane
