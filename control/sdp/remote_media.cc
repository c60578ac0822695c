#include "control/sdp/remote_media.h"

#include "control/sdp/sdp_media.h"

namespace sbc::sdp {

namespace {

std::optional<SocketAddress> rtcpAddress(const MediaDescription& m, const SocketAddress& rtp,
                                         bool mux) {
  if (mux) return rtp;
  if (auto attr = rtcpOf(m)) {
    SocketAddress rtcp{rtp.ip, attr->port};
    if (attr->connection) {
      auto ip = attr->connection->ip();
      if (!ip) return std::nullopt;
      rtcp.ip = *ip;
    }
    return rtcp;
  }
  if (rtp.port == 65535) return std::nullopt;
  return SocketAddress{rtp.ip, static_cast<std::uint16_t>(rtp.port + 1)};
}

}  // namespace

std::vector<RemoteMedia> describeRemoteMedia(const SessionDescription& sdp) {
  std::vector<RemoteMedia> out;
  out.reserve(sdp.media.size());
  for (const MediaDescription& m : sdp.media) {
    RemoteMedia r;
    r.media = m.media;
    r.proto = m.proto;
    r.rejected = m.isRejected();
    r.port = m.port;
    r.rtcpMux = hasRtcpMux(m);
    r.direction = directionOf(sdp, m);
    auto connection = effectiveConnection(sdp, m);
    if (connection) r.connectionAddress = connection->address;
    r.holdAddress = connection && connection->isHoldAddress();
    r.onHold = r.holdAddress || !receives(r.direction);
    if (!r.rejected && connection) {
      if (auto ip = connection->ip()) {
        r.rtp = SocketAddress{*ip, m.port};
        r.rtcp = rtcpAddress(m, *r.rtp, r.rtcpMux);
      }
    }
    r.codecs = codecsOf(m);
    r.ptime = ptimeOf(m);
    r.maxptime = maxptimeOf(m);
    r.crypto = cryptoOf(m);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sbc::sdp
