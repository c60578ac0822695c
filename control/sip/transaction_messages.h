#pragma once
// The messages that the transaction layer builds itself, and that a transaction user may build
// the same way: responses made from a request (RFC 3261 8.2.6), the ACK for a non-2xx final
// response (17.1.1.3) and the CANCEL of an INVITE (9.1).

#include <string>
#include <string_view>

#include "control/sip/sip_message.h"

namespace sbc::sip {

// A response to `request`: every Via in order, From, To (with `toTag` added where the To has
// no tag yet and `toTag` is not empty), Call-ID and CSeq; for a 100 also the Timestamp
// (8.2.6.1). No Contact, no body: the caller adds what the status needs.
Message makeResponse(const Message& request, int statusCode, std::string_view reasonPhrase,
                     std::string_view toTag = {});

// The ACK a client INVITE transaction sends for a 300-699 response: the Request-URI, Call-ID
// and From of the INVITE, the To of the response (it carries the UAS's tag), the INVITE's
// CSeq number with method ACK, the INVITE's top Via only (same branch, so the server
// transaction matches it) and the INVITE's Route header fields.
Message makeAckForNon2xx(const Message& invite, const Message& response);

// The CANCEL for an INVITE: Request-URI, Call-ID, From, To and CSeq number of the INVITE, CSeq
// method CANCEL, the INVITE's top Via only and its Route header fields.
Message makeCancel(const Message& invite);

// The tag parameter of a From or To value ("" when there is none or the value does not parse).
std::string tagOf(std::string_view nameAddrValue);

// "To" value with ";tag=<tag>" added when it has no tag yet.
std::string withTag(std::string_view nameAddrValue, std::string_view tag);

}  // namespace sbc::sip
