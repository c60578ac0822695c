#pragma once
// Which header fields the SIP stack relies on, and what each must look like.
//
// The parser refuses a message whose relied-on field breaks its grammar (checkFieldValue). What
// RFC 4475 leaves to the element above the parser — a request without To or From, or with two
// CSeq (3.3.1 insuf, 3.3.8 multi01), two different Content-Length values on a datagram
// (3.3.9 mcl01) — passes the parser and is reported by headerSetFault(), so that the
// transaction layer can answer 400 with a Warning that says why (headerSetFaultToRefuse()).

#include <string>
#include <string_view>

#include "control/sip/sip_message.h"

namespace sbc::sip {

// Whether the parser checks this field's value against its grammar: Via, From, To, Call-ID,
// CSeq, Max-Forwards, Content-Length, Contact, Route, Record-Route and Expires.
bool isCheckedField(HeaderId id);

// "" when `value` (unfolded and trimmed) follows the grammar of field `id`, else why not
// ("Via branch must be a token"). Fields that are not checked always pass.
std::string checkFieldValue(HeaderId id, std::string_view value);

// The first fault in the message's set of header fields, "" when there is none: a missing To,
// From, Call-ID, CSeq or Via (and Max-Forwards in a request, RFC 3261 8.1.1), or a second To,
// From, Call-ID, CSeq or Max-Forwards, or Content-Length values that disagree.
std::string headerSetFault(const Message& message);

// The header-set faults a server refuses a request for (400, RFC 4475 3.3.1 insuf, 3.3.8
// multi01, 3.3.9 mcl01 on a datagram): those of headerSetFault() but a missing Max-Forwards,
// which RFC 2543 peers leave out and RFC 4475 3.4.1 (inv2543) asks servers to accept.
std::string headerSetFaultToRefuse(const Message& request);

}  // namespace sbc::sip
