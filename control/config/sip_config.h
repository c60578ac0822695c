#pragma once
// What the SIP side is built from: where it listens, the carrier trunks, the contact center
// behind its VIP, and the call policies. Filled by the configuration language
// (sip_config_commands.h) and checked by validate() against the interfaces of the dataplane.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/config.h"
#include "dataplane/ip_address.h"

namespace sbc::control {

enum class SipTransport : std::uint8_t { Udp, Tcp, Tls };

struct SipListenConfig {
  std::string interfaceName;          // the SBC's address comes from this interface
  SipTransport transport = SipTransport::Udp;
  dataplane::IpAddress address;       // one of the interface's addresses
  std::uint16_t port = 5060;
  bool operator==(const SipListenConfig&) const = default;
};

// Codec policy of one trunk (RFC 3264 offers are filtered and ordered with it).
struct CodecPolicyConfig {
  std::vector<std::string> allow;  // empty: every codec
  std::vector<std::string> strip;
  std::vector<std::string> order;
  std::uint32_t ptimeMs = 0;       // 0: keep what the offer says
  bool operator==(const CodecPolicyConfig&) const = default;
};

struct TrunkConfig {
  std::string name;
  std::string interfaceName;                 // where its signalling and media go
  std::vector<dataplane::IpPrefix> match;     // source addresses that are this trunk
  std::optional<dataplane::SocketAddress> destination;  // where calls toward it go
  std::vector<std::string> dialPrefixes;     // outbound calls whose DNIS starts so go here
  std::uint32_t maxCalls = 0;                // 0: no limit
  std::uint32_t maxCps = 0;                  // calls per second; 0: no limit
  std::string authUser;                      // digest authentication of its INVITEs
  std::string authPassword;
  CodecPolicyConfig codecs;
  bool latchAnySource = true;                // carriers behind NAT: latch the first source
  bool operator==(const TrunkConfig&) const = default;
};

struct ContactCenterConfig {
  std::string interfaceName;                     // the core interface
  std::optional<dataplane::SocketAddress> vip;   // the SIP server's virtual IP
  std::optional<dataplane::SocketAddress> backup;
  // How the SBC's requests (INVITEs, in-dialog requests, OPTIONS probes) reach the VIP and the
  // backup; tcp and tls need a `sip listen` of that transport on the interface to leave from.
  SipTransport transport = SipTransport::Udp;
  std::uint32_t optionsIntervalMs = 500;         // health check period
  std::uint32_t optionsTimeoutMs = 300;          // a probe unanswered this long failed
  std::uint32_t failuresToDown = 1;              // consecutive failed probes that mark it down
  std::vector<dataplane::IpPrefix> match;        // core sources other than the VIP/backup
  CodecPolicyConfig codecs;
  bool operator==(const ContactCenterConfig&) const = default;
};

// The SBC's certificate for its TLS listeners (offered to outbound peers too), and where set,
// the CA that peers are verified against both ways.
struct SipTlsConfig {
  std::string certificateFile;  // PEM, the chain
  std::string privateKeyFile;   // PEM
  std::string caFile;           // PEM; "" : peers are not verified
  bool operator==(const SipTlsConfig&) const = default;
};

struct SipConfig {
  std::vector<SipListenConfig> listens;
  SipTlsConfig tls;
  std::vector<TrunkConfig> trunks;
  ContactCenterConfig contactCenter;
  std::uint32_t mediaTimeoutMs = 0;       // end calls whose media stopped this long; 0: never
  // A call that rings this long after leg B's last provisional answer is given up: leg B
  // cancelled, the caller answered 408 (RFC 3261 Timer C, "greater than 3 minutes" for a proxy:
  // the carriers' own timers are shorter). 0: never.
  std::uint32_t ringTimeoutS = 180;
  std::uint32_t sessionExpiresS = 0;      // RFC 4028 interval the SBC asks for; 0: off
  std::uint32_t minSessionExpiresS = 90;
  bool keepIce = false;
  std::string recordsFile;                // JSON lines of ended calls; "" : none
  std::string userAgent = "sbc";

  bool enabled() const { return !listens.empty(); }
  // Empty when it can be used with `dataplane`; otherwise one line per fault.
  std::vector<std::string> validate(const dataplane::DataplaneConfig& dataplane) const;
  const TrunkConfig* findTrunk(const std::string& name) const;
};

std::string_view sipTransportName(SipTransport transport);  // "udp", "tcp", "tls"

}  // namespace sbc::control
