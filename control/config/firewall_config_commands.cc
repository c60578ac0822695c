// The firewall's configuration commands (declared in config_commands.h), in the IOS style:
//
//   acl NAME                                   no acl NAME
//    SEQ <permit|deny> PROTO SRC [PORTS] DST [PORTS] [rate-limit PPS] [log]
//    no SEQ
//   exit
//   firewall bind REALM <in|out> acl NAME      no firewall bind REALM <in|out>
//   firewall default REALM <permit|deny>       no firewall default REALM
//   no firewall pinhole TRUNK                  firewall pinhole TRUNK   (puts it back;
//                                              TRUNK may be contact-center)
//   firewall sip-flood <untrusted|trusted> PPS burst N
//   firewall sip-flood deny-period SECONDS
//   no firewall sip-flood                      firewall sip-flood       (turns it back on)
//   firewall log-interval SECONDS              how often a `log` rule may write a line
//
// PROTO is ip | tcp | udp | icmp | icmpv6 | a protocol number; SRC and DST are any, host ADDR
// or a PREFIX (IPv4 or IPv6); PORTS (tcp and udp only) is eq P | range P1 P2 | gt P | lt P.
// The rule line is declared as six patterns (permit/deny × tcp, udp, the protocols without
// ports) so that Tab and `?` know
// every word of it.

#include <algorithm>

#include "control/cli/shared_help.h"
#include "control/config/config_commands.h"

namespace sbc::control {

namespace {

using dataplane::AclAction;
using dataplane::AclBinding;
using dataplane::AclDirection;
using dataplane::AclRule;
using dataplane::FirewallConfig;
using dataplane::IpPrefix;
using dataplane::PortRange;

constexpr const char* kFirewallHelp = "Firewall of the fast path";
constexpr const char* kAclHelp = "Configure an access list (its rules follow, indented)";
constexpr const char* kSipFloodHelp = "Per-source SIP rate limits, and blocking of who exceeds them";


// A pattern and its help strings, written side by side so that they cannot drift apart.
struct PatternBuilder {
  std::string pattern;
  std::vector<std::string> help;
  PatternBuilder& token(const std::string& spelling, const std::string& tokenHelp) {
    if (!pattern.empty() && pattern.back() != '<' && pattern.back() != '[' &&
        pattern.back() != '|')
      pattern += ' ';
    pattern += spelling;
    help.push_back(tokenHelp);
    return *this;
  }
  PatternBuilder& raw(const std::string& punctuation) {
    pattern += punctuation;
    return *this;
  }
};

void addEndpoint(PatternBuilder& b, const std::string& p, const std::string& role) {
  b.raw(" <")
      .token("any$" + p + "Any", "Any " + role + " address, IPv4 or IPv6")
      .raw("|")
      .token("host$" + p + "Host", "One " + role + " address")
      .raw(" <")
      .token("A.B.C.D$" + p + "HostAddr", "IPv4 address")
      .raw("|")
      .token("X:X::X:X$" + p + "HostAddr", "IPv6 address")
      .raw(">|")
      .token("A.B.C.D/M$" + p + "Prefix", "IPv4 " + role + " prefix, e.g. 203.0.113.0/24")
      .raw("|")
      .token("X:X::X:X/M$" + p + "Prefix", "IPv6 " + role + " prefix, e.g. 2001:db8::/32")
      .raw(">");
}

void addPorts(PatternBuilder& b, const std::string& p, const std::string& role) {
  b.raw(" [")
      .token("eq$" + p + "Eq", "Only this " + role + " port")
      .token("(0-65535)$" + p + "EqPort", "Port")
      .raw("|")
      .token("range$" + p + "Range", "A range of " + role + " ports, both ends included")
      .token("(0-65535)$" + p + "Low", "First port")
      .token("(0-65535)$" + p + "High", "Last port")
      .raw("|")
      .token("gt$" + p + "Gt", role + " ports above this one")
      .token("(0-65535)$" + p + "GtPort", "Port")
      .raw("|")
      .token("lt$" + p + "Lt", role + " ports below this one")
      .token("(0-65535)$" + p + "LtPort", "Port")
      .raw("]");
}

// `portProtocol`: "tcp" or "udp", whose rules take ports; empty: the protocols without ports.
// (One pattern per port protocol keeps each under CompiledPattern::kMaxPaths.)
// `permit` rules may carry a rate limit, `deny` rules not.
PatternBuilder rulePattern(const std::string& portProtocol, bool permit) {
  const bool withPorts = !portProtocol.empty();
  PatternBuilder b;
  b.token("(1-4294967295)$seq", "Sequence number: rules are tried lowest first");
  if (permit) b.token("permit", "Let matching packets through");
  else b.token("deny", "Drop matching packets");
  b.raw(" <");
  if (withPorts) {
    b.token(portProtocol, portProtocol == "tcp" ? "TCP" : "UDP");
  } else {
    b.token("ip", "Every IP protocol")
        .raw("|")
        .token("icmp", "ICMP (IPv4)")
        .raw("|")
        .token("icmpv6", "ICMPv6")
        .raw("|")
        .token("(1-255)$protoNumber", "IP protocol number");
  }
  b.raw(">");
  addEndpoint(b, "src", "source");
  if (withPorts) addPorts(b, "src", "source");
  addEndpoint(b, "dst", "destination");
  if (withPorts) addPorts(b, "dst", "destination");
  if (permit)
    b.raw(" [")
        .token("rate-limit", "Ceiling for all the traffic this permit lets through")
        .token("(1-100000000)$pps", "Packets per second")
        .raw("]");
  b.raw(" [").token("log", "Log matches (rate-limited)").raw("]");
  return b;
}

// The address part of an endpoint; false with `error` naming the word when it is wrong.
bool endpointFrom(const CommandArgs& args, const std::string& p, std::optional<IpPrefix>& out,
                  std::string& error) {
  out.reset();
  if (args.has(p + "Any")) return true;
  if (args.has(p + "HostAddr")) {
    const auto address = *args.ipAddress(p + "HostAddr");
    out = IpPrefix{address, static_cast<uint8_t>(address.isV4() ? 32 : 128)};
    return true;
  }
  IpPrefix prefix = *args.prefix(p + "Prefix");
  IpPrefix network = prefix;
  for (size_t bit = network.length; bit < network.address.bytes.size() * 8; ++bit)
    network.address.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  if (network.address.isV4()) std::fill(network.address.bytes.begin() + 4, network.address.bytes.end(), 0);
  if (!(network == prefix)) {
    error = quoted(args.get(p + "Prefix")) + ": host bits set; the prefix is " +
            network.toString();
    return false;
  }
  out = prefix;
  return true;
}

bool portsFrom(const CommandArgs& args, const std::string& p, PortRange& out,
               std::string& error) {
  out = PortRange{};
  auto port = [&](const std::string& name) {
    return static_cast<uint16_t>(*args.number(p + name));
  };
  if (args.has(p + "Eq")) {
    out.low = out.high = port("EqPort");
  } else if (args.has(p + "Range")) {
    out.low = port("Low");
    out.high = port("High");
    if (out.high < out.low) {
      error = quoted(args.get(p + "High")) + ": below the first port of the range " +
              std::string(args.get(p + "Low"));
      return false;
    }
  } else if (args.has(p + "Gt")) {
    if (port("GtPort") == 65535) {
      error = quoted(args.get(p + "GtPort")) + ": no port is above it";
      return false;
    }
    out.low = static_cast<uint16_t>(port("GtPort") + 1);
  } else if (args.has(p + "Lt")) {
    if (port("LtPort") == 0) {
      error = quoted(args.get(p + "LtPort")) + ": no port is below it";
      return false;
    }
    out.high = static_cast<uint16_t>(port("LtPort") - 1);
  }
  return true;
}

std::string_view endpointWord(const CommandArgs& args, const std::string& p) {
  if (args.has(p + "HostAddr")) return args.get(p + "HostAddr");
  return args.get(p + "Prefix");
}

// The rule a matched line describes; false with `error` naming the word that is wrong.
bool ruleFrom(const CommandArgs& args, AclRule& rule, std::string& error) {
  rule.sequence = static_cast<uint32_t>(*args.number("seq"));
  rule.action = args.has("permit") ? AclAction::kPermit : AclAction::kDeny;
  if (args.has("tcp")) rule.protocol = 6;
  else if (args.has("udp")) rule.protocol = 17;
  else if (args.has("icmp")) rule.protocol = 1;
  else if (args.has("icmpv6")) rule.protocol = 58;
  else if (args.has("protoNumber")) rule.protocol = static_cast<uint8_t>(*args.number("protoNumber"));
  else rule.protocol = dataplane::kAnyProtocol;
  if (!endpointFrom(args, "src", rule.source, error) ||
      !endpointFrom(args, "dst", rule.destination, error) ||
      !portsFrom(args, "src", rule.sourcePorts, error) ||
      !portsFrom(args, "dst", rule.destinationPorts, error))
    return false;
  if (rule.source && rule.destination &&
      rule.source->address.family != rule.destination->address.family) {
    error = quoted(endpointWord(args, "dst")) + ": the source is IPv" +
            (rule.source->address.isV4() ? "4" : "6") + ", the destination must be too";
    return false;
  }
  const std::optional<IpPrefix>& any = rule.source ? rule.source : rule.destination;
  if (any && rule.protocol == 1 && any->address.isV6()) {
    error = "'icmp': is IPv4's; for IPv6 addresses write icmpv6";
    return false;
  }
  if (any && rule.protocol == 58 && any->address.isV4()) {
    error = "'icmpv6': is IPv6's; for IPv4 addresses write icmp";
    return false;
  }
  if (args.has("pps")) rule.ratePps = static_cast<uint32_t>(*args.number("pps"));
  rule.log = args.has("log");
  return true;
}

void addRuleCommand(CommandTable& table, ConfigCandidate& candidate,
                    const std::string& portProtocol, bool permit) {
  PatternBuilder b = rulePattern(portProtocol, permit);
  table.addOrDie({b.pattern, b.help, [&candidate](const CommandArgs& args, CommandOutput& out) {
                    AclRule rule;
                    if (!ruleFrom(args, rule, out.error)) return;
                    auto& rules = candidate.currentAcl().rules;
                    // A sequence number already there is replaced: the line edits the rule.
                    auto at = std::lower_bound(rules.begin(), rules.end(), rule.sequence,
                                               [](const AclRule& r, uint32_t sequence) {
                                                 return r.sequence < sequence;
                                               });
                    if (at != rules.end() && at->sequence == rule.sequence) *at = rule;
                    else rules.insert(at, rule);
                  }});
}

std::vector<AclBinding>::iterator findBinding(FirewallConfig& firewall, std::string_view realm,
                                              AclDirection direction) {
  return std::find_if(firewall.bindings.begin(), firewall.bindings.end(),
                      [&](const AclBinding& b) {
                        return b.realm == realm && b.direction == direction;
                      });
}

void addBindCommands(CommandTable& table, FirewallConfig& firewall) {
  table.addOrDie({"firewall bind REALM <in|out> acl NAME",
                  {kFirewallHelp, "Apply an access list to a realm's traffic",
                   "Realm of interfaces, e.g. access", "Packets arriving from the realm",
                   "Packets the SBC sends toward the realm", "The access list", "Its name"},
                  [&firewall](const CommandArgs& args, CommandOutput&) {
                    const AclDirection direction =
                        args.has("in") ? AclDirection::kIn : AclDirection::kOut;
                    AclBinding binding{std::string(args.get("REALM")), direction,
                                       std::string(args.get("NAME"))};
                    auto it = findBinding(firewall, binding.realm, direction);
                    if (it != firewall.bindings.end()) *it = std::move(binding);
                    else firewall.bindings.push_back(std::move(binding));
                  }});
  table.addOrDie({"no firewall bind REALM <in|out>",
                  {kNoHelp, kFirewallHelp, "Take an access list off a realm", "Realm",
                   "Packets arriving from the realm", "Packets the SBC sends toward the realm"},
                  [&firewall](const CommandArgs& args, CommandOutput& out) {
                    const AclDirection direction =
                        args.has("in") ? AclDirection::kIn : AclDirection::kOut;
                    auto it = findBinding(firewall, args.get("REALM"), direction);
                    if (it == firewall.bindings.end()) {
                      out.error = quoted(args.get("REALM")) + ": no acl is bound " +
                                  (args.has("in") ? "in" : "out") + " there";
                      return;
                    }
                    firewall.bindings.erase(it);
                  }});
}

void addDefaultCommands(CommandTable& table, FirewallConfig& firewall) {
  table.addOrDie({"firewall default REALM <permit|deny>",
                  {kFirewallHelp, "What happens to a realm's packets that no rule matched",
                   "Realm", "Let them through (the default)", "Drop them"},
                  [&firewall](const CommandArgs& args, CommandOutput&) {
                    firewall.defaultAction[std::string(args.get("REALM"))] =
                        args.has("deny") ? AclAction::kDeny : AclAction::kPermit;
                  }});
  table.addOrDie({"no firewall default REALM",
                  {kNoHelp, kFirewallHelp, "Back to permit for packets no rule matched", "Realm"},
                  [&firewall](const CommandArgs& args, CommandOutput& out) {
                    if (firewall.defaultAction.erase(std::string(args.get("REALM"))) == 0)
                      out.error = quoted(args.get("REALM")) + ": has no default action set";
                  }});
}

void addPinholeCommands(CommandTable& table, FirewallConfig& firewall) {
  constexpr const char* kPinholeHelp =
      "A trunk's sources reaching the SBC's SIP addresses, whatever a list says";
  table.addOrDie({"firewall pinhole TRUNK",
                  {kFirewallHelp, kPinholeHelp, "Trunk name (puts its removed pinhole back)"},
                  [&firewall](const CommandArgs& args, CommandOutput& out) {
                    auto& removed = firewall.removedPinholes;
                    auto it = std::find(removed.begin(), removed.end(), args.get("TRUNK"));
                    if (it == removed.end()) {
                      out.error = quoted(args.get("TRUNK")) + ": its pinhole was not removed";
                      return;
                    }
                    removed.erase(it);
                  }});
  table.addOrDie({"no firewall pinhole TRUNK",
                  {kNoHelp, kFirewallHelp, kPinholeHelp, "Trunk name"},
                  [&firewall](const CommandArgs& args, CommandOutput&) {
                    auto& removed = firewall.removedPinholes;
                    const std::string trunk(args.get("TRUNK"));
                    if (std::find(removed.begin(), removed.end(), trunk) == removed.end())
                      removed.push_back(trunk);
                  }});
}

void addSipFloodCommands(CommandTable& table, FirewallConfig& firewall) {
  table.addOrDie({"firewall sip-flood <untrusted|trusted> (1-10000000)$pps burst (1-100000000)$burstSize",
                  {kFirewallHelp, kSipFloodHelp, "Sources outside every trunk's prefixes",
                   "Sources inside a trunk's prefix", "Packets per second each source may send",
                   "How many packets a source may send at once", "Packets"},
                  [&firewall](const CommandArgs& args, CommandOutput&) {
                    auto& flood = firewall.sipFlood;
                    const auto pps = static_cast<uint32_t>(*args.number("pps"));
                    const auto burst = static_cast<uint32_t>(*args.number("burstSize"));
                    if (args.has("trusted")) {
                      flood.trustedPps = pps;
                      flood.trustedBurst = burst;
                    } else {
                      flood.untrustedPps = pps;
                      flood.untrustedBurst = burst;
                    }
                  }});
  table.addOrDie({"firewall sip-flood deny-period (1-86400)",
                  {kFirewallHelp, kSipFloodHelp, "How long a source over its limit is blocked",
                   "Seconds"},
                  [&firewall](const CommandArgs& args, CommandOutput&) {
                    firewall.sipFlood.denyPeriodSeconds =
                        static_cast<uint32_t>(*args.number("(1-86400)"));
                  }});
  table.addOrDie({"firewall log-interval (1-3600)",
                  {kFirewallHelp, "How often a rule with 'log' may write a line (default 5 s)", "Seconds"},
                  [&firewall](const CommandArgs& args, CommandOutput&) {
                    firewall.logIntervalSeconds = static_cast<uint32_t>(*args.number("(1-3600)"));
                  }});
  table.addOrDie({"firewall sip-flood",
                  {kFirewallHelp, "Turn the SIP flood guard on (the default)"},
                  [&firewall](const CommandArgs&, CommandOutput&) {
                    firewall.sipFlood.enabled = true;
                  }});
  table.addOrDie({"no firewall sip-flood",
                  {kNoHelp, kFirewallHelp, "Turn the SIP flood guard off"},
                  [&firewall](const CommandArgs&, CommandOutput&) {
                    firewall.sipFlood.enabled = false;
                  }});
}

}  // namespace

void addFirewallTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate) {
  FirewallConfig& firewall = candidate.firewall;
  table.addOrDie({"acl NAME",
                  {kAclHelp, "Name of the list, e.g. edge"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.enterAcl(std::string(args.get("NAME")));
                  }});
  table.addOrDie({"no acl NAME",
                  {kNoHelp, "Delete an access list", "Its name"},
                  [&firewall](const CommandArgs& args, CommandOutput& out) {
                    auto& lists = firewall.lists;
                    auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& list) {
                      return list.name == args.get("NAME");
                    });
                    if (it == lists.end()) {
                      out.error = quoted(args.get("NAME")) + ": no acl of that name";
                      return;
                    }
                    lists.erase(it);
                  }});
  addBindCommands(table, firewall);
  addDefaultCommands(table, firewall);
  addPinholeCommands(table, firewall);
  addSipFloodCommands(table, firewall);
}

void addAclConfigCommands(CommandTable& table, ConfigCandidate& candidate) {
  for (bool permit : {false, true})
    for (const char* portProtocol : {"", "tcp", "udp"})
      addRuleCommand(table, candidate, portProtocol, permit);
  table.addOrDie({"exit",
                  {"End the acl block"},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    candidate.leaveInterface();
                  }});
  table.addOrDie({"no (1-4294967295)$seq",
                  {kNoHelp, "Sequence number of the rule to delete"},
                  [&candidate](const CommandArgs& args, CommandOutput& out) {
                    auto& rules = candidate.currentAcl().rules;
                    const auto sequence = static_cast<uint32_t>(*args.number("seq"));
                    auto it = std::find_if(rules.begin(), rules.end(), [&](const AclRule& r) {
                      return r.sequence == sequence;
                    });
                    if (it == rules.end()) {
                      out.error = quoted(args.get("seq")) + ": no rule with that number in acl " +
                                  candidate.currentAcl().name;
                      return;
                    }
                    rules.erase(it);
                  }});
}

namespace {
// Pinholes from `sources` of the configured peer `peer` to every SIP listener on `interfaceName`.
void addPinholes(FirewallConfig& out, const std::string& peer, const std::string& interfaceName,
                 const std::vector<IpPrefix>& sources, const SipConfig& sip,
                 const dataplane::DataplaneConfig& config) {
  const auto& removed = out.removedPinholes;
  if (std::find(removed.begin(), removed.end(), peer) != removed.end()) return;
  std::string realm = interfaceName;
  for (const auto& interface : config.interfaces)
    if (interface.name == interfaceName && !interface.realm.empty()) realm = interface.realm;
  for (const IpPrefix& source : sources)
    for (const SipListenConfig& listen : sip.listens) {
      if (listen.interfaceName != interfaceName || listen.address.family != source.address.family)
        continue;
      dataplane::SignallingPinhole pinhole;
      pinhole.trunk = peer;
      pinhole.realm = realm;
      pinhole.source = source;
      pinhole.signalling = {listen.address, listen.port};
      pinhole.protocol = listen.transport == SipTransport::Udp ? 17 : 6;
      out.pinholes.push_back(pinhole);
    }
}

IpPrefix hostPrefix(const dataplane::IpAddress& address) {
  return {address, static_cast<uint8_t>(address.isV4() ? 32 : 128)};
}
}  // namespace

FirewallConfig firewallWithPinholes(const FirewallConfig& firewall, const SipConfig& sip,
                                    const dataplane::DataplaneConfig& config) {
  FirewallConfig out = firewall;
  out.pinholes.clear();
  for (const TrunkConfig& trunk : sip.trunks)
    addPinholes(out, trunk.name, trunk.interfaceName, trunk.match, sip, config);
  // The contact center is a configured peer like a trunk (Acme Packet's session agents): its
  // VIP, backup and other core sources reach the SBC's SIP, trusted by the flood guard, whatever
  // a list says. Its answers and OPTIONS replies at a call load are far above an untrusted rate.
  const ContactCenterConfig& center = sip.contactCenter;
  std::vector<IpPrefix> centerSources = center.match;
  if (center.vip) centerSources.push_back(hostPrefix(center.vip->ip));
  if (center.backup) centerSources.push_back(hostPrefix(center.backup->ip));
  if (!center.interfaceName.empty())
    addPinholes(out, kContactCenterPinhole, center.interfaceName, centerSources, sip, config);
  return out;
}

std::vector<std::string> checkFirewall(const FirewallConfig& withPinholes, const SipConfig& sip,
                                       const dataplane::DataplaneConfig& config) {
  std::vector<std::string> faults;
  for (const std::string& trunk : withPinholes.removedPinholes)
    if (!sip.findTrunk(trunk) && trunk != kContactCenterPinhole)
      faults.push_back("no firewall pinhole " + trunk + ": no trunk named " + quoted(trunk));
  auto realmExists = [&](const std::string& realm) {
    return std::any_of(config.interfaces.begin(), config.interfaces.end(),
                       [&](const auto& i) { return i.realm == realm; });
  };
  for (const AclBinding& binding : withPinholes.bindings)
    if (!realmExists(binding.realm))
      faults.push_back("firewall bind " + binding.realm + ": no interface has realm " +
                       quoted(binding.realm));
  for (const auto& [realm, action] : withPinholes.defaultAction)
    if (!realmExists(realm))
      faults.push_back("firewall default " + realm + ": no interface has realm " + quoted(realm));
  for (std::string& fault : dataplane::validateFirewall(withPinholes))
    faults.push_back(std::move(fault));
  return faults;
}

}  // namespace sbc::control
