#pragma once
// sbcctl's interactive shell on a terminal, in the manner of IOS and FRR's vtysh: a prompt that
// shows the mode (`sbc>`, `sbc(config)#`, `sbc(config-acl)#`), line editing and history
// (~/.sbcctl_history) by libedit, Tab to complete a keyword and `?` to list what may come next
// with its help. Completion and help are asked of sbcd over the same connection, so they come
// from the very command tables that run the line, in the connection's mode.

#include <string>
#include <string_view>
#include <vector>

#include "control/cli/ctl_client.h"

namespace sbc::control {

// Until end of input or `exit`/`quit` in exec mode. Returns sbcctl's exit status.
int runInteractiveShell(CtlConnection& connection);

// Splits what `sbcctl -c` got into command lines at `;` and newlines outside quotes.
std::vector<std::string> splitCommandScript(std::string_view script);

}  // namespace sbc::control
