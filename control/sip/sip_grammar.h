#pragma once
// The lexical layer of the RFC 3261 section 25 grammar: character classes, hosts and IP
// addresses, quoted strings, numbers and comma lists. Shared by the start-line, header-field and
// URI scanners. Everything takes string_views and allocates nothing, because these checks run on
// every message the SBC receives.
//
// Header values reach these functions unfolded (sip_parser.cc turns every CRLF + WSP into one
// SP), so linear white space here is only SP and HT.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sbc::sip::grammar {

enum CharClass : std::uint16_t {
  kAlpha = 1 << 0,
  kDigit = 1 << 1,
  kHexDigit = 1 << 2,
  kTokenChar = 1 << 3,      // token: alphanum - . ! % * _ + ` ' ~
  kUnreserved = 1 << 4,     // alphanum and mark: - _ . ! ~ * ' ( )
  kUserExtra = 1 << 5,      // user-unreserved: & = + $ , ; ? /
  kPasswordExtra = 1 << 6,  // & = + $ ,
  kParamExtra = 1 << 7,     // param-unreserved: [ ] / : & + $
  kHeaderExtra = 1 << 8,    // hnv-unreserved: [ ] / ? : + $
  kWordChar = 1 << 9,       // word (Call-ID): token chars and ( ) < > : \ " / [ ] ? { }
  kReserved = 1 << 10,      // ; / ? : @ & = + $ ,
  kSchemeChar = 1 << 11,    // alphanum + - .
};

namespace detail {
constexpr std::array<std::uint16_t, 256> makeCharTable() {
  std::array<std::uint16_t, 256> table{};
  auto mark = [&table](std::string_view chars, std::uint16_t bits) {
    for (char c : chars) table[static_cast<unsigned char>(c)] |= bits;
  };
  for (int c = 'a'; c <= 'z'; ++c) table[c] |= kAlpha;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] |= kAlpha;
  for (int c = '0'; c <= '9'; ++c) table[c] |= kDigit | kHexDigit;
  mark("abcdefABCDEF", kHexDigit);
  for (int c = 0; c < 256; ++c) {
    if (table[c] & (kAlpha | kDigit)) {
      table[c] |= kTokenChar | kUnreserved | kWordChar | kSchemeChar;
    }
  }
  mark("-.!%*_+`'~", kTokenChar | kWordChar);
  mark("-_.!~*'()", kUnreserved);
  mark("&=+$,;?/", kUserExtra);
  mark("&=+$,", kPasswordExtra);
  mark("[]/:&+$", kParamExtra);
  mark("[]/?:+$", kHeaderExtra);
  mark("()<>:\\\"/[]?{}", kWordChar);
  mark(";/?:@&=+$,", kReserved);
  mark("+-.", kSchemeChar);
  return table;
}
inline constexpr std::array<std::uint16_t, 256> kCharTable = makeCharTable();
}  // namespace detail

inline bool has(char c, std::uint16_t classes) {
  return (detail::kCharTable[static_cast<unsigned char>(c)] & classes) != 0;
}
inline bool isWsp(char c) { return c == ' ' || c == '\t'; }
inline bool isDigit(char c) { return c >= '0' && c <= '9'; }
inline char toLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline char toUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b);

// Non-empty and made only of characters of `classes`.
bool allOf(std::string_view text, std::uint16_t classes);
// Non-empty and made of characters of `classes` or %HH escapes; a '%' not followed by two hex
// digits fails.
bool allOfOrEscaped(std::string_view text, std::uint16_t classes);
inline bool isToken(std::string_view text) { return allOf(text, kTokenChar); }
inline bool isWord(std::string_view text) { return allOf(text, kWordChar); }

inline std::string_view trimWsp(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && isWsp(text[begin])) ++begin;
  while (end > begin && isWsp(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}
inline std::size_t skipWsp(std::string_view text, std::size_t pos) {
  while (pos < text.size() && isWsp(text[pos])) ++pos;
  return pos;
}
// The end of the run of characters of `classes` starting at pos.
inline std::size_t skipClass(std::string_view text, std::size_t pos, std::uint16_t classes) {
  while (pos < text.size() && has(text[pos], classes)) ++pos;
  return pos;
}

// text[pos] is '"': the position just after the closing quote of the quoted-string, or npos
// when it is unterminated or holds a byte that neither qdtext nor quoted-pair allows (a bare
// control byte; quoted-pair admits %x00-09 / %x0B-0C / %x0E-7F after a backslash).
std::size_t quotedStringEnd(std::string_view text, std::size_t pos);
bool isQuotedString(std::string_view text);

// 1*DIGIT. False for anything else (an empty text, a sign, blanks). A value beyond 64 bits
// saturates at UINT64_MAX so callers can still say "too large".
bool parseDecimal(std::string_view text, std::uint64_t& value);

// RFC 3261 host = hostname / IPv4address / IPv6reference. hostname labels are limited to the
// DNS sizes (63 per label, 253 in all), IPv4 octets to 0..255.
bool isIPv4(std::string_view text);
// RFC 3261 IPv6address (eight groups, or fewer with one "::", an IPv4 tail allowed). The
// RFC 3261 ABNF also produces a third colon before an IPv4 tail ("2001:db8:::192.0.2.1");
// RFC 5118 section 4.8 asks receivers to tolerate that, and so does this.
bool isIPv6(std::string_view text);
bool isIPv6Reference(std::string_view text);  // "[" IPv6address "]"
bool isHostname(std::string_view text);
bool isHost(std::string_view text);

// gen-value = token / host / quoted-string (generic-param values).
bool isGenericValue(std::string_view text);

// Calls fn(element) for every element of a comma-separated header value, split at commas that
// are outside quoted strings and angle brackets; each element is trimmed of SP/HT, and empty
// elements are passed too (so that a caller can refuse ",,"). Stops when fn returns false and
// returns false then.
template <typename Fn>
bool forEachListElement(std::string_view value, Fn&& fn) {
  bool quoted = false;
  bool inAngle = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (quoted) {
      if (c == '\\' && i + 1 < value.size()) ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      inAngle = true;
    } else if (c == '>') {
      inAngle = false;
    } else if (c == ',' && !inAngle) {
      if (!fn(trimWsp(value.substr(start, i - start)))) return false;
      start = i + 1;
    }
  }
  return fn(trimWsp(value.substr(start)));
}

}  // namespace sbc::sip::grammar
