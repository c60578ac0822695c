#pragma once
// Turns what a command produced into what the control socket sends: the output, then the
// error as a "% " line, and rc 1 when there is one.

#include "control/cli/command_table.h"
#include "control/cli/ctl_server.h"

namespace sbc::control {

inline CtlReply toCtlReply(const CommandOutput& out) {
  if (out.ok()) return {out.text, 0};
  return {out.text + "% " + out.error + "\n", 1};
}

}  // namespace sbc::control
