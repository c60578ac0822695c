#pragma once
// The SDP parser (RFC 8866 section 9 grammar).
//
// Strict where a mistake would change what the SBC does with the media: v= o= s= must open the
// body in that order, t= must come before the first m=, r= must follow t=, the m= and c= lines
// are checked field by field, session-only lines (o= s= t= ...) may not appear in a media
// section, and an unknown line type refuses the whole body (RFC 8866 section 5). Lenient where
// peers commonly differ and no meaning changes: LF-only line ends, a missing final line end,
// blank lines at the end, runs of blanks between fields, an empty s=, non-numeric o= numbers,
// and i=/c=/b= appearing after t= or after a= lines (kept in received order; a= lines render
// last in their section). Attribute values are not checked here; the typed views in
// sdp_attributes.h report an attribute they cannot read as absent.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

// A body with more media sections is refused: it bounds what one offer can make the B2BUA
// allocate (ports, flows), and no peer of a contact center needs more.
inline constexpr std::size_t kMaxMediaSections = 32;
// RTP has 128 payload types, so a longer format list only repeats itself; the bound keeps the
// codec policy and answer checks, which compare lists pairwise, cheap on hostile input.
inline constexpr std::size_t kMaxFormatsPerMedia = 128;

struct ParseError {
  std::string reason;  // "m= port 70000 is out of range"
  unsigned line = 0;   // 1-based line number where the fault was found
};

struct ParseResult {
  std::optional<SessionDescription> sdp;  // set exactly when the body is valid
  ParseError error;
  bool ok() const { return sdp.has_value(); }
};

ParseResult parse(std::string_view body);

}  // namespace sbc::sdp
