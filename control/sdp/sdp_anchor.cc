#include "control/sdp/sdp_anchor.h"

#include "control/sdp/sdp_media.h"
#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

namespace {

bool usesRtcpMux(const MediaDescription& m, const MediaAnchor& anchor) {
  return anchor.keepRtcpMux && hasRtcpMux(m);
}

std::optional<std::string> checkPlan(const SessionDescription& sdp, const AnchorPlan& plan) {
  if (plan.media.size() != sdp.media.size())
    return "anchor plan has " + std::to_string(plan.media.size()) + " streams, SDP has " +
           std::to_string(sdp.media.size());
  if (plan.address.family == dataplane::IpFamily::kNone) return "anchor plan has no address";
  for (std::size_t i = 0; i < plan.media.size(); ++i) {
    const MediaAnchor& anchor = plan.media[i];
    if (!anchor.rtp) continue;
    std::string where = "stream " + std::to_string(i) + ": ";
    if (anchor.rtp->ip.family == dataplane::IpFamily::kNone) return where + "anchor has no address";
    if (anchor.rtp->port == 0) return where + "anchor port is 0 (use reject())";
    bool needsRtcpPort = sdp.media[i].isRtp() && !usesRtcpMux(sdp.media[i], anchor);
    if (needsRtcpPort && anchor.rtp->port == 65535)
      return where + "anchor port 65535 leaves no port for RTCP";
  }
  return std::nullopt;
}

void removeIce(Section& section) {
  section.removeAttributesIf([](const Attribute& a) { return isIceAttribute(a.name); });
}

void removeBundle(SessionDescription& sdp) {
  sdp.removeAttributesIf([](const Attribute& a) {
    if (!text::attributeNameIs(a.name, "group") || !a.value) return false;
    auto fields = text::splitFields(*a.value);
    return !fields.empty() && text::equalsIgnoreCase(fields[0], "BUNDLE");
  });
  for (MediaDescription& m : sdp.media) m.removeAttributes("bundle-only");
}

void anchorStream(MediaDescription& m, const MediaAnchor& anchor, const IpAddress& sessionAddress) {
  if (anchor.proto) m.proto = *anchor.proto;
  if (anchor.crypto) {
    m.removeAttributes("crypto");
    for (const Crypto& c : *anchor.crypto) m.addAttribute("crypto", c.toString());
  }
  if (!anchor.rtp) {
    m.port = 0;
    m.portCount.reset();
    m.removeConnection();
    m.removeAttributes("rtcp");
    return;
  }
  m.port = anchor.rtp->port;
  m.portCount.reset();
  if (anchor.rtp->ip == sessionAddress)
    m.removeConnection();
  else
    m.setConnection(Connection::fromIp(anchor.rtp->ip));
  if (!m.isRtp()) return;
  if (usesRtcpMux(m, anchor)) {
    m.removeAttributes("rtcp");
    return;
  }
  m.removeAttributes("rtcp-mux");
  RtcpAttribute rtcp;
  rtcp.port = static_cast<std::uint16_t>(anchor.rtp->port + 1);
  rtcp.connection = Connection::fromIp(anchor.rtp->ip);
  m.setAttribute("rtcp", rtcp.toString());
}

}  // namespace

std::optional<std::string> anchorMedia(SessionDescription& sdp, const AnchorPlan& plan) {
  if (auto error = checkPlan(sdp, plan)) return error;
  sdp.setConnection(Connection::fromIp(plan.address));
  if (!plan.keepIce) removeIce(sdp);
  if (!plan.keepBundle) removeBundle(sdp);
  for (std::size_t i = 0; i < sdp.media.size(); ++i) {
    MediaDescription& m = sdp.media[i];
    if (!plan.keepIce || !plan.media[i].rtp) removeIce(m);
    anchorStream(m, plan.media[i], plan.address);
  }
  return std::nullopt;
}

}  // namespace sbc::sdp
