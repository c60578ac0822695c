#include "control/sdp/sdp_session.h"

#include <algorithm>

#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

std::string Attribute::toString() const { return value ? name + ":" + *value : name; }

const Line* Section::findLine(char type) const {
  for (const Line& l : lines)
    if (l.type == type) return &l;
  return nullptr;
}

std::vector<const Line*> Section::findLines(char type) const {
  std::vector<const Line*> found;
  for (const Line& l : lines)
    if (l.type == type) found.push_back(&l);
  return found;
}

std::size_t Section::removeLines(char type) {
  return std::erase_if(lines, [type](const Line& l) { return l.type == type; });
}

std::optional<Connection> Section::connection() const {
  const Line* line = findLine('c');
  if (!line) return std::nullopt;
  return Connection::parse(line->value);
}

void Section::setConnection(const Connection& c) {
  for (Line& l : lines) {
    if (l.type == 'c') {
      l.value = c.toString();
      return;
    }
  }
  auto afterConnection = [](const Line& l) {
    return std::string_view("btrzk").find(l.type) != std::string_view::npos;
  };
  auto at = std::find_if(lines.begin(), lines.end(), afterConnection);
  lines.insert(at, Line{'c', c.toString()});
}

const Attribute* Section::attribute(std::string_view name) const {
  for (const Attribute& a : attributes)
    if (text::attributeNameIs(a.name, name)) return &a;
  return nullptr;
}

std::vector<const Attribute*> Section::attributesNamed(std::string_view name) const {
  std::vector<const Attribute*> found;
  for (const Attribute& a : attributes)
    if (text::attributeNameIs(a.name, name)) found.push_back(&a);
  return found;
}

std::optional<std::string_view> Section::attributeValue(std::string_view name) const {
  const Attribute* a = attribute(name);
  if (!a || !a->value) return std::nullopt;
  return std::string_view(*a->value);
}

void Section::addAttribute(std::string name, std::optional<std::string> value) {
  attributes.push_back(Attribute{std::move(name), std::move(value)});
}

void Section::setAttribute(std::string_view name, std::optional<std::string> value) {
  auto first = std::find_if(attributes.begin(), attributes.end(), [name](const Attribute& a) {
    return text::attributeNameIs(a.name, name);
  });
  if (first == attributes.end()) {
    addAttribute(std::string(name), std::move(value));
    return;
  }
  first->value = std::move(value);
  std::size_t keep = static_cast<std::size_t>(first - attributes.begin());
  std::size_t index = 0;
  std::erase_if(attributes, [&](const Attribute& a) {
    return index++ != keep && text::attributeNameIs(a.name, name);
  });
}

std::size_t Section::removeAttributes(std::string_view name) {
  return std::erase_if(attributes,
                       [name](const Attribute& a) { return text::attributeNameIs(a.name, name); });
}

bool MediaDescription::isRtp() const {
  std::string_view rest = proto;
  while (!rest.empty()) {
    auto [part, tail] = text::splitOnce(rest, '/');
    if (text::equalsIgnoreCase(part, "RTP")) return true;
    rest = tail.value_or(std::string_view{});
  }
  return false;
}

bool MediaDescription::isSecureRtp() const {
  if (!isRtp()) return false;
  std::string_view p = proto;
  std::size_t slash = p.rfind('/');
  std::string_view profile = slash == std::string_view::npos ? p : p.substr(slash + 1);
  return text::equalsIgnoreCase(profile, "SAVP") || text::equalsIgnoreCase(profile, "SAVPF");
}

std::vector<std::uint8_t> MediaDescription::payloadTypes() const {
  std::vector<std::uint8_t> types;
  if (!isRtp()) return types;
  for (const std::string& f : formats)
    if (auto pt = text::parseUnsigned(f, 127)) types.push_back(static_cast<std::uint8_t>(*pt));
  return types;
}

bool MediaDescription::hasFormat(std::string_view format) const {
  return std::find(formats.begin(), formats.end(), format) != formats.end();
}

void MediaDescription::removeFormat(std::string_view format) {
  std::erase(formats, format);
  // rtpmap, fmtp and rtcp-fb name the payload type as their first field.
  removeAttributesIf([format](const Attribute& a) {
    if (!a.value) return false;
    bool bound = text::attributeNameIs(a.name, "rtpmap") || text::attributeNameIs(a.name, "fmtp") ||
                 text::attributeNameIs(a.name, "rtcp-fb");
    if (!bound) return false;
    auto fields = text::splitFields(*a.value);
    return !fields.empty() && fields[0] == format;
  });
}

std::string MediaDescription::mediaLine() const {
  std::string line = media + " " + std::to_string(port);
  if (portCount) line += "/" + std::to_string(*portCount);
  line += " " + proto;
  for (const std::string& f : formats) line += " " + f;
  return line;
}

}  // namespace sbc::sdp
