#pragma once
// The SIP parser (RFC 3261 section 25 grammar, with the strictness RFC 4475 asks for).
//
// parseDatagram() takes one UDP datagram: a message whose body is Content-Length octets (or the
// rest of the datagram where Content-Length is absent, RFC 3261 18.3); octets beyond
// Content-Length are ignored. StreamFramer cuts messages out of a TCP/TLS byte stream, where
// Content-Length is mandatory.
//
// A message is refused (ParseResult::error says why and where) when its start line, its framing
// or a header field that the stack relies on is malformed: Via, From, To, Call-ID, CSeq,
// Max-Forwards, Content-Length, Contact, Route, Record-Route, Expires and the Request-URI are
// checked against their grammar (sip_field_rules.h); other fields are kept as text. A message
// without Via or CSeq is refused too (it can be neither answered nor matched), as is a request
// whose CSeq method is not its own. What RFC 4475 leaves to the application (a missing To,
// From, Call-ID or Max-Forwards, repeated single fields, disagreeing Content-Lengths on a
// datagram) parses; headerSetFault() in sip_field_rules.h reports it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "control/sip/sip_message.h"

namespace sbc::sip {

ParseResult parseDatagram(std::string_view datagram);

// Cuts whole messages out of a stream. Feed it what the socket gave; take messages while
// next() has them. A framing fault (no or bad Content-Length, header section over the limit)
// is fatal for the connection: failed() turns true and the caller closes it; error() then has
// the reason, with offset and line 0 (the fault is in the message at the head of the stream).
class StreamFramer {
 public:
  static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

  void append(std::string_view bytes);
  // The next whole message (parsed), or nullopt when more bytes are needed or after a fault.
  // A message that frames correctly but does not parse comes back as a ParseResult with its
  // error set; the stream stays usable.
  std::optional<ParseResult> next();
  bool failed() const { return failed_; }
  const ParseError& error() const { return error_; }
  // The octets of what the last next() refused, so that the receiver can still answer it (400
  // with a Warning): the whole message when it framed but did not parse, the header section
  // when a framing fault was found in it (a bad Content-Length), else empty. Valid until the
  // next call of append() or next().
  std::string_view refusedBytes() const { return refused_; }

 private:
  std::optional<ParseResult> fatal(std::string reason, std::string_view headerSection = {});
  void compact();

  std::string buffer_;
  std::string refused_;
  bool failed_ = false;
  ParseError error_;
  std::size_t start_ = 0;        // where the next message begins in buffer_
  std::size_t scanned_ = 0;      // buffer_ up to here holds no end of the header section
  std::size_t messageSize_ = 0;  // the whole size of the message at start_, once known
};

}  // namespace sbc::sip
