#include "control/sdp/sdp_attributes.h"

#include <array>

#include "control/sdp/sdp_text.h"

namespace sbc::sdp {

namespace {

constexpr std::array<std::string_view, 4> kDirectionNames = {"sendrecv", "sendonly", "recvonly",
                                                             "inactive"};

std::optional<std::uint8_t> parsePayloadType(std::string_view s) {
  auto pt = text::parseUnsigned(s, 127);
  if (!pt) return std::nullopt;
  return static_cast<std::uint8_t>(*pt);
}

}  // namespace

std::string_view directionName(Direction d) { return kDirectionNames[static_cast<std::size_t>(d)]; }

std::optional<Direction> directionFromName(std::string_view name) {
  for (std::size_t i = 0; i < kDirectionNames.size(); ++i)
    if (text::attributeNameIs(name, kDirectionNames[i])) return static_cast<Direction>(i);
  return std::nullopt;
}

Direction reversed(Direction d) {
  switch (d) {
    case Direction::SendOnly: return Direction::RecvOnly;
    case Direction::RecvOnly: return Direction::SendOnly;
    default: return d;
  }
}

bool sends(Direction d) { return d == Direction::SendRecv || d == Direction::SendOnly; }
bool receives(Direction d) { return d == Direction::SendRecv || d == Direction::RecvOnly; }

std::optional<RtpMap> RtpMap::parse(std::string_view value) {
  auto fields = text::splitFields(value);
  if (fields.size() != 2) return std::nullopt;
  auto pt = parsePayloadType(fields[0]);
  if (!pt) return std::nullopt;
  RtpMap map;
  map.payloadType = *pt;
  auto [encoding, rest] = text::splitOnce(fields[1], '/');
  if (encoding.empty()) return std::nullopt;
  map.encoding = encoding;
  if (rest) {
    auto [rate, parameters] = text::splitOnce(*rest, '/');
    auto clock = text::parseUnsigned(rate, UINT32_MAX);
    if (!clock || *clock == 0) return std::nullopt;
    map.clockRate = static_cast<std::uint32_t>(*clock);
    if (parameters) map.parameters = *parameters;
  }
  return map;
}

std::string RtpMap::toString() const {
  std::string s = std::to_string(payloadType) + " " + encoding;
  if (clockRate) s += "/" + std::to_string(clockRate);
  if (!parameters.empty()) s += "/" + parameters;
  return s;
}

std::optional<Fmtp> Fmtp::parse(std::string_view value) {
  std::size_t space = value.find(' ');
  auto pt = parsePayloadType(value.substr(0, space));
  if (!pt) return std::nullopt;
  Fmtp fmtp;
  fmtp.payloadType = *pt;
  if (space != std::string_view::npos) fmtp.parameters = text::trim(value.substr(space + 1));
  return fmtp;
}

std::optional<RtcpAttribute> RtcpAttribute::parse(std::string_view value) {
  auto fields = text::splitFields(value);
  if (fields.size() != 1 && fields.size() != 4) return std::nullopt;
  auto port = text::parseUnsigned(fields[0], 65535);
  if (!port) return std::nullopt;
  RtcpAttribute rtcp;
  rtcp.port = static_cast<std::uint16_t>(*port);
  if (fields.size() == 4) {
    std::string address = std::string(fields[1]) + " " + std::string(fields[2]) + " " +
                          std::string(fields[3]);
    rtcp.connection = Connection::parse(address);
    if (!rtcp.connection) return std::nullopt;
  }
  return rtcp;
}

std::string RtcpAttribute::toString() const {
  std::string s = std::to_string(port);
  if (connection) s += " " + connection->toString();
  return s;
}

std::optional<Crypto> Crypto::parse(std::string_view value) {
  auto fields = text::splitFields(value);
  if (fields.size() < 3) return std::nullopt;
  auto tag = text::parseUnsigned(fields[0], 999999999);
  if (!tag || !text::isToken(fields[1])) return std::nullopt;
  Crypto c;
  c.tag = static_cast<std::uint32_t>(*tag);
  c.suite = fields[1];
  c.keyParams = fields[2];
  for (std::size_t i = 3; i < fields.size(); ++i) {
    if (!c.sessionParams.empty()) c.sessionParams += ' ';
    c.sessionParams += fields[i];
  }
  return c;
}

std::string Crypto::toString() const {
  std::string s = std::to_string(tag) + " " + suite + " " + keyParams;
  if (!sessionParams.empty()) s += " " + sessionParams;
  return s;
}

std::optional<std::uint32_t> parseMilliseconds(std::string_view value) {
  auto [whole, fraction] = text::splitOnce(text::trim(value), '.');
  if (fraction && !fraction->empty() && !text::isDigits(*fraction)) return std::nullopt;
  auto ms = text::parseUnsigned(whole, 100000);
  if (!ms || *ms == 0) return std::nullopt;
  return static_cast<std::uint32_t>(*ms);
}

bool isIceAttribute(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kIce = {
      "candidate",         "remote-candidates", "ice-ufrag", "ice-pwd", "ice-options",
      "ice-lite",          "end-of-candidates", "ice-mismatch", "ice-pacing"};
  for (std::string_view ice : kIce)
    if (text::attributeNameIs(name, ice)) return true;
  return false;
}

}  // namespace sbc::sdp
