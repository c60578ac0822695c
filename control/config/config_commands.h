#pragma once
// The configuration commands of the dataplane, declared for the command engine: one table for
// the top level and one for the inside of an `interface NAME` block. They edit a candidate,
// never the running dataplane; whoever reads a file (config_parser) or, later, runs `configure`
// in the shell decides when the candidate is checked and used. config_render prints the same
// commands back.

#include <optional>
#include <string>

#include "control/cli/command_table.h"
#include "control/config/sip_config.h"
#include "dataplane/config.h"

namespace sbc::control {

// The kinds of block a top-level line may open; indented lines belong to the open one.
enum class ConfigBlock : uint8_t { kNone, kInterface, kTrunk, kContactCenter };

class ConfigCandidate {
 public:
  dataplane::DataplaneConfig config;
  SipConfig sip;

  ConfigBlock block() const { return inInterface() ? ConfigBlock::kInterface : block_; }
  bool inInterface() const { return interfaceIndex_.has_value() || inScratchInterface_; }
  // The trunk the open `trunk NAME` block edits (created on first use, like interfaces).
  TrunkConfig& currentTrunk() { return sip.trunks[trunkIndex_]; }
  void enterTrunk(const std::string& name);
  void enterContactCenter();
  // The interface the open block edits.
  dataplane::InterfaceConfig& currentInterface();
  // Opens the block of interface `name`, creating it on first use (a second block for the same
  // name edits the same interface, as on a router).
  void enterInterface(const std::string& name);
  // Opens a block whose opening line was wrong: its lines are still checked, their effect
  // thrown away, so one typo does not turn every following line into an error.
  void enterScratchInterface();
  // Closes whatever block is open.
  void leaveInterface();

 private:
  ConfigBlock block_ = ConfigBlock::kNone;
  size_t trunkIndex_ = 0;
  std::optional<size_t> interfaceIndex_;
  bool inScratchInterface_ = false;
  dataplane::InterfaceConfig scratch_;
};

void addTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate);
void addInterfaceConfigCommands(CommandTable& table, ConfigCandidate& candidate);
// The SIP side (sip_config_commands.cc): `sip ...` lines at the top level, and the insides of
// `trunk NAME` and `contact-center` blocks.
void addContactCenterOpening(CommandTable& table, ConfigCandidate& candidate);
void addSipTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate);
void addTrunkConfigCommands(CommandTable& table, ConfigCandidate& candidate);
void addContactCenterConfigCommands(CommandTable& table, ConfigCandidate& candidate);

}  // namespace sbc::control
