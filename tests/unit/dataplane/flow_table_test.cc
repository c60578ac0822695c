// FlowTable (dataplane/flow_table.cc): publish, lookup (single and bulk), replace, remove, and
// the grace period: a retired flow goes back to the pool only after every registered reader has
// reported a quiescent state. Flows at their keys' homes, marked while published, and in the
// overflow region when the home is taken; slot arrays committed with the flows.

#include "dataplane/flow_table.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <rte_malloc.h>
#include <sys/mman.h>

#include <atomic>
#include <cstring>
#include <random>
#include <set>
#include <string>

#include "tests/unit/dataplane/packet_builder.h"

namespace sbc::dataplane::test {
namespace {

std::atomic<unsigned> tableCount{0};

class FlowTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rcu_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc(nullptr, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE));
    ASSERT_NE(rcu_, nullptr);
    ASSERT_EQ(rte_rcu_qsbr_init(rcu_, 1), 0);
  }
  void TearDown() override {
    if (readerOnline_) {
      rte_rcu_qsbr_thread_offline(rcu_, 0);
      rte_rcu_qsbr_thread_unregister(rcu_, 0);
    }
    table_.reset();
    rte_free(rcu_);
  }
  FlowTable& make(uint32_t capacity) {
    table_ = FlowTable::create(capacity, rcu_, ("ft" + std::to_string(tableCount++)).c_str());
    EXPECT_NE(table_, nullptr);
    return *table_;
  }
  // A worker: registered, online, and (until told) not passing a quiescent state.
  void startReader() {
    ASSERT_EQ(rte_rcu_qsbr_thread_register(rcu_, 0), 0);
    rte_rcu_qsbr_thread_online(rcu_, 0);
    readerOnline_ = true;
  }
  Flow* allocateFor(FlowTable& t, const FlowKey& k, uint32_t sessionId) {
    Flow* f = t.allocate(k);
    EXPECT_NE(f, nullptr);
    if (f != nullptr) t.coldOf(f).sessionId = sessionId;
    return f;
  }

  rte_rcu_qsbr* rcu_ = nullptr;
  std::unique_ptr<FlowTable> table_;
  bool readerOnline_ = false;
};

FlowKey key(const char* local, uint16_t port = 0) { return FlowKey::make(port, sock(local)); }

// Whether the page holding `p` is in memory (committed), as the kernel says.
bool resident(const void* p) {
  const uintptr_t page = reinterpret_cast<uintptr_t>(p) & ~uintptr_t{4095};
  unsigned char v = 0;
  EXPECT_EQ(mincore(reinterpret_cast<void*>(page), 4096, &v), 0);
  return v & 1;
}

TEST_F(FlowTableTest, PublishLookupReplaceRemove) {
  FlowTable& t = make(16);
  const FlowKey k = key("203.0.113.1:20000");
  EXPECT_EQ(t.lookup(k), nullptr);

  Flow* a = allocateFor(t, k, 1);
  ASSERT_TRUE(t.publish(k, a));
  EXPECT_EQ(t.lookup(k), a);
  EXPECT_EQ(t.inUse(), 1u);

  Flow* b = allocateFor(t, k, 2);
  ASSERT_TRUE(t.publish(k, b));
  EXPECT_EQ(t.lookup(k), b) << "replaced";
  EXPECT_EQ(t.inUse(), 2u) << "the replaced flow is retired, not yet free";
  t.reclaim();
  EXPECT_EQ(t.inUse(), 1u) << "no reader registered: the grace period is already over";

  ASSERT_TRUE(t.publish(k, b)) << "publishing the same flow again is a no-op";
  t.reclaim();
  EXPECT_EQ(t.inUse(), 1u) << "and retires nothing";
  EXPECT_EQ(t.lookup(k), b);

  EXPECT_TRUE(t.remove(k));
  EXPECT_EQ(t.lookup(k), nullptr);
  EXPECT_FALSE(t.remove(k)) << "already gone";
  t.reclaim();
  EXPECT_EQ(t.inUse(), 0u);
}

// A key's first flow goes to the key's home slot and is marked there, so that a worker finds it
// from the key alone. Its replacement cannot go there while the old flow may still be read: it
// takes an overflow slot, found through the entry, and the old flow loses its mark at once. Once
// the grace period is over, the next replacement is at home again.
TEST_F(FlowTableTest, FlowsLiveAtTheirKeysHomeWheneverItIsFree) {
  FlowTable& t = make(16);
  const FlowKey k = key("203.0.113.1:20000");
  const uint32_t nowhere = t.homeOf(k);
  EXPECT_EQ(t.slotFrom(nowhere), FlowTable::kNoSlot) << "an address the table does not know: no flow";

  Flow* a = allocateFor(t, k, 1);
  const uint32_t home = t.homeOf(k);
  EXPECT_NE(home, nowhere) << "the address has its homes now";
  EXPECT_EQ(t.slotOf(a), home);
  EXPECT_FALSE(a->atHome()) << "not marked before it is published";
  EXPECT_EQ(t.slotFrom(home), FlowTable::kNoSlot);
  ASSERT_TRUE(t.publish(k, a));
  EXPECT_TRUE(a->atHome());
  EXPECT_EQ(t.homeOf(k), home) << "the address's index does not move";
  EXPECT_EQ(t.slotFrom(home), home);

  Flow* b = allocateFor(t, k, 2);
  EXPECT_NE(t.slotOf(b), home) << "home is a's";
  EXPECT_GE(t.slotOf(b), uint32_t{(FlowTable::kDefaultMaxLocalAddresses + 1) << 16}) << "in the overflow region";
  ASSERT_TRUE(t.publish(k, b));
  EXPECT_FALSE(a->atHome()) << "retired: a worker must stop taking it";
  EXPECT_FALSE(b->atHome()) << "not at home";
  EXPECT_EQ(t.slotFrom(home), t.slotOf(b)) << "found through the entry";
  EXPECT_EQ(t.lookup(k), b);

  t.reclaim();  // no reader: a is free
  Flow* c = allocateFor(t, k, 3);
  EXPECT_EQ(c, a) << "home again";
  ASSERT_TRUE(t.publish(k, c));
  EXPECT_TRUE(c->atHome());
  EXPECT_EQ(t.slotFrom(home), home);
  t.reclaim();
  EXPECT_EQ(t.inUse(), 1u) << "b went back to the overflow region";

  ASSERT_TRUE(t.remove(k));
  EXPECT_FALSE(c->atHome());
  EXPECT_EQ(t.slotFrom(home), FlowTable::kNoSlot);
}

TEST_F(FlowTableTest, LookupBulkReportsHitsAndSlots) {
  FlowTable& t = make(16);
  FlowKey keys[4] = {key("203.0.113.1:20000"), key("203.0.113.1:20002"), key("[2001:db8::1]:20000"),
                     key("203.0.113.1:20004")};
  Flow* f0 = allocateFor(t, keys[0], 1);
  Flow* f2 = allocateFor(t, keys[2], 2);
  ASSERT_TRUE(t.publish(keys[0], f0));
  ASSERT_TRUE(t.publish(keys[2], f2));
  // One flow away from home: found in bulk all the same.
  Flow* f3 = allocateFor(t, keys[3], 3);
  ASSERT_TRUE(t.publish(keys[3], f3));
  Flow* f3b = allocateFor(t, keys[3], 4);
  ASSERT_TRUE(t.publish(keys[3], f3b));
  uint32_t slots[4] = {};
  uint64_t hits = t.lookupBulk(keys, 4, slots);
  EXPECT_EQ(hits, 0b1101u);
  EXPECT_EQ(slots[0], t.slotOf(f0));
  EXPECT_EQ(slots[2], t.slotOf(f2));
  EXPECT_EQ(slots[3], t.slotOf(f3b));
  EXPECT_EQ(&t.pool()[slots[2]], f2);
}

TEST_F(FlowTableTest, KeysDifferingOnlyInPortIdOrFamilyAreDistinct) {
  FlowTable& t = make(16);
  FlowKey onPort0 = key("203.0.113.1:20000", 0);
  FlowKey onPort1 = key("203.0.113.1:20000", 1);
  FlowKey v6 = FlowKey::make(0, SocketAddress{IpAddress::v6FromNetwork(onPort0.address), 20000});
  Flow* a = allocateFor(t, onPort0, 1);
  Flow* b = allocateFor(t, onPort1, 2);
  Flow* c = allocateFor(t, v6, 3);
  ASSERT_TRUE(t.publish(onPort0, a));
  ASSERT_TRUE(t.publish(onPort1, b));
  ASSERT_TRUE(t.publish(v6, c));
  EXPECT_EQ(t.lookup(onPort0), a);
  EXPECT_EQ(t.lookup(onPort1), b);
  EXPECT_EQ(t.lookup(v6), c);
  EXPECT_TRUE(a->atHome() && b->atHome() && c->atHome()) << "three homes";
}

TEST_F(FlowTableTest, RetiredFlowIsNotReusedBeforeReaderIsQuiescent) {
  FlowTable& t = make(4);
  startReader();
  const FlowKey k = key("203.0.113.1:20000");
  Flow* a = allocateFor(t, k, 1);
  ASSERT_TRUE(t.publish(k, a));
  const uint32_t aIndex = t.slotOf(a);
  Flow* b = allocateFor(t, k, 2);
  ASSERT_TRUE(t.publish(k, b));  // a retired while the reader may still hold it
  ASSERT_NE(allocateFor(t, key("203.0.113.1:20002"), 3), nullptr);
  ASSERT_NE(allocateFor(t, key("203.0.113.1:20004"), 4), nullptr);
  EXPECT_EQ(t.inUse(), 4u);

  t.reclaim();
  EXPECT_EQ(t.inUse(), 4u) << "the reader has not passed a quiescent state";
  EXPECT_EQ(t.allocate(k), nullptr) << "a is still in its grace period: the table is full";

  rte_rcu_qsbr_quiescent(rcu_, 0);
  t.reclaim();
  EXPECT_EQ(t.inUse(), 3u);
  Flow* again = t.allocate(k);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(t.slotOf(again), aIndex) << "a's slot, the key's home, is free again";
  EXPECT_EQ(t.coldOf(again).sessionId, 0u) << "handed out reset";
  t.release(again);

  // The same for a removal: the home waits out its grace period, and the table (full again)
  // reclaims by itself when asked for a flow.
  ASSERT_NE(allocateFor(t, key("203.0.113.1:20006"), 5), nullptr);
  const uint32_t bIndex = t.slotOf(b);
  ASSERT_TRUE(t.remove(k));
  EXPECT_EQ(t.allocate(key("203.0.113.1:20008")), nullptr);
  rte_rcu_qsbr_quiescent(rcu_, 0);
  Flow* other = t.allocate(key("203.0.113.1:20008"));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(t.inUse(), 4u) << "b went back, and the new flow took its place in the count";
  EXPECT_EQ(t.slotOf(other), t.homeOf(key("203.0.113.1:20008"))) << "at its own home, not in b's overflow slot";
  EXPECT_NE(t.slotOf(other), bIndex);
}

// While a key's old flow waits out its grace period at home, a new flow for the key goes to the
// overflow region, not over the old one.
TEST_F(FlowTableTest, HomeIsNotReusedBeforeReaderIsQuiescent) {
  FlowTable& t = make(16);
  startReader();
  const FlowKey k = key("203.0.113.1:20000");
  Flow* a = allocateFor(t, k, 1);
  ASSERT_TRUE(t.publish(k, a));
  ASSERT_TRUE(t.remove(k));
  t.reclaim();
  Flow* b = allocateFor(t, k, 2);
  EXPECT_NE(b, a) << "a may still be read";
  EXPECT_EQ(t.coldOf(a).sessionId, 1u) << "and is untouched";
  ASSERT_TRUE(t.publish(k, b));
  EXPECT_EQ(t.lookup(k), b);
  ASSERT_TRUE(t.remove(k));

  rte_rcu_qsbr_quiescent(rcu_, 0);
  t.reclaim();
  EXPECT_EQ(t.inUse(), 0u);
  EXPECT_EQ(allocateFor(t, k, 3), a) << "home, after the grace period";
}

TEST_F(FlowTableTest, CapacityExhaustionReturnsNull) {
  FlowTable& t = make(8);
  std::set<uint32_t> indices;
  Flow* last = nullptr;
  FlowKey lastKey{};
  for (uint32_t i = 0; i < 8; ++i) {
    lastKey = FlowKey::make(0, SocketAddress{IpAddress::v4(0xcb007101u), static_cast<uint16_t>(20000 + 2 * i)});
    last = t.allocate(lastKey);
    ASSERT_NE(last, nullptr) << "allocation " << i;
    EXPECT_EQ(t.slotOf(last), t.homeOf(lastKey));
    indices.insert(t.slotOf(last));
  }
  EXPECT_EQ(indices.size(), 8u) << "every slot handed out once";
  EXPECT_EQ(t.inUse(), 8u);
  EXPECT_EQ(t.allocate(key("203.0.113.1:30000")), nullptr);
  t.release(last);
  Flow* back = t.allocate(lastKey);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(t.slotOf(back), t.slotOf(last));
}

TEST_F(FlowTableTest, AllocatedFlowIsFresh) {
  FlowTable& t = make(1);
  const FlowKey k = key("203.0.113.1:20000");
  Flow* f = t.allocate(k);
  ASSERT_NE(f, nullptr);
  f->flags = 0xff;
  t.coldOf(f).latchState.store(static_cast<uint32_t>(LatchState::kLatched));
  f->latchedV4.store(v4Identity(0x0100000a, 0x1234));
  t.coldOf(f).opposite = f;
  f->destination.neighborIndex = 7;
  t.release(f);
  Flow* g = t.allocate(k);
  ASSERT_EQ(g, f);
  EXPECT_EQ(g->flags, 0);
  EXPECT_EQ(t.coldOf(g).latchState.load(), static_cast<uint32_t>(LatchState::kUnlatched));
  EXPECT_EQ(g->latchedV4.load(), 0u);
  EXPECT_EQ(t.coldOf(g).opposite, nullptr);
  EXPECT_EQ(g->destination.neighborIndex, kNoNeighbor);
  EXPECT_EQ(t.slotOf(g), t.homeOf(k));
}

// A slot array (a worker's per-flow counters) is committed with the flows: the page of a flow's
// element is in memory once the flow is handed out, before any worker writes it, in an array made
// before the flow and in one made after it; a chunk nobody uses stays uncommitted.
TEST_F(FlowTableTest, SlotArraysAreCommittedWithTheirFlows) {
  FlowTable& t = make(16);
  auto* before = static_cast<FlowStats*>(t.mapSlotArray(sizeof(FlowStats)));
  ASSERT_NE(before, nullptr);
  const FlowKey k = key("203.0.113.1:40000");
  EXPECT_FALSE(resident(&before[t.homeOf(k)])) << "nothing handed out there yet";
  Flow* f = allocateFor(t, k, 1);
  const uint32_t slot = t.slotOf(f);
  EXPECT_TRUE(resident(f));
  EXPECT_TRUE(resident(&t.coldOf(f)));
  EXPECT_TRUE(resident(&before[slot]));
  EXPECT_EQ(before[slot].latches, 0u);
  auto* after = static_cast<FlowStats*>(t.mapSlotArray(sizeof(FlowStats)));
  ASSERT_NE(after, nullptr);
  EXPECT_TRUE(resident(&after[slot]));
  EXPECT_EQ(after[slot].sourceDrops, 0u);
  const uint32_t farAway = slot + (16u << 16);  // another address's homes, megabytes away
  EXPECT_FALSE(resident(&before[farAway]));
  EXPECT_FALSE(resident(&t.pool()[farAway]));
  t.unmapSlotArray(before);
  t.unmapSlotArray(after);
}

TEST_F(FlowTableTest, FullTableOfKeysAllFound) {
  constexpr uint32_t kCapacity = 256;
  FlowTable& t = make(kCapacity);
  std::vector<FlowKey> keys;
  std::vector<Flow*> flows;
  for (uint32_t i = 0; i < kCapacity; ++i) {
    SocketAddress local{IpAddress::v4(0xcb007100u + 1 + i % 4), static_cast<uint16_t>(20000 + 2 * (i / 4))};
    keys.push_back(FlowKey::make(static_cast<uint16_t>(i % 2), local));
    flows.push_back(allocateFor(t, keys.back(), i));
    ASSERT_TRUE(t.publish(keys.back(), flows.back())) << "key " << i;
  }
  for (uint32_t i = 0; i < kCapacity; ++i) EXPECT_EQ(t.lookup(keys[i]), flows[i]) << "key " << i;
}

// The table indexes (port, address) pairs in a directory and then the UDP port directly: many
// addresses of both families on two ports, each with its own flows, are all found; an address
// or a port nobody published is a miss, in bulk and alone.
TEST_F(FlowTableTest, ManyLocalAddressesOfBothFamilies) {
  constexpr uint32_t kAddresses = 300;
  FlowTable& t = make(kAddresses * 2);
  std::vector<FlowKey> keys;
  std::vector<Flow*> flows;
  for (uint32_t i = 0; i < kAddresses; ++i) {
    IpAddress a = IpAddress::v4(0xcb007100u + i);
    if (i % 3 == 0) {
      a = *IpAddress::parse("2001:db8::");
      a.bytes[14] = static_cast<uint8_t>(i >> 8);
      a.bytes[15] = static_cast<uint8_t>(i);
    }
    // A few addresses also use their last port, the edge of their homes (each 32k ports of
    // homes in use cost 2 MiB of flow lines).
    for (uint16_t port : {uint16_t{20000}, uint16_t(i % 100 == 0 ? 65535 : 20002)}) {
      keys.push_back(FlowKey::make(static_cast<uint16_t>(i % 2), SocketAddress{a, port}));
      flows.push_back(allocateFor(t, keys.back(), i));
      ASSERT_TRUE(t.publish(keys.back(), flows.back())) << "address " << i;
    }
  }
  for (size_t k = 0; k < keys.size(); ++k) EXPECT_EQ(t.lookup(keys[k]), flows[k]) << "key " << k;

  FlowKey otherPort = keys[0];
  otherPort.udpPortBe = htons(20004);
  FlowKey otherPortId = keys[0];
  otherPortId.portId = 7;
  FlowKey unknownAddress = key("192.0.2.99:20000");
  EXPECT_EQ(t.lookup(otherPort), nullptr);
  EXPECT_EQ(t.lookup(otherPortId), nullptr);
  EXPECT_EQ(t.lookup(unknownAddress), nullptr);
  EXPECT_FALSE(t.remove(unknownAddress));

  FlowKey bulk[6] = {keys[0], unknownAddress, keys[1], keys[0], otherPort, keys[599]};
  uint32_t slots[6] = {};
  EXPECT_EQ(t.lookupBulk(bulk, 6, slots), 0b101101u);
  EXPECT_EQ(slots[0], t.slotOf(flows[0]));
  EXPECT_EQ(slots[2], t.slotOf(flows[1]));
  EXPECT_EQ(slots[3], t.slotOf(flows[0]));
  EXPECT_EQ(slots[5], t.slotOf(flows[599]));
}

// A worker's address cache keeps every address of a large media plan at once: a million
// sessions at 40,000 ports an address take 25 addresses on each of two ports (access and core,
// one /24 each). Two addresses that shared an entry would send every other packet of theirs
// to the directory.
TEST_F(FlowTableTest, AddressCacheHoldsEveryAddressOfAMillionSessionPlan) {
  constexpr uint32_t kPerRealm = 25;
  FlowTable& t = make(4 * kPerRealm);
  std::vector<FlowKey> keys;
  for (uint16_t realm = 0; realm < 2; ++realm)
    for (uint32_t i = 0; i < kPerRealm; ++i) {
      const IpAddress a = IpAddress::v4((realm == 0 ? 0xc6120001u : 0xc6130001u) + i);  // 198.18/19.0.1...
      keys.push_back(FlowKey::make(realm, SocketAddress{a, 20000}));
      ASSERT_TRUE(t.publish(keys.back(), allocateFor(t, keys.back(), i)));
    }
  FlowTable::AddressCache cache;
  FlowTable::Locator locator(t, cache);
  std::vector<uint32_t> homes(keys.size());
  locator.locateAll(keys.data(), static_cast<uint32_t>(keys.size()), homes.data());
  EXPECT_EQ(cache.misses, keys.size()) << "each address is searched for once";
  for (int pass = 0; pass < 3; ++pass)
    for (size_t k = 0; k < keys.size(); ++k) {
      // The realms' packets interleaved, as a worker polling both ports sees them.
      const size_t at = (k % 2) * kPerRealm + k / 2;
      EXPECT_EQ(locator.locateKey(keys[at]), homes[at]);
    }
  EXPECT_EQ(cache.misses, keys.size()) << "no address evicted another";
  for (size_t k = 0; k < keys.size(); ++k) EXPECT_EQ(t.slotFrom(homes[k]), homes[k]) << "at home";
}

// The cache finds an entry by one word (AddressCache::tagOf): an IPv4 key's whole but for its
// UDP port, a fold of an IPv6 key's address. Keys whose tags meet are still told apart: two IPv6
// addresses whose words differ by the same bits, and an IPv4 address with an IPv6 one that folds
// to it; and an IPv4 key found by its tag alone (findV4, as classify's AVX-512 path finds it)
// gets the home its whole key has.
TEST_F(FlowTableTest, AddressCacheTellsApartKeysWhoseTagsMeet) {
  FlowTable& t = make(16);
  const FlowKey keys[] = {key("[2001:db8::1]:20000"), key("[3001:db8::1000:0:0:1]:20000"),
                          key("198.51.100.7:20002"), key("[c633:6407::]:20002"), key("198.51.100.7:20004", 1)};
  uint64_t words[2][2];
  for (unsigned k = 0; k < 2; ++k) std::memcpy(words[k], keys[k].address, 16);
  ASSERT_EQ(words[0][0] ^ words[0][1], words[1][0] ^ words[1][1]) << "the first two fold alike";
  ASSERT_EQ(std::memcmp(keys[2].address, keys[3].address, 4), 0) << "the IPv6 one starts with the IPv4 one";
  for (unsigned k = 0; k < std::size(keys); ++k) ASSERT_TRUE(t.publish(keys[k], allocateFor(t, keys[k], k)));
  FlowTable::AddressCache cache;
  FlowTable::Locator locator(t, cache);
  for (int pass = 0; pass < 3; ++pass)
    for (unsigned k = 0; k < std::size(keys); ++k) {
      const uint32_t home = locator.locateKey(keys[k]);
      EXPECT_EQ(home, t.homeOf(keys[k])) << "key " << k;
      EXPECT_EQ(t.slotFrom(home), home) << "key " << k << ": its own flow, at home";
    }
  for (const unsigned k : {2u, 4u}) {
    uint64_t w[3];
    std::memcpy(w, &keys[k], sizeof w);
    const uint64_t restTag = FlowTable::AddressCache::restTag(w[2] & ~uint64_t{0xffff});
    EXPECT_EQ(locator.findV4(w[0], restTag, static_cast<uint32_t>(w[2] & 0xffff)), t.homeOf(keys[k])) << "key " << k;
  }
}

// The homes of one address follow its UDP ports in host order, so that a media port range's
// flows lie on consecutive lines (and pages), whatever bytes of the port change.
TEST_F(FlowTableTest, HomesOfAPortRangeAreConsecutiveLines) {
  FlowTable& t = make(16);
  ASSERT_TRUE(t.publish(key("198.51.100.7:20000"), allocateFor(t, key("198.51.100.7:20000"), 0)));
  const uint32_t first = t.homeOf(key("198.51.100.7:20000"));
  for (const uint16_t port : {20001, 20255, 20256, 20257, 59999}) {
    const std::string local = "198.51.100.7:" + std::to_string(port);
    EXPECT_EQ(t.homeOf(key(local.c_str())), first + (port - 20000u)) << port;
  }
}

TEST_F(FlowTableTest, LocalAddressesBeyondTheDirectoryAreRefused) {
  constexpr uint32_t kAddresses = 8;
  table_ = FlowTable::create(kAddresses + 2, rcu_, ("ft" + std::to_string(tableCount++)).c_str(), kAddresses);
  ASSERT_NE(table_, nullptr);
  FlowTable& t = *table_;
  EXPECT_EQ(t.maxLocalAddresses(), kAddresses);
  for (uint32_t i = 0; i < kAddresses; ++i) {
    const FlowKey k = FlowKey::make(0, SocketAddress{IpAddress::v4(0x0a000000u + i), 20000});
    ASSERT_TRUE(t.publish(k, allocateFor(t, k, i))) << "address " << i;
  }
  const FlowKey beyond = FlowKey::make(0, SocketAddress{IpAddress::v4(0x0b000000u), 20000});
  Flow* extra = allocateFor(t, beyond, 9999);
  EXPECT_GE(t.slotOf(extra), uint32_t{(kAddresses + 1) << 16}) << "no home: an overflow slot";
  EXPECT_FALSE(t.publish(beyond, extra));
  EXPECT_EQ(t.lookup(beyond), nullptr);
  uint32_t slot = 0;
  EXPECT_EQ(t.lookupBulk(&beyond, 1, &slot), 0u);
  t.release(extra);
  const FlowKey another = FlowKey::make(0, SocketAddress{IpAddress::v4(0x0a000005u), 20002});
  Flow* f = allocateFor(t, another, 5);
  EXPECT_TRUE(t.publish(another, f)) << "a new port of a known address needs no directory entry";
  EXPECT_EQ(t.lookup(another), f);
}

}  // namespace
}  // namespace sbc::dataplane::test
