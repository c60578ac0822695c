// The owning typed headers of sip_headers.h. Parsing goes through the allocation-free scanners
// of sip_header_scan.h (the same ones the parser validates with), then copies the views out;
// str() writes the canonical form, which parses back to an equal value.

#include "control/sip/sip_headers.h"

#include <algorithm>

#include "control/sip/sip_grammar.h"
#include "control/sip/sip_header_scan.h"

namespace sbc::sip {
namespace {

using grammar::trimWsp;

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = grammar::toLower(c);
  return out;
}

std::string upperCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = grammar::toUpper(c);
  return out;
}

// The parameters of an already validated parameter section.
std::vector<Param> collectParams(std::string_view raw, bool headerParams) {
  std::vector<Param> params;
  if (raw.empty()) return params;
  scan::forEachParam(raw, headerParams,
                     [&params](std::string_view name, std::string_view value, bool hasValue) {
                       params.push_back({std::string(name), std::string(value), hasValue});
                       return scan::Fault{};
                     });
  return params;
}

void appendParams(std::string& out, const std::vector<Param>& params) {
  for (const Param& param : params) {
    out += ';';
    out += param.name;
    if (param.hasValue || !param.value.empty()) {
      out += '=';
      out += param.value;
    }
  }
}

Uri uriFromView(const scan::UriView& view) {
  Uri uri;
  uri.scheme = lowerCase(view.scheme);
  uri.user = view.user;
  uri.password = view.password;
  uri.host = view.host;
  uri.port = view.port;
  uri.params = collectParams(view.params, false);
  uri.headers = view.headers;
  uri.opaque = view.opaque;
  return uri;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return grammar::equalsIgnoreCase(a, b);
}

// --- parameters ------------------------------------------------------------------------------

std::optional<std::string_view> findParam(const std::vector<Param>& params,
                                          std::string_view name) {
  for (const Param& param : params)
    if (equalsIgnoreCase(param.name, name)) return std::string_view(param.value);
  return std::nullopt;
}

void setParam(std::vector<Param>& params, std::string_view name, std::string_view value) {
  for (Param& param : params) {
    if (equalsIgnoreCase(param.name, name)) {
      param.value = value;
      param.hasValue = !value.empty();
      return;
    }
  }
  params.push_back({std::string(name), std::string(value), !value.empty()});
}

void removeParam(std::vector<Param>& params, std::string_view name) {
  std::erase_if(params, [name](const Param& param) { return equalsIgnoreCase(param.name, name); });
}

// --- URI -------------------------------------------------------------------------------------

std::string Uri::hostWithoutBrackets() const {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return host.substr(1, host.size() - 2);
  return host;
}

std::string Uri::str() const {
  std::string out = scheme;
  out += ':';
  if (!isSip() && scheme != "tel") return out + opaque;
  if (scheme == "tel") {
    out += user;
  } else {
    if (!user.empty()) {
      out += user;
      if (!password.empty()) out.append(":").append(password);
      out += '@';
    }
    out += host;
    if (port != 0) out.append(":").append(std::to_string(port));
  }
  appendParams(out, params);
  if (!headers.empty()) out.append("?").append(headers);
  return out;
}

std::optional<Uri> parseUri(std::string_view text) {
  scan::UriView view;
  if (!scan::scanUri(text, view).empty()) return std::nullopt;
  return uriFromView(view);
}

std::string unescapeUser(std::string_view user) {
  std::string out;
  out.reserve(user.size());
  for (std::size_t i = 0; i < user.size(); ++i) {
    if (user[i] == '%' && i + 2 < user.size() && hexValue(user[i + 1]) >= 0 &&
        hexValue(user[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(user[i + 1]) * 16 + hexValue(user[i + 2]));
      i += 2;
    } else {
      out += user[i];
    }
  }
  return out;
}

// --- name-addr -------------------------------------------------------------------------------

std::string NameAddr::str() const {
  const std::string uriText = uri.str();
  // A bare addr-spec cannot carry a display name, and its URI must not hold , ; or ? (RFC 3261
  // section 20), so those always get angle brackets.
  const bool brackets = angleBrackets || !displayName.empty() ||
                        uriText.find_first_of(",;?") != std::string::npos;
  std::string out;
  if (!displayName.empty()) out.append(displayName).append(" ");
  if (brackets) out.append("<").append(uriText).append(">");
  else out += uriText;
  appendParams(out, params);
  return out;
}

std::optional<NameAddr> parseNameAddr(std::string_view text) {
  scan::NameAddrView view;
  if (!scan::scanNameAddr(text, view).empty()) return std::nullopt;
  NameAddr nameAddr;
  nameAddr.displayName = view.displayName;
  nameAddr.uri = uriFromView(view.uri);
  nameAddr.angleBrackets = view.angleBrackets;
  nameAddr.params = collectParams(view.params, true);
  return nameAddr;
}

// --- Via -------------------------------------------------------------------------------------

std::string Via::str() const {
  std::string out = protocol;
  out.append("/").append(transport).append(" ").append(host);
  if (port != 0) out.append(":").append(std::to_string(port));
  appendParams(out, params);
  return out;
}

std::optional<Via> parseVia(std::string_view text) {
  scan::ViaView view;
  if (!scan::scanVia(text, view).empty()) return std::nullopt;
  Via via;
  via.protocol = upperCase(view.protocolName) + "/" + std::string(view.protocolVersion);
  via.transport = upperCase(view.transport);
  via.host = view.host;
  via.port = view.port;
  via.params = collectParams(view.params, true);
  return via;
}

// --- CSeq, RAck, Session-Expires ---------------------------------------------------------------

std::string CSeq::str() const { return std::to_string(number) + " " + method; }

std::optional<CSeq> parseCSeq(std::string_view text) {
  scan::CSeqView view;
  if (!scan::scanCSeq(text, view).empty()) return std::nullopt;
  return CSeq{view.number, std::string(view.method)};
}

std::optional<RAck> parseRAck(std::string_view text) {
  // RAck = response-num LWS CSeq-num LWS Method (RFC 3262 7.2)
  const std::string_view t = trimWsp(text);
  std::size_t pos = 0;
  std::uint32_t numbers[2] = {0, 0};
  for (std::uint32_t& number : numbers) {
    const std::size_t end = grammar::skipClass(t, pos, grammar::kDigit);
    if (end >= t.size() || !grammar::isWsp(t[end])) return std::nullopt;
    const auto value = parseUnsigned(t.substr(pos, end - pos));
    if (!value) return std::nullopt;
    number = *value;
    pos = grammar::skipWsp(t, end);
  }
  const std::string_view method = t.substr(pos);
  if (numbers[0] == 0 || !grammar::isToken(method)) return std::nullopt;
  return RAck{numbers[0], numbers[1], std::string(method)};
}

std::optional<SessionExpires> parseSessionExpires(std::string_view text) {
  // Session-Expires = delta-seconds *(SEMI se-params) (RFC 4028 4)
  const std::string_view t = trimWsp(text);
  const std::size_t digitsEnd = grammar::skipClass(t, 0, grammar::kDigit);
  const auto seconds = parseUnsigned(t.substr(0, digitsEnd));
  if (!seconds) return std::nullopt;
  SessionExpires result{*seconds, ""};
  const std::size_t next = grammar::skipWsp(t, digitsEnd);
  if (next == t.size()) return result;
  if (t[next] != ';') return std::nullopt;
  const scan::Fault fault = scan::forEachParam(
      t.substr(next + 1), true,
      [&result](std::string_view name, std::string_view value, bool hasValue) -> scan::Fault {
        if (!equalsIgnoreCase(name, "refresher")) return scan::genericParam(name, value, hasValue);
        if (equalsIgnoreCase(value, "uac")) result.refresher = "uac";
        else if (equalsIgnoreCase(value, "uas")) result.refresher = "uas";
        else return "refresher must be uac or uas";
        return {};
      });
  if (!fault.empty()) return std::nullopt;
  return result;
}

// --- small values ------------------------------------------------------------------------------

std::vector<std::string> parseTokenList(std::string_view text) {
  std::vector<std::string> tokens;
  grammar::forEachListElement(text, [&tokens](std::string_view element) {
    if (!element.empty()) tokens.push_back(lowerCase(element));
    return true;
  });
  return tokens;
}

std::optional<std::uint32_t> parseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  if (!grammar::parseDecimal(trimWsp(text), value) || value > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

}  // namespace sbc::sip
