#pragma once
// The two SDP lines that carry an address: c= (connection data, RFC 8866 section 5.7) and o=
// (origin, section 5.2). Both keep the address as written, so an FQDN or an unusual but valid
// IPv6 spelling round-trips; ip() gives the parsed value where it is a literal.

#include <optional>
#include <string>
#include <string_view>

#include "dataplane/ip_address.h"

namespace sbc::sdp {

using dataplane::IpAddress;
using dataplane::SocketAddress;

// "IP4" / "IP6" for an address family; "" for IpFamily::kNone.
std::string_view addressTypeOf(const IpAddress& ip);

// c=<nettype> <addrtype> <address>[/<ttl>][/<count>]
struct Connection {
  std::string netType = "IN";
  std::string addressType = "IP4";  // "IP4" or "IP6"
  std::string address;              // literal or FQDN, as written
  std::string multicastSuffix;      // "/127/3" as written; empty for unicast

  // Checks the grammar and that a literal matches its address type ("IN IP4 ::1" is refused,
  // so is "IN IP4 999.1.1.1"). On failure `why` (when given) says what is wrong.
  static std::optional<Connection> parse(std::string_view value, std::string* why = nullptr);
  static Connection fromIp(const IpAddress& ip);

  std::string toString() const;  // the value after "c="
  // The address as an IP literal; nullopt for an FQDN.
  std::optional<IpAddress> ip() const;
  // 0.0.0.0, the RFC 2543 way of putting a call on hold (RFC 3264 section 8.4 still asks
  // answerers to understand it). "::" is treated the same, as some IPv6 stacks send it.
  bool isHoldAddress() const;

  bool operator==(const Connection&) const = default;
};

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
// The numbers stay text: RFC 8866 bounds them by nothing but "1*DIGIT", and only the SBC's own
// origin (OriginState) does arithmetic on a version.
struct Origin {
  std::string username = "-";
  std::string sessionId = "0";
  std::string sessionVersion = "0";
  std::string netType = "IN";
  std::string addressType = "IP4";
  std::string address = "0.0.0.0";

  static std::optional<Origin> parse(std::string_view value, std::string* why = nullptr);
  std::string toString() const;  // the value after "o="

  bool operator==(const Origin&) const = default;
};

}  // namespace sbc::sdp
