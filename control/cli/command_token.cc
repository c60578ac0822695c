#include "control/cli/command_token.h"

#include <charconv>

#include "dataplane/config.h"
#include "dataplane/ip_address.h"

namespace sbc::control {

namespace {

using dataplane::IpAddress;
using dataplane::IpPrefix;
using dataplane::SocketAddress;

std::optional<uint64_t> parseUnsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool isKeywordSpelling(std::string_view s) {
  if (s.empty() || s.front() < 'a' || s.front() > 'z') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

bool isPlaceholderSpelling(std::string_view s) {
  if (s.empty() || s.front() < 'A' || s.front() > 'Z') return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

bool parseRange(std::string_view s, CommandToken& token) {
  if (s.size() < 5 || s.front() != '(' || s.back() != ')') return false;
  const std::string_view inner = s.substr(1, s.size() - 2);
  const size_t dash = inner.find('-');
  if (dash == std::string_view::npos) return false;
  auto low = parseUnsigned(inner.substr(0, dash));
  auto high = parseUnsigned(inner.substr(dash + 1));
  if (!low || !high || *low > *high) return false;
  token.min = *low;
  token.max = *high;
  return true;
}

}  // namespace

MatchRank CommandToken::match(std::string_view word) const {
  auto typed = [](bool fits) { return fits ? MatchRank::kTyped : MatchRank::kNoMatch; };
  switch (kind) {
    case TokenKind::kKeyword:
      if (word == text) return MatchRank::kExactKeyword;
      if (!word.empty() && text.starts_with(word)) return MatchRank::kPartialKeyword;
      return MatchRank::kNoMatch;
    case TokenKind::kWord:
      return MatchRank::kWord;
    case TokenKind::kLine:
      return MatchRank::kLine;
    case TokenKind::kRange: {
      auto value = parseUnsigned(word);
      return typed(value && *value >= min && *value <= max);
    }
    case TokenKind::kIpv4: {
      auto ip = IpAddress::parse(word);
      return typed(ip && ip->isV4());
    }
    case TokenKind::kIpv6: {
      auto ip = IpAddress::parse(word);
      return typed(ip && ip->isV6());
    }
    case TokenKind::kIpv4Prefix: {
      auto prefix = IpPrefix::parse(word);
      return typed(prefix && prefix->address.isV4());
    }
    case TokenKind::kIpv6Prefix: {
      auto prefix = IpPrefix::parse(word);
      return typed(prefix && prefix->address.isV6());
    }
    case TokenKind::kSocketAddress:
      return typed(SocketAddress::parse(word).has_value());
    case TokenKind::kMac:
      return typed(dataplane::parseMac(std::string(word)).has_value());
  }
  return MatchRank::kNoMatch;
}

std::optional<CommandToken> parseCommandToken(std::string_view spelling, std::string& error) {
  CommandToken token;
  std::string_view text = spelling;
  const size_t dollar = spelling.find('$');
  if (dollar != std::string_view::npos) {
    text = spelling.substr(0, dollar);
    token.name = std::string(spelling.substr(dollar + 1));
    if (token.name.empty()) {
      error = "token '" + std::string(spelling) + "' has an empty $name";
      return std::nullopt;
    }
  }
  token.text = std::string(text);
  if (token.name.empty()) token.name = token.text;

  if (text == "A.B.C.D") token.kind = TokenKind::kIpv4;
  else if (text == "X:X::X:X") token.kind = TokenKind::kIpv6;
  else if (text == "A.B.C.D/M") token.kind = TokenKind::kIpv4Prefix;
  else if (text == "X:X::X:X/M") token.kind = TokenKind::kIpv6Prefix;
  else if (text == "ADDR:PORT") token.kind = TokenKind::kSocketAddress;
  else if (text == "XX:XX:XX:XX:XX:XX") token.kind = TokenKind::kMac;
  else if (text.ends_with("...") && isPlaceholderSpelling(text.substr(0, text.size() - 3)))
    token.kind = TokenKind::kLine;
  else if (parseRange(text, token)) token.kind = TokenKind::kRange;
  else if (isPlaceholderSpelling(text)) token.kind = TokenKind::kWord;
  else if (isKeywordSpelling(text)) token.kind = TokenKind::kKeyword;
  else {
    error = "token '" + std::string(spelling) + "' is neither a keyword nor a known placeholder";
    return std::nullopt;
  }
  return token;
}

}  // namespace sbc::control
