#pragma once
// Field-by-field comparison of DataplaneConfig (it has no operator==), naming the first field
// that differs so a failing round trip says where.

#include <string>

#include "dataplane/config.h"

namespace sbc::control::testing {

inline std::string firstDifference(const dataplane::DataplaneConfig& a,
                                   const dataplane::DataplaneConfig& b) {
  if (a.workers != b.workers) return "workers";
  if (a.maxSessions != b.maxSessions) return "maxSessions";
  if (a.mediaPortMin != b.mediaPortMin) return "mediaPortMin";
  if (a.mediaPortMax != b.mediaPortMax) return "mediaPortMax";
  if (a.idleTimeoutMs != b.idleTimeoutMs) return "idleTimeoutMs";
  if (a.memoryMb != b.memoryMb) return "memoryMb";
  if (a.rxDescriptors != b.rxDescriptors) return "rxDescriptors";
  if (a.txDescriptors != b.txDescriptors) return "txDescriptors";
  if (a.workerIdleSleepUs != b.workerIdleSleepUs) return "workerIdleSleepUs";
  if (a.extraEalArgs != b.extraEalArgs) return "extraEalArgs";
  if (a.interfaces.size() != b.interfaces.size()) return "interfaces.size";
  for (size_t k = 0; k < a.interfaces.size(); ++k) {
    const auto& x = a.interfaces[k];
    const auto& y = b.interfaces[k];
    const std::string where = "interfaces[" + std::to_string(k) + "].";
    if (x.name != y.name) return where + "name";
    if (x.device != y.device) return where + "device";
    if (x.realm != y.realm) return where + "realm";
    if (x.mac != y.mac) return where + "mac";
    if (x.vlan != y.vlan) return where + "vlan";
    if (x.addresses != y.addresses) return where + "addresses";
    if (x.gatewayV4 != y.gatewayV4) return where + "gatewayV4";
    if (x.gatewayV6 != y.gatewayV6) return where + "gatewayV6";
    if (x.staticNeighbors != y.staticNeighbors) return where + "staticNeighbors";
    if (x.exceptionPath != y.exceptionPath) return where + "exceptionPath";
    if (x.tapName != y.tapName) return where + "tapName";
    if (x.maxFrame != y.maxFrame) return where + "maxFrame";
  }
  return "";
}

}  // namespace sbc::control::testing
