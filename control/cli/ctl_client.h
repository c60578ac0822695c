#pragma once
// The client side of the control socket (protocol in ctl_protocol.h), used by sbcctl: connect,
// send lines, wait for each whole answer. Blocking, since sbcctl has nothing else to do. One
// connection is one shell session on the server (its mode and candidate configuration), so
// the interactive shell and `sbcctl -c "a; b; c"` keep theirs open.

#include <memory>
#include <string>
#include <string_view>

#include "control/cli/ctl_protocol.h"

namespace sbc::control {

struct CtlClientResult {
  std::string error;  // non-empty: no answer (cannot connect, connection lost, ...)
  std::string text;   // the command's output, status line removed
  int rc = 0;
  bool ok() const { return error.empty(); }
};

class CtlConnection {
 public:
  // nullptr and `error` when it cannot connect. `timeoutSeconds` bounds each wait; 0: forever.
  static std::unique_ptr<CtlConnection> open(const std::string& socketPath,
                                             unsigned timeoutSeconds, std::string& error);
  ~CtlConnection();
  CtlConnection(const CtlConnection&) = delete;
  CtlConnection& operator=(const CtlConnection&) = delete;

  // Sends one line and reads its answer.
  CtlClientResult request(std::string_view line);

 private:
  CtlConnection(int fd, unsigned timeoutSeconds) : fd_(fd), timeoutSeconds_(timeoutSeconds) {}
  int fd_;
  unsigned timeoutSeconds_;
  ReplyDecoder decoder_;
};

// One line on a connection of its own.
CtlClientResult runRemoteCommand(const std::string& socketPath, std::string_view line,
                                 unsigned timeoutSeconds = 0);

}  // namespace sbc::control
