#include "control/sip/udp_endpoint.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/sip/socket_addresses.h"

namespace sbc::sip {

namespace {
// The largest UDP payload; a SIP datagram is normally far smaller (RFC 3261 18.1.1).
constexpr std::size_t kMaxDatagram = 65535;
}  // namespace

std::unique_ptr<UdpEndpoint> UdpEndpoint::open(const dataplane::SocketAddress& local,
                                               std::string& error) {
  const std::optional<NativeAddress> native = toNative(local);
  if (!native) {
    error = "UDP listener needs an IPv4 or IPv6 address";
    return nullptr;
  }
  const int fd = socket(socketFamily(local), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = systemError("socket");
    return nullptr;
  }
  const int on = 1;
  if (local.ip.isV6()) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (bind(fd, native->get(), native->length) != 0) {
    error = systemError("bind UDP " + local.toString());
    close(fd);
    return nullptr;
  }
  const std::optional<dataplane::SocketAddress> bound = localAddressOf(fd);
  return std::unique_ptr<UdpEndpoint>(new UdpEndpoint(fd, bound.value_or(local)));
}

UdpEndpoint::~UdpEndpoint() { close(fd_); }

int UdpEndpoint::receive(int maxDatagrams, const DatagramHandler& handle) {
  static thread_local char buffer[kMaxDatagram];
  int count = 0;
  while (count < maxDatagrams) {
    sockaddr_storage from{};
    socklen_t fromLength = sizeof from;
    const ssize_t n = recvfrom(fd_, buffer, sizeof buffer, MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &fromLength);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // EAGAIN, or an ICMP error reported on the socket: nothing to read
    }
    ++count;
    const std::optional<dataplane::SocketAddress> source =
        fromNative(reinterpret_cast<const sockaddr*>(&from));
    if (source) handle(std::string_view(buffer, static_cast<std::size_t>(n)), *source);
  }
  return count;
}

bool UdpEndpoint::sendTo(std::string_view bytes, const dataplane::SocketAddress& to,
                         std::string& error) {
  const std::optional<NativeAddress> native = toNative(to);
  if (!native || to.ip.family != local_.ip.family) {
    error = "no route from " + local_.toString() + " to " + to.toString();
    return false;
  }
  while (true) {
    const ssize_t n =
        sendto(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT, native->get(), native->length);
    if (n >= 0) return true;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return true;
    // ECONNREFUSED here is an ICMP error for an earlier datagram to somebody: not this one.
    if (errno == ECONNREFUSED) return true;
    error = systemError("send UDP to " + to.toString());
    return false;
  }
}

}  // namespace sbc::sip
