#pragma once
// What the B2BUA asks of the media side: every SDP that crosses the SBC goes through here. An
// offer from one leg comes back rewritten for the other leg (the SBC's address and ports, the
// codec policy applied) and the dataplane session is created or updated; an answer likewise.
// The implementation (sdp_media_anchor.h) drives the SDP code and the dataplane's door.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "control/b2bua/call.h"

namespace sbc::control {

struct AnchorOutcome {
  std::string body;         // the SDP to send on, when ok()
  int rejectStatus = 0;     // non-zero: answer the offer with this (488), with `warning`
  std::string warning;      // a Warning header value: 399 sbc "no common codec: ..."
  bool ok() const { return rejectStatus == 0; }
};

class MediaAnchor {
 public:
  virtual ~MediaAnchor() = default;
  // An offer that arrived on leg `from`, to be sent on the other leg.
  virtual AnchorOutcome offer(Call& call, LegSide from, std::string_view sdp) = 0;
  // The answer that arrived on leg `from` to the last offer sent there.
  virtual AnchorOutcome answer(Call& call, LegSide from, std::string_view sdp) = 0;
  // Frees the dataplane session and the ports of the call (idempotent).
  virtual void release(Call& call) = 0;
  // Reads the call's counters from the dataplane into call.media; the time since the last
  // media packet either way, or nullopt when the call has no media anchored.
  virtual std::optional<Millis> refresh(Call& call) = 0;
};

}  // namespace sbc::control
