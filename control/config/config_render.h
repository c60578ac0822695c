#pragma once
// Prints a DataplaneConfig as the commands that build it (the `show running-config` of the
// dataplane): parseConfig(renderConfig(c)) gives back c. As on a router, settings left at
// their defaults are not printed.

#include <string>

#include "control/config/sip_config.h"
#include "dataplane/config.h"
#include "dataplane/firewall_config.h"

namespace sbc::control {

std::string renderConfig(const dataplane::DataplaneConfig& config);
// The SIP side's commands (sip_config_render.cc), to follow renderConfig's output.
std::string renderSipConfig(const SipConfig& sip);
// The firewall's commands (firewall_config_render.cc), to follow the SIP side's: the derived
// trunk pinholes are not printed, only those the engineer removed.
std::string renderFirewallConfig(const dataplane::FirewallConfig& firewall);
// One rule as its line inside an `acl NAME` block, without the indent:
// "10 deny udp 203.0.113.0/24 any eq 5060".
std::string renderAclRule(const dataplane::AclRule& rule);
// The whole running configuration: dataplane, SIP, firewall.
std::string renderRunningConfig(const dataplane::DataplaneConfig& config, const SipConfig& sip,
                                const dataplane::FirewallConfig& firewall);

}  // namespace sbc::control
