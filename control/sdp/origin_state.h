#pragma once
// The SBC's own o= line on one leg of a call. The B2BUA keeps one OriginState per leg and
// stamps every SDP it sends on that leg, so the far side sees one stable session whose version
// moves exactly when what the SBC sends changes (RFC 3264 section 8: a new version for a
// changed offer, the same version for an unchanged one, e.g. a session refresh).
//
// The SBC's origin replaces the peer's on the way through: the peer's username, session id and
// address are part of what topology hiding removes.

#include <cstdint>
#include <string>

#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

struct OriginConfig {
  std::string username = "sbc";
  // Chosen by the B2BUA when the leg is created (RFC 8866 suggests an NTP timestamp); kept here
  // rather than drawn from a clock so that tests are repeatable.
  std::uint64_t sessionId = 0;
  std::uint64_t firstVersion = 0;  // the version of the first body sent
  IpAddress address;               // the SBC's address on this leg (unset: 0.0.0.0)
};

class OriginState {
 public:
  explicit OriginState(OriginConfig config);

  // Puts this leg's origin on `sdp`. The version goes up by one when the body (everything but
  // o=) differs from the one stamped last time; the first body gets firstVersion. Returns
  // true when the version moved.
  bool stamp(SessionDescription& sdp);

  std::uint64_t sessionId() const { return config_.sessionId; }
  std::uint64_t version() const { return version_; }
  bool hasSent() const { return hasSent_; }

 private:
  OriginConfig config_;
  std::uint64_t version_;
  bool hasSent_ = false;
  std::string lastBody_;  // rendered without its o= line
};

}  // namespace sbc::sdp
