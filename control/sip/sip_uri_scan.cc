// The URI grammars: SIP-URI / SIPS-URI (RFC 3261 19.1, 25.1), tel: (RFC 3966) and, for any other
// scheme, absoluteURI (RFC 2396) kept opaque.

#include "control/sip/sip_header_scan.h"

namespace sbc::sip::scan {
namespace {

using namespace grammar;
constexpr auto npos = std::string_view::npos;

Fault checkUriParams(std::string_view params) {
  return forEachParam(params, false, [](std::string_view, std::string_view, bool) -> Fault {
    return {};
  });
}

// headers = "?" header *( "&" header ); header = hname "=" hvalue. hvalue may be empty.
Fault checkUriHeaders(std::string_view headers) {
  if (headers.empty()) return "URI has '?' but no headers";
  std::size_t start = 0;
  while (true) {
    std::size_t end = headers.find('&', start);
    if (end == npos) end = headers.size();
    const std::string_view header = headers.substr(start, end - start);
    const std::size_t equals = header.find('=');
    if (equals == npos || equals == 0) return "URI header is not name=value";
    if (!allOfOrEscaped(header.substr(0, equals), kHeaderExtra | kUnreserved))
      return "invalid character in a URI header name";
    const std::string_view value = header.substr(equals + 1);
    if (!value.empty() && !allOfOrEscaped(value, kHeaderExtra | kUnreserved))
      return "invalid character in a URI header value";
    if (end == headers.size()) return {};
    start = end + 1;
  }
}

Fault parsePort(std::string_view digits, std::uint16_t& port) {
  std::uint64_t value = 0;
  if (!parseDecimal(digits, value)) return "URI port is not a number";
  if (value == 0 || value > 65535) return "URI port out of range 1..65535";
  port = static_cast<std::uint16_t>(value);
  return {};
}

// hostport [ uri-parameters ] [ headers ], after the userinfo.
Fault scanHostPortAndRest(std::string_view rest, UriView& out) {
  std::size_t i = 0;
  if (!rest.empty() && rest[0] == '[') {
    const std::size_t close = rest.find(']');
    if (close == npos) return "URI IPv6 reference has no closing ']'";
    out.host = rest.substr(0, close + 1);
    if (!isIPv6Reference(out.host)) return "URI host is not a valid IPv6 reference";
    i = close + 1;
  } else {
    while (i < rest.size() && rest[i] != ':' && rest[i] != ';' && rest[i] != '?') ++i;
    out.host = rest.substr(0, i);
    if (out.host.empty()) return "URI has no host";
    if (!isIPv4(out.host) && !isHostname(out.host)) {
      // "sip:2001:db8::10" (RFC 5118 4.2): the colons give the unbracketed address away.
      const std::string_view after = rest.substr(i);
      if (!after.empty() && after[0] == ':' && after.substr(1).find(':') != npos)
        return "URI holds an IPv6 address that is not enclosed in [] (RFC 5118 4.2)";
      return "URI host is not a valid host name or IP address";
    }
  }
  if (i < rest.size() && rest[i] == ':') {
    std::size_t end = i + 1;
    while (end < rest.size() && rest[end] != ';' && rest[end] != '?') ++end;
    if (const Fault fault = parsePort(rest.substr(i + 1, end - i - 1), out.port); !fault.empty())
      return fault;
    i = end;
  }
  if (i < rest.size() && rest[i] == ';') {
    std::size_t end = i + 1;
    while (end < rest.size() && rest[end] != '?') ++end;
    out.params = rest.substr(i + 1, end - i - 1);
    if (const Fault fault = checkUriParams(out.params); !fault.empty()) return fault;
    i = end;
  }
  if (i < rest.size() && rest[i] == '?') {
    out.headers = rest.substr(i + 1);
    if (const Fault fault = checkUriHeaders(out.headers); !fault.empty()) return fault;
    i = rest.size();
  }
  if (i != rest.size()) return "unexpected character in URI";
  return {};
}

Fault scanSipUri(std::string_view rest, UriView& out) {
  // '@' cannot appear unescaped in the host, the parameters or the headers, so the first one
  // ends the userinfo; user and password may hold ';', '?' and ':' (RFC 4475 3.1.1.2).
  const std::size_t at = rest.find('@');
  if (at != npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    out.user = userinfo.substr(0, colon);
    if (out.user.empty()) return "URI has an empty user part";
    if (!allOfOrEscaped(out.user, kUnreserved | kUserExtra))
      return "invalid character in URI user part";
    if (colon != npos) {
      out.password = userinfo.substr(colon + 1);
      if (!out.password.empty() && !allOfOrEscaped(out.password, kUnreserved | kPasswordExtra))
        return "invalid character in URI password";
    }
    rest.remove_prefix(at + 1);
  }
  return scanHostPortAndRest(rest, out);
}

// telephone-subscriber (RFC 3966 3): a global "+digits" or a local number, with visual
// separators, then parameters.
Fault scanTelUri(std::string_view rest, UriView& out) {
  const std::size_t semicolon = rest.find(';');
  out.user = rest.substr(0, semicolon);
  std::string_view digits = out.user;
  const bool global = !digits.empty() && digits[0] == '+';
  if (global) digits.remove_prefix(1);
  bool sawDigit = false;
  for (char c : digits) {
    if (isDigit(c) || (!global && (has(c, kHexDigit) || c == '*' || c == '#'))) {
      sawDigit = true;
    } else if (c != '-' && c != '.' && c != '(' && c != ')') {
      return "invalid character in tel: number";
    }
  }
  if (!sawDigit) return "tel: URI has no number";
  if (semicolon != npos) {
    out.params = rest.substr(semicolon + 1);
    return checkUriParams(out.params);
  }
  return {};
}

// absoluteURI = scheme ":" ( hier-part / opaque-part ): every character a uric (reserved,
// unreserved or an escape). '[' and ']' are let through for IPv6 literals (RFC 2732).
Fault scanOpaque(std::string_view rest, UriView& out) {
  out.opaque = rest;
  if (rest.empty()) return "URI has nothing after the scheme";
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '%') {
      if (i + 2 >= rest.size() || !has(rest[i + 1], kHexDigit) || !has(rest[i + 2], kHexDigit))
        return "bad %-escape in URI";
      i += 2;
    } else if (!has(c, kReserved | kUnreserved) && c != '[' && c != ']') {
      return "invalid character in URI";
    }
  }
  return {};
}

}  // namespace

Fault scanUri(std::string_view text, UriView& out) {
  out = UriView{};
  if (text.empty()) return "empty URI";
  if (text.front() == '<') return "URI is enclosed in <> where a bare URI belongs";
  if (!has(text.front(), kAlpha)) return "URI does not start with a scheme";
  const std::size_t colon = skipClass(text, 0, kSchemeChar);
  if (colon == text.size() || text[colon] != ':') return "URI has no scheme";
  out.scheme = text.substr(0, colon);
  const std::string_view rest = text.substr(colon + 1);
  if (equalsIgnoreCase(out.scheme, "sip") || equalsIgnoreCase(out.scheme, "sips")) {
    out.kind = UriKind::Sip;
    return scanSipUri(rest, out);
  }
  if (equalsIgnoreCase(out.scheme, "tel")) {
    out.kind = UriKind::Tel;
    return scanTelUri(rest, out);
  }
  out.kind = UriKind::Other;
  return scanOpaque(rest, out);
}

}  // namespace sbc::sip::scan
