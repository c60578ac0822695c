#pragma once
// The real worker pipeline without ports: two interfaces (access, core) in an InterfaceTable,
// the FlowTable, NeighborTable and SessionTable the appliance uses, and N media sessions made
// through the same control-side code path as `media session add`. Session i is reached at a
// deterministic (address, port) so the generator can aim at it without a lookup.

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/dataplane.h"
#include "dataplane/firewall.h"
#include "dataplane/flow_table.h"
#include "dataplane/interface_table.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/session_table.h"
#include "dataplane/worker.h"

namespace sbc::bench {

// Starts the EAL once for the whole sbcbench process (no hugepages needed, no devices).
bool startEal(uint32_t memoryMb, std::string& error);
extern bool usingHugepages;  // what startEal got
// Releases the EAL and removes the runtime directory startEal's private prefix made.
void stopEal();

struct SessionAddressing {
  static constexpr uint32_t kPortsPerAddress = 40000;  // media range 20000..59999, rtcp-mux
  static constexpr uint32_t kPeers = 256;
  uint32_t accessLocalBase = 0xC6120000u;  // 198.18.0.0: SBC access addresses 198.18.0.1...
  uint32_t coreLocalBase = 0xC6130000u;    // 198.19.0.0: SBC core addresses 198.19.0.1...
  uint32_t accessPeerBase = 0xC6128000u;   // 198.18.128.0: carrier hosts
  uint32_t corePeerBase = 0xC6138000u;     // 198.19.128.0: contact-center hosts

  uint32_t accessLocal(uint32_t i) const { return accessLocalBase + 1 + i / kPortsPerAddress; }
  uint32_t coreLocal(uint32_t i) const { return coreLocalBase + 1 + i / kPortsPerAddress; }
  uint16_t localPort(uint32_t i) const { return static_cast<uint16_t>(20000 + i % kPortsPerAddress); }
  uint32_t accessPeer(uint32_t i) const { return accessPeerBase + 1 + i % kPeers; }
  uint32_t corePeer(uint32_t i) const { return corePeerBase + 1 + i % kPeers; }
  uint16_t peerPort(uint32_t i) const { return static_cast<uint16_t>(10000 + 2 * ((i / kPeers) % 20000)); }
};

class BenchFixture {
 public:
  // Room for `capacity` sessions; none created yet. `pageAlignedMbufs`: the mbufs as
  // rte_pktmbuf_pool_create lays them out, one per 4 KiB page without hugepages, to compare
  // with the pool sbcd makes (dataplane/packet_pool.h).
  static std::unique_ptr<BenchFixture> create(uint32_t capacity, std::string& error, bool pageAlignedMbufs = false);
  ~BenchFixture();

  dataplane::MediaSessionSpec spec(uint32_t i) const;
  dataplane::Status addSession(uint32_t i);
  dataplane::Status removeSession(uint32_t i);
  bool addSessions(uint32_t count, std::string& error);

  dataplane::Worker& worker() { return *worker_; }
  dataplane::SessionTable& sessions() { return *sessions_; }
  rte_mempool* pool() { return pool_; }
  rte_rcu_qsbr* rcu() { return rcu_; }
  dataplane::FlowTable& flows() { return *flows_; }
  // Nothing bound until a bench applies a configuration (`sbcbench acl`).
  dataplane::Firewall& firewall() { return *firewall_; }
  const dataplane::InterfaceTable& interfaces() const { return interfaces_; }
  const SessionAddressing& addressing() const { return addressing_; }

 private:
  BenchFixture() = default;

  SessionAddressing addressing_;
  dataplane::InterfaceTable interfaces_{};
  std::vector<dataplane::InterfaceConfig> configs_;
  rte_mempool* pool_ = nullptr;
  rte_rcu_qsbr* rcu_ = nullptr;
  std::unique_ptr<dataplane::FlowTable> flows_;
  std::unique_ptr<dataplane::NeighborTable> neighbors_;
  std::unique_ptr<dataplane::Firewall> firewall_;
  std::unique_ptr<dataplane::Worker> worker_;
  std::unique_ptr<dataplane::SessionTable> sessions_;
};

}  // namespace sbc::bench
