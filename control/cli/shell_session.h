#pragma once
// One control connection's view of the shell, as on a router: it starts in exec mode
// (`sbc>`); `configure` copies the running configuration into this connection's candidate
// (`sbc(config)#`); configuration lines edit only the candidate (blocks such as `acl NAME` or
// `interface NAME` are modes: `sbc(config-acl)#`); `commit` checks the whole candidate and
// applies it at once, `abort` drops it. A refused commit leaves the running configuration as
// it was and names the fault.
//
// What a commit changes live is the firewall (acl, firewall bind/default/pinhole/sip-flood):
// Dataplane::applyFirewall swaps it in whole. Every other line (interfaces, dataplane, media,
// sip, trunks, contact center) is checked and kept in the running configuration, so that
// `write memory` saves it, but takes effect when sbcd restarts; the commit says so by name.
//
// Besides command lines the session answers two requests of the interactive sbcctl
// (ctl_protocol.h): what may be typed next (Tab and `?`) and which mode it is in (the prompt).

#include <cstdint>
#include <string>
#include <string_view>

#include "control/cli/command_table.h"
#include "control/cli/ctl_server.h"
#include "control/config/config_commands.h"
#include "control/config/sip_config.h"
#include "dataplane/config.h"
#include "dataplane/dataplane.h"
#include "dataplane/firewall_config.h"

namespace sbc::control {

// What sbcd runs with, shared by every connection. `firewall` is the engineer's part, without
// the derived trunk pinholes.
struct RunningConfig {
  dataplane::DataplaneConfig config;
  SipConfig sip;
  dataplane::FirewallConfig firewall;
  std::string startupPath;  // where `write memory` writes; empty: nowhere
  uint64_t generation = 0;  // counts commits, so a stale candidate is caught
};

class ShellSession {
 public:
  // `operational` holds the exec-mode commands shared by all connections (show, media,
  // help...); `dataplane` may be null (a test without one: firewall commits are refused).
  ShellSession(RunningConfig& running, const CommandTable& operational,
               dataplane::Dataplane* dataplane);
  ShellSession(const ShellSession&) = delete;
  ShellSession& operator=(const ShellSession&) = delete;

  // A line from the control socket: a command, or a protocol request.
  CtlReply handle(std::string_view line);
  CommandOutput execute(std::string_view line);
  // "exec", "config", "config-if", "config-trunk", "config-cc", "config-acl".
  std::string modeName() const;
  // Tab and `?`: the choices after `line` (the last word is partial unless the line ends in a
  // blank), one per line: "k\tWORD\tHELP" for a keyword, "v\tPLACEHOLDER\tHELP" otherwise.
  std::string choicesReply(std::string_view line) const;

 private:
  enum class Mode : uint8_t { kExec, kConfig };

  void addExecCommands();
  void addConfigSessionCommands();
  const CommandTable& blockTable() const;
  CommandOutput runConfigLine(const std::vector<std::string>& words);
  void enterConfig();
  void leaveConfig();
  bool candidateChanged() const;
  CommandOutput commit();
  CommandOutput writeMemory() const;

  RunningConfig& running_;
  const CommandTable& operational_;
  dataplane::Dataplane* dataplane_;
  Mode mode_ = Mode::kExec;
  uint64_t baseGeneration_ = 0;  // the running generation the candidate was copied from
  ConfigCandidate candidate_;
  CommandTable exec_;
  CommandTable configSession_;  // commit, abort, end, do, show running-config|candidate-config
  CommandTable topLevel_;
  CommandTable interfaceBlock_;
  CommandTable trunkBlock_;
  CommandTable contactCenterBlock_;
  CommandTable aclBlock_;
};

}  // namespace sbc::control
