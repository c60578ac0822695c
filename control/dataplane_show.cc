#include "control/dataplane_show.h"

#include <cstdio>

#include <algorithm>

namespace sbc::control {

using dataplane::DataplaneTotals;
using dataplane::kDropReasonCount;
using dataplane::NeighborView;
using dataplane::SessionView;
using dataplane::SocketAddress;

bool isKnownPeer(const SocketAddress& address) {
  return !address.ip.isUnspecified() && address.port != 0;
}

void sortSessions(std::vector<SessionView>& sessions) {
  std::sort(sessions.begin(), sessions.end(),
            [](const SessionView& a, const SessionView& b) { return a.spec.id < b.spec.id; });
}

void sortNeighbors(std::vector<NeighborView>& neighbors) {
  std::sort(neighbors.begin(), neighbors.end(), [](const NeighborView& a, const NeighborView& b) {
    if (a.interfaceName != b.interfaceName) return a.interfaceName < b.interfaceName;
    if (a.address.family != b.address.family) return a.address.family < b.address.family;
    return a.address.bytes < b.address.bytes;
  });
}

uint64_t totalDrops(const DataplaneTotals& totals) {
  uint64_t sum = 0;
  for (unsigned r = 0; r < kDropReasonCount; ++r) sum += totals.drops[r];
  return sum;
}

std::string busyPercent(const dataplane::WorkerView& worker) {
  if (worker.polls == 0) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f", 100.0 * static_cast<double>(worker.busyPolls) /
                                               static_cast<double>(worker.polls));
  return text;
}

}  // namespace sbc::control
