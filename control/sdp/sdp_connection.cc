#include "control/sdp/sdp_connection.h"

#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

namespace {

void setWhy(std::string* why, std::string text) {
  if (why) *why = std::move(text);
}

// RFC 8866 FQDN: 4 or more of alphanumeric, '-' and '.'. A name made only of digits and dots
// is a mistyped IPv4 literal, not a name, so it is refused.
bool isFqdn(std::string_view s) {
  if (s.size() < 4) return false;
  bool hasLetter = false;
  for (char c : s) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool ok = letter || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
    hasLetter |= letter || c == '-';
  }
  return hasLetter;
}

// "/ttl[/count]" for IP4, "/count" for IP6: each part a decimal number.
bool isValidMulticastSuffix(std::string_view suffix, bool ip6) {
  int parts = 0;
  while (!suffix.empty()) {
    if (suffix.front() != '/') return false;
    suffix.remove_prefix(1);
    std::size_t end = suffix.find('/');
    std::string_view part = suffix.substr(0, end);
    if (!text::isDigits(part) || part.size() > 10) return false;
    ++parts;
    suffix = end == std::string_view::npos ? std::string_view{} : suffix.substr(end);
  }
  return parts <= (ip6 ? 1 : 2);
}

// Checks an address against its type; a literal of the other family is refused.
bool checkAddress(std::string_view type, std::string_view address, std::string* why) {
  bool ip6 = type == "IP6";
  if (!ip6 && type != "IP4") {
    setWhy(why, "address type '" + std::string(type) + "' is neither IP4 nor IP6");
    return false;
  }
  if (auto ip = IpAddress::parse(address)) {
    if (ip->isV6() != ip6) {
      setWhy(why, "address " + std::string(address) + " is not of type " + std::string(type));
      return false;
    }
    return true;
  }
  if (address.find(':') != std::string_view::npos || !isFqdn(address)) {
    setWhy(why, "'" + std::string(address) + "' is not an " + std::string(type) +
                    " address or a host name");
    return false;
  }
  return true;
}

}  // namespace

std::string_view addressTypeOf(const IpAddress& ip) {
  switch (ip.family) {
    case dataplane::IpFamily::kV4: return "IP4";
    case dataplane::IpFamily::kV6: return "IP6";
    case dataplane::IpFamily::kNone: break;
  }
  return "";
}

std::optional<Connection> Connection::parse(std::string_view value, std::string* why) {
  auto fields = text::splitFields(value);
  if (fields.size() != 3) {
    setWhy(why, "c= needs 3 fields (nettype addrtype address), got " +
                    std::to_string(fields.size()));
    return std::nullopt;
  }
  if (fields[0] != "IN") {
    setWhy(why, "network type '" + std::string(fields[0]) + "' is not IN");
    return std::nullopt;
  }
  Connection c;
  c.netType = fields[0];
  c.addressType = fields[1];
  std::string_view address = fields[2];
  std::size_t slash = address.find('/');
  if (slash != std::string_view::npos) {
    c.multicastSuffix = address.substr(slash);
    address = address.substr(0, slash);
    if (!isValidMulticastSuffix(c.multicastSuffix, c.addressType == "IP6")) {
      setWhy(why, "bad multicast suffix '" + c.multicastSuffix + "'");
      return std::nullopt;
    }
  }
  if (!checkAddress(c.addressType, address, why)) return std::nullopt;
  c.address = address;
  return c;
}

Connection Connection::fromIp(const IpAddress& ip) {
  Connection c;
  c.addressType = addressTypeOf(ip);
  c.address = ip.toString();
  return c;
}

std::string Connection::toString() const {
  return netType + " " + addressType + " " + address + multicastSuffix;
}

std::optional<IpAddress> Connection::ip() const { return IpAddress::parse(address); }

bool Connection::isHoldAddress() const {
  auto parsed = ip();
  return parsed && parsed->isUnspecified();
}

std::optional<Origin> Origin::parse(std::string_view value, std::string* why) {
  auto fields = text::splitFields(value);
  if (fields.size() != 6) {
    setWhy(why, "o= needs 6 fields (username sess-id sess-version nettype addrtype address), got " +
                    std::to_string(fields.size()));
    return std::nullopt;
  }
  // sess-id and sess-version are "1*DIGIT" in RFC 8866, but peers that send other tokens exist
  // and the SBC never reads a peer's numbers, so any token is kept.
  Origin o;
  o.username = fields[0];
  o.sessionId = fields[1];
  o.sessionVersion = fields[2];
  o.netType = fields[3];
  o.addressType = fields[4];
  o.address = fields[5];
  return o;
}

std::string Origin::toString() const {
  return username + " " + sessionId + " " + sessionVersion + " " + netType + " " + addressType +
         " " + address;
}

}  // namespace sbc::sdp
