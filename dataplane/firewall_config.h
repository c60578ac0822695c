#pragma once
// What the firewall is built from: access lists bound to a realm and a direction, the default
// action of each realm, the signalling pinholes of configured trunks, and the SIP flood guard.
// The control side (the shell's candidate configuration) fills one FirewallConfig and hands it
// whole to Dataplane::applyFirewall(), which compiles it and swaps it in at once, or refuses it
// and leaves the running firewall as it was. Nothing here is read per packet: the compiled
// form lives in the dataplane (firewall.h).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/ip_address.h"

namespace sbc::dataplane {

enum class AclAction : uint8_t { kPermit, kDeny };
// In: packets arriving from the realm's interfaces. Out: packets the SBC relays toward them.
enum class AclDirection : uint8_t { kIn, kOut };

inline constexpr uint8_t kAnyProtocol = 0;  // matches every IP protocol (IOS `ip`)

struct PortRange {
  uint16_t low = 0;
  uint16_t high = 65535;
  bool any() const { return low == 0 && high == 65535; }
  bool operator==(const PortRange&) const = default;
};

struct AclRule {
  uint32_t sequence = 0;  // evaluation order within the list, lowest first; unique in a list
  AclAction action = AclAction::kDeny;
  uint8_t protocol = kAnyProtocol;     // IPPROTO_* or kAnyProtocol
  std::optional<IpPrefix> source;      // nullopt: any (either family)
  std::optional<IpPrefix> destination; // nullopt: any
  PortRange sourcePorts;               // only for tcp/udp
  PortRange destinationPorts;          // only for tcp/udp
  uint32_t ratePps = 0;                // a permit's ceiling for all its traffic; 0: none
  bool log = false;                    // matches are logged (rate-limited) by the control side
  bool operator==(const AclRule&) const = default;
};

struct AclList {
  std::string name;
  std::vector<AclRule> rules;  // kept in sequence order
  bool operator==(const AclList&) const = default;
};

struct AclBinding {
  std::string realm;  // "access", "core", ...
  AclDirection direction = AclDirection::kIn;
  std::string list;
  bool operator==(const AclBinding&) const = default;
};

// Always admitted before any list is consulted: a configured trunk's sources may reach the
// SBC's signalling address and port, whatever a list says, unless the engineer removes the
// pinhole explicitly (FirewallConfig::removedPinholes names the trunk).
struct SignallingPinhole {
  std::string trunk;
  std::string realm;
  IpPrefix source;
  SocketAddress signalling;  // the SBC's SIP address and port on that realm
  uint8_t protocol = 17;     // udp; tcp/tls listeners get their own pinhole
  bool operator==(const SignallingPinhole&) const = default;
};

// Per-source token buckets for SIP toward the SBC (Kamailio's pike, Acme Packet's deny
// period): a source that exceeds its bucket is blocked for `denyPeriodSeconds`. Sources inside
// a trunk's prefix are trusted and get the larger bucket.
struct SipFloodGuardConfig {
  bool enabled = true;
  uint32_t untrustedPps = 50;
  uint32_t untrustedBurst = 100;
  // A trunk at 8,000 calls/s sends about 4 packets a call (INVITE, ACK, BYE, the 200 to the
  // SBC's BYE, and retransmissions): 32,000 pps. Trusted buckets hold that with room to spare.
  uint32_t trustedPps = 50000;
  uint32_t trustedBurst = 50000;
  uint32_t denyPeriodSeconds = 30;
  bool operator==(const SipFloodGuardConfig&) const = default;
};

struct FirewallConfig {
  std::vector<AclList> lists;
  std::vector<AclBinding> bindings;
  std::map<std::string, AclAction> defaultAction;  // per realm; absent: permit
  std::vector<SignallingPinhole> pinholes;
  std::vector<std::string> removedPinholes;  // trunk names whose pinholes the engineer removed
  SipFloodGuardConfig sipFlood;
  // A rule with `log` is logged at its first match, then at most once per this interval per
  // worker, each line with the matches since the one before (as IOS's access-list logging).
  uint32_t logIntervalSeconds = 5;
  bool operator==(const FirewallConfig&) const = default;

  const AclList* findList(const std::string& name) const;
  size_t ruleCount() const;  // over every list
};

// What the firewall counted, for `show acl [NAME] counters` (summed over the workers).
struct AclRuleCounters {
  uint32_t sequence = 0;
  uint64_t packets = 0;      // matched
  uint64_t bytes = 0;
  uint64_t rateDrops = 0;    // matched a permit but over its rate-limit
};
struct AclListCounters {
  std::string name;
  std::vector<AclRuleCounters> rules;  // in sequence order
};
struct FirewallView {
  std::vector<AclListCounters> lists;
  std::map<std::string, uint64_t> defaultDenied;  // per realm: packets no rule matched, denied
  uint64_t pinholePackets = 0;                     // admitted by a trunk's signalling pinhole
  uint64_t rulesInstalled = 0;                     // compiled into the fast path
  uint64_t commits = 0;                            // applyFirewall() calls that took effect
  uint64_t logLinesLost = 0;                       // `log` lines dropped: the workers' rings were full
};

// One line of the access-list log (`show acl log`, and sbcd's standard error):
// "acl edge 10 denied udp 198.18.5.9(5060) -> 198.18.1.1(5060), 3 packets".
struct AclLogEntry {
  uint64_t unixMs = 0;     // when the match that made the line happened
  std::string list;
  uint32_t sequence = 0;
  AclAction action = AclAction::kDeny;
  uint8_t protocol = 0;
  SocketAddress source, destination;  // ports 0 where the protocol has none
  uint64_t packets = 0;    // matches since the rule's previous line from the same worker
  unsigned worker = 0;
  std::string toString() const;
};

// A source the SIP flood guard blocked (`show blocked`).
struct BlockedSourceView {
  IpAddress source;
  std::string realm;
  std::string reason;          // "sip rate 412 pps over 50 pps (untrusted)"
  uint64_t blockedAtMs = 0;    // wall clock, ms since the epoch
  uint64_t untilMs = 0;
  uint64_t droppedPackets = 0; // since it was blocked
};

// `monitor capture`: packets seen by the fast path that match, copied into a pcap file.
struct CaptureSpec {
  std::string file;                    // written with libpcap
  std::string interface;               // empty: all
  std::optional<IpPrefix> address;     // source or destination within it
  uint16_t port = 0;                   // source or destination UDP/TCP port; 0: any
  uint8_t protocol = kAnyProtocol;
  uint64_t maxPackets = 100000;        // stops by itself after this many
};
struct CaptureView {
  bool running = false;
  CaptureSpec spec;
  uint64_t captured = 0;
  uint64_t dropped = 0;  // matched but the capture ring was full
};

// One line per fault, each naming the list, the rule's sequence and the word at fault:
// "acl edge: rule 20: port range 6000-5000 runs backwards", "acl edge: rule 30 is never
// reached: rule 10 matches everything it does", "bind core out: no acl named 'x'".
std::vector<std::string> validateFirewall(const FirewallConfig& config);

}  // namespace sbc::dataplane
