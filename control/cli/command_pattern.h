#pragma once
// A command's pattern, compiled. Besides the tokens of command_token.h a pattern may hold
//   [a b]      an optional part
//   [a|b]      at most one of the alternatives
//   <a|b>      exactly one of the alternatives
//   {a|b}      one or more of the alternatives, in any order, each at most once
//              (write [{a|b}] for zero or more)
// and these nest. The pattern is expanded once, when the command is declared, into every
// sequence of tokens it accepts ("paths"): matching a line is then a walk along flat paths, and
// error messages, abbreviation and (later) completion all read the same structure. The grammars
// of a CLI are small; a pattern that would expand past kMaxPaths is refused.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/cli/command_token.h"

namespace sbc::control {

using TokenPath = std::vector<const CommandToken*>;

struct CompiledPattern {
  static constexpr size_t kMaxPaths = 4096;

  // In the order they are written; each gets one help string.
  std::vector<std::unique_ptr<CommandToken>> tokens;
  std::vector<TokenPath> paths;
};

// nullopt and `error` when the pattern is malformed: unbalanced brackets, an unknown token
// spelling, LINE... not last, a name used twice on one path, a path that is empty.
std::optional<CompiledPattern> compilePattern(std::string_view pattern, std::string& error);

}  // namespace sbc::control
