#pragma once
// The control side's half of neighbour handling: it asks (ARP request, neighbour
// solicitation) for next hops that are unresolved — every second until they answer — and
// refreshes resolved ones before they go stale. Answers are learned by the workers.

#include <rte_mempool.h>

#include <cstdint>
#include <vector>

#include "dataplane/exception_path.h"
#include "dataplane/interface_table.h"
#include "dataplane/neighbor_table.h"

namespace sbc::dataplane {

class NeighborResolver {
 public:
  NeighborResolver(const InterfaceTable& interfaces, NeighborTable& neighbors,
                   ExceptionPath& exceptionPath, rte_mempool* pool, uint64_t tscHz);

  // Sends what is due; cheap when nothing is.
  void poll(uint64_t nowTsc);
  // The next poll() scans (new next hops get their first request without waiting).
  void scanSoon() { nextScanTsc_ = 0; }
  uint64_t requestsSent() const { return requestsSent_; }

 private:
  bool sendArpRequest(const InterfaceRuntime& iface, const IpAddress& target);
  bool sendNeighborSolicitation(const InterfaceRuntime& iface, const IpAddress& target);

  const InterfaceTable& interfaces_;
  NeighborTable& neighbors_;
  ExceptionPath& exceptionPath_;
  rte_mempool* pool_;
  uint64_t tscHz_;
  std::vector<uint64_t> lastRequestTsc_;
  uint64_t nextScanTsc_ = 0;
  uint64_t requestsSent_ = 0;
};

}  // namespace sbc::dataplane
