#pragma once
// The control socket's wire format, shared by sbcd and sbcctl.
//
// The client sends one command line ending in '\n' (a trailing '\r' is ignored). The server
// answers with the command's output and then a status line "%% rc=N\n" (0 ok, 1 error), and
// waits for the next line on the same connection. An output line that itself starts with "%%"
// is sent with one more '%' in front, and the client takes it off, so a status line can never
// be forged by what a command prints (an interface name, say).

#include <cstddef>
#include <string>
#include <string_view>

namespace sbc::control {

inline constexpr size_t kMaxCommandLineBytes = 64 * 1024;
inline constexpr std::string_view kStatusLinePrefix = "%% rc=";
// Requests of the interactive shell, which no command line can be mistaken for (commands
// never start with '%'): "%choices LINE" asks what may follow LINE (Tab, `?`), "%mode" which
// mode the connection is in (the prompt). Answered like commands (shell_session.h).
inline constexpr std::string_view kChoicesRequest = "%choices ";
inline constexpr std::string_view kModeRequest = "%mode";

// The bytes for one answer: `text` (a final '\n' added when missing) and the status line.
std::string encodeReply(std::string_view text, int rc);

// Reads one answer from a stream of bytes that may arrive in any pieces.
class ReplyDecoder {
 public:
  // Takes more bytes; returns true once the status line has arrived. Bytes after it are kept
  // for the next answer.
  bool feed(std::string_view bytes);
  bool complete() const { return complete_; }
  const std::string& text() const { return text_; }
  int rc() const { return rc_; }
  // Forgets the finished answer and decodes the bytes already received after it.
  void next();

 private:
  void consumeLines();

  std::string pending_;
  std::string text_;
  int rc_ = 0;
  bool complete_ = false;
};

}  // namespace sbc::control
