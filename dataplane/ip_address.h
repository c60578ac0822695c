#pragma once
// Addresses as the dataplane stores them: one fixed-size type for IPv4 and IPv6 so that
// flow keys, neighbour keys and rewrites never branch on a variable-length layout.

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace sbc::dataplane {

enum class IpFamily : uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

struct IpAddress {
  IpFamily family = IpFamily::kNone;
  // IPv4 uses bytes[0..3] and leaves the rest zero, so memcmp over all 16 is a valid compare.
  std::array<uint8_t, 16> bytes{};

  static IpAddress v4(uint32_t hostOrder);
  static IpAddress v4FromNetwork(const void* fourBytes);
  static IpAddress v6FromNetwork(const void* sixteenBytes);
  static std::optional<IpAddress> parse(std::string_view text);

  bool isV4() const { return family == IpFamily::kV4; }
  bool isV6() const { return family == IpFamily::kV6; }
  bool isUnspecified() const;
  uint32_t v4HostOrder() const;
  std::string toString() const;

  bool operator==(const IpAddress& o) const {
    return family == o.family && bytes == o.bytes;
  }
};

struct SocketAddress {
  IpAddress ip;
  uint16_t port = 0;  // host order

  // "198.18.0.1:4000" or "[2001:db8::1]:4000".
  static std::optional<SocketAddress> parse(std::string_view text);
  std::string toString() const;
  bool operator==(const SocketAddress& o) const { return ip == o.ip && port == o.port; }
};

struct IpPrefix {
  IpAddress address;
  uint8_t length = 0;

  // "198.18.0.1/24"; the host part is kept, since an interface address is written this way.
  static std::optional<IpPrefix> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  // The same for an address as it sits in a header (4 or 16 bytes, network order).
  bool contains(IpFamily family, const uint8_t* networkBytes) const;
  std::string toString() const;
  bool operator==(const IpPrefix& o) const = default;
};

}  // namespace sbc::dataplane
