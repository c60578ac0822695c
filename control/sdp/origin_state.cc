#include "control/sdp/origin_state.h"

#include "control/sdp/sdp_render.h"

namespace sbc::sdp {

namespace {

// The body as sent, minus the o= line, which the comparison must ignore.
std::string bodyWithoutOrigin(const SessionDescription& sdp) {
  SessionDescription copy = sdp;
  copy.origin = Origin{};
  return render(copy);
}

}  // namespace

OriginState::OriginState(OriginConfig config)
    : config_(std::move(config)), version_(config_.firstVersion) {}

bool OriginState::stamp(SessionDescription& sdp) {
  std::string body = bodyWithoutOrigin(sdp);
  bool moved = false;
  if (hasSent_ && body != lastBody_) {
    ++version_;
    moved = true;
  }
  hasSent_ = true;
  lastBody_ = std::move(body);
  sdp.origin.username = config_.username;
  sdp.origin.sessionId = std::to_string(config_.sessionId);
  sdp.origin.sessionVersion = std::to_string(version_);
  sdp.origin.netType = "IN";
  // An unset address would make an o= line no peer can parse; 0.0.0.0 is at least valid.
  const bool hasAddress = config_.address.family != dataplane::IpFamily::kNone;
  sdp.origin.addressType = hasAddress ? addressTypeOf(config_.address) : "IP4";
  sdp.origin.address = hasAddress ? config_.address.toString() : "0.0.0.0";
  return moved;
}

}  // namespace sbc::sdp
