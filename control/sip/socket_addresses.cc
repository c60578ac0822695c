#include "control/sip/socket_addresses.h"

#include <errno.h>
#include <netinet/in.h>

#include <cstring>

namespace sbc::sip {

std::optional<NativeAddress> toNative(const dataplane::SocketAddress& address) {
  NativeAddress native;
  if (address.ip.isV4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&native.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(address.port);
    std::memcpy(&in->sin_addr, address.ip.bytes.data(), 4);
    native.length = sizeof(sockaddr_in);
    return native;
  }
  if (address.ip.isV6()) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&native.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(address.port);
    std::memcpy(&in6->sin6_addr, address.ip.bytes.data(), 16);
    native.length = sizeof(sockaddr_in6);
    return native;
  }
  return std::nullopt;
}

std::optional<dataplane::SocketAddress> fromNative(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return dataplane::SocketAddress{dataplane::IpAddress::v4FromNetwork(&in->sin_addr),
                                    ntohs(in->sin_port)};
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    return dataplane::SocketAddress{dataplane::IpAddress::v6FromNetwork(&in6->sin6_addr),
                                    ntohs(in6->sin6_port)};
  }
  return std::nullopt;
}

int socketFamily(const dataplane::SocketAddress& address) {
  return address.ip.isV6() ? AF_INET6 : AF_INET;
}

std::optional<dataplane::SocketAddress> localAddressOf(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return std::nullopt;
  return fromNative(reinterpret_cast<const sockaddr*>(&storage));
}

std::string systemError(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace sbc::sip
