// The packet pool: packed objects where I/O addresses are virtual (these tests run the EAL
// without hugepages or devices, IOVA as VA), and mbufs that work like any other.

#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "dataplane/packet_pool.h"

namespace sbc::dataplane {
namespace {

constexpr unsigned kCount = 255;

struct PoolDeleter {
  void operator()(rte_mempool* p) const { rte_mempool_free(p); }
};

TEST(PacketPoolTest, PacksObjectsWhenIoAddressesAreVirtual) {
  ASSERT_EQ(rte_eal_iova_mode(), RTE_IOVA_VA) << "the tests' EAL runs without hugepages or devices";
  std::unique_ptr<rte_mempool, PoolDeleter> pool(
      createPacketPool("pool_packed", kCount, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id())));
  ASSERT_NE(pool, nullptr);
  EXPECT_TRUE(packsAcrossPages(pool.get()));
  std::vector<rte_mbuf*> m(kCount);
  ASSERT_EQ(rte_pktmbuf_alloc_bulk(pool.get(), m.data(), kCount), 0);
  std::sort(m.begin(), m.end());
  // rte_pktmbuf_pool_create puts one 2.3 KiB mbuf in each 4 KiB page here. Packed, the stride is
  // the object's own size, and the headers spread over the cache's sets.
  const uintptr_t stride = reinterpret_cast<uintptr_t>(m[1]) - reinterpret_cast<uintptr_t>(m[0]);
  EXPECT_LT(stride, 4096u);
  EXPECT_GE(stride, sizeof(rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE);
  std::set<uintptr_t> setsOfHeaders;  // bits 6-11: the set of a 48 KiB, 12-way L1 (64 sets)
  for (rte_mbuf* p : m) setsOfHeaders.insert((reinterpret_cast<uintptr_t>(p) >> 6) & 63);
  EXPECT_EQ(setsOfHeaders.size(), 64u);
  // Every mbuf is a whole, usable packet buffer with the pool's data room.
  for (rte_mbuf* p : m) {
    EXPECT_EQ(rte_pktmbuf_data_room_size(pool.get()), RTE_MBUF_DEFAULT_BUF_SIZE);
    EXPECT_EQ(rte_pktmbuf_headroom(p), RTE_PKTMBUF_HEADROOM);
    char* data = rte_pktmbuf_append(p, 1500);
    ASSERT_NE(data, nullptr);
    std::memset(data, 0xa5, 1500);
    EXPECT_EQ(rte_mbuf_check(p, 1, nullptr), 0);
  }
  rte_pktmbuf_free_bulk(m.data(), kCount);
  EXPECT_EQ(rte_mempool_avail_count(pool.get()), kCount);
}

TEST(PacketPoolTest, KeepsPrivateAreasAndRefusesMisalignedOnes) {
  std::unique_ptr<rte_mempool, PoolDeleter> pool(
      createPacketPool("pool_priv", 63, 0, 8, RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id())));
  ASSERT_NE(pool, nullptr);
  rte_mbuf* m = rte_pktmbuf_alloc(pool.get());
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->priv_size, 8);
  EXPECT_EQ(rte_mbuf_to_priv(m), static_cast<void*>(m + 1));
  rte_pktmbuf_free(m);
  // As rte_pktmbuf_pool_create: a private area must keep the data aligned.
  EXPECT_EQ(createPacketPool("pool_bad_priv", 63, 0, 5, RTE_MBUF_DEFAULT_BUF_SIZE, static_cast<int>(rte_socket_id())),
            nullptr);
  EXPECT_EQ(rte_errno, EINVAL);
}

}  // namespace
}  // namespace sbc::dataplane
