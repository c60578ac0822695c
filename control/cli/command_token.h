#pragma once
// One token of a command pattern, and how well a typed word fits it. The spelling of a token
// in the pattern decides its kind, as in FRR's command strings:
//   show, leg-a          keyword (lower case); any unique prefix of it is accepted
//   WORD, IFACE, NAME    any single word (an upper-case name of the operator's choosing)
//   LINE...              the rest of the line, at least one word (must come last)
//   (1-65535)            an unsigned number in that range
//   A.B.C.D  X:X::X:X    an IPv4 / IPv6 address
//   A.B.C.D/M X:X::X:X/M an IPv4 / IPv6 prefix (host bits kept)
//   ADDR:PORT            an address and UDP port: 198.18.0.1:4000 or [2001:db8::1]:4000
//   XX:XX:XX:XX:XX:XX    a MAC address
// A `$name` suffix names the value for the handler; without it the token's own text names it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sbc::control {

enum class TokenKind : uint8_t {
  kKeyword,
  kWord,
  kLine,
  kRange,
  kIpv4,
  kIpv6,
  kIpv4Prefix,
  kIpv6Prefix,
  kSocketAddress,
  kMac,
};

// How a word fits a token; lower is a better fit. When several commands take a line, the one
// that fits better at the first position where they differ wins (an exact keyword beats a
// number, which beats an abbreviation, which beats WORD).
enum class MatchRank : uint8_t {
  kExactKeyword,
  kTyped,
  kPartialKeyword,
  kWord,
  kLine,
  kNoMatch,
};

struct CommandToken {
  TokenKind kind = TokenKind::kKeyword;
  std::string text;  // as written, without $name: "show", "(1-65535)", "A.B.C.D"
  std::string name;  // what the handler asks for
  std::string help;
  uint64_t min = 0, max = 0;  // kRange only

  MatchRank match(std::string_view word) const;
};

// Reads one token's spelling ("ID", "(1-10)$count", "leg-a"); nullopt and `error` if invalid.
std::optional<CommandToken> parseCommandToken(std::string_view spelling, std::string& error);

}  // namespace sbc::control
