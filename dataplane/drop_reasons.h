#pragma once
// Every packet the dataplane does not forward is counted under exactly one of these reasons.
// The list is declared once: it expands into the enum and into the names `show drops` prints.

#include <cstdint>
#include <string_view>

namespace sbc::dataplane {

#define SBC_FOREACH_DROP_REASON(X)                                                   \
  X(kTruncatedFrame, "truncated-frame", "frame shorter than its headers")           \
  X(kUnknownEthertype, "unknown-ethertype", "ethertype not handled")                \
  X(kWrongVlan, "wrong-vlan", "802.1Q tag does not match the interface")            \
  X(kNotForUs, "not-for-us", "destination is not one of the SBC's addresses")       \
  X(kIpBadVersion, "ip-bad-version", "IP version field wrong")                      \
  X(kIpBadHeaderLength, "ip-bad-header-length", "IPv4 IHL below 5")                 \
  X(kIpBadTotalLength, "ip-bad-length", "IP length disagrees with the frame")       \
  X(kIpBadChecksum, "ip-bad-checksum", "IPv4 header checksum wrong")                \
  X(kIpOptions, "ip-options", "IPv4 options present")                               \
  X(kIpFragment, "ip-fragment", "IP fragment not for the SBC's addresses")          \
  X(kIpTtlExpired, "ip-ttl-expired", "TTL or hop limit of zero")                    \
  X(kIpBadSource, "ip-bad-source", "source cannot be real: ours, multicast, loopback, 0/8, ::")        \
  X(kIpv6ExtensionHeader, "ipv6-extension-header", "IPv6 extension header")        \
  X(kUdpBadLength, "udp-bad-length", "UDP length disagrees with the IP length")    \
  X(kUdpBadChecksum, "udp-bad-checksum", "UDP checksum wrong")                      \
  X(kUdpZeroChecksumV6, "udp-zero-checksum-v6", "IPv6 UDP without a checksum")      \
  X(kArpMalformed, "arp-malformed", "ARP that is not Ethernet/IPv4")                \
  X(kMediaNoSession, "media-no-session", "UDP to a media port no session owns")     \
  X(kMediaUnexpectedSource, "media-unexpected-source", "source is not the expected peer") \
  X(kMediaSourceMismatch, "media-source-mismatch", "source differs from the latched peer (RTP bleed)") \
  X(kMediaNotRtp, "media-not-rtp", "payload too short or not RTP/RTCP version 2") \
  X(kNoNeighbor, "no-neighbor", "next hop MAC not resolved yet")                    \
  X(kNoExceptionPath, "no-exception-path", "for the SBC, but the interface has no exception path") \
  X(kExceptionQueueFull, "exception-queue-full", "exception path ring full")        \
  X(kTxQueueFull, "tx-queue-full", "port did not accept the packet")                \
  X(kUnknownPort, "unknown-port", "received on a port no interface owns") \
  X(kAclDeny, "acl-deny", "an access list's deny rule matched")                   \
  X(kAclRate, "acl-rate", "over the rate-limit of the permit rule it matched")     \
  X(kAclDefaultDeny, "default-deny", "no access list rule matched; the realm denies")             \
  X(kSipFlood, "sip-flood", "for the SBC, over its source's SIP flood bucket (or the untrusted total)") \
  X(kBlockedSource, "blocked-source", "for the SBC, from a source the SIP flood guard blocked")

enum class DropReason : uint8_t {
#define SBC_DROP_ENUM(symbol, name, help) symbol,
  SBC_FOREACH_DROP_REASON(SBC_DROP_ENUM)
#undef SBC_DROP_ENUM
      kCount
};

inline constexpr unsigned kDropReasonCount = static_cast<unsigned>(DropReason::kCount);

struct DropReasonInfo {
  std::string_view name;
  std::string_view help;
};

inline constexpr DropReasonInfo kDropReasonInfo[kDropReasonCount] = {
#define SBC_DROP_INFO(symbol, name, help) {name, help},
    SBC_FOREACH_DROP_REASON(SBC_DROP_INFO)
#undef SBC_DROP_INFO
};

}  // namespace sbc::dataplane
