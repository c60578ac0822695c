#pragma once
// A command's pattern, compiled. Besides the tokens of command_token.h a pattern may hold
//   [a b]      an optional part
//   [a|b]      at most one of the alternatives
//   <a|b>      exactly one of the alternatives
//   {a|b}      one or more of the alternatives, in any order, each at most once
//              (write [{a|b}] for zero or more)
// and these nest. The pattern is expanded once, when the command is declared, into every
// sequence of tokens it accepts ("paths"), and the paths are merged into a tree by their common
// beginnings ("nodes"): matching a line walks down the tree a word at a time, so a line meets
// only the few alternatives that its words so far leave open, not every path (an acl rule line's
// pattern has thousands). Error messages, abbreviation and completion read the same tree. A
// pattern that would expand past kMaxPaths is refused.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/cli/command_token.h"

namespace sbc::control {

using TokenPath = std::vector<const CommandToken*>;

// One token at one place in the tree: the paths through it share everything before it.
struct PatternNode {
  static constexpr uint32_t kNoPath = 0xffffffffu;
  const CommandToken* token = nullptr;  // null at the root
  std::vector<uint32_t> children;       // node indices, in the order of the paths through them
  uint32_t path = kNoPath;              // the path that ends here, if one does
};

struct CompiledPattern {
  static constexpr size_t kMaxPaths = 4096;

  // In the order they are written; each gets one help string.
  std::vector<std::unique_ptr<CommandToken>> tokens;
  std::vector<TokenPath> paths;
  std::vector<PatternNode> nodes;  // nodes[0] is the root (no token)
};

// nullopt and `error` when the pattern is malformed: unbalanced brackets, an unknown token
// spelling, LINE... not last, a name used twice on one path, a path that is empty.
std::optional<CompiledPattern> compilePattern(std::string_view pattern, std::string& error);

}  // namespace sbc::control
