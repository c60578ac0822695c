#pragma once
// One ACL rule written the way a test reads best: `rule(10, kDeny, kUdp, "198.18.5.0/24", "any",
// {5060, 5060})`. "any" is no prefix; anything else must parse (a typo fails the test).

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "dataplane/firewall_config.h"

namespace sbc::dataplane::test {

inline constexpr auto kPermit = AclAction::kPermit;
inline constexpr auto kDeny = AclAction::kDeny;
inline constexpr uint8_t kIcmp = 1, kTcp = 6, kUdp = 17;

inline std::optional<IpPrefix> prefixOrAny(const char* text) {
  if (std::string(text) == "any") return std::nullopt;
  auto p = IpPrefix::parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p;
}

inline AclRule rule(uint32_t sequence, AclAction action, uint8_t protocol, const char* source,
                    const char* destination, PortRange destinationPorts = {}, PortRange sourcePorts = {}) {
  AclRule r;
  r.sequence = sequence;
  r.action = action;
  r.protocol = protocol;
  r.source = prefixOrAny(source);
  r.destination = prefixOrAny(destination);
  r.destinationPorts = destinationPorts;
  r.sourcePorts = sourcePorts;
  return r;
}

}  // namespace sbc::dataplane::test
