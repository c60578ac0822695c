#pragma once
// What can still be read from a request that failed to parse, so that the sender hears why
// (RFC 3261 8.2 and 21.4.1: a 400 with a Warning) instead of retransmitting into silence.

#include <optional>
#include <string_view>

#include "control/sip/sip_message.h"

namespace sbc::sip {

// A request holding the start line's method and Request-URI and the Via, From, To, Call-ID
// and CSeq fields as they were written (control octets left out), enough to build a response
// with makeResponse(). Any start line that is not a response's counts, even one without a
// method; From, To and Call-ID may be missing, as in a request that parsed (RFC 4475 3.3.1
// insuf: "ideally, it will respond with a 400"). Nullopt when the bytes are a response, an
// ACK (never answered), or lack a Via or a CSeq: then there is nobody to answer or no way for
// the sender to match the answer.
std::optional<Message> salvageRequestForError(std::string_view bytes);

// A Warning value (RFC 3261 20.43) with code 399 (miscellaneous): `agent` is our host:port.
std::string miscWarning(std::string_view agent, std::string_view text);

}  // namespace sbc::sip
