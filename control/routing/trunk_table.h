#pragma once
// The carrier trunks at run time: which trunk a source address belongs to, which trunk an
// outbound number goes to, and whether a trunk may take one more call now (concurrent-call and
// calls-per-second limits, answered with 503 and Retry-After beyond them).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/common/clock.h"
#include "control/config/sip_config.h"

namespace sbc::control {

struct TrunkState {
  TrunkConfig config;
  std::uint32_t activeCalls = 0;
  // Calls-per-second limit: a token bucket of maxCps tokens, refilled continuously.
  double tokens = 0;
  Millis refilledAt = 0;
  std::uint64_t callsAccepted = 0;
  std::uint64_t callsRejectedLimit = 0;
};

enum class Admission : std::uint8_t { kAccepted, kTooManyCalls, kTooManyCallsPerSecond };

class TrunkTable {
 public:
  TrunkTable(const std::vector<TrunkConfig>& trunks, const Clock& clock);

  // The trunk whose `match` holds `source` (longest prefix wins), or nullptr.
  TrunkState* bySource(const dataplane::IpAddress& source);
  // The trunk for an outbound call to `number` (longest dial prefix wins), or nullptr.
  TrunkState* byNumber(std::string_view number);
  TrunkState* byName(std::string_view name);

  // Takes a call slot and a cps token, or says which limit stopped it.
  Admission admit(TrunkState& trunk);
  void release(TrunkState& trunk);
  // Seconds for a Retry-After after a refusal.
  static std::uint32_t retryAfterSeconds(Admission admission);

  const std::vector<TrunkState>& trunks() const { return trunks_; }

 private:
  const Clock& clock_;
  std::vector<TrunkState> trunks_;
};

}  // namespace sbc::control
