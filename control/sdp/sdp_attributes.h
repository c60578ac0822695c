#pragma once
// Typed views of the attribute values the SBC reads or writes. Each parse() returns nullopt for
// a value it cannot read; callers treat such an attribute as absent (RFC 8866 section 5.13:
// attributes that are not understood are ignored), so a peer's odd attribute never fails a call.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "control/sdp/sdp_connection.h"

namespace sbc::sdp {

// RFC 3264 section 5.1 / RFC 8866 section 6.7.
enum class Direction : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };

std::string_view directionName(Direction d);  // "sendrecv", ...
// For an attribute name; nullopt when the name is not one of the four.
std::optional<Direction> directionFromName(std::string_view name);
// What the other side of a stream sees: sendonly <-> recvonly, the others unchanged.
Direction reversed(Direction d);
bool sends(Direction d);     // sendrecv or sendonly
bool receives(Direction d);  // sendrecv or recvonly

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
struct RtpMap {
  std::uint8_t payloadType = 0;
  std::string encoding;          // as written; compare without regard to case
  std::uint32_t clockRate = 0;   // 0 where a peer left it out ("a=rtpmap:31 LPC")
  std::string parameters;        // channels for audio ("2"), "" when absent

  static std::optional<RtpMap> parse(std::string_view value);
  std::string toString() const;
};

// a=fmtp:<payload type> <format specific parameters>
struct Fmtp {
  std::uint8_t payloadType = 0;
  std::string parameters;

  static std::optional<Fmtp> parse(std::string_view value);
};

// a=rtcp:<port> [<nettype> <addrtype> <address>] (RFC 3605).
struct RtcpAttribute {
  std::uint16_t port = 0;
  std::optional<Connection> connection;

  static std::optional<RtcpAttribute> parse(std::string_view value);
  std::string toString() const;
};

// a=crypto:<tag> <crypto-suite> <key-params> [<session-params>] (RFC 4568 SDES).
struct Crypto {
  std::uint32_t tag = 0;
  std::string suite;          // "AES_CM_128_HMAC_SHA1_80"
  std::string keyParams;      // "inline:<key||salt>[|lifetime][|MKI:length]", ';'-joined
  std::string sessionParams;  // "" or the rest, as written

  static std::optional<Crypto> parse(std::string_view value);
  std::string toString() const;
  bool operator==(const Crypto&) const = default;
};

// a=ptime / a=maxptime in milliseconds. A fraction ("20.0") is accepted and dropped.
std::optional<std::uint32_t> parseMilliseconds(std::string_view value);

// The ICE attributes (RFC 8839) that carry a peer's addresses or credentials. The SBC anchors
// media at its own ports, so a peer's candidates would only mislead the other side.
bool isIceAttribute(std::string_view name);

}  // namespace sbc::sdp
