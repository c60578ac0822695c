#pragma once
// Pools of packet mbufs, laid out for the caches.
//
// rte_pktmbuf_pool_create keeps every object inside one page, so that a device can reach it by
// physical address. Without hugepages (--no-huge) that is one 2.3 KiB mbuf per 4 KiB page: every
// mbuf's header and first data line sit at the same offset of their pages, so all of them fall
// in one set of the L1 cache (twelve ways on the EPYCs here), and a burst in flight misses on
// every mbuf it touches.
// Where I/O addresses are virtual (IOVA as VA: virtual devices, or a device behind an IOMMU) an
// object may cross a page, and these pools pack their objects; where they are physical, they are
// what rte_pktmbuf_pool_create makes.

#include <rte_mempool.h>

#include <cstdint>

namespace sbc::dataplane {

// As rte_pktmbuf_pool_create (null and rte_errno set on failure).
rte_mempool* createPacketPool(const char* name, unsigned count, unsigned cacheSize, uint16_t privateSize,
                              uint16_t dataRoom, int socket);

// Whether a pool's objects may cross pages (sbcbench reports it beside its figures).
bool packsAcrossPages(const rte_mempool* pool);

}  // namespace sbc::dataplane
