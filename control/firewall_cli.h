#pragma once
// The engineer's view of the firewall, served on the control socket over the Dataplane door:
//
//   show acl [NAME] [counters] [json]     the lists of the running configuration, where each is
//                                         bound, and with `counters` each rule's hits
//   show acl log [json]                   the last lines of rules with `log` (sbcd also prints
//                                         them on standard error as they come)
//   show blocked [json]                   sources the SIP flood guard blocks: why, until when
//   clear counters                        the firewall's hit counters back to zero
//   monitor capture start FILE [interface IFACE] [host ADDR|PREFIX] [port P] [count N]
//   monitor capture stop
//   show capture [json]
//
// `--json` at the end works too (shell_session.cc turns it into the `json` word).

#include "control/cli/command_table.h"
#include "dataplane/dataplane.h"
#include "dataplane/firewall_config.h"

namespace sbc::control {

// `running` is the engineer's firewall of the running configuration (it names the rules the
// counters count); it must outlive the table.
void addFirewallCommands(CommandTable& table, dataplane::Dataplane& dataplane,
                         const dataplane::FirewallConfig& running);

// The text and JSON of the shows, apart so that tests read them without a table.
std::string aclText(const dataplane::FirewallConfig& running, const dataplane::FirewallView& view,
                    const std::string& name, bool counters);
std::string aclJson(const dataplane::FirewallConfig& running, const dataplane::FirewallView& view,
                    const std::string& name, bool counters);
std::string aclLogText(const std::vector<dataplane::AclLogEntry>& lines, uint64_t lost);
std::string aclLogJson(const std::vector<dataplane::AclLogEntry>& lines, uint64_t lost);
std::string blockedText(const std::vector<dataplane::BlockedSourceView>& blocked);
std::string blockedJson(const std::vector<dataplane::BlockedSourceView>& blocked);
std::string captureText(const dataplane::CaptureView& capture);
std::string captureJson(const dataplane::CaptureView& capture);

}  // namespace sbc::control
