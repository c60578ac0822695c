#include "tests/unit/dataplane/dataplane_harness.h"

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <atomic>
#include <cstring>

#include "dataplane/packet_pool.h"

namespace sbc::dataplane::test {
namespace {

// rte_hash, rte_ring and mempool names are global to the EAL: each harness gets its own.
std::atomic<unsigned> harnessCount{0};

struct InterfacePlan {
  const char* name;
  const char* realm;
  uint16_t vlan;
  std::vector<const char*> prefixes;
  const char* gatewayV4;
  const char* gatewayV6;
  bool exceptionPath;
};

}  // namespace

DataplaneHarness::DataplaneHarness(uint32_t flowCapacity, unsigned exceptionRingSize) {
  const std::string tag = "t" + std::to_string(harnessCount++);
  const InterfacePlan plan[4] = {
      {"access0", "access", 0, {"203.0.113.1/24", "2001:db8:a::1/64"}, "203.0.113.254", "2001:db8:a::fe", true},
      {"core0", "core", 0, {"198.51.100.1/24", "2001:db8:c::1/64"}, nullptr, nullptr, true},
      {"vlan0", "partner", kVlanId, {"192.0.2.1/24"}, nullptr, nullptr, true},
      {"notap0", "lab", 0, {"100.64.0.1/24"}, nullptr, nullptr, false},
  };
  std::memset(interfaces.byPort, 0xff, sizeof interfaces.byPort);
  for (uint8_t i = 0; i < 4; ++i) {
    const InterfacePlan& p = plan[i];
    InterfaceConfig c;
    c.name = p.name;
    c.realm = p.realm;
    c.device = std::string("test") + std::to_string(i);
    c.vlan = p.vlan;
    c.mac = kSbcMac[i];
    c.exceptionPath = p.exceptionPath;
    if (p.gatewayV4) c.gatewayV4 = ip(p.gatewayV4);
    if (p.gatewayV6) c.gatewayV6 = ip(p.gatewayV6);
    InterfaceRuntime& rt = interfaces.interfaces[i];
    rt.index = i;
    rt.portId = i;
    rt.tapPortId = p.exceptionPath ? static_cast<uint16_t>(100 + i) : kNoPort;
    rt.vlan = p.vlan;
    rt.mac = kSbcMac[i];
    rt.mediaPortMin = kMediaPortMin;
    rt.mediaPortMax = kMediaPortMax;
    for (const char* text : p.prefixes) {
      IpPrefix prefix = *IpPrefix::parse(text);
      c.addresses.push_back(prefix);
      const IpAddress& a = prefix.address;
      if (a.isV4()) {
        std::memcpy(&rt.v4[rt.v4Count++], a.bytes.data(), 4);
      } else {
        std::memcpy(rt.v6[rt.v6Count], a.bytes.data(), 16);
        rt.v6SolicitedLow24[rt.v6Count++] =
            (uint32_t{a.bytes[13]} << 16) | (uint32_t{a.bytes[14]} << 8) | a.bytes[15];
      }
    }
    interfaces.byPort[i] = i;
    configs.push_back(std::move(c));
  }
  interfaces.count = 4;

  mbufCount = 4095;
  pool = createPacketPool((tag + "_mb").c_str(), mbufCount, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                          static_cast<int>(rte_socket_id()));
  size_t rcuBytes = rte_rcu_qsbr_get_memsize(1);
  rcu = static_cast<rte_rcu_qsbr*>(rte_zmalloc(nullptr, rcuBytes, RTE_CACHE_LINE_SIZE));
  exceptionRing = rte_ring_create((tag + "_ex").c_str(), exceptionRingSize,
                                  static_cast<int>(rte_socket_id()), RING_F_SC_DEQ);
  if (pool == nullptr || rcu == nullptr || exceptionRing == nullptr || rte_rcu_qsbr_init(rcu, 1) != 0) {
    ADD_FAILURE() << "cannot allocate mbufs, RCU or the exception ring";
    return;
  }
  flows = FlowTable::create(flowCapacity, rcu, (tag + "_fl").c_str());
  neighbors = NeighborTable::create(256, tag.c_str());
  if (!flows || !neighbors) {
    ADD_FAILURE() << "cannot create the flow or neighbour table";
    return;
  }
  std::vector<std::string> realms;
  for (const InterfaceConfig& c : configs) realms.push_back(c.realm);
  firewall = std::make_unique<Firewall>(std::move(realms), 1, kTscHz, rcu);
  SharedTables tables{&interfaces, flows.get(), neighbors.get(), exceptionRing, rcu};
  tables.firewall = firewall.get();
  worker = std::make_unique<Worker>(tables, 0);
  sessions = std::make_unique<SessionTable>(interfaces, configs, *flows, *neighbors,
                                            std::vector<const FlowStats*>{worker->flowStats()}, kTscHz);
}

DataplaneHarness::~DataplaneHarness() {
  if (exceptionRing != nullptr) drainException();
  sessions.reset();
  worker.reset();
  firewall.reset();
  flows.reset();
  neighbors.reset();
  if (exceptionRing != nullptr) rte_ring_free(exceptionRing);
  if (rcu != nullptr) rte_free(rcu);
  if (pool != nullptr) rte_mempool_free(pool);
}

int DataplaneHarness::toBurst(uint8_t iface, const std::vector<Bytes>& frames, uint64_t olFlags, rte_mbuf** burst) {
  if (frames.size() > kMaxBurst) {
    ADD_FAILURE() << "a burst holds at most " << kMaxBurst << " frames";
    return -1;
  }
  uint16_t count = 0;
  for (const Bytes& f : frames) {
    rte_mbuf* m = toMbuf(pool, f, interfaces.interfaces[iface].portId, olFlags);
    if (m == nullptr) {
      rte_pktmbuf_free_bulk(burst, count);
      return -1;
    }
    burst[count++] = m;
  }
  return count;
}

std::vector<Captured> DataplaneHarness::receive(uint8_t iface, const std::vector<Bytes>& frames,
                                                uint64_t nowTsc, uint64_t olFlags) {
  rte_mbuf* burst[kMaxBurst];
  const int count = toBurst(iface, frames, olFlags, burst);
  if (count < 0) return {};
  worker->processBurst(iface, burst, static_cast<uint16_t>(count), nowTsc);
  return flushCaptured();
}

namespace {
// A transmit sink that keeps a copy of every frame, as the port would have sent it.
auto capturingSink(std::vector<Captured>& out) {
  return [&out](uint8_t index, rte_mbuf** packets, uint16_t n) -> uint16_t {
    for (uint16_t i = 0; i < n; ++i) {
      out.push_back({index, bytesOf(packets[i])});
      rte_pktmbuf_free(packets[i]);
    }
    return n;
  };
}
}  // namespace

std::vector<Captured> DataplaneHarness::flushCaptured() {
  std::vector<Captured> out;
  auto sink = capturingSink(out);
  worker->flush(sink);
  return out;
}

std::vector<Captured> DataplaneHarness::receivePipelined(uint8_t iface, const std::vector<Bytes>& frames,
                                                         uint64_t nowTsc) {
  rte_mbuf* burst[kMaxBurst];
  const int count = toBurst(iface, frames, 0, burst);
  if (count < 0) return {};
  std::vector<Captured> out;
  auto sink = capturingSink(out);
  worker->processBurstPipelined(iface, burst, static_cast<uint16_t>(count), nowTsc, sink);
  return out;
}

std::vector<Captured> DataplaneHarness::drainPipeline() {
  worker->drainPipeline();
  return flushCaptured();
}

std::vector<Captured> DataplaneHarness::drainException() {
  std::vector<Captured> out;
  void* objects[64];
  unsigned n;
  while ((n = rte_ring_dequeue_burst(exceptionRing, objects, 64, nullptr)) != 0) {
    for (unsigned i = 0; i < n; ++i) {
      auto* m = static_cast<rte_mbuf*>(objects[i]);
      out.push_back({static_cast<uint8_t>(m->port), bytesOf(m)});
      rte_pktmbuf_free(m);
    }
  }
  return out;
}

uint64_t DataplaneHarness::totalDrops() const {
  uint64_t sum = 0;
  for (unsigned r = 0; r < kDropReasonCount; ++r) sum += worker->counters().drops[r];
  return sum;
}

std::string DataplaneHarness::dropSummary() const {
  std::string s;
  for (unsigned r = 0; r < kDropReasonCount; ++r)
    if (uint64_t n = worker->counters().drops[r]; n != 0)
      s += std::string(s.empty() ? "" : " ") + std::string(kDropReasonInfo[r].name) + "=" + std::to_string(n);
  return s.empty() ? "no drops" : s;
}

unsigned DataplaneHarness::mbufsInUse() const {
  return mbufCount - rte_mempool_avail_count(pool);
}

L2 DataplaneHarness::toSbc(uint8_t iface, const MacAddress& peerMac) const {
  L2 l2{kSbcMac[iface], peerMac, {}};
  if (interfaces.interfaces[iface].vlan != 0) l2.vlan = interfaces.interfaces[iface].vlan;
  return l2;
}

MediaSessionSpec DataplaneHarness::accessCoreSpec(uint32_t id) const {
  MediaSessionSpec s;
  s.id = id;
  s.legs[0].interfaceName = "access0";
  s.legs[0].local = Plan::accessLocal();
  s.legs[0].remote = Plan::accessPeer();
  s.legs[0].rtcpMux = true;
  s.legs[1].interfaceName = "core0";
  s.legs[1].local = Plan::coreLocal();
  s.legs[1].remote = Plan::corePeer();
  s.legs[1].rtcpMux = true;
  return s;
}

void DataplaneHarness::resolvePeers() {
  neighbors->setStatic(kAccess, Plan::accessPeer().ip, kAccessPeerMac);
  neighbors->setStatic(kCore, Plan::corePeer().ip, kCorePeerMac);
}

MediaSessionSpec DataplaneHarness::ipv6Spec(bool bothLegs) {
  MediaSessionSpec s = accessCoreSpec();
  if (bothLegs) {
    s.legs[0].local = sock("[2001:db8:a::1]:20000");
    s.legs[0].remote = sock("[2001:db8:a::10]:4000");
  }
  s.legs[1].local = sock("[2001:db8:c::1]:20002");
  s.legs[1].remote = sock("[2001:db8:c::20]:6000");
  neighbors->setStatic(kAccess, s.legs[0].remote.ip, kAccessPeerMac);
  neighbors->setStatic(kCore, s.legs[1].remote.ip, kCorePeerMac);
  return s;
}

}  // namespace sbc::dataplane::test
