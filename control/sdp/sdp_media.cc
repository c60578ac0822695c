#include "control/sdp/sdp_media.h"

#include <algorithm>

#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

std::optional<Direction> ownDirection(const Section& section) {
  for (const Attribute& a : section.attributes)
    if (!a.value)
      if (auto d = directionFromName(a.name)) return d;
  return std::nullopt;
}

Direction directionOf(const SessionDescription& sdp, const MediaDescription& media) {
  if (auto d = ownDirection(media)) return *d;
  if (auto d = ownDirection(sdp)) return *d;
  return Direction::SendRecv;
}

void setDirection(Section& section, Direction d) {
  auto isDirection = [](const Attribute& a) {
    return !a.value && directionFromName(a.name).has_value();
  };
  auto first = std::find_if(section.attributes.begin(), section.attributes.end(), isDirection);
  if (first == section.attributes.end()) {
    section.addAttribute(std::string(directionName(d)));
    return;
  }
  first->name = directionName(d);
  for (auto it = section.attributes.end(); it != first + 1;) {
    --it;
    if (isDirection(*it)) it = section.attributes.erase(it);
  }
}

std::optional<Connection> effectiveConnection(const SessionDescription& sdp,
                                              const MediaDescription& media) {
  if (auto c = media.connection()) return c;
  return sdp.connection();
}

std::optional<RtcpAttribute> rtcpOf(const MediaDescription& media) {
  auto value = media.attributeValue("rtcp");
  if (!value) return std::nullopt;
  return RtcpAttribute::parse(*value);
}

bool hasRtcpMux(const MediaDescription& media) { return media.hasAttribute("rtcp-mux"); }

std::vector<Crypto> cryptoOf(const MediaDescription& media) {
  std::vector<Crypto> found;
  for (const Attribute* a : media.attributesNamed("crypto"))
    if (a->value)
      if (auto c = Crypto::parse(*a->value)) found.push_back(std::move(*c));
  return found;
}

std::optional<std::uint32_t> ptimeOf(const MediaDescription& media) {
  auto value = media.attributeValue("ptime");
  return value ? parseMilliseconds(*value) : std::nullopt;
}

std::optional<std::uint32_t> maxptimeOf(const MediaDescription& media) {
  auto value = media.attributeValue("maxptime");
  return value ? parseMilliseconds(*value) : std::nullopt;
}

IceParameters iceOf(const SessionDescription& sdp, const MediaDescription& media) {
  IceParameters ice;
  auto pick = [&](std::string_view name) {
    auto v = media.attributeValue(name);
    if (!v) v = sdp.attributeValue(name);
    return v ? std::string(text::trim(*v)) : std::string();
  };
  ice.ufrag = pick("ice-ufrag");
  ice.pwd = pick("ice-pwd");
  ice.lite = sdp.hasAttribute("ice-lite");
  std::string options = pick("ice-options");
  for (std::string_view option : text::splitFields(options)) ice.options.emplace_back(option);
  for (const Attribute* a : media.attributesNamed("candidate"))
    if (a->value) ice.candidates.push_back(*a->value);
  ice.endOfCandidates = media.hasAttribute("end-of-candidates");
  return ice;
}

}  // namespace sbc::sdp
