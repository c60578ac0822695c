#include "dataplane/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace sbc::dataplane {

IpAddress IpAddress::v4(uint32_t hostOrder) {
  IpAddress a;
  a.family = IpFamily::kV4;
  uint32_t n = htonl(hostOrder);
  std::memcpy(a.bytes.data(), &n, 4);
  return a;
}

IpAddress IpAddress::v4FromNetwork(const void* fourBytes) {
  IpAddress a;
  a.family = IpFamily::kV4;
  std::memcpy(a.bytes.data(), fourBytes, 4);
  return a;
}

IpAddress IpAddress::v6FromNetwork(const void* sixteenBytes) {
  IpAddress a;
  a.family = IpFamily::kV6;
  std::memcpy(a.bytes.data(), sixteenBytes, 16);
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.family = IpFamily::kV4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.family = IpFamily::kV6;
    return a;
  }
  return std::nullopt;
}

bool IpAddress::isUnspecified() const {
  for (uint8_t b : bytes)
    if (b != 0) return false;
  return true;
}

uint32_t IpAddress::v4HostOrder() const {
  uint32_t n;
  std::memcpy(&n, bytes.data(), 4);
  return ntohl(n);
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN];
  switch (family) {
    case IpFamily::kV4:
      return inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
    case IpFamily::kV6:
      return inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    case IpFamily::kNone:
      break;
  }
  return "none";
}

namespace {
std::optional<uint16_t> parsePort(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535 || text.empty())
    return std::nullopt;
  return static_cast<uint16_t>(value);
}
}  // namespace

std::optional<SocketAddress> SocketAddress::parse(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // bare IPv6 needs []
  }
  auto ip = IpAddress::parse(host);
  auto p = parsePort(port);
  if (!ip || !p) return std::nullopt;
  return SocketAddress{*ip, *p};
}

std::string SocketAddress::toString() const {
  if (ip.isV6()) return "[" + ip.toString() + "]:" + std::to_string(port);
  return ip.toString() + ":" + std::to_string(port);
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  auto lengthText = text.substr(slash + 1);
  unsigned length = 0;
  auto [end, ec] =
      std::from_chars(lengthText.data(), lengthText.data() + lengthText.size(), length);
  if (ec != std::errc() || end != lengthText.data() + lengthText.size() || lengthText.empty())
    return std::nullopt;
  if (length > (ip->isV4() ? 32u : 128u)) return std::nullopt;
  return IpPrefix{*ip, static_cast<uint8_t>(length)};
}

bool IpPrefix::contains(const IpAddress& a) const { return contains(a.family, a.bytes.data()); }

bool IpPrefix::contains(IpFamily family, const uint8_t* networkBytes) const {
  if (family != address.family) return false;
  const unsigned bits = std::min<unsigned>(length, family == IpFamily::kV4 ? 32 : 128);
  const unsigned fullBytes = bits / 8, restBits = bits % 8;
  if (std::memcmp(networkBytes, address.bytes.data(), fullBytes) != 0) return false;
  if (restBits == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - restBits));
  return (networkBytes[fullBytes] & mask) == (address.bytes[fullBytes] & mask);
}

std::string IpPrefix::toString() const {
  return address.toString() + "/" + std::to_string(length);
}

}  // namespace sbc::dataplane
