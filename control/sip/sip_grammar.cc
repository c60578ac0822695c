#include "control/sip/sip_grammar.h"

#include <limits>

namespace sbc::sip::grammar {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (toLower(a[i]) != toLower(b[i])) return false;
  return true;
}

bool allOf(std::string_view text, std::uint16_t classes) {
  if (text.empty()) return false;
  for (char c : text)
    if (!has(c, classes)) return false;
  return true;
}

bool allOfOrEscaped(std::string_view text, std::uint16_t classes) {
  if (text.empty()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return false;
      if (!has(text[i + 1], kHexDigit) || !has(text[i + 2], kHexDigit)) return false;
      i += 2;
    } else if (!has(text[i], classes)) {
      return false;
    }
  }
  return true;
}

std::size_t quotedStringEnd(std::string_view text, std::size_t pos) {
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= text.size()) return std::string_view::npos;
      const unsigned char escaped = static_cast<unsigned char>(text[i + 1]);
      if (escaped == 0x0a || escaped == 0x0d || escaped > 0x7f) return std::string_view::npos;
      ++i;
      continue;
    }
    // qdtext: LWS, %x21, %x23-5B, %x5D-7E and UTF8-NONASCII; no bare control bytes.
    if (c != ' ' && c != '\t' && (c < 0x20 || c == 0x7f)) return std::string_view::npos;
  }
  return std::string_view::npos;
}

bool isQuotedString(std::string_view text) {
  return !text.empty() && text[0] == '"' && quotedStringEnd(text, 0) == text.size();
}

bool parseDecimal(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  value = 0;
  for (char c : text) {
    if (!isDigit(c)) return false;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    value = (value > (kMax - digit) / 10) ? kMax : value * 10 + digit;
  }
  return true;
}

bool isIPv4(std::string_view text) {
  int octets = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    unsigned value = 0;
    while (i < text.size() && isDigit(text[i]) && i - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
    }
    if (i == start || value > 255) return false;
    ++octets;
    if (octets == 4) return i == text.size();
    if (i >= text.size() || text[i] != '.') return false;
    ++i;
  }
}

namespace {

// RFC 4291 section 2.2 text form: eight groups, or fewer around one "::", with an optional
// IPv4 tail that counts as two groups.
bool isIPv6TextForm(std::string_view text) {
  const std::size_t n = text.size();
  if (n < 2) return false;
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (text[0] == ':') {
    if (text[1] != ':') return false;
    compressed = true;
    i = 2;
    if (i == n) return true;
  }
  while (true) {
    std::size_t end = i;
    bool dotted = false;
    while (end < n && text[end] != ':') {
      if (text[end] == '.') dotted = true;
      ++end;
    }
    const std::string_view piece = text.substr(i, end - i);
    if (dotted) {
      if (end != n || !isIPv4(piece)) return false;
      groups += 2;
      break;
    }
    if (piece.empty() || piece.size() > 4 || !allOf(piece, kHexDigit)) return false;
    ++groups;
    if (end == n) break;
    if (end + 1 < n && text[end + 1] == ':') {
      if (compressed) return false;
      compressed = true;
      i = end + 2;
      if (i == n) break;
    } else {
      i = end + 1;
      if (i == n) return false;  // a single trailing colon
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

}  // namespace

bool isIPv6(std::string_view text) {
  if (isIPv6TextForm(text)) return true;
  // The RFC 3261 ABNF quirk: hexseq "::" followed by ":" IPv4address. Read it as "::" + IPv4.
  const std::size_t triple = text.find(":::");
  if (triple == std::string_view::npos || text.size() > 64) return false;
  const std::string_view tail = text.substr(triple + 3);
  if (tail.find(':') != std::string_view::npos || !isIPv4(tail)) return false;
  char repaired[64];
  const std::size_t head = triple + 2;
  text.copy(repaired, head);
  tail.copy(repaired + head, tail.size());
  return isIPv6TextForm(std::string_view(repaired, head + tail.size()));
}

bool isIPv6Reference(std::string_view text) {
  return text.size() > 2 && text.front() == '[' && text.back() == ']' &&
         isIPv6(text.substr(1, text.size() - 2));
}

bool isHostname(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);  // a fully qualified name
  if (text.empty() || text.size() > 253) return false;
  std::size_t labelStart = 0;
  while (true) {
    std::size_t end = text.find('.', labelStart);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view label = text.substr(labelStart, end - labelStart);
    if (label.empty() || label.size() > 63) return false;
    if (!has(label.front(), kAlpha | kDigit) || !has(label.back(), kAlpha | kDigit)) return false;
    for (char c : label)
      if (!has(c, kAlpha | kDigit) && c != '-') return false;
    if (end == text.size()) return has(label.front(), kAlpha);  // toplabel starts with ALPHA
    labelStart = end + 1;
  }
}

bool isHost(std::string_view text) {
  if (text.empty()) return false;
  if (text.front() == '[') return isIPv6Reference(text);
  return isIPv4(text) || isHostname(text);
}

bool isGenericValue(std::string_view text) {
  if (text.empty()) return false;
  if (text.front() == '"') return isQuotedString(text);
  if (text.front() == '[') return isIPv6Reference(text);
  return isToken(text);
}

}  // namespace sbc::sip::grammar
