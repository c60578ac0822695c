#include "dataplane/neighbor_table.h"

#include <rte_hash_crc.h>

#include <string>

namespace sbc::dataplane {

std::unique_ptr<NeighborTable> NeighborTable::create(uint32_t capacity, const char* name) {
  std::unique_ptr<NeighborTable> t(new NeighborTable());
  rte_hash_parameters params{};
  std::string hashName = std::string(name) + "_nh";
  params.name = hashName.c_str();
  params.entries = capacity;
  params.key_len = sizeof(NeighborKey);
  params.hash_func = rte_hash_crc;
  params.socket_id = static_cast<int>(rte_socket_id());
  // Entries are only ever added, never deleted, so readers need no grace period.
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
  t->hash_ = rte_hash_create(&params);
  if (t->hash_ == nullptr) return nullptr;
  t->entries_ = std::vector<Neighbor>(capacity);
  t->macStates_ = std::make_unique<std::atomic<uint64_t>[]>(capacity);
  return t;
}

NeighborTable::~NeighborTable() {
  if (hash_ != nullptr) rte_hash_free(hash_);
}

NeighborKey NeighborTable::keyOf(uint8_t interfaceIndex, const uint8_t* address, IpFamily family) {
  NeighborKey k{};
  std::memcpy(k.address, address, family == IpFamily::kV4 ? 4 : 16);
  k.family = static_cast<uint8_t>(family);
  k.interfaceIndex = interfaceIndex;
  return k;
}

int32_t NeighborTable::ensure(uint8_t interfaceIndex, const IpAddress& address) {
  NeighborKey key = keyOf(interfaceIndex, address.bytes.data(), address.family);
  void* data = nullptr;
  if (rte_hash_lookup_data(hash_, &key, &data) >= 0)
    return static_cast<int32_t>(reinterpret_cast<uintptr_t>(data));
  if (used_ >= entries_.size()) return -1;
  uint32_t index = used_++;
  Neighbor& n = entries_[index];
  n.address = address;
  n.interfaceIndex = interfaceIndex;
  n.inUse = true;
  if (rte_hash_add_key_data(hash_, &key, reinterpret_cast<void*>(uintptr_t{index})) != 0) {
    --used_;
    n.inUse = false;
    return -1;
  }
  return static_cast<int32_t>(index);
}

int32_t NeighborTable::setStatic(uint8_t interfaceIndex, const IpAddress& address,
                                 const MacAddress& mac) {
  int32_t index = ensure(interfaceIndex, address);
  if (index < 0) return index;
  entries_[index].isStatic.store(true, std::memory_order_relaxed);
  macStates_[index].store(packMac(mac.data()) | kNeighborResolved, std::memory_order_release);
  return index;
}

std::vector<uint16_t> NeighborTable::entriesInUse() const {
  std::vector<uint16_t> out;
  for (uint32_t i = 0; i < used_; ++i) out.push_back(static_cast<uint16_t>(i));
  return out;
}

bool NeighborTable::learn(uint8_t interfaceIndex, const uint8_t* address, IpFamily family,
                          const uint8_t* mac, uint64_t nowTsc) {
  NeighborKey key = keyOf(interfaceIndex, address, family);
  void* data = nullptr;
  if (rte_hash_lookup_data(hash_, &key, &data) < 0) return false;
  const uintptr_t index = reinterpret_cast<uintptr_t>(data);
  Neighbor& n = entries_[index];
  if (n.isStatic.load(std::memory_order_relaxed)) return false;
  uint64_t fresh = packMac(mac) | kNeighborResolved;
  if (macStates_[index].load(std::memory_order_relaxed) != fresh) {
    macStates_[index].store(fresh, std::memory_order_release);
    n.updates.fetch_add(1, std::memory_order_relaxed);
  }
  n.updatedTsc.store(nowTsc, std::memory_order_relaxed);
  return true;
}

}  // namespace sbc::dataplane
