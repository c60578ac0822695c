#include "control/config/config_commands.h"

#include <algorithm>
#include <limits>

#include "control/cli/shared_help.h"

namespace sbc::control {

namespace {

using dataplane::InterfaceConfig;
using dataplane::IpAddress;
using dataplane::IpPrefix;

constexpr const char* kDataplaneHelp = "Fast path settings";
constexpr const char* kMediaHelp = "Media relay settings";
constexpr const char* kAddressHelp = "Address of the SBC on this interface, with prefix length";
constexpr const char* kIpv4PrefixHelp = "IPv4 address/prefix length";
constexpr const char* kIpv6PrefixHelp = "IPv6 address/prefix length";
constexpr const char* kGatewayHelp = "Next hop for peers off the interface's subnets";
constexpr const char* kIpv4GatewayHelp = "IPv4 gateway (one per interface)";
constexpr const char* kIpv6GatewayHelp = "IPv6 gateway (one per interface)";
constexpr const char* kExceptionPathHelp = "Hand traffic for the SBC itself to the kernel";
constexpr const char* kMacHelp = "Ethernet address of the interface";
constexpr const char* kVlanHelp = "802.1Q tag of the interface";
constexpr const char* kNeighborHelp = "A next hop's MAC, configured instead of learned by ARP/ND";
constexpr const char* kMaxFrameHelp =
    "Largest frame received whole (a big SIP datagram, reassembled by an af_packet port)";

void addDataplaneSettings(CommandTable& table, ConfigCandidate& candidate) {
  dataplane::DataplaneConfig& config = candidate.config;
  table.addOrDie({"dataplane eal-arg ARG",
                  {kDataplaneHelp, "Pass one more argument to the DPDK EAL (repeatable)",
                   "The argument, e.g. --log-level=lib.eal:warning"},
                  [&config](const CommandArgs& args, CommandOutput&) {
                    config.extraEalArgs.emplace_back(args.get("ARG"));
                  }});
  table.addOrDie({"dataplane idle-sleep-us (0-1000000)",
                  {kDataplaneHelp, "Sleep of a worker after a run of empty polls",
                   "Microseconds; 0 spins"},
                  [&config](const CommandArgs& args, CommandOutput&) {
                    config.workerIdleSleepUs =
                        static_cast<uint32_t>(*args.number("(0-1000000)"));
                  }});
  table.addOrDie({"dataplane max-sessions (1-4294967295)",
                  {kDataplaneHelp, "Capacity of the media session table", "Sessions"},
                  [&config](const CommandArgs& args, CommandOutput&) {
                    config.maxSessions = static_cast<uint32_t>(*args.number("(1-4294967295)"));
                  }});
  table.addOrDie({"dataplane memory-mb (0-1048576)",
                  {kDataplaneHelp, "Memory of the EAL", "MiB; 0 sizes it from max-sessions"},
                  [&config](const CommandArgs& args, CommandOutput&) {
                    config.memoryMb = static_cast<uint32_t>(*args.number("(0-1048576)"));
                  }});
  table.addOrDie({"dataplane rx-descriptors (1-65535)",
                  {kDataplaneHelp, "Receive ring size of each queue", "Descriptors"},
                  [&config](const CommandArgs& args, CommandOutput&) {
                    config.rxDescriptors = static_cast<uint16_t>(*args.number("(1-65535)"));
                  }});
  table.addOrDie({"dataplane tx-descriptors (1-65535)",
                  {kDataplaneHelp, "Transmit ring size of each queue", "Descriptors"},
                  [&config](const CommandArgs& args, CommandOutput&) {
                    config.txDescriptors = static_cast<uint16_t>(*args.number("(1-65535)"));
                  }});
  table.addOrDie({"dataplane workers (1-16)",
                  {kDataplaneHelp, "Worker lcores that move packets", "Number of workers"},
                  [&config](const CommandArgs& args, CommandOutput&) {
                    config.workers = static_cast<unsigned>(*args.number("(1-16)"));
                  }});
}

void addMediaSettings(CommandTable& table, ConfigCandidate& candidate) {
  dataplane::DataplaneConfig& config = candidate.config;
  table.addOrDie(
      {"media idle-timeout (1-4294967295)$value [seconds|ms]",
       {kMediaHelp, "Report a session idle after this long without packets", "Duration",
        "The duration is in seconds (the default)", "The duration is in milliseconds"},
       [&config](const CommandArgs& args, CommandOutput& out) {
         const uint64_t value = *args.number("value");
         if (args.has("ms")) {
           config.idleTimeoutMs = static_cast<uint32_t>(value);
           return;
         }
         constexpr uint64_t kMaxSeconds = std::numeric_limits<uint32_t>::max() / 1000;
         if (value > kMaxSeconds) {
           out.error = quoted(args.get("value")) + ": more than " + std::to_string(kMaxSeconds) +
                       " seconds";
           return;
         }
         config.idleTimeoutMs = static_cast<uint32_t>(value * 1000);
       }});
  table.addOrDie({"media port-range (1-65535)$first (1-65535)$last",
                  {kMediaHelp, "UDP ports the SBC's media sessions may use", "First port",
                   "Last port"},
                  [&config](const CommandArgs& args, CommandOutput& out) {
                    const uint64_t first = *args.number("first"), last = *args.number("last");
                    if (last < first) {
                      out.error = quoted(args.get("last")) + ": below the first port " +
                                  std::string(args.get("first"));
                      return;
                    }
                    config.mediaPortMin = static_cast<uint16_t>(first);
                    config.mediaPortMax = static_cast<uint16_t>(last);
                  }});
}

void addAddress(CommandTable& table, ConfigCandidate& candidate) {
  table.addOrDie({"address <A.B.C.D/M$prefix|X:X::X:X/M$prefix>",
                  {kAddressHelp, kIpv4PrefixHelp, kIpv6PrefixHelp},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    auto& addresses = candidate.currentInterface().addresses;
                    const IpPrefix prefix = *args.prefix("prefix");
                    if (std::find(addresses.begin(), addresses.end(), prefix) == addresses.end())
                      addresses.push_back(prefix);
                  }});
}

void addNoAddress(CommandTable& table, ConfigCandidate& candidate) {
  table.addOrDie({"no address <A.B.C.D/M$prefix|X:X::X:X/M$prefix>",
                  {kNoHelp, kAddressHelp, kIpv4PrefixHelp, kIpv6PrefixHelp},
                  [&candidate](const CommandArgs& args, CommandOutput& out) {
                    auto& addresses = candidate.currentInterface().addresses;
                    auto it = std::find(addresses.begin(), addresses.end(),
                                        *args.prefix("prefix"));
                    if (it == addresses.end()) {
                      out.error = quoted(args.get("prefix")) + ": not an address of interface " +
                                  candidate.currentInterface().name;
                      return;
                    }
                    addresses.erase(it);
                  }});
}

void addGateway(CommandTable& table, ConfigCandidate& candidate) {
  table.addOrDie({"gateway <A.B.C.D$address|X:X::X:X$address>",
                  {kGatewayHelp, kIpv4GatewayHelp, kIpv6GatewayHelp},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    InterfaceConfig& interface = candidate.currentInterface();
                    const IpAddress gateway = *args.ipAddress("address");
                    (gateway.isV4() ? interface.gatewayV4 : interface.gatewayV6) = gateway;
                  }});
}

void addNoGateway(CommandTable& table, ConfigCandidate& candidate) {
  table.addOrDie({"no gateway <A.B.C.D$address|X:X::X:X$address>",
                  {kNoHelp, kGatewayHelp, kIpv4GatewayHelp, kIpv6GatewayHelp},
                  [&candidate](const CommandArgs& args, CommandOutput& out) {
                    InterfaceConfig& interface = candidate.currentInterface();
                    const IpAddress gateway = *args.ipAddress("address");
                    auto& slot = gateway.isV4() ? interface.gatewayV4 : interface.gatewayV6;
                    if (slot != gateway) {
                      out.error = quoted(args.get("address")) +
                                  ": not the gateway of interface " + interface.name;
                      return;
                    }
                    slot.reset();
                  }});
}

}  // namespace

InterfaceConfig& ConfigCandidate::currentInterface() {
  if (interfaceIndex_) return config.interfaces[*interfaceIndex_];
  return scratch_;
}

void ConfigCandidate::enterInterface(const std::string& name) {
  leaveInterface();
  for (size_t i = 0; i < config.interfaces.size(); ++i)
    if (config.interfaces[i].name == name) {
      interfaceIndex_ = i;
      return;
    }
  InterfaceConfig interface;
  interface.name = name;
  config.interfaces.push_back(std::move(interface));
  interfaceIndex_ = config.interfaces.size() - 1;
}

void ConfigCandidate::enterTrunk(const std::string& name) {
  leaveInterface();
  block_ = ConfigBlock::kTrunk;
  for (size_t i = 0; i < sip.trunks.size(); ++i)
    if (sip.trunks[i].name == name) {
      trunkIndex_ = i;
      return;
    }
  TrunkConfig trunk;
  trunk.name = name;
  sip.trunks.push_back(std::move(trunk));
  trunkIndex_ = sip.trunks.size() - 1;
}

void ConfigCandidate::enterAcl(const std::string& name) {
  leaveInterface();
  block_ = ConfigBlock::kAcl;
  for (size_t i = 0; i < firewall.lists.size(); ++i)
    if (firewall.lists[i].name == name) {
      aclIndex_ = i;
      return;
    }
  dataplane::AclList list;
  list.name = name;
  firewall.lists.push_back(std::move(list));
  aclIndex_ = firewall.lists.size() - 1;
}

void ConfigCandidate::enterContactCenter() {
  leaveInterface();
  block_ = ConfigBlock::kContactCenter;
}

void ConfigCandidate::enterScratch(ConfigBlock kind) {
  leaveInterface();
  switch (kind) {
    case ConfigBlock::kTrunk:
      scratchTrunk_ = TrunkConfig{};
      block_ = kind;
      inScratch_ = true;
      break;
    case ConfigBlock::kAcl:
      scratchAcl_ = dataplane::AclList{};
      block_ = kind;
      inScratch_ = true;
      break;
    case ConfigBlock::kContactCenter:
      enterContactCenter();
      break;
    default:
      scratch_ = InterfaceConfig{};
      inScratchInterface_ = true;
  }
}

void ConfigCandidate::leaveInterface() {
  block_ = ConfigBlock::kNone;
  interfaceIndex_.reset();
  inScratchInterface_ = false;
  inScratch_ = false;
}

void addTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate) {
  addContactCenterOpening(table, candidate);
  addDataplaneSettings(table, candidate);
  // An unindented line ends a block by itself; `exit` says so explicitly and is harmless
  // where no block is open (in the shell it leaves config mode there).
  table.addOrDie({"exit",
                  {"End the open block"},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    if (candidate.block() == ConfigBlock::kNone && candidate.onTopLevelExit)
                      candidate.onTopLevelExit();
                    candidate.leaveInterface();
                  }});
  addFirewallTopLevelConfigCommands(table, candidate);
  table.addOrDie({"interface NAME",
                  {"Configure an interface (its sub-commands follow, indented)",
                   "Name of the interface, e.g. access0"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.enterInterface(std::string(args.get("NAME")));
                  }});
  addMediaSettings(table, candidate);
  addSipTopLevelConfigCommands(table, candidate);
}

// Declared in alphabetical order, the order in which errors list what was expected.
void addInterfaceConfigCommands(CommandTable& table, ConfigCandidate& candidate) {
  addAddress(table, candidate);
  table.addOrDie({"device DEVICE",
                  {"DPDK device of the interface",
                   "PCI address or vdev string, e.g. net_af_packet0,iface=eth1"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.currentInterface().device = std::string(args.get("DEVICE"));
                  }});
  table.addOrDie({"exception-path tap [NAME]",
                  {kExceptionPathHelp, "Through a kernel TAP interface with the same addresses",
                   "Name of the TAP interface (default: sbc-<interface>)"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    InterfaceConfig& interface = candidate.currentInterface();
                    interface.exceptionPath = true;
                    interface.tapName = std::string(args.get("NAME"));
                  }});
  table.addOrDie({"exit",
                  {"End the interface block"},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    candidate.leaveInterface();
                  }});
  addGateway(table, candidate);
  table.addOrDie({"mac XX:XX:XX:XX:XX:XX",
                  {kMacHelp, "MAC address, e.g. 02:00:00:00:01:01"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.currentInterface().mac = *args.mac("XX:XX:XX:XX:XX:XX");
                  }});
  table.addOrDie({"max-frame (" + std::to_string(dataplane::kStandardMaxFrame) + "-" +
                      std::to_string(dataplane::kLargestMaxFrame) + ")$bytes",
                  {kMaxFrameHelp, "Bytes, Ethernet header included (default " +
                                      std::to_string(dataplane::kStandardMaxFrame) + ")"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.currentInterface().maxFrame = static_cast<uint32_t>(*args.number("bytes"));
                  }});
  table.addOrDie({"neighbor <A.B.C.D$address|X:X::X:X$address> XX:XX:XX:XX:XX:XX",
                  {kNeighborHelp, "IPv4 next hop", "IPv6 next hop", "Its MAC address"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    auto& neighbors = candidate.currentInterface().staticNeighbors;
                    const IpAddress address = *args.ipAddress("address");
                    const auto mac = *args.mac("XX:XX:XX:XX:XX:XX");
                    for (auto& n : neighbors)
                      if (n.address == address) {
                        n.mac = mac;
                        return;
                      }
                    neighbors.push_back({address, mac});
                  }});
  addNoAddress(table, candidate);
  table.addOrDie({"no exception-path",
                  {kNoHelp, kExceptionPathHelp},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    InterfaceConfig& interface = candidate.currentInterface();
                    interface.exceptionPath = false;
                    interface.tapName.clear();
                  }});
  addNoGateway(table, candidate);
  table.addOrDie({"no mac",
                  {kNoHelp, kMacHelp},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    candidate.currentInterface().mac.reset();
                  }});
  table.addOrDie({"no max-frame",
                  {kNoHelp, kMaxFrameHelp},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    candidate.currentInterface().maxFrame = 0;
                  }});
  table.addOrDie({"no neighbor <A.B.C.D$address|X:X::X:X$address>",
                  {kNoHelp, kNeighborHelp, "IPv4 next hop", "IPv6 next hop"},
                  [&candidate](const CommandArgs& args, CommandOutput& out) {
                    auto& neighbors = candidate.currentInterface().staticNeighbors;
                    const IpAddress address = *args.ipAddress("address");
                    auto it = std::find_if(neighbors.begin(), neighbors.end(),
                                           [&](const auto& n) { return n.address == address; });
                    if (it == neighbors.end()) {
                      out.error = quoted(args.get("address")) + ": no such neighbor on interface " +
                                  candidate.currentInterface().name;
                      return;
                    }
                    neighbors.erase(it);
                  }});
  table.addOrDie({"no vlan",
                  {kNoHelp, kVlanHelp},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    candidate.currentInterface().vlan = 0;
                  }});
  table.addOrDie({"realm REALM",
                  {"Which side the interface faces; firewall rules are per realm",
                   "Realm name, e.g. access or core"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.currentInterface().realm = std::string(args.get("REALM"));
                  }});
  table.addOrDie({"vlan (1-4094)",
                  {kVlanHelp, "VLAN id"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.currentInterface().vlan =
                        static_cast<uint16_t>(*args.number("(1-4094)"));
                  }});
}

std::string quoted(std::string_view word) { return "'" + std::string(word) + "'"; }

}  // namespace sbc::control
