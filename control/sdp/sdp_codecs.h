#pragma once
// Codecs of an RTP media section: each payload type of the m= line with what its rtpmap and
// fmtp say, or, for a static payload type without rtpmap, what RFC 3551 assigns it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/sdp/sdp_attributes.h"
#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

struct Codec {
  std::uint8_t payloadType = 0;
  std::string encoding;         // "" for a dynamic payload type with no (readable) rtpmap
  std::uint32_t clockRate = 0;  // 0 where unknown
  std::string parameters;       // channels for audio, "" when not given
  std::string fmtp;             // the fmtp parameters, "" when none

  bool known() const { return !encoding.empty(); }
  // "PCMU/8000", "opus/48000/2"; "PT 101" when unknown.
  std::string name() const;
  bool isTelephoneEvent() const;  // RFC 4733
  bool isComfortNoise() const;    // RFC 3389 CN
  // False for the payload types that only ride along with a real codec: telephone-event, CN,
  // RED, FEC, retransmission. A stream needs at least one media codec to be of any use.
  bool isMediaCodec() const;
  // Same encoding (any case), clock rate and channels ("" counts as 1): whether two payload
  // types, possibly with different numbers, carry the same codec.
  bool sameCodecAs(const Codec& other) const;

  bool operator==(const Codec&) const = default;
};

// RFC 3551 section 6 static assignment; nullopt for unassigned and dynamic numbers.
std::optional<RtpMap> staticPayloadType(std::uint8_t payloadType);

// Every payload type of the m= line, in m= order (the order of preference). Empty for a
// non-RTP section.
std::vector<Codec> codecsOf(const MediaDescription& media);
std::optional<Codec> codecOf(const MediaDescription& media, std::uint8_t payloadType);

}  // namespace sbc::sdp
