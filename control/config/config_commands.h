#pragma once
// The configuration commands of the dataplane, declared for the command engine: one table for
// the top level and one for the inside of an `interface NAME` block. They edit a candidate,
// never the running dataplane; whoever reads a file (config_parser) or, later, runs `configure`
// in the shell decides when the candidate is checked and used. config_render prints the same
// commands back.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "control/cli/command_table.h"
#include "control/config/sip_config.h"
#include "dataplane/config.h"
#include "dataplane/firewall_config.h"

namespace sbc::control {

// The kinds of block a top-level line may open; indented lines belong to the open one.
enum class ConfigBlock : uint8_t { kNone, kInterface, kTrunk, kContactCenter, kAcl };

class ConfigCandidate {
 public:
  dataplane::DataplaneConfig config;
  SipConfig sip;
  // The engineer's part of the firewall; the trunk pinholes are derived from `sip` when the
  // whole is handed to the dataplane (firewallWithPinholes in firewall_config_commands.cc).
  dataplane::FirewallConfig firewall;
  // The shell runs this for an `exit` typed where no block is open (it leaves config mode); a
  // file has no such mode, and there `exit` is harmless.
  std::function<void()> onTopLevelExit;

  ConfigBlock block() const { return inInterface() ? ConfigBlock::kInterface : block_; }
  bool inInterface() const { return interfaceIndex_.has_value() || inScratchInterface_; }
  // The trunk the open `trunk NAME` block edits (created on first use, like interfaces).
  TrunkConfig& currentTrunk() { return inScratch_ ? scratchTrunk_ : sip.trunks[trunkIndex_]; }
  void enterTrunk(const std::string& name);
  void enterContactCenter();
  // The list the open `acl NAME` block edits (created on first use).
  dataplane::AclList& currentAcl() { return inScratch_ ? scratchAcl_ : firewall.lists[aclIndex_]; }
  void enterAcl(const std::string& name);
  // The interface the open block edits.
  dataplane::InterfaceConfig& currentInterface();
  // Opens the block of interface `name`, creating it on first use (a second block for the same
  // name edits the same interface, as on a router).
  void enterInterface(const std::string& name);
  // Opens a block of `kind` whose opening line was wrong: its lines are still checked against
  // that block's commands, their effect thrown away, so one typo does not turn every following
  // line into an error. (A contact-center block edits the real one: there is only one, and a
  // file with an error is refused whole.)
  void enterScratch(ConfigBlock kind);
  // Closes whatever block is open.
  void leaveInterface();

 private:
  ConfigBlock block_ = ConfigBlock::kNone;
  size_t trunkIndex_ = 0;
  size_t aclIndex_ = 0;
  std::optional<size_t> interfaceIndex_;
  bool inScratchInterface_ = false;
  bool inScratch_ = false;  // a trunk or acl block whose opening line was wrong
  dataplane::InterfaceConfig scratch_;
  TrunkConfig scratchTrunk_;
  dataplane::AclList scratchAcl_;
};

void addTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate);
void addInterfaceConfigCommands(CommandTable& table, ConfigCandidate& candidate);
// The SIP side (sip_config_commands.cc): `sip ...` lines at the top level, and the insides of
// `trunk NAME` and `contact-center` blocks.
void addContactCenterOpening(CommandTable& table, ConfigCandidate& candidate);
void addSipTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate);
void addTrunkConfigCommands(CommandTable& table, ConfigCandidate& candidate);
void addContactCenterConfigCommands(CommandTable& table, ConfigCandidate& candidate);
// The firewall (firewall_config_commands.cc): `acl NAME`, `no acl NAME` and the `firewall ...`
// lines at the top level, and the rule lines inside an `acl NAME` block.
void addFirewallTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate);
void addAclConfigCommands(CommandTable& table, ConfigCandidate& candidate);
// A word as the configuration's error messages show it: 'word'.
std::string quoted(std::string_view word);

// The pinhole name of the contact center (its VIP, backup and match prefixes), beside the trunks'.
inline constexpr const char* kContactCenterPinhole = "contact-center";
// The firewall as the dataplane takes it: `firewall` plus the signalling pinholes of every
// trunk and of the contact center, unless the engineer removed them (their sources × the
// SBC's `sip listen` addresses on their interface, of the same family).
dataplane::FirewallConfig firewallWithPinholes(const dataplane::FirewallConfig& firewall,
                                               const SipConfig& sip,
                                               const dataplane::DataplaneConfig& config);
// Faults of the firewall the grammar cannot see line by line (a removed pinhole naming no
// trunk, a binding or default naming no interface's realm), then validateFirewall()'s.
std::vector<std::string> checkFirewall(const dataplane::FirewallConfig& withPinholes,
                                       const SipConfig& sip,
                                       const dataplane::DataplaneConfig& config);

}  // namespace sbc::control
