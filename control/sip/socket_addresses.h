#pragma once
// Conversions between the project's SocketAddress and the sockaddr structures that the socket
// calls take, plus the few socket calls every transport file needs.

#include <sys/socket.h>

#include <optional>
#include <string>

#include "dataplane/ip_address.h"

namespace sbc::sip {

struct NativeAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Nullopt for an address of no family.
std::optional<NativeAddress> toNative(const dataplane::SocketAddress& address);
// Nullopt for a family other than AF_INET/AF_INET6.
std::optional<dataplane::SocketAddress> fromNative(const sockaddr* address);
int socketFamily(const dataplane::SocketAddress& address);  // AF_INET or AF_INET6

// The address a socket is bound to (port 0 in a listener spec becomes the port it got).
std::optional<dataplane::SocketAddress> localAddressOf(int fd);

// "what: strerror(errno)".
std::string systemError(const std::string& what);

}  // namespace sbc::sip
