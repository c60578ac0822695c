#pragma once
// What the dataplane is built from. Filled by the configuration language (control/cli) or by
// tests and benchmarks directly; checked by validate() before any device is touched.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/ip_address.h"

namespace sbc::dataplane {

using MacAddress = std::array<uint8_t, 6>;

// Limits of the worker's interface table (interface_table.h), checked by validate().
inline constexpr size_t kMaxInterfacesConfigurable = 16;
inline constexpr size_t kMaxAddressesPerFamily = 32;

// The largest Ethernet frame (header included, FCS not) an interface receives whole. Standard
// Ethernet unless `max-frame` raises it. The ceiling is set by af_packet, the port that needs
// it (ports.cc): its ring slot is a power of two holding a 66-byte header before the frame,
// and everything but 32 bytes of the slot must fit one mbuf, whose data room is a uint16. A
// 64 KiB slot does not, so 32 KiB less 66.
inline constexpr uint32_t kStandardMaxFrame = 1518;
inline constexpr uint32_t kLargestMaxFrame = 32702;

struct InterfaceConfig {
  std::string name;     // operator's name, e.g. "access0"
  std::string device;   // PCI address or DPDK vdev string, e.g. "net_af_packet0,iface=veth-sbc"
  std::string realm;    // "access", "core", ...
  std::optional<MacAddress> mac;  // overrides the device's own MAC
  uint16_t vlan = 0;              // 0: untagged
  std::vector<IpPrefix> addresses;
  std::optional<IpAddress> gatewayV4;
  std::optional<IpAddress> gatewayV6;
  // Next hops whose MAC is configured rather than learned (IOS `arp`); ARP and ND still
  // update them, as they do learned ones.
  struct StaticNeighbor {
    IpAddress address;
    MacAddress mac{};
    bool operator==(const StaticNeighbor&) const = default;
  };
  std::vector<StaticNeighbor> staticNeighbors;
  bool exceptionPath = true;  // a kernel TAP holding the same addresses and MAC
  std::string tapName;        // default: "sbc-" + name
  // Largest frame received whole (0: kStandardMaxFrame). Above the standard, the port's rx
  // queues get their own pool of mbufs that large, and an af_packet port a ring whose frames
  // hold it: the kernel hands af_packet a fragmented IPv4 datagram reassembled, in one frame.
  uint32_t maxFrame = 0;
};

struct DataplaneConfig {
  std::vector<InterfaceConfig> interfaces;
  unsigned workers = 1;
  uint32_t maxSessions = 65536;
  uint16_t mediaPortMin = 20000;
  uint16_t mediaPortMax = 59999;
  uint32_t idleTimeoutMs = 60000;
  uint32_t memoryMb = 0;  // 0: chosen from maxSessions
  uint16_t rxDescriptors = 1024;
  uint16_t txDescriptors = 1024;
  // Sleep this long after a run of empty polls (0: spin). A 2-core lab box needs the core back;
  // a production box sets 0.
  uint32_t workerIdleSleepUs = 0;
  std::vector<std::string> extraEalArgs;

  // Empty when the configuration can be built; otherwise one line per fault.
  std::vector<std::string> validate() const;
  const InterfaceConfig* findInterface(const std::string& name) const;
};

std::optional<MacAddress> parseMac(const std::string& text);
std::string formatMac(const MacAddress& mac);

}  // namespace sbc::dataplane
