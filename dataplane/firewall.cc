#include "dataplane/firewall.h"

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <chrono>
#include <cstring>
#include <map>

#include "dataplane/acl_compiler.h"

namespace sbc::dataplane {
namespace {

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;

// The ports of a TCP or UDP header at `l4`, when the frame holds them; 0 otherwise.
inline uint32_t portsAt(const rte_mbuf* m, const uint8_t* l4, uint8_t protocol) {
  if (protocol != kTcp && protocol != kUdp) return 0;
  const uint8_t* frame = rte_pktmbuf_mtod(m, const uint8_t*);
  if (l4 + 4 > frame + rte_pktmbuf_data_len(m)) return 0;
  uint32_t ports;
  std::memcpy(&ports, l4, 4);
  return ports;
}

inline void keyV4(const rte_mbuf* m, const uint8_t* l3, AclKeyV4& k) {
  const auto* ip = reinterpret_cast<const rte_ipv4_hdr*>(l3);
  const uint32_t protocolAndPad = ip->next_proto_id;  // pad bytes zero: the key is compared whole
  std::memcpy(&k, &protocolAndPad, 4);
  k.source = ip->src_addr;
  k.destination = ip->dst_addr;
  // A fragment after the first carries no ports; the first one does.
  const bool laterFragment = (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0;
  const uint32_t ports = laterFragment ? 0 : portsAt(m, l3 + rte_ipv4_hdr_len(ip), k.protocol);
  std::memcpy(&k.sourcePort, &ports, 4);
}

inline void keyV6(const rte_mbuf* m, const uint8_t* l3, AclKeyV6& k) {
  const auto* ip = reinterpret_cast<const rte_ipv6_hdr*>(l3);
  k.protocol = ip->proto;
  std::memcpy(k.source, ip->src_addr, 16);
  std::memcpy(k.destination, ip->dst_addr, 16);
  const uint32_t ports = portsAt(m, l3 + sizeof(rte_ipv6_hdr), k.protocol);
  std::memcpy(&k.sourcePort, &ports, 4);
}

// Classify and the relay leave l2_len at the IP header; the version says which key.
inline bool isV4(const uint8_t* l3) { return (l3[0] >> 4) == 4; }
inline const uint8_t* l3Of(const rte_mbuf* m) { return rte_pktmbuf_mtod_offset(m, const uint8_t*, m->l2_len); }

// Packets waiting for rte_acl, per family, with where each came from in the caller's burst.
struct PendingKeys {
  AclKeyV4 keys4[kMaxFilterBurst];
  AclKeyV6 keys6[kMaxFilterBurst];
  const uint8_t* data4[kMaxFilterBurst];
  const uint8_t* data6[kMaxFilterBurst];
  uint8_t index4[kMaxFilterBurst], index6[kMaxFilterBurst];
  uint32_t results4[kMaxFilterBurst], results6[kMaxFilterBurst];
  uint16_t n4 = 0, n6 = 0;

  void addV6(const rte_mbuf* m, const uint8_t* l3, uint16_t i) {
    keyV6(m, l3, keys6[n6]);
    data6[n6] = reinterpret_cast<const uint8_t*>(&keys6[n6]);
    index6[n6++] = static_cast<uint8_t>(i);
  }
  void addV4(const AclKeyV4& key, uint16_t i) {
    keys4[n4] = key;
    data4[n4] = reinterpret_cast<const uint8_t*>(&keys4[n4]);
    index4[n4++] = static_cast<uint8_t>(i);
  }
  // One classify call per family for all of them; no context: nothing matches.
  void classify(const AclSet& set) {
    if (n4 != 0) {
      if (set.v4 != nullptr) rte_acl_classify(set.v4, data4, results4, n4, 1);
      else std::memset(results4, 0, sizeof(uint32_t) * n4);
    }
    if (n6 != 0) {
      if (set.v6 != nullptr) rte_acl_classify(set.v6, data6, results6, n6, 1);
      else std::memset(results6, 0, sizeof(uint32_t) * n6);
    }
  }
};

// A `log` rule matched and may write a record now: the packet's addresses, read again from
// its headers (this is rare: once per rule and interval), and the matches since the last one.
__attribute__((noinline)) void logMatch(const FirewallTables& tables, uint32_t id, AclRuleCounter& c,
                                        const rte_mbuf* m, unsigned worker, uint64_t nowTsc) {
  c.nextLogTsc = nowTsc + tables.logIntervalTsc;
  AclLogRecord record{};
  record.tsc = nowTsc;
  record.generation = tables.generation;
  record.rule = id;
  record.packets = static_cast<uint32_t>(c.packets - c.packetsAtLog);
  c.packetsAtLog = c.packets;
  record.worker = static_cast<uint8_t>(worker);
  // Either family's key: its addresses are as long as the key holds them.
  auto describe = [&record](const auto& k, uint8_t family) {
    record.family = family;
    record.protocol = k.protocol;
    std::memcpy(record.source, &k.source, sizeof k.source);
    std::memcpy(record.destination, &k.destination, sizeof k.destination);
    record.sourcePort = rte_be_to_cpu_16(k.sourcePort);
    record.destinationPort = rte_be_to_cpu_16(k.destinationPort);
  };
  const uint8_t* l3 = l3Of(m);
  if (isV4(l3)) {
    AclKeyV4 k;
    keyV4(m, l3, k);
    describe(k, 4);
  } else {
    AclKeyV6 k;
    keyV6(m, l3, k);
    describe(k, 6);
  }
  if (tables.logRings == nullptr || rte_ring_sp_enqueue_elem(tables.logRings[worker], &record, sizeof record) != 0)
    ++tables.workerCounters[worker].logRecordsLost;
}

// What rte_acl's answer means for one packet: counted, metered, and kept (true) or freed.
inline bool applyVerdict(const FirewallTables& tables, const AclSet& set, rte_mbuf* m, uint32_t userdata,
                         unsigned worker, uint64_t nowTsc, WorkerCounters& counters) {
  if (userdata == 0) {
    if (set.defaultAction == AclAction::kPermit) return true;
    ++tables.workerCounters[worker].defaultDenied[set.realm];
    counters.drop(DropReason::kAclDefaultDeny);
    rte_pktmbuf_free(m);
    return false;
  }
  const uint32_t id = userdata - 1;
  const AclRuleInfo& rule = tables.rules[id];
  AclRuleCounter& c = tables.countersOf(worker)[id];
  ++c.packets;
  c.bytes += rte_pktmbuf_pkt_len(m);
  if (unlikely(rule.log) && nowTsc >= c.nextLogTsc) logMatch(tables, id, c, m, worker, nowTsc);
  if (rule.action == AclAction::kDeny) {
    counters.drop(DropReason::kAclDeny);
    rte_pktmbuf_free(m);
    return false;
  }
  if (rule.rateIntervalTsc != 0) {
    // GCRA: a packet may go when the bucket's next slot is not further ahead than the burst.
    const uint64_t next = c.nextAllowedTsc;
    if (next > nowTsc + rule.rateToleranceTsc) {
      ++c.rateDrops;
      counters.drop(DropReason::kAclRate);
      rte_pktmbuf_free(m);
      return false;
    }
    c.nextAllowedTsc = (next > nowTsc ? next : nowTsc) + rule.rateIntervalTsc;
  }
  return true;
}

}  // namespace

uint64_t filterBurst(const FirewallTables& tables, const AclSet& set, rte_mbuf* const* packets, uint16_t count,
                     unsigned worker, uint64_t nowTsc, WorkerCounters& counters) {
  PendingKeys pending;
  for (uint16_t i = 0; i < count; ++i) {
    const rte_mbuf* m = packets[i];
    const uint8_t* l3 = l3Of(m);
    if (isV4(l3)) {
      AclKeyV4 key;
      keyV4(m, l3, key);
      pending.addV4(key, i);
    } else {
      pending.addV6(m, l3, i);
    }
  }
  pending.classify(set);
  uint64_t keep = 0;
  for (uint16_t k = 0; k < pending.n4; ++k)
    keep |= uint64_t{applyVerdict(tables, set, packets[pending.index4[k]], pending.results4[k], worker, nowTsc,
                                  counters)} << pending.index4[k];
  for (uint16_t k = 0; k < pending.n6; ++k)
    keep |= uint64_t{applyVerdict(tables, set, packets[pending.index6[k]], pending.results6[k], worker, nowTsc,
                                  counters)} << pending.index6[k];
  return keep;
}

uint64_t filterFlows(const FirewallTables& tables, const AclSet& set, rte_mbuf* const* packets,
                     const uint32_t* slots, uint16_t count, AclFlowMemos* memos, AclDirection direction,
                     uint8_t interfaceIndex, unsigned worker, uint64_t nowTsc, WorkerCounters& counters) {
  const bool in = direction == AclDirection::kIn;
  auto memoOf = [&](uint16_t i) -> AclVerdictMemo& { return in ? memos[slots[i]].in : memos[slots[i]].out; };
  uint32_t userdata[kMaxFilterBurst];
  PendingKeys pending;
  const uint32_t generation = tables.generation;
  for (uint16_t i = 0; i < count; ++i) {
    const rte_mbuf* m = packets[i];
    const uint8_t* l3 = l3Of(m);
    if (unlikely(!isV4(l3))) {
      pending.addV6(m, l3, i);
      continue;
    }
    AclKeyV4 key;
    keyV4(m, l3, key);
    key.pad[0] = static_cast<uint8_t>(interfaceIndex + 1);  // rte_acl reads no pad byte
    const AclVerdictMemo& memo = memoOf(i);
    if (likely(memo.generation == generation && std::memcmp(&memo.key, &key, sizeof key) == 0)) {
      userdata[i] = memo.userdata;
      continue;
    }
    pending.addV4(key, i);
  }
  if (pending.n4 + pending.n6 != 0) {
    pending.classify(set);
    for (uint16_t k = 0; k < pending.n4; ++k) {
      const uint16_t i = pending.index4[k];
      userdata[i] = pending.results4[k];
      AclVerdictMemo& memo = memoOf(i);
      memo.key = pending.keys4[k];
      memo.generation = generation;
      memo.userdata = pending.results4[k];
    }
    for (uint16_t k = 0; k < pending.n6; ++k) userdata[pending.index6[k]] = pending.results6[k];
  }
  uint64_t keep = 0;
  for (uint16_t i = 0; i < count; ++i)
    keep |= uint64_t{applyVerdict(tables, set, packets[i], userdata[i], worker, nowTsc, counters)} << i;
  return keep;
}

Firewall::Firewall(std::vector<std::string> interfaceRealms, unsigned workers, uint64_t tscHz, rte_rcu_qsbr* rcu)
    : interfaceRealms_(std::move(interfaceRealms)), workers_(workers), tscHz_(tscHz), rcu_(rcu) {
  // The clock the log's TSC stamps are read against.
  clockTsc_ = rte_rdtsc();
  clockUnixMs_ = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch()).count());
  static std::atomic<unsigned> instances{0};
  const unsigned instance = instances.fetch_add(1);
  for (unsigned w = 0; w < std::max(workers_, 1u); ++w) {
    const std::string name = "sbc_acllog" + std::to_string(instance) + "_" + std::to_string(w);
    rte_ring* ring = rte_ring_create_elem(name.c_str(), sizeof(AclLogRecord), kLogRingSize, SOCKET_ID_ANY,
                                          RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (ring == nullptr) {
      // Without its rings the firewall still filters; `log` rules count their lines as lost.
      for (rte_ring* r : logRings_) rte_ring_free(r);
      logRings_.clear();
      break;
    }
    logRings_.push_back(ring);
  }
}

Firewall::~Firewall() {
  // The workers are stopped before the dataplane lets go of the firewall.
  delete owned_;
  for (rte_ring* r : logRings_) rte_ring_free(r);
}

void Firewall::drainLogLocked(const FirewallTables* previous) {
  AclLogRecord records[64];
  for (rte_ring* ring : logRings_) {
    unsigned n;
    while ((n = rte_ring_sc_dequeue_burst_elem(ring, records, sizeof(AclLogRecord), 64, nullptr)) != 0) {
      for (unsigned i = 0; i < n; ++i) {
        const AclLogRecord& r = records[i];
        const FirewallTables* t = owned_ != nullptr && owned_->generation == r.generation ? owned_
                                  : previous != nullptr && previous->generation == r.generation ? previous
                                                                                                : nullptr;
        if (t == nullptr || r.rule >= t->rules.size()) continue;  // tables long gone: nothing names the rule
        const AclRuleInfo& rule = t->rules[r.rule];
        AclLogEntry e;
        const int64_t sinceClock = static_cast<int64_t>(r.tsc - clockTsc_);
        e.unixMs = clockUnixMs_ + sinceClock * 1000 / static_cast<int64_t>(tscHz_);
        e.list = t->listNames[rule.list];
        e.sequence = rule.sequence;
        e.action = rule.action;
        e.protocol = r.protocol;
        e.source.ip = r.family == 4 ? IpAddress::v4FromNetwork(r.source) : IpAddress::v6FromNetwork(r.source);
        e.destination.ip =
            r.family == 4 ? IpAddress::v4FromNetwork(r.destination) : IpAddress::v6FromNetwork(r.destination);
        e.source.port = r.sourcePort;
        e.destination.port = r.destinationPort;
        e.packets = r.packets;
        e.worker = r.worker;
        fresh_.push_back(e);
        history_.push_back(std::move(e));
        if (history_.size() > kLogHistory) history_.pop_front();
      }
    }
  }
}

std::vector<AclLogEntry> Firewall::drainLog() {
  std::lock_guard lock(mutex_);
  drainLogLocked(nullptr);
  std::vector<AclLogEntry> lines = std::move(fresh_);
  fresh_.clear();
  return lines;
}

std::vector<AclLogEntry> Firewall::logHistory() const {
  std::lock_guard lock(mutex_);
  return {history_.begin(), history_.end()};
}

Status Firewall::apply(const FirewallConfig& config) {
  std::lock_guard lock(mutex_);
  const auto start = std::chrono::steady_clock::now();
  if (auto faults = validateFirewall(config); !faults.empty()) {
    std::string all;
    for (const std::string& f : faults) all += (all.empty() ? "" : "\n") + f;
    return Status::failure(all);
  }
  std::string error;
  std::unique_ptr<FirewallTables> fresh = compileFirewall(config, interfaceRealms_, workers_, tscHz_, error);
  if (!fresh) return Status::failure(error);
  fresh->logRings = logRings_.empty() ? nullptr : logRings_.data();

  FirewallTables* old = owned_;
  owned_ = fresh.release();
  current_.store(owned_, std::memory_order_release);
  ++commits_;
  if (old != nullptr) {
    // Every worker passes a quiescent state between bursts: after this none holds `old`, and
    // its counters are final.
    if (rcu_ != nullptr) rte_rcu_qsbr_synchronize(rcu_, RTE_QSBR_THRID_INVALID);
    std::map<std::pair<std::string, uint32_t>, uint32_t> survivors;
    for (uint32_t id = 0; id < owned_->rules.size(); ++id)
      if (!owned_->rules[id].pinhole)
        survivors[{owned_->listNames[owned_->rules[id].list], owned_->rules[id].sequence}] = id;
    for (uint32_t id = 0; id < old->rules.size(); ++id) {
      const AclRuleInfo& r = old->rules[id];
      if (r.pinhole) continue;
      auto it = survivors.find({old->listNames[r.list], r.sequence});
      if (it != survivors.end()) owned_->ruleBase[it->second] = old->totalOf(id);
    }
    for (uint8_t realm = 0; realm < old->realms.size(); ++realm)
      for (uint8_t k = 0; k < owned_->realms.size(); ++k)
        if (owned_->realms[k] == old->realms[realm]) owned_->defaultDeniedBase[k] = old->defaultDeniedOf(realm);
    owned_->pinholeBase = old->pinholePackets();
    owned_->logLinesLostBase = old->logLinesLost();
    // The old tables name the rules of the records they made: read those first.
    drainLogLocked(old);
    delete old;
  }
  lastCommitMicros_ = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
  return Status::success();
}

FirewallView Firewall::view() const {
  std::lock_guard lock(mutex_);
  FirewallView v;
  v.commits = commits_;
  const FirewallTables* t = owned_;
  if (t == nullptr) return v;
  v.rulesInstalled = t->rulesInstalled;
  for (size_t l = 0; l < t->listNames.size(); ++l) {
    AclListCounters list;
    list.name = t->listNames[l];
    for (uint32_t id = t->listFirstRule[l]; id < t->listFirstRule[l + 1]; ++id) {
      AclRuleCounters c = t->totalOf(id);
      c.sequence = t->rules[id].sequence;
      list.rules.push_back(c);
    }
    v.lists.push_back(std::move(list));
  }
  for (const AclSet& s : t->sets)
    if (s.defaultAction == AclAction::kDeny) v.defaultDenied[t->realms[s.realm]] = t->defaultDeniedOf(s.realm);
  v.pinholePackets = t->pinholePackets();
  v.logLinesLost = t->logLinesLost();
  return v;
}

void Firewall::clearCounters() {
  std::lock_guard lock(mutex_);
  FirewallTables* t = owned_;
  if (t == nullptr) return;
  // The workers' counters stay theirs: the base takes away what they hold now.
  for (uint32_t id = 0; id < t->rules.size(); ++id) {
    AclRuleCounters now = t->totalOf(id);
    AclRuleCounters& base = t->ruleBase[id];
    base.packets -= now.packets;
    base.bytes -= now.bytes;
    base.rateDrops -= now.rateDrops;
  }
  for (uint8_t realm = 0; realm < t->realms.size(); ++realm) t->defaultDeniedBase[realm] -= t->defaultDeniedOf(realm);
  t->pinholeBase -= t->pinholePackets();
}

}  // namespace sbc::dataplane
