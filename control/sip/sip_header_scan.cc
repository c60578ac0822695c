// The grammars of name-addr / addr-spec (From, To, Contact, Route, Record-Route), via-parm and
// CSeq (RFC 3261 section 25.1).

#include "control/sip/sip_header_scan.h"

namespace sbc::sip::scan {
namespace {

using namespace grammar;
constexpr auto npos = std::string_view::npos;

// A display-name token. Unquoted display names are tokens per RFC 3261; UTF-8 letters are let
// through as well: carriers send "Jürgen <sip:...>" and the SBC treats the display name as
// opaque text, so refusing the call would help nobody.
std::size_t skipDisplayToken(std::string_view text, std::size_t pos) {
  while (pos < text.size() &&
         (has(text[pos], kTokenChar) || static_cast<unsigned char>(text[pos]) >= 0x80))
    ++pos;
  return pos;
}

Fault viaParam(std::string_view name, std::string_view value, bool hasValue) {
  if (equalsIgnoreCase(name, "branch")) {
    if (!hasValue || !isToken(value)) return "Via branch must be a token";
  } else if (equalsIgnoreCase(name, "received")) {
    // RFC 3261 wants IPv4address / IPv6address; RFC 5118 4.5 adds the bracketed form.
    if (!hasValue || !(isIPv4(value) || isIPv6(value) || isIPv6Reference(value)))
      return "Via received must be an IP address";
  } else if (equalsIgnoreCase(name, "ttl")) {
    std::uint64_t ttl = 0;
    if (!hasValue || value.size() > 3 || !parseDecimal(value, ttl) || ttl > 255)
      return "Via ttl must be a number 0..255";
  } else if (equalsIgnoreCase(name, "maddr")) {
    if (!hasValue || !isHost(value)) return "Via maddr must be a host";
  } else if (equalsIgnoreCase(name, "rport")) {
    std::uint64_t port = 0;
    if (hasValue && (!parseDecimal(value, port) || port == 0 || port > 65535))
      return "Via rport must be empty or a port number";  // RFC 3581
  } else {
    return genericParam(name, value, hasValue);
  }
  return {};
}

// <URI> after an optional display name, or a bare addr-spec. Sets `next` past the address.
Fault scanAngleUri(std::string_view t, std::size_t laquot, NameAddrView& out, std::size_t& next) {
  const std::size_t close = t.find('>', laquot + 1);
  if (close == npos) return "address has '<' but no closing '>'";
  const std::string_view uriText = t.substr(laquot + 1, close - laquot - 1);
  if (!uriText.empty() && (isWsp(uriText.front()) || isWsp(uriText.back())))
    return "whitespace inside <> around the URI";
  out.angleBrackets = true;
  next = close + 1;
  return scanUri(uriText, out.uri);
}

Fault scanBareAddrSpec(std::string_view t, NameAddrView& out, std::size_t& next) {
  std::size_t end = 0;
  while (end < t.size() && t[end] != ';' && !isWsp(t[end])) ++end;
  const std::string_view uriText = t.substr(0, end);
  // RFC 3261 section 20: a URI holding a comma, question mark or semicolon must be in <>;
  // outside them its ';' parameters are header parameters (RFC 4475 3.1.2.13).
  if (uriText.find('?') != npos) return "a URI with headers ('?') must be enclosed in <>";
  if (uriText.find(',') != npos) return "a URI with a comma must be enclosed in <>";
  out.angleBrackets = false;
  next = end;
  return scanUri(uriText, out.uri);
}

}  // namespace

Fault scanNameAddr(std::string_view text, NameAddrView& out) {
  out = NameAddrView{};
  const std::string_view t = trimWsp(text);
  if (t.empty()) return "empty address";
  std::size_t next = 0;
  Fault fault;
  if (t[0] == '"') {
    const std::size_t end = quotedStringEnd(t, 0);
    if (end == npos) return "unterminated or malformed quoted display name";
    out.displayName = t.substr(0, end);
    const std::size_t laquot = skipWsp(t, end);
    if (laquot >= t.size() || t[laquot] != '<')
      return "quoted display name is not followed by <URI>";
    fault = scanAngleUri(t, laquot, out, next);
  } else if (t[0] == '<') {
    fault = scanAngleUri(t, 0, out, next);
  } else {
    const std::size_t firstRun = skipClass(t, 0, kTokenChar);
    if (firstRun < t.size() && t[firstRun] == ':') {
      fault = scanBareAddrSpec(t, out, next);
    } else {
      // display-name = *(token LWS): the LWS before '<' may be missing (RFC 4475 3.1.1.6).
      std::size_t pos = 0;
      std::size_t nameEnd = 0;
      while (true) {
        const std::size_t runEnd = skipDisplayToken(t, pos);
        if (runEnd == pos) break;
        nameEnd = runEnd;
        pos = skipWsp(t, runEnd);
      }
      if (pos >= t.size() || t[pos] != '<') {
        if (pos < t.size() && t[pos] == ',') return "display name holds a comma but is not quoted";
        return "display name is neither a quoted string nor tokens before <URI>";
      }
      out.displayName = t.substr(0, nameEnd);
      fault = scanAngleUri(t, pos, out, next);
    }
  }
  if (!fault.empty()) return fault;
  next = skipWsp(t, next);
  if (next == t.size()) return {};
  if (t[next] != ';') return "unexpected text after the address";
  out.params = t.substr(next + 1);
  return forEachParam(out.params, true, genericParam);
}

Fault scanVia(std::string_view text, ViaView& out) {
  out = ViaView{};
  const std::string_view t = trimWsp(text);
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS
  std::string_view* parts[3] = {&out.protocolName, &out.protocolVersion, &out.transport};
  std::size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      i = skipWsp(t, i);
      if (i >= t.size() || t[i] != '/') return "malformed Via sent-protocol (expected SIP/2.0/transport)";
      i = skipWsp(t, i + 1);
    }
    const std::size_t start = i;
    i = skipClass(t, i, kTokenChar);
    if (i == start) return "malformed Via sent-protocol (expected SIP/2.0/transport)";
    *parts[part] = t.substr(start, i - start);
  }
  if (!equalsIgnoreCase(out.protocolName, "SIP")) return "Via protocol is not SIP";
  if (out.protocolVersion != "2.0") return "Via names a SIP version other than 2.0";
  if (i >= t.size() || !isWsp(t[i])) return "Via has no sent-by after the transport";
  i = skipWsp(t, i);

  const std::size_t hostStart = i;
  if (i < t.size() && t[i] == '[') {
    const std::size_t close = t.find(']', i);
    if (close == npos) return "Via IPv6 reference has no closing ']'";
    i = close + 1;
  } else {
    while (i < t.size() && t[i] != ':' && t[i] != ';' && !isWsp(t[i])) ++i;
  }
  out.host = t.substr(hostStart, i - hostStart);
  if (!isHost(out.host)) return "Via sent-by host is not a valid host name or IP address";
  i = skipWsp(t, i);
  if (i < t.size() && t[i] == ':') {
    i = skipWsp(t, i + 1);
    const std::size_t portStart = i;
    i = skipClass(t, i, kDigit);
    std::uint64_t port = 0;
    if (!parseDecimal(t.substr(portStart, i - portStart), port) || port == 0 || port > 65535)
      return "Via sent-by port is not a number 1..65535";
    out.port = static_cast<std::uint16_t>(port);
    i = skipWsp(t, i);
  }
  if (i == t.size()) return {};
  if (t[i] != ';') return "unexpected text after Via sent-by";
  out.params = t.substr(i + 1);
  return forEachParam(out.params, true, viaParam);
}

Fault scanCSeq(std::string_view text, CSeqView& out) {
  out = CSeqView{};
  const std::string_view t = trimWsp(text);
  const std::size_t digitsEnd = skipClass(t, 0, kDigit);
  std::uint64_t number = 0;
  if (!parseDecimal(t.substr(0, digitsEnd), number)) return "CSeq does not start with a number";
  if (number >= (std::uint64_t{1} << 31)) return "CSeq number out of range (must be below 2^31)";
  if (digitsEnd >= t.size() || !isWsp(t[digitsEnd])) return "CSeq has no method after the number";
  out.number = static_cast<std::uint32_t>(number);
  out.method = t.substr(skipWsp(t, digitsEnd));
  if (!isToken(out.method)) return "CSeq method is not a token";
  return {};
}

}  // namespace sbc::sip::scan
