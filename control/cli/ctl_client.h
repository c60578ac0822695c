#pragma once
// The client side of the control socket (protocol in ctl_protocol.h), used by sbcctl: connect,
// send one line, wait for the whole answer. Blocking, since sbcctl has nothing else to do.

#include <string>
#include <string_view>

namespace sbc::control {

struct CtlClientResult {
  std::string error;  // non-empty: no answer (cannot connect, connection lost, ...)
  std::string text;   // the command's output, status line removed
  int rc = 0;
  bool ok() const { return error.empty(); }
};

// `timeoutSeconds` bounds each wait for the server; 0 waits forever.
CtlClientResult runRemoteCommand(const std::string& socketPath, std::string_view line,
                                 unsigned timeoutSeconds = 0);

}  // namespace sbc::control
