#include "dataplane/config.h"

#include <cstdio>
#include <set>

namespace sbc::dataplane {

const InterfaceConfig* DataplaneConfig::findInterface(const std::string& name) const {
  for (const auto& i : interfaces)
    if (i.name == name) return &i;
  return nullptr;
}

std::vector<std::string> DataplaneConfig::validate() const {
  std::vector<std::string> faults;
  if (interfaces.empty()) faults.push_back("no interface configured");
  if (workers == 0 || workers > 16) faults.push_back("workers must be 1 to 16");
  if (maxSessions == 0) faults.push_back("max-sessions must be at least 1");
  if (mediaPortMin > mediaPortMax) faults.push_back("media port range is empty");
  if (interfaces.size() > kMaxInterfacesConfigurable)
    faults.push_back("at most " + std::to_string(kMaxInterfacesConfigurable) + " interfaces");
  std::set<std::string> names, devices, taps;
  for (const auto& i : interfaces) {
    const std::string where = "interface " + i.name + ": ";
    if (!names.insert(i.name).second) faults.push_back(where + "defined twice");
    if (i.device.empty()) faults.push_back(where + "no device");
    else if (!devices.insert(i.device).second) faults.push_back(where + "device used twice");
    if (i.realm.empty()) faults.push_back(where + "no realm");
    if (i.vlan > 4094) faults.push_back(where + "vlan must be 1 to 4094");
    if (i.maxFrame != 0 && (i.maxFrame < kStandardMaxFrame || i.maxFrame > kLargestMaxFrame))
      faults.push_back(where + "max-frame " + std::to_string(i.maxFrame) + " is not " +
                       std::to_string(kStandardMaxFrame) + " to " + std::to_string(kLargestMaxFrame));
    if (i.addresses.empty()) faults.push_back(where + "no address");
    size_t v4 = 0, v6 = 0;
    for (const auto& a : i.addresses) (a.address.isV4() ? v4 : v6) += 1;
    if (v4 > kMaxAddressesPerFamily || v6 > kMaxAddressesPerFamily)
      faults.push_back(where + "at most " + std::to_string(kMaxAddressesPerFamily) +
                       " addresses of each IP version");
    if (i.exceptionPath) {
      std::string tap = i.tapName.empty() ? "sbc-" + i.name : i.tapName;
      if (tap.size() > 15) faults.push_back(where + "tap name '" + tap + "' longer than 15");
      if (!taps.insert(tap).second) faults.push_back(where + "tap name used twice");
    }
    for (const auto& n : i.staticNeighbors) {
      bool onLink = false;
      for (const auto& a : i.addresses) onLink |= a.contains(n.address);
      if (!onLink) faults.push_back(where + "neighbor " + n.address.toString() + " is not on a link of the interface");
    }
    if (i.gatewayV4 && !i.gatewayV4->isV4()) faults.push_back(where + "gateway is not IPv4");
    if (i.gatewayV6 && !i.gatewayV6->isV6()) faults.push_back(where + "gateway6 is not IPv6");
  }
  return faults;
}

std::optional<MacAddress> parseMac(const std::string& text) {
  MacAddress mac{};
  unsigned v[6];
  char tail;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
                  &v[5], &tail) != 6 ||
      text.size() != 17)
    return std::nullopt;
  for (int i = 0; i < 6; ++i) mac[i] = static_cast<uint8_t>(v[i]);
  return mac;
}

std::string formatMac(const MacAddress& mac) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5]);
  return buf;
}

}  // namespace sbc::dataplane
