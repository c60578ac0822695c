#pragma once
// What the B2BUA needs from a peer's offer or answer to program the dataplane: per m= line,
// where the peer receives RTP and RTCP, whether it holds the call, and the codecs it lists.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/sdp/sdp_attributes.h"
#include "control/sdp/sdp_codecs.h"
#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

struct RemoteMedia {
  std::string media;  // "audio", ...
  std::string proto;
  bool rejected = false;  // port 0
  // The effective c= address and the m= port as written, also when the address is a name.
  std::string connectionAddress;
  std::uint16_t port = 0;

  // Where the peer wants RTP: effective c= and the m= port. nullopt when rejected or when c=
  // is a host name (the B2BUA does not resolve names in SDP).
  std::optional<SocketAddress> rtp;
  // Where the peer wants RTCP: a=rtcp (its address, or the RTP one), else RTP port + 1; with
  // rtcp-mux the RTP address itself. RFC 5761: mux is in force only when offer and answer both
  // carry a=rtcp-mux, which the B2BUA knows and this function does not.
  std::optional<SocketAddress> rtcp;
  bool rtcpMux = false;

  Direction direction = Direction::SendRecv;
  bool holdAddress = false;  // c= 0.0.0.0 (RFC 2543 hold)
  // The peer does not want to receive: sendonly, inactive or the hold address.
  bool onHold = false;

  std::vector<Codec> codecs;  // in preference order; for an answer, the negotiated ones
  std::optional<std::uint32_t> ptime;
  std::optional<std::uint32_t> maxptime;
  std::vector<Crypto> crypto;  // SDES keys offered or chosen
};

// One entry per m= line, in order.
std::vector<RemoteMedia> describeRemoteMedia(const SessionDescription& sdp);

}  // namespace sbc::sdp
