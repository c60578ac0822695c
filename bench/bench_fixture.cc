#include "bench/bench_fixture.h"

#include "dataplane/packet_pool.h"
#include "dataplane/ports.h"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>

namespace sbc::bench {

using namespace sbc::dataplane;

bool usingHugepages = false;

bool startEal(uint32_t memoryMb, std::string& error) {
  static std::vector<std::string> args;
  // Hugepages where the machine has them free (as a production box does), 4 KiB pages otherwise.
  bool huge = dataplane::freeHugepages() * 2 >= memoryMb;
  args = {"sbcbench", "--no-pci", "--file-prefix", "sbcbench" + std::to_string(getpid()),
          "-m", std::to_string(memoryMb), "--lcores", "0@0,1@1", "--log-level", "lib.eal:error"};
  if (!huge) args.push_back("--no-huge");
  // As sbcd does: the SIMD paths (rte_acl's; classify's and the relay's need only 256) as wide as
  // the CPU has them.
  args.push_back("--force-max-simd-bitwidth=512");
  usingHugepages = huge;
  static std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0) {
    error = std::string("EAL: ") + rte_strerror(rte_errno);
    return false;
  }
  return true;
}

void stopEal() {
  std::string runtimeDir = rte_eal_get_runtime_dir();
  rte_eal_cleanup();
  if (runtimeDir.find("/sbcbench" + std::to_string(getpid())) != std::string::npos)
    std::filesystem::remove_all(runtimeDir);
}

namespace {
std::atomic<unsigned> fixtureCount{0};

MacAddress mac(uint8_t last) { return {0x02, 0x5b, 0xc0, 0x00, 0x00, last}; }
}  // namespace

std::unique_ptr<BenchFixture> BenchFixture::create(uint32_t capacity, std::string& error, bool pageAlignedMbufs) {
  std::unique_ptr<BenchFixture> f(new BenchFixture());
  std::string tag = "b" + std::to_string(fixtureCount++);
  const SessionAddressing& a = f->addressing_;
  uint32_t addressesPerSide = (capacity + SessionAddressing::kPortsPerAddress - 1) / SessionAddressing::kPortsPerAddress;
  if (addressesPerSide > kMaxAddressesPerInterface) {
    error = "too many sessions for the bench addressing";
    return nullptr;
  }
  const char* names[2] = {"access0", "core0"};
  const char* realms[2] = {"access", "core"};
  uint32_t bases[2] = {a.accessLocalBase, a.coreLocalBase};
  for (uint8_t i = 0; i < 2; ++i) {
    InterfaceConfig c;
    c.name = names[i];
    c.realm = realms[i];
    c.device = "bench";
    InterfaceRuntime& rt = f->interfaces_.interfaces[i];
    rt.index = i;
    rt.portId = i;
    rt.mac = mac(static_cast<uint8_t>(i + 1));
    rt.mediaPortMin = 20000;
    rt.mediaPortMax = 59999;
    for (uint32_t k = 0; k < addressesPerSide; ++k) {
      IpAddress ip = IpAddress::v4(bases[i] + 1 + k);
      c.addresses.push_back(IpPrefix{ip, 16});
      std::memcpy(&rt.v4[rt.v4Count++], ip.bytes.data(), 4);
    }
    f->configs_.push_back(c);
  }
  f->interfaces_.count = 2;
  std::memset(f->interfaces_.byPort, 0xff, sizeof f->interfaces_.byPort);
  f->interfaces_.byPort[0] = 0;
  f->interfaces_.byPort[1] = 1;

  const std::string poolName = tag + "_mbufs";
  f->pool_ = pageAlignedMbufs ? rte_pktmbuf_pool_create(poolName.c_str(), 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                                        static_cast<int>(rte_socket_id()))
                              : dataplane::createPacketPool(poolName.c_str(), 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                                            static_cast<int>(rte_socket_id()));
  size_t rcuBytes = rte_rcu_qsbr_get_memsize(1);
  f->rcu_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc(nullptr, rcuBytes, RTE_CACHE_LINE_SIZE));
  if (f->pool_ == nullptr || f->rcu_ == nullptr || rte_rcu_qsbr_init(f->rcu_, 1) != 0) {
    error = "cannot allocate mbufs or RCU";
    return nullptr;
  }
  // rtcp-mux sessions: two flows each.
  f->flows_ = FlowTable::create(capacity * 2 + 64, f->rcu_, (tag + "_flows").c_str());
  f->neighbors_ = NeighborTable::create(4096, tag.c_str());
  if (!f->flows_ || !f->neighbors_) {
    error = "cannot create flow or neighbour table";
    return nullptr;
  }
  f->firewall_ = std::make_unique<Firewall>(std::vector<std::string>{realms[0], realms[1]}, 1, rte_get_tsc_hz(), f->rcu_);
  SharedTables tables{&f->interfaces_, f->flows_.get(), f->neighbors_.get(), nullptr, f->rcu_};
  tables.firewall = f->firewall_.get();
  f->worker_ = std::make_unique<Worker>(tables, 0);
  f->sessions_ = std::make_unique<SessionTable>(f->interfaces_, f->configs_, *f->flows_,
                                                *f->neighbors_,
                                                std::vector<const FlowStats*>{f->worker_->flowStats()},
                                                rte_get_tsc_hz());
  // The peers' MACs are known, as after ARP.
  for (uint32_t p = 0; p < SessionAddressing::kPeers; ++p) {
    f->neighbors_->setStatic(0, IpAddress::v4(a.accessPeerBase + 1 + p), mac(0x10));
    f->neighbors_->setStatic(1, IpAddress::v4(a.corePeerBase + 1 + p), mac(0x20));
  }
  return f;
}

BenchFixture::~BenchFixture() {
  sessions_.reset();
  worker_.reset();
  firewall_.reset();
  flows_.reset();
  neighbors_.reset();
  if (rcu_) rte_free(rcu_);
  if (pool_) rte_mempool_free(pool_);
}

MediaSessionSpec BenchFixture::spec(uint32_t i) const {
  const SessionAddressing& a = addressing_;
  MediaSessionSpec s;
  s.id = i + 1;
  s.legs[0].interfaceName = "access0";
  s.legs[0].local = {IpAddress::v4(a.accessLocal(i)), a.localPort(i)};
  s.legs[0].remote = {IpAddress::v4(a.accessPeer(i)), a.peerPort(i)};
  s.legs[0].rtcpMux = true;
  s.legs[1].interfaceName = "core0";
  s.legs[1].local = {IpAddress::v4(a.coreLocal(i)), a.localPort(i)};
  s.legs[1].remote = {IpAddress::v4(a.corePeer(i)), a.peerPort(i)};
  s.legs[1].rtcpMux = true;
  return s;
}

Status BenchFixture::addSession(uint32_t i) { return sessions_->create(spec(i), rte_rdtsc()); }
Status BenchFixture::removeSession(uint32_t i) { return sessions_->remove(i + 1); }

bool BenchFixture::addSessions(uint32_t count, std::string& error) {
  for (uint32_t i = 0; i < count; ++i) {
    if (Status s = addSession(i); !s.ok()) {
      error = "session " + std::to_string(i) + ": " + s.error;
      return false;
    }
  }
  return true;
}

}  // namespace sbc::bench
