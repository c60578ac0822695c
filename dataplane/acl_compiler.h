#pragma once
// Compiles a FirewallConfig (already validated: validateFirewall) into FirewallTables: one
// rte_acl context per family for each realm and direction that filters. Runs on the control
// side and may take a while (rte_acl_build of 10,000 rules); workers keep using the tables
// they have until the new ones are published.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/firewall_config.h"
#include "dataplane/firewall_tables.h"

namespace sbc::dataplane {

// `interfaceRealms[i]` is interface i's realm. A realm's 'in' direction filters when a list is
// bound to it or its default action is deny (then a trunk's pinholes are its first rules); its
// 'out' direction when a list is bound. Rate limits are shared out evenly over `workers`.
// Returns null and sets `error` (naming the binding or the list) when it cannot be built.
std::unique_ptr<FirewallTables> compileFirewall(const FirewallConfig& config,
                                                const std::vector<std::string>& interfaceRealms,
                                                unsigned workers, uint64_t tscHz, std::string& error);

}  // namespace sbc::dataplane
