#pragma once
// Anchoring: rewriting a session description so that its media flows through the SBC. The
// B2BUA allocates a port pair per stream on the leg the SDP is sent to, then calls
// anchorMedia() on a copy of the peer's SDP; every address of the far side is replaced (c=,
// m= port, a=rtcp) or removed (ICE candidates), which is also what topology hiding needs.
// The o= line is not touched here: OriginState (origin_state.h) owns it per leg.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/sdp/sdp_attributes.h"
#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

struct MediaAnchor {
  // The SBC's address and RTP port for this stream; nullopt rejects the stream (port 0).
  std::optional<SocketAddress> rtp;
  // With rtcp-mux in the section and this set, rtcp-mux stays and a=rtcp goes (RTCP shares
  // the RTP port). Otherwise rtcp-mux goes and a=rtcp names RTP port + 1 at the SBC address.
  bool keepRtcpMux = true;
  // A new transport profile, e.g. "RTP/AVP" where SRTP ends at the SBC (core side).
  std::optional<std::string> proto;
  // New SDES keys: every a=crypto is replaced by these (none: all removed). nullopt leaves
  // a=crypto alone.
  std::optional<std::vector<Crypto>> crypto;

  static MediaAnchor reject() { return MediaAnchor{}; }
  static MediaAnchor at(const SocketAddress& rtp) {
    MediaAnchor a;
    a.rtp = rtp;
    return a;
  }
};

struct AnchorPlan {
  // The SBC's address on this leg: the session-level c=. A media section gets its own c= only
  // where its anchor's address differs.
  IpAddress address;
  std::vector<MediaAnchor> media;  // one per m= line, in order
  bool keepIce = false;            // keep ICE attributes (they name the far side's addresses)
  bool keepBundle = false;         // keep a=group:BUNDLE and a=bundle-only (RFC 9143)
};

// Rewrites `sdp` in place. Returns an error, leaving `sdp` unchanged, when the plan does not
// fit the SDP (count of anchors, missing address, port 0 or 65535 where RTCP needs port + 1).
std::optional<std::string> anchorMedia(SessionDescription& sdp, const AnchorPlan& plan);

}  // namespace sbc::sdp
