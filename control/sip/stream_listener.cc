#include "control/sip/stream_listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/sip/socket_addresses.h"

namespace sbc::sip {

namespace {

constexpr int kBacklog = 128;

// SIP messages are written whole; Nagle would only hold back the last segment of each.
void disableNagle(int fd) {
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

}  // namespace

std::unique_ptr<StreamListener> StreamListener::open(const dataplane::SocketAddress& local,
                                                     std::string& error) {
  const std::optional<NativeAddress> native = toNative(local);
  if (!native) {
    error = "TCP/TLS listener needs an IPv4 or IPv6 address";
    return nullptr;
  }
  const int fd = socket(socketFamily(local), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = systemError("socket");
    return nullptr;
  }
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // restart while old ones linger
  if (local.ip.isV6()) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (bind(fd, native->get(), native->length) != 0 || listen(fd, kBacklog) != 0) {
    error = systemError("listen TCP " + local.toString());
    close(fd);
    return nullptr;
  }
  const std::optional<dataplane::SocketAddress> bound = localAddressOf(fd);
  return std::unique_ptr<StreamListener>(new StreamListener(fd, bound.value_or(local)));
}

StreamListener::~StreamListener() { close(fd_); }

std::optional<StreamListener::Accepted> StreamListener::accept() {
  while (true) {
    sockaddr_storage remote{};
    socklen_t length = sizeof remote;
    const int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&remote), &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // ECONNABORTED and friends: a client that gave up while queued; try the next one.
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      return std::nullopt;
    }
    const std::optional<dataplane::SocketAddress> remoteAddress =
        fromNative(reinterpret_cast<const sockaddr*>(&remote));
    const std::optional<dataplane::SocketAddress> localAddress = localAddressOf(fd);
    if (!remoteAddress || !localAddress) {
      close(fd);
      continue;
    }
    disableNagle(fd);
    return Accepted{fd, *remoteAddress, *localAddress};
  }
}

int startConnect(const dataplane::SocketAddress& local, const dataplane::SocketAddress& remote,
                 std::string& error) {
  const std::optional<NativeAddress> to = toNative(remote);
  if (!to) {
    error = "no address to connect to";
    return -1;
  }
  const int fd = socket(socketFamily(remote), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = systemError("socket");
    return -1;
  }
  if (local.ip.family == remote.ip.family && !local.ip.isUnspecified()) {
    dataplane::SocketAddress from = local;
    from.port = 0;
    const std::optional<NativeAddress> native = toNative(from);
    if (!native || bind(fd, native->get(), native->length) != 0) {
      error = systemError("bind " + from.toString());
      close(fd);
      return -1;
    }
  }
  disableNagle(fd);
  if (connect(fd, to->get(), to->length) != 0 && errno != EINPROGRESS) {
    error = systemError("connect " + remote.toString());
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace sbc::sip
