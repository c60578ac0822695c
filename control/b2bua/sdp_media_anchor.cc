#include "control/b2bua/sdp_media_anchor.h"

#include <array>

#include "control/sdp/codec_policy.h"
#include "control/sdp/offer_answer.h"
#include "control/sdp/remote_media.h"
#include "control/sdp/sdp_anchor.h"
#include "control/sdp/sdp_parser.h"
#include "control/sdp/sdp_render.h"

namespace sbc::control {

namespace {

sdp::CodecPolicy toPolicy(const CodecPolicyConfig& config) {
  sdp::CodecPolicy policy;
  auto specs = [](const std::vector<std::string>& names, std::vector<sdp::CodecSpec>& out) {
    for (const std::string& name : names)
      if (auto spec = sdp::CodecSpec::parse(name)) out.push_back(*spec);
  };
  specs(config.allow, policy.allow);
  specs(config.strip, policy.strip);
  specs(config.order, policy.order);
  if (config.ptimeMs != 0) policy.ptime = config.ptimeMs;
  return policy;
}

bool policySet(const CodecPolicyConfig& config) {
  return !config.allow.empty() || !config.strip.empty() || !config.order.empty() ||
         config.ptimeMs != 0;
}

std::string quotedWarning(std::string_view text) {
  std::string escaped;
  for (char c : text) escaped += (c == '"' || c == '\\') ? '\'' : c;
  return "399 sbc \"" + escaped + "\"";
}

std::optional<std::size_t> firstAudio(const std::vector<sdp::RemoteMedia>& media) {
  for (std::size_t i = 0; i < media.size(); ++i)
    if (media[i].media == "audio" && !media[i].rejected) return i;
  return std::nullopt;
}

// Why the dataplane could not relay RTP between the SBC's `local` on `interface` and a peer at
// `remote`, or nullopt when it can. These are faults of the SDP (488), not of the SBC.
std::optional<std::string> unreachableMedia(const dataplane::IpAddress& remote,
                                            const dataplane::IpAddress& local,
                                            const dataplane::InterfaceConfig* interface) {
  auto version = [](const dataplane::IpAddress& a) { return a.isV6() ? "IPv6" : "IPv4"; };
  const std::string where = interface ? interface->name : std::string("its interface");
  if (remote.family != local.family)
    return "media address " + remote.toString() + " is " + version(remote) +
           "; the SBC's media address on " + where + " is " + version(local);
  if (!interface) return std::nullopt;
  for (const dataplane::IpPrefix& prefix : interface->addresses)
    if (prefix.contains(remote)) return std::nullopt;
  if (remote.isV4() ? interface->gatewayV4 : interface->gatewayV6) return std::nullopt;
  return "no route to media address " + remote.toString() + ": not on a link of " + where +
         " and no " + version(remote) + " gateway";
}

}  // namespace

struct SdpMediaAnchor::CallMedia {
  std::uint32_t sessionId = 0;
  std::array<dataplane::SocketAddress, 2> local;   // the SBC's RTP address per leg
  std::array<std::optional<dataplane::SocketAddress>, 2> remote;
  std::array<std::unique_ptr<sdp::OriginState>, 2> origins;
  std::array<std::optional<sdp::SessionDescription>, 2> offerSent;  // last offer sent per leg
  std::optional<std::size_t> audioIndex;
  bool created = false;
};

SdpMediaAnchor::SdpMediaAnchor(const SipConfig& sip,
                               const dataplane::DataplaneConfig& dataplaneConfig,
                               dataplane::Dataplane& dataplane)
    : sip_(sip),
      dataplaneConfig_(dataplaneConfig),
      dataplane_(dataplane),
      ports_(dataplaneConfig.mediaPortMin, dataplaneConfig.mediaPortMax) {}

SdpMediaAnchor::~SdpMediaAnchor() {
  for (auto& [id, state] : states_)
    if (state->created) dataplane_.deleteSession(state->sessionId);
}

SdpMediaAnchor::CallMedia* SdpMediaAnchor::stateFor(Call& call, std::string& error) {
  if (auto found = states_.find(call.id); found != states_.end()) return found->second.get();
  auto state = std::make_unique<CallMedia>();
  for (std::size_t leg = 0; leg < 2; ++leg) {
    const dataplane::IpAddress address = call.legs[leg].local.ip;
    const auto port = ports_.take(address);
    if (!port) {
      if (leg == 1) ports_.give(state->local[0].ip, state->local[0].port);
      ++counters_.noPorts;
      error = "no free media port on " + address.toString();
      return nullptr;
    }
    state->local[leg] = {address, *port};
    sdp::OriginConfig origin;
    origin.sessionId = (call.id << 1) | leg;
    origin.firstVersion = 1;
    origin.address = address;
    state->origins[leg] = std::make_unique<sdp::OriginState>(origin);
  }
  // The dataplane's session ids are 32 bits; call ids only grow, so they wrap long after the
  // calls that had them are gone.
  state->sessionId = static_cast<std::uint32_t>(call.id) == 0 ? 1u : static_cast<std::uint32_t>(call.id);
  CallMedia* raw = state.get();
  states_.emplace(call.id, std::move(state));
  return raw;
}

const CodecPolicyConfig* SdpMediaAnchor::trunkPolicy(const Call& call) const {
  const TrunkConfig* trunk = call.trunk.empty() ? nullptr : sip_.findTrunk(call.trunk);
  return trunk && policySet(trunk->codecs) ? &trunk->codecs : nullptr;
}

AnchorOutcome SdpMediaAnchor::offer(Call& call, LegSide from, std::string_view sdp) {
  std::string error;
  CallMedia* state = stateFor(call, error);
  if (!state) return {{}, 503, quotedWarning(error)};
  return rewrite(call, *state, from, sdp, true);
}

AnchorOutcome SdpMediaAnchor::answer(Call& call, LegSide from, std::string_view sdp) {
  std::string error;
  CallMedia* state = stateFor(call, error);
  if (!state) return {{}, 503, quotedWarning(error)};
  return rewrite(call, *state, from, sdp, false);
}

AnchorOutcome SdpMediaAnchor::rewrite(Call& call, CallMedia& state, LegSide from,
                                      std::string_view body, bool isOffer) {
  const LegSide to = otherSide(from);
  sdp::ParseResult parsed = sdp::parse(body);
  if (!parsed.ok()) {
    ++counters_.malformedSdp;
    return {{}, 488,
            quotedWarning("malformed SDP: line " + std::to_string(parsed.error.line) + ": " +
                          parsed.error.reason)};
  }
  sdp::SessionDescription& description = *parsed.sdp;
  if (isOffer) {
    const CodecPolicyConfig* centerPolicy =
        policySet(sip_.contactCenter.codecs) ? &sip_.contactCenter.codecs : nullptr;
    for (const CodecPolicyConfig* policy : {trunkPolicy(call), centerPolicy}) {
      if (!policy) continue;
      const sdp::CodecPolicyOutcome outcome = sdp::applyCodecPolicy(description, toPolicy(*policy));
      if (outcome.noCommonCodec) {
        ++counters_.noCommonCodec;
        return {{}, 488, outcome.warning()};
      }
    }
  } else if (state.offerSent[index(from)]) {
    if (const auto fault = sdp::checkAnswer(*state.offerSent[index(from)], description))
      ++counters_.badAnswers;  // carried on: the far side decides what it can live with
  }

  const std::vector<sdp::RemoteMedia> remote = sdp::describeRemoteMedia(description);
  const auto audio = firstAudio(remote);
  if (isOffer && !audio) {
    ++counters_.noCommonCodec;
    return {{}, 488, quotedWarning("no audio stream in the offer")};
  }
  if (audio) {
    state.audioIndex = *audio;
    const sdp::RemoteMedia& stream = remote[*audio];
    // An address the SBC cannot send media to is refused here, with the reason: the offer
    // is not acceptable (488), where the dataplane would only fail the session (500).
    if (stream.rtp && !stream.holdAddress)
      if (const auto fault = unreachableMedia(
              stream.rtp->ip, state.local[index(from)].ip,
              dataplaneConfig_.findInterface(call.legs[index(from)].interfaceName)))
        return {{}, 488, quotedWarning("cannot anchor the SDP: " + *fault)};
    // A hold by address (c=0.0.0.0) keeps the peer where it was: it will come back there.
    if (stream.rtp && !stream.holdAddress) state.remote[index(from)] = stream.rtp;
    if (!isOffer) {
      std::string names;
      for (const sdp::Codec& codec : stream.codecs)
        if (codec.known()) names += (names.empty() ? "" : ",") + codec.encoding;
      call.media[0].codecs = names;
      call.media[1].codecs = names;
    }
  }

  sdp::AnchorPlan plan;
  plan.address = state.local[index(to)].ip;
  plan.keepIce = sip_.keepIce;
  for (std::size_t i = 0; i < description.media.size(); ++i) {
    if (audio && i == *audio) {
      sdp::MediaAnchor anchor = sdp::MediaAnchor::at(state.local[index(to)]);
      // The dataplane relays RTCP on port + 1 on both legs; rtcp-mux is not offered on.
      anchor.keepRtcpMux = false;
      plan.media.push_back(anchor);
    } else {
      plan.media.push_back(sdp::MediaAnchor::reject());
    }
  }
  if (const auto fault = sdp::anchorMedia(description, plan))
    return {{}, 488, quotedWarning("cannot anchor the SDP: " + *fault)};
  state.origins[index(to)]->stamp(description);
  if (isOffer) state.offerSent[index(to)] = description;

  std::string error;
  if (!program(call, state, error)) {
    ++counters_.dataplaneErrors;
    return {{}, 500, quotedWarning("media: " + error)};
  }
  return {sdp::render(description), 0, {}};
}

bool SdpMediaAnchor::program(Call& call, CallMedia& state, std::string& error) {
  dataplane::MediaSessionSpec spec;
  spec.id = state.sessionId;
  for (std::size_t leg = 0; leg < 2; ++leg) {
    dataplane::MediaLegSpec& out = spec.legs[leg];
    out.interfaceName = call.legs[leg].interfaceName;
    out.local = state.local[leg];
    out.rtcpMux = false;
    const bool known = state.remote[leg].has_value();
    if (known) out.remote = *state.remote[leg];
    else out.remote.ip.family = out.local.ip.family;
    // Carriers behind NAT send from elsewhere than their SDP says: latch what comes. A peer
    // whose SDP has not come yet is latched the same way.
    const TrunkConfig* trunk = call.trunk.empty() ? nullptr : sip_.findTrunk(call.trunk);
    const bool accessLeg = trunk && trunk->interfaceName == out.interfaceName;
    out.latchAnySource = !known || (accessLeg && trunk->latchAnySource);
  }
  const dataplane::Status status =
      state.created ? dataplane_.updateSession(spec) : dataplane_.createSession(spec);
  if (!status.ok()) {
    error = status.error;
    return false;
  }
  state.created = true;
  call.mediaSessionId = state.sessionId;
  return true;
}

void SdpMediaAnchor::release(Call& call) {
  const auto found = states_.find(call.id);
  if (found == states_.end()) return;
  CallMedia& state = *found->second;
  if (state.created) dataplane_.deleteSession(state.sessionId);
  for (std::size_t leg = 0; leg < 2; ++leg) ports_.give(state.local[leg].ip, state.local[leg].port);
  states_.erase(found);
  call.mediaSessionId = 0;
}

std::optional<Millis> SdpMediaAnchor::refresh(Call& call) {
  const auto found = states_.find(call.id);
  if (found == states_.end() || !found->second->created) return std::nullopt;
  const auto view = dataplane_.session(found->second->sessionId);
  if (!view) return std::nullopt;
  for (std::size_t leg = 0; leg < 2; ++leg) {
    call.media[leg].packetsIn = view->legs[leg].rtp.packets;
    call.media[leg].lostIn = view->legs[leg].rtp.lost;
  }
  return static_cast<Millis>(view->idleMs);
}

}  // namespace sbc::control
