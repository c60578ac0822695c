#pragma once
// The grammar shared by the four authentication header fields (Authorization,
// Proxy-Authorization, WWW-Authenticate, Proxy-Authenticate): RFC 3261 section 25.1, RFC 2617
// section 3.2, RFC 7235 section 2.1.
//
//   value      = scheme 1*LWS param *(COMMA param)
//   param      = token EQUAL ( token / quoted-string )
//
// One field holds one challenge or one set of credentials (RFC 3261 section 7.3.1 keeps these
// fields out of the comma-joining rule), so a value here is one scheme and its parameters.
// Parameter names compare case-insensitively; quoted-string values come back unescaped.
//
// Leniency, because carriers' equipment is old and varied: a parameter the grammar wants quoted
// may come as a bare value and the other way round (algorithm="MD5", nc="00000001",
// uri=sip:x@y), and empty list elements (",,", a trailing comma) are skipped. What is refused:
// an unterminated or control-byte quoted-string, a parameter without '=', a name that is not a
// token, a name given twice, more than kMaxAuthParams parameters, or a value longer than
// kMaxAuthHeaderLength in all. The token68 form of other schemes ("Basic dXNlcjpwYXNz") is not
// parsed: SIP uses Digest only (RFC 3261 section 22.4 forbids Basic).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbc::control {

inline constexpr std::size_t kMaxAuthHeaderLength = 8192;
inline constexpr std::size_t kMaxAuthParams = 32;

struct AuthParam {
  std::string name;   // as written
  std::string value;  // unescaped when it was quoted
  bool quoted = false;
};

struct AuthHeader {
  std::string scheme;  // as written ("Digest")
  std::vector<AuthParam> params;
  // The value of the parameter with this name (case-insensitive), if present.
  std::optional<std::string_view> param(std::string_view name) const;
};

// nullopt for a value that does not follow the grammar above.
std::optional<AuthHeader> parseAuthHeader(std::string_view text);

// `text` as a quoted-string: '"' and '\' escaped. Bytes that no quoted-string can carry (CR, LF,
// and the other controls but HTAB) are dropped, so a configured realm can never split a header.
std::string quotedString(std::string_view text);

}  // namespace sbc::control
