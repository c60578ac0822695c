#pragma once
// Writes a session description back to text: CRLF line ends, one SP between fields, the
// session header (v= o= s=), then each section's lines in model order and its a= lines last.
// A body parsed from RFC 8866 text with CRLF line ends renders back byte for byte.

#include <string>

#include "control/sdp/sdp_session.h"

namespace sbc::sdp {

std::string render(const SessionDescription& sdp);

}  // namespace sbc::sdp
