#include "dataplane/packet_pool.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

namespace sbc::dataplane {

rte_mempool* createPacketPool(const char* name, unsigned count, unsigned cacheSize, uint16_t privateSize,
                              uint16_t dataRoom, int socket) {
  if (rte_eal_iova_mode() != RTE_IOVA_VA)
    return rte_pktmbuf_pool_create(name, count, cacheSize, privateSize, dataRoom, socket);
  // rte_pktmbuf_pool_create's steps, with objects allowed across pages.
  if (RTE_ALIGN(privateSize, RTE_MBUF_PRIV_ALIGN) != privateSize) {
    rte_errno = EINVAL;
    return nullptr;
  }
  rte_mempool* pool = rte_mempool_create_empty(name, count, sizeof(rte_mbuf) + privateSize + dataRoom, cacheSize,
                                               sizeof(rte_pktmbuf_pool_private), socket,
                                               RTE_MEMPOOL_F_NO_IOVA_CONTIG);
  if (pool == nullptr) return nullptr;
  rte_pktmbuf_pool_private settings{};
  settings.mbuf_data_room_size = dataRoom;
  settings.mbuf_priv_size = privateSize;
  int rc = rte_mempool_set_ops_byname(pool, rte_mbuf_best_mempool_ops(), nullptr);
  if (rc == 0) {
    rte_pktmbuf_pool_init(pool, &settings);
    rc = rte_mempool_populate_default(pool);
  }
  if (rc < 0) {
    rte_mempool_free(pool);
    rte_errno = -rc;
    return nullptr;
  }
  rte_mempool_obj_iter(pool, rte_pktmbuf_init, nullptr);
  return pool;
}

bool packsAcrossPages(const rte_mempool* pool) { return (pool->flags & RTE_MEMPOOL_F_NO_IOVA_CONTIG) != 0; }

}  // namespace sbc::dataplane
