#include "control/cli/ctl_client.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace sbc::control {

std::unique_ptr<CtlConnection> CtlConnection::open(const std::string& socketPath,
                                                   unsigned timeoutSeconds, std::string& error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socketPath.empty() || socketPath.size() >= sizeof address.sun_path) {
    error = "socket path '" + socketPath + "' is empty or too long";
    return nullptr;
  }
  std::memcpy(address.sun_path, socketPath.data(), socketPath.size());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  if (timeoutSeconds > 0) {
    timeval timeout{static_cast<time_t>(timeoutSeconds), 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int connectErrno = errno;
    close(fd);
    error = "cannot connect to " + socketPath + ": " + std::strerror(connectErrno);
    if (connectErrno == ENOENT || connectErrno == ECONNREFUSED) error += " (is sbcd running?)";
    return nullptr;
  }
  return std::unique_ptr<CtlConnection>(new CtlConnection(fd, timeoutSeconds));
}

CtlConnection::~CtlConnection() { close(fd_); }

CtlClientResult CtlConnection::request(std::string_view line) {
  CtlClientResult result;
  if (line.find('\n') != std::string_view::npos) {
    result.error = "the command must be one line";
    return result;
  }
  if (line.size() > kMaxCommandLineBytes) {
    result.error = "the command is longer than " + std::to_string(kMaxCommandLineBytes) + " bytes";
    return result;
  }
  std::string request(line);
  request += '\n';
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result.error = std::string("sending the command: ") + std::strerror(errno);
      return result;
    }
    sent += static_cast<size_t>(n);
  }
  decoder_.next();
  while (!decoder_.complete()) {
    char buffer[16 * 1024];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      result.error = "no answer from sbcd within " + std::to_string(timeoutSeconds_) + " s";
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
    decoder_.feed(std::string_view(buffer, static_cast<size_t>(n)));
  }
  result.text = decoder_.text();
  result.rc = decoder_.rc();
  return result;
}

CtlClientResult runRemoteCommand(const std::string& socketPath, std::string_view line,
                                 unsigned timeoutSeconds) {
  CtlClientResult result;
  if (line.find('\n') != std::string_view::npos) {
    result.error = "the command must be one line";
    return result;
  }
  auto connection = CtlConnection::open(socketPath, timeoutSeconds, result.error);
  if (!connection) return result;
  return connection->request(line);
}

}  // namespace sbc::control
