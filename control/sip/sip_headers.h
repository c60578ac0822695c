#pragma once
// Typed views of the header fields the stack works with, parsed from (and rendered back to) the
// text values a Message holds. Each parse function returns nullopt for a value that does not
// follow its grammar.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sbc::sip {

struct Param {
  std::string name;   // as written
  std::string value;  // "" for a flag parameter (";lr")
  bool hasValue = false;
};
// The value of the first parameter with this name (case-insensitive), if present.
std::optional<std::string_view> findParam(const std::vector<Param>& params, std::string_view name);
void setParam(std::vector<Param>& params, std::string_view name, std::string_view value);
void removeParam(std::vector<Param>& params, std::string_view name);

// sip:, sips: and tel: URIs (RFC 3261 19.1, RFC 3966); any other absoluteURI is kept opaque.
struct Uri {
  std::string scheme;    // lower case: "sip", "sips", "tel", or another scheme
  std::string user;      // escaped as written ("" when absent); for tel: the number
  std::string password;
  std::string host;      // IPv6 references keep their brackets: "[2001:db8::1]"
  std::uint16_t port = 0;  // 0: absent
  std::vector<Param> params;
  std::string headers;   // after '?', as written, without the '?'
  std::string opaque;    // schemes other than sip/sips/tel: everything after "scheme:"

  bool isSip() const { return scheme == "sip" || scheme == "sips"; }
  // The host without brackets ("2001:db8::1").
  std::string hostWithoutBrackets() const;
  std::string str() const;
};
std::optional<Uri> parseUri(std::string_view text);
// The user part with %XX escapes decoded (for ANI/DNIS).
std::string unescapeUser(std::string_view user);

// name-addr / addr-spec with header parameters: From, To, Contact, Route, Record-Route,
// P-Asserted-Identity, Refer-To, Referred-By.
struct NameAddr {
  std::string displayName;  // as written, quotes included where it was quoted
  Uri uri;
  bool angleBrackets = true;  // false when written as a bare addr-spec
  std::vector<Param> params;  // header parameters (after the URI): tag, expires, q, ...
  std::optional<std::string_view> tag() const { return findParam(params, "tag"); }
  std::string str() const;
};
std::optional<NameAddr> parseNameAddr(std::string_view text);
// A Contact value may also be "*" (REGISTER); that returns nullopt here.

struct Via {
  std::string protocol = "SIP/2.0";
  std::string transport;  // upper case: "UDP", "TCP", "TLS", "SCTP", "WS", "WSS"
  std::string host;       // IPv6 with brackets
  std::uint16_t port = 0; // 0: absent
  std::vector<Param> params;
  std::optional<std::string_view> branch() const { return findParam(params, "branch"); }
  std::string str() const;
};
std::optional<Via> parseVia(std::string_view text);

struct CSeq {
  std::uint32_t number = 0;  // < 2^31 (RFC 3261 8.1.1.5)
  std::string method;
  std::string str() const;
};
std::optional<CSeq> parseCSeq(std::string_view text);

// RAck (RFC 3262): response-num CSeq-num Method.
struct RAck {
  std::uint32_t rseq = 0;
  std::uint32_t cseq = 0;
  std::string method;
};
std::optional<RAck> parseRAck(std::string_view text);

// Session-Expires (RFC 4028): delta-seconds [;refresher=uac|uas].
struct SessionExpires {
  std::uint32_t seconds = 0;
  std::string refresher;  // "", "uac" or "uas"
};
std::optional<SessionExpires> parseSessionExpires(std::string_view text);

// A comma-separated token list (Require, Supported, Allow): lower-cased for options tags.
std::vector<std::string> parseTokenList(std::string_view text);

// Decimal that fits 32 bits, nothing else around it but blanks.
std::optional<std::uint32_t> parseUnsigned(std::string_view text);

// Case-insensitive ASCII compare, for tokens and header names.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace sbc::sip
