#include "dataplane/acl_compiler.h"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <numeric>

namespace sbc::dataplane {
namespace {

// rte_acl context names are global to the process.
std::atomic<unsigned> contextCount{0};

// Lower sequence wins; rte_acl returns the highest priority. Pinholes are above every rule.
constexpr int32_t kTopRulePriority = 1 << 28;
constexpr int32_t kPinholePriority = kTopRulePriority + 1;
// A rate-limited rule may send this much of its rate at once (per worker), at least one packet.
constexpr uint64_t kRateBurstMs = 100;

enum : uint8_t { kV4Protocol, kV4Source, kV4Destination, kV4SourcePort, kV4DestinationPort, kV4Fields };
enum : uint8_t { kV6Protocol, kV6Source0, kV6Destination0 = kV6Source0 + 4, kV6SourcePort = kV6Destination0 + 4,
                 kV6DestinationPort, kV6Fields };

RTE_ACL_RULE_DEF(AclRuleV4, kV4Fields);
RTE_ACL_RULE_DEF(AclRuleV6, kV6Fields);

rte_acl_config v4Layout() {
  rte_acl_config c{};
  c.num_categories = 1;
  c.num_fields = kV4Fields;
  c.defs[0] = {RTE_ACL_FIELD_TYPE_BITMASK, 1, kV4Protocol, 0, offsetof(AclKeyV4, protocol)};
  c.defs[1] = {RTE_ACL_FIELD_TYPE_MASK, 4, kV4Source, 1, offsetof(AclKeyV4, source)};
  c.defs[2] = {RTE_ACL_FIELD_TYPE_MASK, 4, kV4Destination, 2, offsetof(AclKeyV4, destination)};
  c.defs[3] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kV4SourcePort, 3, offsetof(AclKeyV4, sourcePort)};
  c.defs[4] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kV4DestinationPort, 3, offsetof(AclKeyV4, destinationPort)};
  return c;
}

rte_acl_config v6Layout() {
  rte_acl_config c{};
  c.num_categories = 1;
  c.num_fields = kV6Fields;
  c.defs[0] = {RTE_ACL_FIELD_TYPE_BITMASK, 1, kV6Protocol, 0, offsetof(AclKeyV6, protocol)};
  for (uint8_t i = 0; i < 4; ++i) {
    c.defs[1 + i] = {RTE_ACL_FIELD_TYPE_MASK, 4, static_cast<uint8_t>(kV6Source0 + i), static_cast<uint8_t>(1 + i),
                     static_cast<uint32_t>(offsetof(AclKeyV6, source) + 4 * i)};
    c.defs[5 + i] = {RTE_ACL_FIELD_TYPE_MASK, 4, static_cast<uint8_t>(kV6Destination0 + i), static_cast<uint8_t>(5 + i),
                     static_cast<uint32_t>(offsetof(AclKeyV6, destination) + 4 * i)};
  }
  c.defs[9] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kV6SourcePort, 9, offsetof(AclKeyV6, sourcePort)};
  c.defs[10] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kV6DestinationPort, 9, offsetof(AclKeyV6, destinationPort)};
  return c;
}

// One rule as both families see it; the compiler adds it to the contexts of its family.
struct Match {
  uint8_t protocol = kAnyProtocol;
  IpFamily family = IpFamily::kNone;  // kNone: both
  std::optional<IpPrefix> source, destination;
  PortRange sourcePorts, destinationPorts;
  int32_t priority = 0;
  uint32_t id = 0;
};

uint32_t word(const std::array<uint8_t, 16>& bytes, unsigned i) {
  return uint32_t{bytes[4 * i]} << 24 | uint32_t{bytes[4 * i + 1]} << 16 | uint32_t{bytes[4 * i + 2]} << 8 |
         bytes[4 * i + 3];
}

// rte_acl takes rule values in host order and a MASK field's prefix length as its "mask".
void setPrefix(rte_acl_field& f, const std::optional<IpPrefix>& p, unsigned wordIndex) {
  if (!p) {
    f.value.u32 = 0;
    f.mask_range.u32 = 0;
    return;
  }
  int bits = std::clamp(static_cast<int>(p->length) - 32 * static_cast<int>(wordIndex), 0, 32);
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  f.value.u32 = word(p->address.bytes, wordIndex) & mask;
  f.mask_range.u32 = static_cast<uint32_t>(bits);
}

void setCommon(rte_acl_field* fields, uint8_t protocolField, const Match& m, uint8_t sourcePortField,
               uint8_t destinationPortField) {
  fields[protocolField].value.u8 = m.protocol;
  fields[protocolField].mask_range.u8 = m.protocol == kAnyProtocol ? 0 : 0xff;
  fields[sourcePortField].value.u16 = m.sourcePorts.low;
  fields[sourcePortField].mask_range.u16 = m.sourcePorts.high;
  fields[destinationPortField].value.u16 = m.destinationPorts.low;
  fields[destinationPortField].mask_range.u16 = m.destinationPorts.high;
}

rte_acl_rule_data ruleData(const Match& m) { return {1, m.priority, m.id + 1}; }

// Builds one context from `rules`, or none when there are none; false with `error` when
// rte_acl refuses.
template <typename Rule>
bool buildContext(const std::vector<Rule>& rules, const rte_acl_config& layout, rte_acl_ctx*& out,
                  std::string& error) {
  out = nullptr;
  if (rules.empty()) return true;
  std::string name = "sbc_acl" + std::to_string(contextCount++);
  // RTE_ACL_RULE_SZ is a size_t: narrowed in the braces, clang refuses to build this file.
  const auto ruleSize = static_cast<uint32_t>(RTE_ACL_RULE_SZ(layout.num_fields));
  rte_acl_param param{name.c_str(), static_cast<int>(rte_socket_id()), ruleSize, static_cast<uint32_t>(rules.size())};
  rte_acl_ctx* ctx = rte_acl_create(&param);
  if (ctx == nullptr) {
    error = std::string("cannot create an ACL context: ") + rte_strerror(rte_errno);
    return false;
  }
  int rc = rte_acl_add_rules(ctx, reinterpret_cast<const rte_acl_rule*>(rules.data()),
                             static_cast<uint32_t>(rules.size()));
  if (rc == 0) rc = rte_acl_build(ctx, &layout);
  if (rc != 0) {
    rte_acl_free(ctx);
    error = std::string("cannot build the ACL of ") + std::to_string(rules.size()) + " rules: " + rte_strerror(-rc);
    return false;
  }
  out = ctx;
  return true;
}

bool buildSet(const std::vector<Match>& matches, AclSet& set, std::string& error) {
  std::vector<AclRuleV4> v4;
  std::vector<AclRuleV6> v6;
  for (const Match& m : matches) {
    if (m.family != IpFamily::kV6) {
      AclRuleV4 r{};
      r.data = ruleData(m);
      setCommon(r.field, kV4Protocol, m, kV4SourcePort, kV4DestinationPort);
      setPrefix(r.field[kV4Source], m.source, 0);
      setPrefix(r.field[kV4Destination], m.destination, 0);
      v4.push_back(r);
    }
    if (m.family != IpFamily::kV4) {
      AclRuleV6 r{};
      r.data = ruleData(m);
      setCommon(r.field, kV6Protocol, m, kV6SourcePort, kV6DestinationPort);
      for (unsigned i = 0; i < 4; ++i) {
        setPrefix(r.field[kV6Source0 + i], m.source, i);
        setPrefix(r.field[kV6Destination0 + i], m.destination, i);
      }
      v6.push_back(r);
    }
  }
  set.rules = static_cast<uint32_t>(v4.size() + v6.size());
  return buildContext(v4, v4Layout(), set.v4, error) && buildContext(v6, v6Layout(), set.v6, error);
}

const char* directionName(AclDirection d) { return d == AclDirection::kIn ? "in" : "out"; }

}  // namespace

FirewallTables::FirewallTables() {
  static std::atomic<uint32_t> lastGeneration{0};
  generation = lastGeneration.fetch_add(1, std::memory_order_relaxed) + 1;
}

FirewallTables::~FirewallTables() {
  for (AclSet& s : sets) {
    rte_acl_free(s.v4);
    rte_acl_free(s.v6);
  }
  rte_free(ruleCounters);
  rte_free(workerCounters);
}

AclRuleCounters FirewallTables::totalOf(uint32_t rule) const {
  AclRuleCounters t = ruleBase[rule];
  for (unsigned w = 0; w < workers; ++w) {
    const AclRuleCounter& c = countersOf(w)[rule];
    t.packets += c.packets;
    t.bytes += c.bytes;
    t.rateDrops += c.rateDrops;
  }
  return t;
}

uint64_t FirewallTables::defaultDeniedOf(uint8_t realm) const {
  uint64_t n = defaultDeniedBase[realm];
  for (unsigned w = 0; w < workers; ++w) n += workerCounters[w].defaultDenied[realm];
  return n;
}

uint64_t FirewallTables::pinholePackets() const {
  uint64_t n = pinholeBase;
  for (uint32_t id = 0; id < rules.size(); ++id)
    if (rules[id].pinhole)
      for (unsigned w = 0; w < workers; ++w) n += countersOf(w)[id].packets;
  return n;
}

uint64_t FirewallTables::logLinesLost() const {
  uint64_t n = logLinesLostBase;
  for (unsigned w = 0; w < workers; ++w) n += workerCounters[w].logRecordsLost;
  return n;
}

std::unique_ptr<FirewallTables> compileFirewall(const FirewallConfig& config,
                                                const std::vector<std::string>& interfaceRealms,
                                                unsigned workers, uint64_t tscHz, std::string& error) {
  auto t = std::make_unique<FirewallTables>();
  std::vector<uint8_t> realmOf;  // per interface
  for (const std::string& realm : interfaceRealms) {
    auto it = std::find(t->realms.begin(), t->realms.end(), realm);
    realmOf.push_back(static_cast<uint8_t>(it - t->realms.begin()));
    if (it == t->realms.end()) t->realms.push_back(realm);
  }
  auto realmIndex = [&](const std::string& realm) -> int {
    auto it = std::find(t->realms.begin(), t->realms.end(), realm);
    return it == t->realms.end() ? -1 : static_cast<int>(it - t->realms.begin());
  };

  // Rule ids: every list's rules in sequence order, then the pinholes that are not removed.
  std::map<std::string, uint32_t> listIndex;
  for (const AclList& list : config.lists) {
    listIndex[list.name] = static_cast<uint32_t>(t->listNames.size());
    t->listNames.push_back(list.name);
    t->listFirstRule.push_back(static_cast<uint32_t>(t->rules.size()));
    std::vector<const AclRule*> ordered;
    for (const AclRule& r : list.rules) ordered.push_back(&r);
    std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
    for (const AclRule* r : ordered) {
      AclRuleInfo info;
      info.action = r->action;
      info.list = listIndex[list.name];
      info.sequence = r->sequence;
      info.log = r->log;
      if (r->ratePps != 0) {
        const uint64_t workerRatePps = std::max<uint64_t>(1, r->ratePps / std::max(workers, 1u));
        info.rateIntervalTsc = std::max<uint64_t>(1, tscHz / workerRatePps);
        const uint64_t burst = std::max<uint64_t>(1, workerRatePps * kRateBurstMs / 1000);
        info.rateToleranceTsc = info.rateIntervalTsc * (burst - 1);
      }
      t->rules.push_back(info);
    }
  }
  t->listFirstRule.push_back(static_cast<uint32_t>(t->rules.size()));

  for (const AclBinding& b : config.bindings)
    if (realmIndex(b.realm) < 0) {
      error = "bind " + b.realm + " " + directionName(b.direction) + ": no interface is in realm '" + b.realm + "'";
      return nullptr;
    }
  for (const auto& [realm, action] : config.defaultAction)
    if (realmIndex(realm) < 0) {
      error = "default-action " + realm + ": no interface is in realm '" + realm + "'";
      return nullptr;
    }

  std::vector<Match> pinholes;  // per realm below
  std::vector<uint8_t> pinholeRealm;
  for (const SignallingPinhole& p : config.pinholes) {
    if (std::find(config.removedPinholes.begin(), config.removedPinholes.end(), p.trunk) != config.removedPinholes.end())
      continue;
    int realm = realmIndex(p.realm);
    if (realm < 0) continue;  // a trunk on a realm this dataplane has no interface in
    Match m;
    m.protocol = p.protocol;
    m.family = p.source.address.family;
    m.source = p.source;
    m.destination = IpPrefix{p.signalling.ip, static_cast<uint8_t>(p.signalling.ip.isV4() ? 32 : 128)};
    m.destinationPorts = {p.signalling.port, p.signalling.port};
    m.priority = kPinholePriority;
    m.id = static_cast<uint32_t>(t->rules.size());
    AclRuleInfo info;
    info.action = AclAction::kPermit;
    info.pinhole = true;
    t->rules.push_back(info);
    pinholes.push_back(m);
    pinholeRealm.push_back(static_cast<uint8_t>(realm));
  }

  // One set per realm and direction that filters.
  t->sets.reserve(t->realms.size() * 2);
  std::vector<std::pair<int, AclDirection>> setOwners;
  for (uint8_t realm = 0; realm < t->realms.size(); ++realm) {
    const std::string& name = t->realms[realm];
    auto action = config.defaultAction.find(name);
    const AclAction defaultAction = action == config.defaultAction.end() ? AclAction::kPermit : action->second;
    for (AclDirection direction : {AclDirection::kIn, AclDirection::kOut}) {
      const AclList* list = nullptr;
      for (const AclBinding& b : config.bindings)
        if (b.realm == name && b.direction == direction) list = config.findList(b.list);
      const bool filters = list != nullptr || (direction == AclDirection::kIn && defaultAction == AclAction::kDeny);
      if (!filters) continue;
      std::vector<Match> matches;
      if (direction == AclDirection::kIn)
        for (size_t i = 0; i < pinholes.size(); ++i)
          if (pinholeRealm[i] == realm) matches.push_back(pinholes[i]);
      if (list != nullptr) {
        const uint32_t first = t->listFirstRule[listIndex[list->name]];
        std::vector<const AclRule*> ordered;
        for (const AclRule& r : list->rules) ordered.push_back(&r);
        std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->sequence < b->sequence; });
        for (uint32_t k = 0; k < ordered.size(); ++k) {
          const AclRule& r = *ordered[k];
          Match m;
          m.protocol = r.protocol;
          m.family = r.source ? r.source->address.family : r.destination ? r.destination->address.family : IpFamily::kNone;
          m.source = r.source;
          m.destination = r.destination;
          m.sourcePorts = r.sourcePorts;
          m.destinationPorts = r.destinationPorts;
          m.priority = kTopRulePriority - 1 - static_cast<int32_t>(k);
          m.id = first + k;
          matches.push_back(m);
        }
      }
      AclSet set;
      set.defaultAction = defaultAction;
      set.realm = realm;
      t->sets.push_back(set);  // owned by t now: freed with it whatever happens next
      if (!buildSet(matches, t->sets.back(), error)) {
        error = "acl " + (list ? list->name : std::string("(pinholes)")) + " on " + name + " " +
                directionName(direction) + ": " + error;
        return nullptr;
      }
      t->rulesInstalled += t->sets.back().rules;
      setOwners.push_back({realm, direction});
    }
  }
  for (size_t s = 0; s < t->sets.size(); ++s)
    for (size_t i = 0; i < realmOf.size() && i < kMaxInterfaces; ++i)
      if (realmOf[i] == setOwners[s].first)
        (setOwners[s].second == AclDirection::kIn ? t->in : t->out)[i] = &t->sets[s];

  t->workers = std::max(workers, 1u);
  t->logIntervalTsc = tscHz * std::max<uint32_t>(config.logIntervalSeconds, 1);
  // Each worker's slice starts on a cache line of its own.
  constexpr size_t kUnit = RTE_CACHE_LINE_SIZE / std::gcd(size_t{RTE_CACHE_LINE_SIZE}, sizeof(AclRuleCounter));
  t->stride = (std::max<size_t>(t->rules.size(), 1) + kUnit - 1) / kUnit * kUnit;
  t->ruleCounters = static_cast<AclRuleCounter*>(
      rte_zmalloc("sbc_acl_counters", sizeof(AclRuleCounter) * t->stride * t->workers, RTE_CACHE_LINE_SIZE));
  t->workerCounters = static_cast<FirewallWorkerCounters*>(
      rte_zmalloc("sbc_acl_worker", sizeof(FirewallWorkerCounters) * t->workers, RTE_CACHE_LINE_SIZE));
  if (t->ruleCounters == nullptr || t->workerCounters == nullptr) {
    error = "cannot allocate the firewall's counters for " + std::to_string(t->rules.size()) + " rules";
    return nullptr;
  }
  t->ruleBase.assign(t->rules.size(), AclRuleCounters{});
  for (uint32_t id = 0; id < t->rules.size(); ++id) t->ruleBase[id].sequence = t->rules[id].sequence;
  t->defaultDeniedBase.assign(t->realms.size(), 0);
  return t;
}

}  // namespace sbc::dataplane
