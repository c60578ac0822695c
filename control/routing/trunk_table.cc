#include "control/routing/trunk_table.h"

#include <algorithm>

namespace sbc::control {

TrunkTable::TrunkTable(const std::vector<TrunkConfig>& trunks, const Clock& clock)
    : clock_(clock) {
  for (const TrunkConfig& config : trunks) {
    TrunkState state;
    state.config = config;
    state.tokens = config.maxCps;
    state.refilledAt = clock.now();
    trunks_.push_back(std::move(state));
  }
}

TrunkState* TrunkTable::bySource(const dataplane::IpAddress& source) {
  TrunkState* best = nullptr;
  int bestLength = -1;
  for (TrunkState& trunk : trunks_)
    for (const dataplane::IpPrefix& prefix : trunk.config.match)
      if (prefix.contains(source) && static_cast<int>(prefix.length) > bestLength) {
        best = &trunk;
        bestLength = prefix.length;
      }
  return best;
}

TrunkState* TrunkTable::byNumber(std::string_view number) {
  TrunkState* best = nullptr;
  std::size_t bestLength = 0;
  for (TrunkState& trunk : trunks_) {
    if (!trunk.config.destination) continue;
    for (const std::string& prefix : trunk.config.dialPrefixes)
      if (number.starts_with(prefix) && (best == nullptr || prefix.size() > bestLength)) {
        best = &trunk;
        bestLength = prefix.size();
      }
  }
  return best;
}

TrunkState* TrunkTable::byName(std::string_view name) {
  for (TrunkState& trunk : trunks_)
    if (trunk.config.name == name) return &trunk;
  return nullptr;
}

Admission TrunkTable::admit(TrunkState& trunk) {
  const TrunkConfig& config = trunk.config;
  if (config.maxCalls != 0 && trunk.activeCalls >= config.maxCalls) {
    ++trunk.callsRejectedLimit;
    return Admission::kTooManyCalls;
  }
  if (config.maxCps != 0) {
    const Millis now = clock_.now();
    trunk.tokens = std::min<double>(config.maxCps,
                                    trunk.tokens + (now - trunk.refilledAt) * config.maxCps / 1000.0);
    trunk.refilledAt = now;
    if (trunk.tokens < 1.0) {
      ++trunk.callsRejectedLimit;
      return Admission::kTooManyCallsPerSecond;
    }
    trunk.tokens -= 1.0;
  }
  ++trunk.activeCalls;
  ++trunk.callsAccepted;
  return Admission::kAccepted;
}

void TrunkTable::release(TrunkState& trunk) {
  if (trunk.activeCalls > 0) --trunk.activeCalls;
}

std::uint32_t TrunkTable::retryAfterSeconds(Admission admission) {
  return admission == Admission::kTooManyCallsPerSecond ? 1 : 5;
}

}  // namespace sbc::control
