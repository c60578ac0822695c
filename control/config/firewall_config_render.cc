// Prints the firewall as the commands of firewall_config_commands.cc that build it.

#include "control/cli/tokenizer.h"
#include "control/config/config_render.h"

namespace sbc::control {

namespace {

using dataplane::AclAction;
using dataplane::AclRule;
using dataplane::FirewallConfig;
using dataplane::PortRange;

std::string protocolWord(uint8_t protocol) {
  switch (protocol) {
    case dataplane::kAnyProtocol: return "ip";
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "icmpv6";
    default: return std::to_string(protocol);
  }
}

std::string endpointWords(const std::optional<dataplane::IpPrefix>& prefix) {
  if (!prefix) return "any";
  if (prefix->length == (prefix->address.isV4() ? 32 : 128))
    return "host " + prefix->address.toString();
  return prefix->toString();
}

std::string portWords(const PortRange& ports) {
  if (ports.any()) return {};
  if (ports.low == ports.high) return " eq " + std::to_string(ports.low);
  if (ports.low == 0) return " lt " + std::to_string(ports.high + 1);
  if (ports.high == 65535) return " gt " + std::to_string(ports.low - 1);
  return " range " + std::to_string(ports.low) + " " + std::to_string(ports.high);
}

}  // namespace

std::string renderAclRule(const AclRule& rule) {
  std::string line = std::to_string(rule.sequence);
  line += rule.action == AclAction::kPermit ? " permit " : " deny ";
  line += protocolWord(rule.protocol);
  line += " " + endpointWords(rule.source) + portWords(rule.sourcePorts);
  line += " " + endpointWords(rule.destination) + portWords(rule.destinationPorts);
  if (rule.ratePps != 0) line += " rate-limit " + std::to_string(rule.ratePps);
  if (rule.log) line += " log";
  return line;
}

std::string renderFirewallConfig(const FirewallConfig& firewall) {
  std::string out;
  for (const auto& list : firewall.lists) {
    out += "!\nacl " + quoteWord(list.name) + "\n";
    for (const auto& rule : list.rules) out += " " + renderAclRule(rule) + "\n";
    out += "exit\n";
  }
  std::string lines;
  for (const auto& binding : firewall.bindings)
    lines += "firewall bind " + quoteWord(binding.realm) +
             (binding.direction == dataplane::AclDirection::kIn ? " in" : " out") + " acl " +
             quoteWord(binding.list) + "\n";
  for (const auto& [realm, action] : firewall.defaultAction)
    lines += "firewall default " + quoteWord(realm) +
             (action == AclAction::kDeny ? " deny" : " permit") + "\n";
  for (const auto& trunk : firewall.removedPinholes)
    lines += "no firewall pinhole " + quoteWord(trunk) + "\n";
  const dataplane::SipFloodGuardConfig defaults, &flood = firewall.sipFlood;
  if (flood.untrustedPps != defaults.untrustedPps || flood.untrustedBurst != defaults.untrustedBurst)
    lines += "firewall sip-flood untrusted " + std::to_string(flood.untrustedPps) + " burst " +
             std::to_string(flood.untrustedBurst) + "\n";
  if (flood.trustedPps != defaults.trustedPps || flood.trustedBurst != defaults.trustedBurst)
    lines += "firewall sip-flood trusted " + std::to_string(flood.trustedPps) + " burst " +
             std::to_string(flood.trustedBurst) + "\n";
  if (flood.denyPeriodSeconds != defaults.denyPeriodSeconds)
    lines += "firewall sip-flood deny-period " + std::to_string(flood.denyPeriodSeconds) + "\n";
  if (!flood.enabled) lines += "no firewall sip-flood\n";
  if (firewall.logIntervalSeconds != FirewallConfig{}.logIntervalSeconds)
    lines += "firewall log-interval " + std::to_string(firewall.logIntervalSeconds) + "\n";
  if (!lines.empty()) out += "!\n" + lines;
  return out;
}

std::string renderRunningConfig(const dataplane::DataplaneConfig& config, const SipConfig& sip,
                                const FirewallConfig& firewall) {
  return renderConfig(config) + renderSipConfig(sip) + renderFirewallConfig(firewall);
}

}  // namespace sbc::control
