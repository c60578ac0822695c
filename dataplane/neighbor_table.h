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

// What the control side and the learning keep of a next hop. Its MAC is not here: workers read
// that per packet, from NeighborTable's dense array (macState).
struct alignas(64) Neighbor {
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
  // Bits 0..47: the MAC in wire order; bit 63: resolved (kNeighborResolved).
  uint64_t macState(uint16_t index) const { return macStates_[index].load(std::memory_order_acquire); }
  // The same states as an array, for the relay (MediaContext::neighborMacs).
  const std::atomic<uint64_t>* macStates() const { return macStates_.get(); }
  uint32_t capacity() const { return static_cast<uint32_t>(entries_.size()); }

 private:
  NeighborTable() = default;
  static NeighborKey keyOf(uint8_t interfaceIndex, const uint8_t* address, IpFamily family);

  rte_hash* hash_ = nullptr;
  std::vector<Neighbor> entries_;
  // Each entry's MAC state, eight bytes apiece and apart from the entries: the relay reads one
  // per packet, and a few hundred next hops then fit a few KiB of L1 instead of a line each.
  // sbcbench relay, both ways (512 next hops), alternated pairs on an Intel Xeon guest with
  // AVX-512: 1k sessions 0.5225 -> 0.538 (8 pairs), 100k 0.5035 -> 0.529 (4 pairs).
  // One 8-byte store changes a MAC, so a reader never sees half of an old one and half of a new.
  std::unique_ptr<std::atomic<uint64_t>[]> macStates_;
  uint32_t used_ = 0;
};

}  // namespace sbc::dataplane
