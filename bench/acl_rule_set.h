#pragma once
// A synthetic access list of the kind a carrier-facing edge grows: blocks of denied networks
// and hosts, a few permitted partners, port ranges for SIP, RTP and management, TCP and UDP;
// then one last rule that permits everything else. None of the generated rules matches the
// benchmark's or the tests' traffic (their sources live in 10.0.0.0/8, which neither uses),
// and none shadows another (each owns a /24 of its own), so validateFirewall accepts the list
// whatever its size. `sbcbench acl` and the 10,000-rule commit test share it.

#include <cstdint>
#include <string>

#include "dataplane/firewall_config.h"

namespace sbc::bench {

inline dataplane::AclList syntheticAclList(const std::string& name, uint32_t rules) {
  using namespace sbc::dataplane;
  AclList list;
  list.name = name;
  static constexpr PortRange kPorts[] = {{5060, 5060}, {5060, 5061}, {10000, 19999}, {22, 22},
                                         {0, 65535},   {161, 162},   {5080, 5090},   {1024, 4999}};
  static constexpr uint8_t kLengths[] = {24, 28, 32, 26};
  for (uint32_t i = 0; i + 1 < rules; ++i) {
    AclRule r;
    r.sequence = 10 * (i + 1);
    r.action = i % 7 == 3 ? AclAction::kPermit : AclAction::kDeny;
    r.protocol = i % 3 == 0 ? 6 : 17;  // tcp, udp
    const uint32_t network = 0x0A000000u | (i << 8);  // 10.x.y.0: a /24 per rule
    const uint8_t length = kLengths[i % 4];
    r.source = IpPrefix{IpAddress::v4(length == 32 ? network | 1 : network), length};
    if (i % 5 == 1) r.destination = IpPrefix{IpAddress::v4(0xC6120000u), 15};  // 198.18.0.0/15
    r.destinationPorts = kPorts[i % 8];
    if (i % 11 == 4) r.sourcePorts = {1024, 65535};
    list.rules.push_back(r);
  }
  AclRule last;
  last.sequence = 10 * rules;
  last.action = AclAction::kPermit;
  list.rules.push_back(last);
  return list;
}

}  // namespace sbc::bench
