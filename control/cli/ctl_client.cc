#include "control/cli/ctl_client.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "control/cli/ctl_protocol.h"

namespace sbc::control {

namespace {

// Closes the socket on every way out of runRemoteCommand.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

CtlClientResult runRemoteCommand(const std::string& socketPath, std::string_view line,
                                 unsigned timeoutSeconds) {
  CtlClientResult result;
  if (line.find('\n') != std::string_view::npos) {
    result.error = "the command must be one line";
    return result;
  }
  if (line.size() > kMaxCommandLineBytes) {
    result.error = "the command is longer than " + std::to_string(kMaxCommandLineBytes) + " bytes";
    return result;
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socketPath.empty() || socketPath.size() >= sizeof address.sun_path) {
    result.error = "socket path '" + socketPath + "' is empty or too long";
    return result;
  }
  std::memcpy(address.sun_path, socketPath.data(), socketPath.size());

  FdGuard fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    result.error = std::string("socket: ") + std::strerror(errno);
    return result;
  }
  if (timeoutSeconds > 0) {
    timeval timeout{static_cast<time_t>(timeoutSeconds), 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  }
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int connectErrno = errno;
    result.error = "cannot connect to " + socketPath + ": " + std::strerror(connectErrno);
    if (connectErrno == ENOENT || connectErrno == ECONNREFUSED)
      result.error += " (is sbcd running?)";
    return result;
  }

  std::string request(line);
  request += '\n';
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result.error = std::string("sending the command: ") + std::strerror(errno);
      return result;
    }
    sent += static_cast<size_t>(n);
  }

  ReplyDecoder decoder;
  while (!decoder.complete()) {
    char buffer[16 * 1024];
    const ssize_t n = recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      result.error = "no answer from sbcd within " + std::to_string(timeoutSeconds) + " s";
      return result;
    }
    if (n < 0) {
      result.error = std::string("reading the answer: ") + std::strerror(errno);
      return result;
    }
    if (n == 0) {
      result.error = "sbcd closed the connection before the answer was complete";
      return result;
    }
    decoder.feed(std::string_view(buffer, static_cast<size_t>(n)));
  }
  result.text = decoder.text();
  result.rc = decoder.rc();
  return result;
}

}  // namespace sbc::control
