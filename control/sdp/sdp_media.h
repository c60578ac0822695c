#pragma once
// Typed views of one media section, where the answer may depend on the session level too:
// direction and c= fall back to the session level (RFC 8866 sections 5.7 and 6.7), ICE
// credentials too (RFC 8839). Attributes that cannot be read count as absent.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/sdp/sdp_attributes.h"
#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

// The first direction attribute of the media section, else of the session, else sendrecv.
Direction directionOf(const SessionDescription& sdp, const MediaDescription& media);
// The direction attribute of one section alone, if it has one.
std::optional<Direction> ownDirection(const Section& section);
// Replaces every direction attribute of the section by one of `d`.
void setDirection(Section& section, Direction d);

// Media-level c= where present, else the session-level one.
std::optional<Connection> effectiveConnection(const SessionDescription& sdp,
                                              const MediaDescription& media);

std::optional<RtcpAttribute> rtcpOf(const MediaDescription& media);  // RFC 3605
bool hasRtcpMux(const MediaDescription& media);                       // RFC 5761
std::vector<Crypto> cryptoOf(const MediaDescription& media);          // RFC 4568, readable ones
std::optional<std::uint32_t> ptimeOf(const MediaDescription& media);
std::optional<std::uint32_t> maxptimeOf(const MediaDescription& media);

struct IceParameters {
  std::string ufrag;  // media level, else session level; "" when absent
  std::string pwd;
  bool lite = false;  // a=ice-lite, a session-level attribute
  std::vector<std::string> options;     // ice-options tokens
  std::vector<std::string> candidates;  // a=candidate values, as written
  bool endOfCandidates = false;

  bool present() const { return !ufrag.empty() || !candidates.empty() || lite; }
};
IceParameters iceOf(const SessionDescription& sdp, const MediaDescription& media);

}  // namespace sbc::sdp
