#pragma once
// A parsed SIP message as JSON, for `sbcctl parse sip` and for tools that want to look inside a
// message without a SIP parser of their own.
//
//   {"kind":"request","method":"INVITE","requestUri":"sip:bob@example.com","uri":{...},
//    "version":"SIP/2.0",
//    "headers":[{"name":"Via","value":"SIP/2.0/UDP ...","via":[{...}]}, ...],
//    "bodyLength":150,"body":"v=0\r\n..."}
//
// A response has "statusCode" and "reasonPhrase" in place of method and URIs. Every header
// appears in order with its name as received and its unfolded value; Via, From, To, Contact,
// Route, Record-Route, CSeq and Call-ID also carry their typed breakdown. The body is written
// as a JSON string (bytes that are not UTF-8 become U+FFFD; bodyLength is the true length).

#include <string>

#include "control/common/json_writer.h"
#include "control/sip/sip_headers.h"
#include "control/sip/sip_message.h"

namespace sbc::sip {

void writeMessageJson(control::JsonWriter& json, const Message& message);
std::string messageToJson(const Message& message);

// The pieces, for callers that render a single header or URI.
void writeUriJson(control::JsonWriter& json, const Uri& uri);
void writeNameAddrJson(control::JsonWriter& json, const NameAddr& nameAddr);
void writeViaJson(control::JsonWriter& json, const Via& via);

}  // namespace sbc::sip
