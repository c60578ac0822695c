#include "dataplane/firewall_config.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>
#include <unordered_set>

namespace sbc::dataplane {
namespace {

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;

std::string protocolName(uint8_t p) {
  switch (p) {
    case kAnyProtocol: return "ip";
    case 1: return "icmp";
    case kTcp: return "tcp";
    case kUdp: return "udp";
    case 58: return "icmpv6";
    default: return std::to_string(p);
  }
}

std::string portText(const PortRange& r) {
  return r.low == r.high ? std::to_string(r.low) : std::to_string(r.low) + "-" + std::to_string(r.high);
}

unsigned familyBits(const IpAddress& a) { return a.isV4() ? 32 : 128; }

// A prefix in a form the shadow check compares without branching on the family again: the
// masked address and the length, or "any" (length 0 of no family).
struct FlatPrefix {
  IpFamily family = IpFamily::kNone;  // kNone: any address of either family
  uint8_t length = 0;
  std::array<uint8_t, 16> bytes{};
};

FlatPrefix flatten(const std::optional<IpPrefix>& p) {
  FlatPrefix f;
  if (!p) return f;
  f.family = p->address.family;
  f.length = p->length;
  f.bytes = p->address.bytes;
  return f;
}

// The prefix of `p`'s first `length` bits, host bits cleared: the index key of the shadow check.
FlatPrefix truncate(const FlatPrefix& p, uint8_t length) {
  FlatPrefix t;
  if (p.family == IpFamily::kNone) return t;
  t.family = p.family;
  t.length = length;
  for (unsigned bit = 0; bit < length; bit += 8) {
    const unsigned keep = std::min(8u, length - bit);
    t.bytes[bit / 8] = static_cast<uint8_t>(p.bytes[bit / 8] & (0xff << (8 - keep)));
  }
  return t;
}

struct FlatPrefixLess {
  bool operator()(const FlatPrefix& a, const FlatPrefix& b) const {
    return std::tie(a.family, a.length, a.bytes) < std::tie(b.family, b.length, b.bytes);
  }
};

// True when every address `inner` matches, `outer` matches too.
bool covers(const FlatPrefix& outer, const FlatPrefix& inner) {
  if (outer.family == IpFamily::kNone) return true;
  if (inner.family != outer.family || inner.length < outer.length) return false;
  IpPrefix o{IpAddress{outer.family, outer.bytes}, outer.length};
  return o.contains(IpAddress{inner.family, inner.bytes});
}

struct FlatRule {
  uint32_t sequence;
  uint8_t protocol;
  IpFamily family;  // of the addresses it names; kNone for any/any
  PortRange sourcePorts, destinationPorts;
  FlatPrefix source, destination;
};

bool rangeCovers(const PortRange& outer, const PortRange& inner) {
  return outer.low <= inner.low && inner.high <= outer.high;
}

// `earlier` matches every packet `later` matches: `later` is never reached.
bool shadows(const FlatRule& earlier, const FlatRule& later) {
  if (!rangeCovers(earlier.destinationPorts, later.destinationPorts) ||
      !rangeCovers(earlier.sourcePorts, later.sourcePorts))
    return false;
  if (earlier.protocol != kAnyProtocol && earlier.protocol != later.protocol) return false;
  // An any/any rule of one protocol matches both families; one naming a family matches one.
  if (earlier.family != IpFamily::kNone && earlier.family != later.family) return false;
  return covers(earlier.source, later.source) && covers(earlier.destination, later.destination);
}

void checkRule(const std::string& where, const AclRule& r, std::vector<std::string>& faults) {
  auto fault = [&](const std::string& what) { faults.push_back(where + what); };
  for (auto [name, prefix] : {std::pair{"source", &r.source}, std::pair{"destination", &r.destination}}) {
    if (*prefix && (*prefix)->length > familyBits((*prefix)->address))
      fault(std::string(name) + " prefix length /" + std::to_string((*prefix)->length) + " is beyond " +
            ((*prefix)->address.isV4() ? "IPv4's 32" : "IPv6's 128") + " bits");
  }
  if (r.source && r.destination && r.source->address.family != r.destination->address.family)
    fault("source " + r.source->toString() + " is " + (r.source->address.isV4() ? "IPv4" : "IPv6") +
          " but destination " + r.destination->toString() + " is " +
          (r.destination->address.isV4() ? "IPv4" : "IPv6"));
  for (auto [name, range] : {std::pair{"source", &r.sourcePorts}, std::pair{"destination", &r.destinationPorts}}) {
    if (range->low > range->high)
      fault(std::string(name) + " port range " + std::to_string(range->low) + "-" +
            std::to_string(range->high) + " runs backwards");
    else if (!range->any() && r.protocol != kTcp && r.protocol != kUdp)
      fault(std::string(name) + " port " + portText(*range) + " needs protocol tcp or udp, not '" +
            protocolName(r.protocol) + "'");
  }
  if (r.ratePps != 0 && r.action == AclAction::kDeny)
    fault("rate-limit " + std::to_string(r.ratePps) + " needs a permit rule, not 'deny'");
}

void checkList(const AclList& list, std::vector<std::string>& faults) {
  const std::string where = "acl " + list.name + ": ";
  std::unordered_set<uint32_t> sequences;
  std::vector<FlatRule> sound;  // rules without faults, in sequence order, for the shadow check
  std::vector<const AclRule*> ordered;
  for (const AclRule& r : list.rules) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const AclRule* a, const AclRule* b) { return a->sequence < b->sequence; });
  for (const AclRule* r : ordered) {
    const std::string rule = where + "rule " + std::to_string(r->sequence) + ": ";
    if (r->sequence == 0) {
      faults.push_back(rule + "sequence 0: sequences start at 1");
      continue;
    }
    if (!sequences.insert(r->sequence).second) {
      faults.push_back(rule + "sequence " + std::to_string(r->sequence) + " is used twice");
      continue;
    }
    size_t before = faults.size();
    checkRule(rule, *r, faults);
    if (faults.size() != before) continue;
    FlatRule f{r->sequence, r->protocol, IpFamily::kNone, r->sourcePorts, r->destinationPorts,
               flatten(r->source), flatten(r->destination)};
    f.family = r->source ? r->source->address.family
                         : r->destination ? r->destination->address.family : IpFamily::kNone;
    sound.push_back(f);
  }
  // Only an earlier rule whose source prefix contains the later one's can cover it: earlier
  // rules are indexed by their source prefix, and a later rule looks up each of its source's
  // shorter prefixes (at most 129) instead of every earlier rule (50 million pairs at 10,000).
  std::map<FlatPrefix, std::vector<size_t>, FlatPrefixLess> bySource;
  for (size_t later = 0; later < sound.size(); ++later) {
    const FlatRule& r = sound[later];
    size_t first = SIZE_MAX;
    auto consider = [&](const FlatPrefix& key) {
      auto it = bySource.find(key);
      if (it == bySource.end()) return;
      for (size_t earlier : it->second) {
        if (earlier >= first) break;  // kept in order: the first that covers is the one named
        if (shadows(sound[earlier], r)) first = earlier;
      }
    };
    consider(FlatPrefix{});  // earlier rules from any source
    if (r.source.family != IpFamily::kNone)
      for (int length = 0; length <= r.source.length; ++length) consider(truncate(r.source, static_cast<uint8_t>(length)));
    if (first != SIZE_MAX)
      faults.push_back(where + "rule " + std::to_string(r.sequence) + " is never reached: rule " +
                       std::to_string(sound[first].sequence) + " matches everything it does");
    bySource[truncate(r.source, r.source.length)].push_back(later);
  }
}

const char* directionName(AclDirection d) { return d == AclDirection::kIn ? "in" : "out"; }

}  // namespace

const AclList* FirewallConfig::findList(const std::string& name) const {
  for (const AclList& l : lists)
    if (l.name == name) return &l;
  return nullptr;
}

size_t FirewallConfig::ruleCount() const {
  size_t rules = 0;
  for (const AclList& l : lists) rules += l.rules.size();
  return rules;
}

std::string AclLogEntry::toString() const {
  // IOS prints the ports in parentheses for TCP and UDP, nothing for other protocols.
  const bool ports = protocol == kTcp || protocol == kUdp;
  auto endpoint = [&](const SocketAddress& a) {
    return a.ip.toString() + (ports ? "(" + std::to_string(a.port) + ")" : "");
  };
  return "acl " + list + " " + std::to_string(sequence) + (action == AclAction::kPermit ? " permitted " : " denied ") +
         protocolName(protocol) + " " + endpoint(source) + " -> " + endpoint(destination) + ", " +
         std::to_string(packets) + (packets == 1 ? " packet" : " packets");
}

std::vector<std::string> validateFirewall(const FirewallConfig& config) {
  std::vector<std::string> faults;
  std::set<std::string> names;
  for (const AclList& list : config.lists) {
    if (list.name.empty()) {
      faults.push_back("acl '': a list needs a name");
      continue;
    }
    if (!names.insert(list.name).second) {
      faults.push_back("acl " + list.name + ": defined twice");
      continue;
    }
    checkList(list, faults);
  }
  std::map<std::pair<std::string, AclDirection>, std::string> bound;
  for (const AclBinding& b : config.bindings) {
    const std::string where = "bind " + b.realm + " " + directionName(b.direction) + ": ";
    if (config.findList(b.list) == nullptr) {
      faults.push_back(where + "no acl named '" + b.list + "'");
      continue;
    }
    auto [it, fresh] = bound.emplace(std::pair{b.realm, b.direction}, b.list);
    if (!fresh && it->second != b.list)
      faults.push_back(where + "acl '" + b.list + "' and acl '" + it->second +
                       "' are both bound; one list per realm and direction");
  }
  for (const SignallingPinhole& p : config.pinholes) {
    if (p.source.length > familyBits(p.source.address))
      faults.push_back("trunk " + p.trunk + ": source prefix length /" + std::to_string(p.source.length) +
                       " is beyond the family's bits");
    if (p.source.address.family != p.signalling.ip.family)
      faults.push_back("trunk " + p.trunk + ": source " + p.source.toString() + " and signalling address " +
                       p.signalling.toString() + " are of different families");
  }
  return faults;
}

}  // namespace sbc::dataplane
