#pragma once
// Allocation-free scanners for the header grammars the stack relies on. Each fills a view of
// string_views into the text it was given and returns "" when the text follows the grammar,
// else a short static reason ("URI host is not a valid host name or IP address").
//
// The parser uses them to validate fields without building objects; sip_headers.cc uses the
// same scanners to build the owning types of sip_headers.h, so both always agree on what is
// valid.

#include <cstdint>
#include <string_view>

#include "control/sip/sip_grammar.h"

namespace sbc::sip::scan {

using Fault = std::string_view;  // "" when the text is well-formed

enum class UriKind : std::uint8_t { Sip, Tel, Other };

struct UriView {
  UriKind kind = UriKind::Other;
  std::string_view scheme;    // as written
  std::string_view user;      // sip: before '@' (up to ':'); tel: the number
  std::string_view password;  // sip: after ':' in the userinfo
  std::string_view host;      // IPv6 references with their brackets
  std::uint16_t port = 0;
  std::string_view params;    // after the first ';', without it ("" when none)
  std::string_view headers;   // after '?', without it
  std::string_view opaque;    // other schemes: everything after "scheme:"
};
Fault scanUri(std::string_view text, UriView& out);

struct NameAddrView {
  std::string_view displayName;  // trimmed; a quoted one keeps its quotes
  bool angleBrackets = false;
  UriView uri;
  std::string_view params;  // the header parameters after the first ';' (SWS allowed)
};
Fault scanNameAddr(std::string_view text, NameAddrView& out);

struct ViaView {
  std::string_view protocolName;
  std::string_view protocolVersion;
  std::string_view transport;
  std::string_view host;
  std::uint16_t port = 0;
  std::string_view params;  // after the first ';'
};
Fault scanVia(std::string_view text, ViaView& out);

struct CSeqView {
  std::uint32_t number = 0;
  std::string_view method;
};
Fault scanCSeq(std::string_view text, CSeqView& out);

// Calls fn(name, value, hasValue) -> Fault for every ';'-separated parameter in `text` (the part
// after the first ';') and stops at the first fault. Header parameters (headerParams) allow SWS
// around ';' and '=', have token names, and hand fn the raw value (a quoted string whole) to
// judge: genericParam() wants token / host / quoted-string, a Via "received" also takes a bare
// IPv6 address. URI parameters allow no blanks and are 1*paramchar with %HH escapes on both
// sides, which the scan itself checks.
template <typename Fn>
Fault forEachParam(std::string_view text, bool headerParams, Fn&& fn) {
  using namespace grammar;
  const std::uint16_t nameClass = headerParams ? kTokenChar : (kParamExtra | kUnreserved);
  auto skip = [&](std::size_t at) { return headerParams ? skipWsp(text, at) : at; };
  // The end of a name or URI value: a run of `classes` characters and %HH escapes (npos on a
  // broken escape).
  auto scanRun = [&](std::size_t at, std::uint16_t classes) {
    while (at < text.size()) {
      if (!headerParams && text[at] == '%') {
        if (at + 2 >= text.size() || !has(text[at + 1], kHexDigit) ||
            !has(text[at + 2], kHexDigit))
          return std::string_view::npos;
        at += 3;
      } else if (has(text[at], classes)) {
        ++at;
      } else {
        break;
      }
    }
    return at;
  };
  // A header parameter value runs to the next ';' or blank; the callback judges it (token,
  // host, quoted string, or what that parameter's own grammar asks).
  auto scanHeaderValue = [&](std::size_t at) {
    while (at < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[at]);
      if (c == ';' || c <= 0x20 || c == 0x7f) break;
      ++at;
    }
    return at;
  };
  std::size_t pos = 0;
  while (true) {
    pos = skip(pos);
    const std::size_t nameStart = pos;
    pos = scanRun(pos, nameClass);
    if (pos == std::string_view::npos) return "bad %-escape in a parameter";
    if (pos == nameStart) return "empty or malformed parameter";
    const std::string_view name = text.substr(nameStart, pos - nameStart);
    std::string_view value;
    bool hasValue = false;
    pos = skip(pos);
    if (pos < text.size() && text[pos] == '=') {
      pos = skip(pos + 1);
      const std::size_t valueStart = pos;
      if (headerParams && pos < text.size() && text[pos] == '"') {
        pos = quotedStringEnd(text, pos);
        if (pos == std::string_view::npos) return "unterminated quoted string in a parameter";
      } else {
        pos = headerParams ? scanHeaderValue(pos) : scanRun(pos, kParamExtra | kUnreserved);
        if (pos == std::string_view::npos) return "bad %-escape in a parameter";
      }
      if (pos == valueStart) return "parameter has '=' but no value";
      value = text.substr(valueStart, pos - valueStart);
      hasValue = true;
    }
    if (const Fault fault = fn(name, value, hasValue); !fault.empty()) return fault;
    pos = skip(pos);
    if (pos == text.size()) return {};
    if (text[pos] != ';') return "unexpected character after a parameter";
    ++pos;
  }
}

// A header parameter value that is not checked by name: token / host / quoted-string.
inline Fault genericParam(std::string_view, std::string_view value, bool hasValue) {
  if (hasValue && !grammar::isGenericValue(value)) return "parameter value is not a token";
  return {};
}

}  // namespace sbc::sip::scan
