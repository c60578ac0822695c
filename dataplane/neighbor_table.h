#pragma once
// Next hops: IP address → MAC, per interface. The control side creates entries for the next
// hops that sessions use (a peer on the link, or the interface's gateway) and asks for them
// with ARP/NS; workers update the MAC of existing entries from ARP and ND they receive,
// gratuitous ARP included. A flow holds the entry's index, not the MAC, so when a VIP moves
// the very next packet after the gratuitous ARP goes to the new MAC.
//
// Workers never create entries: a flood of ARP from the access side cannot fill the table.

#include <rte_hash.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/config.h"
#include "dataplane/ip_address.h"

namespace sbc::dataplane {

struct NeighborKey {
  uint8_t address[16];
  uint8_t family;
  uint8_t interfaceIndex;
  uint8_t pad[2];
};
static_assert(sizeof(NeighborKey) == 20);

struct alignas(64) Neighbor {
  // Bits 0..47: MAC in wire order; bit 63: resolved. One 8-byte store, so a reader never sees
  // half of an old MAC and half of a new one.
  std::atomic<uint64_t> macState{0};
  std::atomic<uint64_t> updatedTsc{0};
  std::atomic<uint32_t> updates{0};
  IpAddress address;
  uint8_t interfaceIndex = 0;
  bool inUse = false;
  // Configured, not learned: ARP and ND may not change it (a host on the access side could
  // otherwise redirect media with one forged reply), and nobody needs to ask for it.
  std::atomic<bool> isStatic{false};
};

inline constexpr uint64_t kNeighborResolved = 1ull << 63;

inline uint64_t packMac(const uint8_t* mac) {
  uint64_t v = 0;
  std::memcpy(&v, mac, 6);
  return v;
}

class NeighborTable {
 public:
  static std::unique_ptr<NeighborTable> create(uint32_t capacity, const char* name);
  ~NeighborTable();

  // ---- control side ----
  // The entry for (interface, address), created unresolved if it is new; -1 when full.
  int32_t ensure(uint8_t interfaceIndex, const IpAddress& address);
  // A static entry, as from configuration or a test.
  int32_t setStatic(uint8_t interfaceIndex, const IpAddress& address, const MacAddress& mac);
  std::vector<uint16_t> entriesInUse() const;

  // ---- worker side ----
  // Updates the MAC of an existing learned entry; returns false when the address is not a
  // next hop or its MAC is configured.
  bool learn(uint8_t interfaceIndex, const uint8_t* address, IpFamily family, const uint8_t* mac,
             uint64_t nowTsc);

  const Neighbor& at(uint16_t index) const { return entries_[index]; }
  uint64_t macState(uint16_t index) const {
    return entries_[index].macState.load(std::memory_order_acquire);
  }
  uint32_t capacity() const { return static_cast<uint32_t>(entries_.size()); }

 private:
  NeighborTable() = default;
  static NeighborKey keyOf(uint8_t interfaceIndex, const uint8_t* address, IpFamily family);

  rte_hash* hash_ = nullptr;
  std::vector<Neighbor> entries_;
  uint32_t used_ = 0;
};

}  // namespace sbc::dataplane
