#include "control/config/config_render.h"

#include "control/cli/tokenizer.h"

namespace sbc::control {

namespace {

using dataplane::DataplaneConfig;
using dataplane::InterfaceConfig;

void renderDataplaneSettings(const DataplaneConfig& c, std::string& out) {
  const DataplaneConfig defaults;
  auto setting = [&](const char* name, uint64_t value, uint64_t defaultValue) {
    if (value != defaultValue)
      out += std::string("dataplane ") + name + " " + std::to_string(value) + "\n";
  };
  setting("workers", c.workers, defaults.workers);
  setting("max-sessions", c.maxSessions, defaults.maxSessions);
  setting("memory-mb", c.memoryMb, defaults.memoryMb);
  setting("idle-sleep-us", c.workerIdleSleepUs, defaults.workerIdleSleepUs);
  setting("rx-descriptors", c.rxDescriptors, defaults.rxDescriptors);
  setting("tx-descriptors", c.txDescriptors, defaults.txDescriptors);
  for (const auto& arg : c.extraEalArgs) out += "dataplane eal-arg " + quoteWord(arg) + "\n";
}

void renderMediaSettings(const DataplaneConfig& c, std::string& out) {
  const DataplaneConfig defaults;
  if (c.mediaPortMin != defaults.mediaPortMin || c.mediaPortMax != defaults.mediaPortMax)
    out += "media port-range " + std::to_string(c.mediaPortMin) + " " +
           std::to_string(c.mediaPortMax) + "\n";
  if (c.idleTimeoutMs != defaults.idleTimeoutMs) {
    if (c.idleTimeoutMs % 1000 == 0)
      out += "media idle-timeout " + std::to_string(c.idleTimeoutMs / 1000) + "\n";
    else
      out += "media idle-timeout " + std::to_string(c.idleTimeoutMs) + " ms\n";
  }
}

void renderInterface(const InterfaceConfig& i, std::string& out) {
  out += "interface " + quoteWord(i.name) + "\n";
  if (!i.device.empty()) out += " device " + quoteWord(i.device) + "\n";
  if (!i.realm.empty()) out += " realm " + quoteWord(i.realm) + "\n";
  if (i.mac) out += " mac " + dataplane::formatMac(*i.mac) + "\n";
  if (i.vlan != 0) out += " vlan " + std::to_string(i.vlan) + "\n";
  if (i.maxFrame != 0) out += " max-frame " + std::to_string(i.maxFrame) + "\n";
  for (const auto& prefix : i.addresses) out += " address " + prefix.toString() + "\n";
  if (i.gatewayV4) out += " gateway " + i.gatewayV4->toString() + "\n";
  if (i.gatewayV6) out += " gateway " + i.gatewayV6->toString() + "\n";
  for (const auto& n : i.staticNeighbors)
    out += " neighbor " + n.address.toString() + " " + dataplane::formatMac(n.mac) + "\n";
  if (!i.exceptionPath) out += " no exception-path\n";
  else if (!i.tapName.empty()) out += " exception-path tap " + quoteWord(i.tapName) + "\n";
  out += "exit\n";
}

}  // namespace

std::string renderConfig(const DataplaneConfig& config) {
  std::string out;
  renderDataplaneSettings(config, out);
  renderMediaSettings(config, out);
  for (const auto& interface : config.interfaces) {
    out += "!\n";
    renderInterface(interface, out);
  }
  return out;
}

}  // namespace sbc::control
