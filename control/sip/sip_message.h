#pragma once
// The SIP message model (RFC 3261 section 7), shared by the parser, the transaction layer and the
// B2BUA. A message keeps its header fields in order, as (name, value) pairs with the value
// unfolded and trimmed; typed views (Via, NameAddr, CSeq, Uri) are parsed on demand from those
// values by the functions in sip_headers.h. Owning strings keep the model simple: the B2BUA
// builds every message it sends afresh, so zero-copy views would buy little here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbc::sip {

// The header fields that the stack itself reads or writes. Every other field is kept as
// HeaderId::Other with its name as received. Compact forms (RFC 3261 section 7.3.3: i m e l f s
// k t v, plus o r b u from later RFCs) map to the same id.
enum class HeaderId : std::uint8_t {
  Other,
  Via,
  From,
  To,
  CallId,
  CSeq,
  Contact,
  MaxForwards,
  ContentLength,
  ContentType,
  ContentEncoding,
  Route,
  RecordRoute,
  Require,
  Supported,
  ProxyRequire,
  Unsupported,
  Allow,
  Expires,
  SessionExpires,
  MinSE,
  RSeq,
  RAck,
  PAssertedIdentity,
  ReferTo,
  ReferredBy,
  Event,
  SubscriptionState,
  Authorization,
  ProxyAuthorization,
  WwwAuthenticate,
  ProxyAuthenticate,
  RetryAfter,
  Warning,
  UserAgent,
  Server,
  Date,
  Accept,
  AllowEvents,
  Reason,
  Timestamp,
};

// The canonical (long) name, e.g. "Call-ID" for HeaderId::CallId; "" for Other.
std::string_view headerName(HeaderId id);
// The id of a name as received, compact forms and any letter case included.
HeaderId headerIdFromName(std::string_view name);

struct HeaderField {
  HeaderId id = HeaderId::Other;
  std::string name;   // as received (or the canonical name for fields the stack adds)
  std::string value;  // unfolded (each CRLF+WSP became one SP), leading/trailing blanks trimmed
};

class Message {
 public:
  // Start line. A request has a method; a response has a status code (100..699).
  bool isRequest() const { return statusCode == 0; }
  std::string method;      // requests: "INVITE", ... (case-sensitive, RFC 3261 7.1)
  std::string requestUri;  // requests: the Request-URI as written
  int statusCode = 0;      // responses
  std::string reasonPhrase;
  std::string version = "SIP/2.0";

  std::vector<HeaderField> headers;  // in order; a comma-joined line stays one field
  std::string body;                  // exactly Content-Length octets (or the datagram's rest)

  // The first field with this id, or nullptr.
  const HeaderField* find(HeaderId id) const;
  HeaderField* find(HeaderId id);
  // The first value with this id, or "" where there is none.
  std::string_view value(HeaderId id) const;
  // Every field of this id, in order.
  std::vector<const HeaderField*> findAll(HeaderId id) const;
  // Every value of this id with comma-separated lists split (quotes and <> respected), in
  // order: "Via: a, b" + "Via: c" gives {a, b, c}. Not for fields whose grammar holds commas
  // outside quotes (WWW-Authenticate and friends, Date).
  std::vector<std::string> values(HeaderId id) const;

  // Edits. add() appends; prepend() inserts before the first field of the same id (or at the
  // top); set() replaces every field of the id by one; remove() drops every field of the id.
  void add(HeaderId id, std::string value);
  void add(std::string name, std::string value);  // an extension header, kept as Other
  void prepend(HeaderId id, std::string value);
  void set(HeaderId id, std::string value);
  void remove(HeaderId id);
  void remove(std::string_view name);  // case-insensitive, compact forms included

  // The wire form: start line, every field as "Name: value", a Content-Length that matches the
  // body (added or corrected), an empty line and the body.
  std::string serialize() const;
};

// Where and why a message was refused.
struct ParseError {
  std::string reason;   // "Content-Length 9999 is larger than the 13 octets of body"
  std::size_t offset = 0;  // octet offset into the input where the fault was found
  unsigned line = 0;       // 1-based line number of that offset
  std::string header;      // the header field at fault, "" when it is the start line or framing
  // What a server answers a refused request with: 400, or 505 when the request names a SIP
  // version other than 2.0 (RFC 3261 8.2.2, RFC 4475 3.1.2.16). Responses are dropped instead.
  int responseCode = 400;
};

struct ParseResult {
  std::optional<Message> message;  // set exactly when the input is a valid message
  ParseError error;
  bool ok() const { return message.has_value(); }
};

}  // namespace sbc::sip
