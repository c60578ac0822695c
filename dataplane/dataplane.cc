#include "dataplane/dataplane.h"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "dataplane/exception_path.h"
#include "dataplane/flow_table.h"
#include "dataplane/neighbor_resolver.h"
#include "dataplane/neighbor_table.h"
#include "dataplane/packet_capture.h"
#include "dataplane/packet_pool.h"
#include "dataplane/ports.h"
#include "dataplane/session_table.h"
#include "dataplane/sip_flood_guard.h"
#include "dataplane/worker.h"

namespace sbc::dataplane {
namespace {

constexpr unsigned kExceptionRingSize = 4096;
constexpr unsigned kControlTxRingSize = 1024;
constexpr unsigned kNeighborCapacity = 4096;
constexpr unsigned kMbufCache = 256;
// An interface's own rx pool (max-frame): a small per-lcore cache, and the share of the
// exception ring its large mbufs may fill while the control lcore catches up.
constexpr unsigned kLargeFrameCache = 32;
constexpr unsigned kLargeFrameExceptionShare = 256;
// Copies in flight between the workers and the pcap writer: the capture ring, and the caches.
constexpr unsigned kCapturePoolSize = 8191;

uint64_t wallClockMs() {
  timeval tv;
  gettimeofday(&tv, nullptr);
  return uint64_t(tv.tv_sec) * 1000 + uint64_t(tv.tv_usec) / 1000;
}

class DataplaneImpl;

struct WorkerLaunch {
  Worker* worker;
  std::vector<RxQueue> queues;
  uint16_t txQueue;
  uint32_t idleSleepUs;
  const std::atomic<bool>* stop;
};

// The mbufs of an interface's own rx pool: what can hold them at once. Its rx queues (none on
// af_packet, which copies from the kernel's ring into an mbuf as a frame arrives), the tx rings
// of ports that keep sent mbufs until the NIC is done (af_packet and the TAP copy and free at
// once), three bursts per worker (received, held in the pipeline, waiting in tx buffers), the
// exception ring's share, and the caches. Not rounded up to 2^n - 1 (the size that fills the
// pool's ring): with mbufs this large the ring is the smaller waste. The lab (one worker,
// af_packet ports) gets 416.
unsigned largeFramePoolSize(const DataplaneConfig& c, const InterfaceConfig& iface) {
  unsigned n = isAfPacket(iface.device) ? 0 : c.workers * c.rxDescriptors;
  for (const InterfaceConfig& out : c.interfaces)
    if (!isAfPacket(out.device)) n += c.workers * c.txDescriptors;
  return n + c.workers * 3 * kMaxBurst + kLargeFrameExceptionShare + (c.workers + 1) * kLargeFrameCache;
}

int workerMain(void* arg) {
  auto* l = static_cast<WorkerLaunch*>(arg);
  l->worker->run(l->queues, l->txQueue, l->idleSleepUs, *l->stop);
  return 0;
}

class DataplaneImpl final : public Dataplane {
 public:
  ~DataplaneImpl() override { stop(); }

  Status init(const DataplaneConfig& config, const std::vector<std::string>& extraEal);

  // A session's peers are asked for their MAC at the next poll, not the next scan: media
  // follows the SDP answer within milliseconds, and a packet without a next hop is lost.
  Status createSession(const MediaSessionSpec& spec) override {
    Status status = sessions_->create(spec, rte_rdtsc());
    if (status.ok()) resolver_->scanSoon();
    return status;
  }
  Status updateSession(const MediaSessionSpec& spec) override {
    if (!sessions_->view(spec.id, rte_rdtsc())) return Status::failure("no session " + std::to_string(spec.id));
    Status status = sessions_->update(spec, rte_rdtsc());
    if (status.ok()) resolver_->scanSoon();
    return status;
  }
  Status deleteSession(uint32_t id) override { return sessions_->remove(id); }
  std::optional<SessionView> session(uint32_t id) const override { return sessions_->view(id, rte_rdtsc()); }
  std::vector<SessionView> sessions() const override { return sessions_->views(rte_rdtsc()); }
  std::vector<InterfaceView> interfaces() const override;
  std::vector<NeighborView> neighbors() const override;
  DataplaneTotals totals() const override;
  std::vector<WorkerView> workers() const override;
  std::vector<uint32_t> poll() override;
  Status run() override;
  void stop() override;

  Status applyFirewall(const FirewallConfig& config) override;
  FirewallView firewall() const override { return firewall_ ? firewall_->view() : FirewallView{}; }
  void clearFirewallCounters() override {
    if (firewall_) firewall_->clearCounters();
  }
  std::vector<BlockedSourceView> blockedSources() const override;
  std::vector<AclLogEntry> aclLog() const override { return firewall_ ? firewall_->logHistory() : std::vector<AclLogEntry>{}; }
  Status startCapture(const CaptureSpec& spec) override;
  Status stopCapture() override;
  CaptureView capture() const override;

  // The SIP flood guard's configuration and its trusted sources (the trunks' pinhole
  // prefixes), in force from the workers' next burst. applyFirewall calls it; until then the
  // guard runs with SipFloodGuardConfig's defaults and trusts nobody.
  void configureFloodGuard(const SipFloodGuardConfig& config, std::vector<IpPrefix> trusted);

 private:
  Status startInterfaces();

  DataplaneConfig config_;
  InterfaceTable interfaces_{};
  rte_mempool* pool_ = nullptr;
  std::vector<rte_mempool*> rxPools_;  // interfaces' own, for frames beyond pool_'s mbufs
  rte_rcu_qsbr* rcu_ = nullptr;
  rte_ring* exceptionRing_ = nullptr;
  std::unique_ptr<FlowTable> flows_;
  std::unique_ptr<NeighborTable> neighbors_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<WorkerLaunch> launches_;
  std::vector<unsigned> workerLcores_;
  std::unique_ptr<ExceptionPath> exception_;
  std::unique_ptr<NeighborResolver> resolver_;
  std::unique_ptr<SessionTable> sessions_;
  std::atomic<bool> stop_{false};
  uint64_t tscHz_ = 1;
  uint64_t nextIdleScanTsc_ = 0;
  bool ealStarted_ = false;
  bool workersLaunched_ = false;
  bool stopped_ = false;
  std::unique_ptr<Firewall> firewall_;  // the ACLs (firewall.h); made before the workers

  // The flood guard: the settings the workers read, and every one ever published (a worker may
  // still hold an older one for a burst; they are small and commits are rare).
  std::atomic<const SipFloodGuardSettings*> floodSettings_{nullptr};
  std::vector<std::shared_ptr<const SipFloodGuardSettings>> floodHistory_;
  // `monitor capture`: the filter the workers read, the session that writes the file.
  std::atomic<CaptureFilter*> captureFilter_{nullptr};
  std::unique_ptr<CaptureSession> captureSession_;
  rte_mempool* capturePool_ = nullptr;
  CaptureView lastCapture_;
  void endCapture();
};

Status DataplaneImpl::init(const DataplaneConfig& config, const std::vector<std::string>& extraEal) {
  config_ = config;
  if (auto faults = config.validate(); !faults.empty()) return Status::failure(faults.front());

  // The EAL keeps pointers into argv, so the strings live as long as the process.
  static std::vector<std::string> args;
  args = buildEalArgs(config, extraEal, "sbcd");
  static std::vector<char*> argv;
  argv.clear();
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(args.size()), argv.data()) < 0)
    return Status::failure(std::string("EAL start failed: ") + rte_strerror(rte_errno));
  ealStarted_ = true;
  tscHz_ = rte_get_tsc_hz();
  if (rte_lcore_count() < config.workers + 1)
    return Status::failure("EAL has " + std::to_string(rte_lcore_count()) + " lcores; " +
                           std::to_string(config.workers) + " workers need one more for control");

  unsigned ports = static_cast<unsigned>(config.interfaces.size());
  unsigned mbufs = ports * 2 * (config.rxDescriptors + config.txDescriptors) * (config.workers + 1) +
                   (config.workers + 1) * kMbufCache * 2 + kExceptionRingSize + 4096;
  pool_ = createPacketPool("sbc_mbufs", mbufs, kMbufCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                           static_cast<int>(rte_socket_id()));
  if (pool_ == nullptr) return Status::failure(std::string("mbuf pool: ") + rte_strerror(rte_errno));

  size_t rcuBytes = rte_rcu_qsbr_get_memsize(config.workers);
  rcu_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("sbc_rcu", rcuBytes, RTE_CACHE_LINE_SIZE));
  if (rcu_ == nullptr || rte_rcu_qsbr_init(rcu_, config.workers) != 0)
    return Status::failure("cannot set up RCU");
  // A session's local addresses are its interfaces' own (SessionTable::resolveLeg), and the
  // interfaces change only at a restart: the flow table needs homes for those addresses alone.
  // Its default (1,024 addresses) reserves some 18 GB of address space, which a host with strict
  // overcommit (vm.overcommit_memory=2) refuses.
  size_t localAddresses = 0;
  for (const InterfaceConfig& c : config.interfaces) localAddresses += c.addresses.size();
  const auto addresses = static_cast<uint32_t>(std::clamp<size_t>(localAddresses, 1, FlowTable::kDefaultMaxLocalAddresses));
  flows_ = FlowTable::create(config.maxSessions * 4, rcu_, "sbc_flows", addresses);
  if (!flows_) return Status::failure("cannot create the flow table for " + std::to_string(config.maxSessions) + " sessions");
  neighbors_ = NeighborTable::create(kNeighborCapacity, "sbc");
  if (!neighbors_) return Status::failure("cannot create the neighbour table");
  exceptionRing_ = rte_ring_create("sbc_exception", kExceptionRingSize, static_cast<int>(rte_socket_id()), RING_F_SC_DEQ);
  if (exceptionRing_ == nullptr) return Status::failure("cannot create the exception ring");

  if (Status s = startInterfaces(); !s.ok()) return s;

  std::vector<std::string> realms;
  for (const InterfaceConfig& c : config.interfaces) realms.push_back(c.realm);
  firewall_ = std::make_unique<Firewall>(std::move(realms), config.workers, tscHz_, rcu_);
  SharedTables tables{&interfaces_, flows_.get(), neighbors_.get(), exceptionRing_, rcu_};
  tables.firewall = firewall_.get();
  tables.floodGuard = &floodSettings_;
  tables.capture = &captureFilter_;
  configureFloodGuard(SipFloodGuardConfig{}, {});
  std::vector<const FlowStats*> stats;
  for (unsigned w = 0; w < config.workers; ++w) {
    workers_.push_back(std::make_unique<Worker>(tables, w));
    if (workers_.back()->flowStats() == nullptr) return Status::failure("cannot allocate flow counters");
    stats.push_back(workers_.back()->flowStats());
  }
  exception_ = std::make_unique<ExceptionPath>(interfaces_, exceptionRing_, pool_);
  resolver_ = std::make_unique<NeighborResolver>(interfaces_, *neighbors_, *exception_, pool_, tscHz_);
  sessions_ = std::make_unique<SessionTable>(interfaces_, config.interfaces, *flows_, *neighbors_,
                                             std::move(stats), tscHz_);

  return Status::success();
}

// The ACLs first: a configuration they refuse changes nothing, the flood guard included.
Status DataplaneImpl::applyFirewall(const FirewallConfig& config) {
  if (!firewall_) return Status::failure("the dataplane is stopped");
  if (Status s = firewall_->apply(config); !s.ok()) return s;
  std::vector<IpPrefix> trusted;
  for (const SignallingPinhole& p : config.pinholes) trusted.push_back(p.source);
  configureFloodGuard(config.sipFlood, std::move(trusted));
  return Status::success();
}

Status DataplaneImpl::run() {
  if (workersLaunched_) return Status::failure("workers already running");
  // Worker w polls queue w of every port and sends on tx queue w; worker 0 also sends what
  // the control lcore queued (see InterfaceRuntime::controlTx).
  launches_.resize(config_.workers);
  unsigned w = 0;
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    if (w == config_.workers) break;
    WorkerLaunch& l = launches_[w];
    l.worker = workers_[w].get();
    for (uint8_t i = 0; i < interfaces_.count; ++i)
      l.queues.push_back({interfaces_.interfaces[i].portId, static_cast<uint16_t>(w), i});
    l.txQueue = static_cast<uint16_t>(w);
    l.idleSleepUs = config_.workerIdleSleepUs;
    l.stop = &stop_;
    if (rte_eal_remote_launch(workerMain, &l, lcore) != 0)
      return Status::failure("cannot launch worker " + std::to_string(w));
    workerLcores_.push_back(lcore);
    workersLaunched_ = true;
    ++w;
  }
  return Status::success();
}

Status DataplaneImpl::startInterfaces() {
  std::memset(interfaces_.byPort, 0xff, sizeof interfaces_.byPort);
  for (const InterfaceConfig& c : config_.interfaces) {
    claimKernelInterface(c.device);
    auto port = findPort(c.device);
    const std::string where = "interface " + c.name + ": ";
    if (!port) return Status::failure(where + "device '" + c.device + "' did not come up");
    uint8_t index = interfaces_.count++;
    InterfaceRuntime& rt = interfaces_.interfaces[index];
    rt.index = index;
    rt.portId = *port;
    rt.vlan = c.vlan;
    rt.mediaPortMin = config_.mediaPortMin;
    rt.mediaPortMax = config_.mediaPortMax;
    interfaces_.byPort[*port] = index;
    rte_mempool* rxPool = pool_;
    const uint32_t frameBytes = rxFrameBytes(c);
    constexpr uint32_t kMbufMaxFrame = UINT16_MAX - RTE_PKTMBUF_HEADROOM;
    if (frameBytes > uint32_t{rte_pktmbuf_data_room_size(pool_)} - RTE_PKTMBUF_HEADROOM) {
      if (frameBytes > kMbufMaxFrame)
        return Status::failure(where + std::to_string(frameBytes) +
                               "-byte frames do not fit an mbuf (at most " + std::to_string(kMbufMaxFrame) + ")");
      const std::string name = "sbc_rx" + std::to_string(index);
      rxPool = createPacketPool(name.c_str(), largeFramePoolSize(config_, c), kLargeFrameCache, 0,
                                static_cast<uint16_t>(RTE_PKTMBUF_HEADROOM + frameBytes),
                                static_cast<int>(rte_socket_id()));
      if (rxPool == nullptr)
        return Status::failure(where + "max-frame pool: " + rte_strerror(rte_errno));
      rxPools_.push_back(rxPool);
    }
    PortQueues queues{static_cast<uint16_t>(config_.workers), static_cast<uint16_t>(config_.workers)};
    if (Status s = startPort(*port, queues, config_.rxDescriptors, config_.txDescriptors, rxPool, c.mac); !s.ok())
      return Status::failure(where + s.error);
    std::string ringName = "sbc_ctltx" + std::to_string(index);
    rt.controlTx = rte_ring_create(ringName.c_str(), kControlTxRingSize, static_cast<int>(rte_socket_id()),
                                   RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (rt.controlTx == nullptr) return Status::failure(where + "cannot create the control tx ring");
    rte_ether_addr mac;
    rte_eth_macaddr_get(*port, &mac);
    std::memcpy(rt.mac.data(), mac.addr_bytes, 6);
    if (c.mac) rt.mac = *c.mac;
    for (const IpPrefix& p : c.addresses) {
      if (p.address.isV4() && rt.v4Count < kMaxAddressesPerInterface) {
        std::memcpy(&rt.v4[rt.v4Count++], p.address.bytes.data(), 4);
      } else if (p.address.isV6() && rt.v6Count < kMaxAddressesPerInterface) {
        std::memcpy(rt.v6[rt.v6Count], p.address.bytes.data(), 16);
        rt.v6SolicitedLow24[rt.v6Count++] = (uint32_t{p.address.bytes[13]} << 16) |
                                            (uint32_t{p.address.bytes[14]} << 8) | p.address.bytes[15];
      } else {
        return Status::failure(where + "more than " + std::to_string(kMaxAddressesPerInterface) + " addresses of one family");
      }
    }
    for (const auto& n : c.staticNeighbors)
      if (neighbors_->setStatic(index, n.address, n.mac) < 0) return Status::failure(where + "neighbour table full");
    if (c.exceptionPath) {
      if (Status s = startExceptionTap(c, rt.mac, pool_, rt.tapPortId); !s.ok()) return Status::failure(where + s.error);
    }
  }
  return Status::success();
}

std::vector<InterfaceView> DataplaneImpl::interfaces() const {
  std::vector<InterfaceView> out;
  for (uint8_t i = 0; i < interfaces_.count; ++i) {
    const InterfaceRuntime& rt = interfaces_.interfaces[i];
    const InterfaceConfig& c = config_.interfaces[i];
    InterfaceView v;
    v.name = c.name;
    v.realm = c.realm;
    v.device = c.device;
    v.portId = rt.portId;
    v.mac = rt.mac;
    v.vlan = rt.vlan;
    v.addresses = c.addresses;
    rte_eth_link link{};
    rte_eth_link_get_nowait(rt.portId, &link);
    v.linkUp = link.link_status == RTE_ETH_LINK_UP;
    if (rt.tapPortId != kNoPort) v.tapName = c.tapName.empty() ? "sbc-" + c.name : c.tapName;
    for (const auto& w : workers_) {
      const WorkerCounters& wc = w->counters();
      v.rxPackets += wc.rxPackets[i];
      v.rxBytes += wc.rxBytes[i];
      v.txPackets += wc.txPackets[i];
      v.txBytes += wc.txBytes[i];
    }
    v.toKernel = exception_->counters().toKernel[i];
    v.fromKernel = exception_->counters().fromKernel[i];
    v.fragmentsToKernel = exception_->counters().fragmentsToKernel[i];
    v.splitForKernel = exception_->counters().splitForKernel[i];
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<NeighborView> DataplaneImpl::neighbors() const {
  std::vector<NeighborView> out;
  for (uint16_t index : neighbors_->entriesInUse()) {
    const Neighbor& n = neighbors_->at(index);
    NeighborView v;
    v.interfaceName = config_.interfaces[n.interfaceIndex].name;
    v.address = n.address;
    uint64_t state = neighbors_->macState(index);
    v.resolved = state & kNeighborResolved;
    std::memcpy(v.mac.data(), &state, 6);
    v.updates = n.updates.load(std::memory_order_relaxed);
    out.push_back(v);
  }
  return out;
}

DataplaneTotals DataplaneImpl::totals() const {
  DataplaneTotals t;
  for (const auto& w : workers_) {
    const WorkerCounters& c = w->counters();
    for (unsigned r = 0; r < kDropReasonCount; ++r) t.drops[r] += c.drops[r];
    t.mediaPackets += c.mediaPackets;
    t.rtcpPackets += c.rtcpPackets;
    t.exceptionPackets += c.exceptionPackets;
    t.latches += c.latches;
    t.relatches += c.relatches;
    t.neighborUpdates += c.neighborUpdates;
  }
  t.sessions = static_cast<uint32_t>(sessions_->size());
  t.flowsInUse = flows_->inUse();
  t.flowCapacity = flows_->capacity();
  return t;
}

std::vector<WorkerView> DataplaneImpl::workers() const {
  std::vector<WorkerView> out;
  for (size_t w = 0; w < workers_.size(); ++w) {
    const WorkerCounters& c = workers_[w]->counters();
    WorkerView v;
    v.index = static_cast<unsigned>(w);
    v.lcore = w < workerLcores_.size() ? workerLcores_[w] : 0;
    v.polls = c.polls;
    v.busyPolls = c.busyPolls;
    for (uint8_t i = 0; i < interfaces_.count; ++i) v.rxPackets += c.rxPackets[i];
    v.mediaPackets = c.mediaPackets;
    v.exceptionPackets = c.exceptionPackets;
    for (unsigned r = 0; r < kDropReasonCount; ++r) v.drops += c.drops[r];
    v.fastPath = fastPathName(workers_[w]->fastPath());
    out.push_back(v);
  }
  return out;
}

std::vector<uint32_t> DataplaneImpl::poll() {
  uint64_t now = rte_rdtsc();
  for (int round = 0; round < 8 && exception_->poll() != 0; ++round) {
  }
  resolver_->poll(now);
  flows_->reclaim();
  sessions_->rehome(now);  // flows an update left away from home go back, once their homes are free
  if (firewall_)
    for (const AclLogEntry& line : firewall_->drainLog()) std::fprintf(stderr, "sbcd: %s\n", line.toString().c_str());
  if (captureSession_) {
    captureSession_->drain();
    if (captureSession_->complete()) endCapture();
  }
  if (now < nextIdleScanTsc_) return {};
  nextIdleScanTsc_ = now + tscHz_ / 4;
  return sessions_->collectIdle(now, config_.idleTimeoutMs * tscHz_ / 1000);
}

void DataplaneImpl::stop() {
  if (stopped_) return;
  stopped_ = true;
  stop_.store(true);
  if (workersLaunched_) rte_eal_mp_wait_lcore();
  captureFilter_.store(nullptr);
  captureSession_.reset();
  sessions_.reset();
  resolver_.reset();
  exception_.reset();
  workers_.clear();
  firewall_.reset();  // its rte_acl contexts live in EAL memory
  if (ealStarted_) {
    uint16_t port;
    RTE_ETH_FOREACH_DEV(port) {
      rte_eth_dev_stop(port);
      rte_eth_dev_close(port);
    }
  }
  flows_.reset();
  neighbors_.reset();
  if (exceptionRing_) rte_ring_free(exceptionRing_);
  for (uint8_t i = 0; i < interfaces_.count; ++i) {
    rte_ring* ring = interfaces_.interfaces[i].controlTx;
    if (ring == nullptr) continue;
    rte_mbuf* m;
    while (rte_ring_sc_dequeue(ring, reinterpret_cast<void**>(&m)) == 0) rte_pktmbuf_free(m);
    rte_ring_free(ring);
  }
  if (rcu_) rte_free(rcu_);
  for (rte_mempool* pool : rxPools_) rte_mempool_free(pool);
  if (capturePool_) rte_mempool_free(capturePool_);
  if (pool_) rte_mempool_free(pool_);
  if (ealStarted_) {
    // The EAL leaves its runtime directory (sockets, memory maps) behind; sbcd's is private
    // to this process (see buildEalArgs), so it goes with it.
    std::string runtimeDir = rte_eal_get_runtime_dir();
    rte_eal_cleanup();
    if (runtimeDir.find("/sbcd" + std::to_string(getpid())) != std::string::npos)
      std::filesystem::remove_all(runtimeDir);
  }
}

void DataplaneImpl::configureFloodGuard(const SipFloodGuardConfig& config, std::vector<IpPrefix> trusted) {
  auto settings = SipFloodGuardSettings::compile(config, std::move(trusted), tscHz_,
                                                 static_cast<uint32_t>(floodHistory_.size() + 1));
  floodSettings_.store(settings.get(), std::memory_order_release);
  floodHistory_.push_back(std::move(settings));
}

std::vector<BlockedSourceView> DataplaneImpl::blockedSources() const {
  std::vector<BlockedSourceView> out;
  const uint64_t nowTsc = rte_rdtsc();
  const uint64_t nowMs = wallClockMs();
  auto toWallMs = [&](uint64_t tsc) {
    return tsc >= nowTsc ? nowMs + (tsc - nowTsc) * 1000 / tscHz_ : nowMs - (nowTsc - tsc) * 1000 / tscHz_;
  };
  for (const auto& w : workers_) {
    for (const FloodEntrySnapshot& e : w->floodGuard().blocked(nowTsc)) {
      BlockedSourceView v;
      v.source = e.source;
      v.realm = e.interfaceIndex < config_.interfaces.size() ? config_.interfaces[e.interfaceIndex].realm : "";
      v.reason = "sip rate " + std::to_string(e.ratePps) + " pps over " + std::to_string(e.limitPps) +
                 " pps (" + (e.trusted ? "trusted" : "untrusted") + ")";
      v.blockedAtMs = toWallMs(e.blockedAtTsc);
      v.untilMs = toWallMs(e.untilTsc);
      v.droppedPackets = e.dropped;
      out.push_back(std::move(v));
    }
  }
  return out;
}

Status DataplaneImpl::startCapture(const CaptureSpec& spec) {
  if (captureSession_) return Status::failure("a capture is already running (into " + captureSession_->view(true).spec.file + ")");
  uint64_t mask = ~uint64_t{0};
  if (!spec.interface.empty()) {
    mask = 0;
    for (size_t i = 0; i < config_.interfaces.size(); ++i)
      if (config_.interfaces[i].name == spec.interface) mask = uint64_t{1} << i;
    if (mask == 0) return Status::failure("capture: no interface named '" + spec.interface + "'");
  }
  if (capturePool_ == nullptr) {
    capturePool_ = createCapturePool("sbc_capture_pool", kCapturePoolSize, static_cast<int>(rte_socket_id()));
    if (capturePool_ == nullptr) return Status::failure(std::string("capture: no memory for its copies: ") + rte_strerror(rte_errno));
  }
  std::string error;
  captureSession_ = CaptureSession::open(spec, mask, capturePool_, tscHz_, error);
  if (!captureSession_) return Status::failure(error);
  captureFilter_.store(captureSession_->filter(), std::memory_order_release);
  return Status::success();
}

void DataplaneImpl::endCapture() {
  captureFilter_.store(nullptr, std::memory_order_release);
  // No worker may still hold the filter when its ring goes: every worker passes a quiescent
  // state within a few loop passes (at once when idle).
  if (workersLaunched_ && !stopped_) rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
  captureSession_->close();
  lastCapture_ = captureSession_->view(false);
  captureSession_.reset();
}

Status DataplaneImpl::stopCapture() {
  if (!captureSession_) return Status::failure("no capture is running");
  endCapture();
  return Status::success();
}

CaptureView DataplaneImpl::capture() const {
  return captureSession_ ? captureSession_->view(true) : lastCapture_;
}

}  // namespace

std::unique_ptr<Dataplane> Dataplane::start(const DataplaneConfig& config,
                                            const std::vector<std::string>& ealArgs,
                                            std::string& error) {
  auto dp = std::make_unique<DataplaneImpl>();
  if (Status s = dp->init(config, ealArgs); !s.ok()) {
    error = s.error;
    return nullptr;
  }
  return dp;
}

}  // namespace sbc::dataplane
