#pragma once
// The MediaAnchor of a running SBC: SDP through control/sdp (parse, codec policy, anchoring,
// the SBC's own o= line per leg) and media sessions through the dataplane's door. A call gets
// one media session: its first audio stream, relayed between a port pair on each leg's
// interface. Other streams (video, T.38) are declined with port 0 until the dataplane carries
// more than one stream per call.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "control/b2bua/media_anchor.h"
#include "control/b2bua/media_port_pool.h"
#include "control/config/sip_config.h"
#include "control/sdp/origin_state.h"
#include "control/sdp/sdp_session.h"
#include "dataplane/dataplane.h"

namespace sbc::control {

struct MediaAnchorCounters {
  std::uint64_t malformedSdp = 0;
  std::uint64_t noCommonCodec = 0;
  std::uint64_t noPorts = 0;
  std::uint64_t dataplaneErrors = 0;
  std::uint64_t badAnswers = 0;  // answers that do not match their offer (passed on anyway)
};

class SdpMediaAnchor final : public MediaAnchor {
 public:
  SdpMediaAnchor(const SipConfig& sip, const dataplane::DataplaneConfig& dataplaneConfig,
                 dataplane::Dataplane& dataplane);
  ~SdpMediaAnchor() override;

  AnchorOutcome offer(Call& call, LegSide from, std::string_view sdp) override;
  AnchorOutcome answer(Call& call, LegSide from, std::string_view sdp) override;
  void release(Call& call) override;
  std::optional<Millis> refresh(Call& call) override;

  const MediaAnchorCounters& counters() const { return counters_; }
  std::size_t activeCalls() const { return states_.size(); }

 private:
  struct CallMedia;
  CallMedia* stateFor(Call& call, std::string& error);
  AnchorOutcome rewrite(Call& call, CallMedia& state, LegSide from, std::string_view sdp,
                        bool isOffer);
  bool program(Call& call, CallMedia& state, std::string& error);
  const CodecPolicyConfig* trunkPolicy(const Call& call) const;

  SipConfig sip_;
  dataplane::DataplaneConfig dataplaneConfig_;
  dataplane::Dataplane& dataplane_;
  MediaPortPool ports_;
  std::map<std::uint64_t, std::unique_ptr<CallMedia>> states_;
  MediaAnchorCounters counters_;
};

}  // namespace sbc::control
