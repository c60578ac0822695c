#include "control/cli/command_pattern.h"

#include <set>

namespace sbc::control {

namespace {

bool isPunctuation(char c) {
  return c == '[' || c == ']' || c == '<' || c == '>' || c == '{' || c == '}' || c == '|';
}

std::vector<std::string> splitPattern(std::string_view pattern) {
  std::vector<std::string> pieces;
  size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (isPunctuation(c)) {
      pieces.emplace_back(1, c);
      ++i;
    } else {
      const size_t start = i;
      while (i < pattern.size() && pattern[i] != ' ' && pattern[i] != '\t' &&
             !isPunctuation(pattern[i]))
        ++i;
      pieces.emplace_back(pattern.substr(start, i - start));
    }
  }
  return pieces;
}

// Recursive descent over the pieces; each rule returns the token paths its part accepts.
class PatternCompiler {
 public:
  PatternCompiler(std::vector<std::string> pieces, CompiledPattern& out, std::string& error)
      : pieces_(std::move(pieces)), out_(out), error_(error) {}

  bool compile() {
    auto paths = sequence();
    if (!paths) return false;
    if (next_ < pieces_.size()) return fail("unexpected '" + pieces_[next_] + "'");
    out_.paths = std::move(*paths);
    return true;
  }

 private:
  using Paths = std::vector<TokenPath>;

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  bool atEnd() const { return next_ >= pieces_.size(); }
  const std::string& peek() const { return pieces_[next_]; }

  // Elements until a closing bracket, '|' or the end.
  std::optional<Paths> sequence() {
    Paths result{TokenPath{}};
    while (!atEnd()) {
      const std::string& piece = peek();
      if (piece == "]" || piece == ">" || piece == "}" || piece == "|") break;
      auto element = this->element();
      if (!element) return std::nullopt;
      Paths combined;
      if (result.size() * element->size() > CompiledPattern::kMaxPaths) {
        fail("pattern expands to more than " + std::to_string(CompiledPattern::kMaxPaths) +
             " paths");
        return std::nullopt;
      }
      for (const auto& head : result)
        for (const auto& tail : *element) {
          TokenPath path = head;
          path.insert(path.end(), tail.begin(), tail.end());
          combined.push_back(std::move(path));
        }
      result = std::move(combined);
    }
    return result;
  }

  std::optional<Paths> element() {
    const std::string piece = pieces_[next_++];
    if (piece == "[" || piece == "<" || piece == "{") {
      const std::string closer = piece == "[" ? "]" : piece == "<" ? ">" : "}";
      auto alternatives = this->alternatives(closer);
      if (!alternatives) return std::nullopt;
      if (piece == "{") return anyOrder(*alternatives);
      Paths result;
      for (auto& alternative : *alternatives)
        result.insert(result.end(), alternative.begin(), alternative.end());
      if (piece == "[") result.push_back({});
      return result;
    }
    std::string error;
    auto token = parseCommandToken(piece, error);
    if (!token) {
      fail(error);
      return std::nullopt;
    }
    out_.tokens.push_back(std::make_unique<CommandToken>(std::move(*token)));
    return Paths{TokenPath{out_.tokens.back().get()}};
  }

  // a|b|c up to `closer`; each alternative must accept something.
  std::optional<std::vector<Paths>> alternatives(const std::string& closer) {
    std::vector<Paths> result;
    while (true) {
      auto alternative = sequence();
      if (!alternative) return std::nullopt;
      for (const auto& path : *alternative)
        if (path.empty()) {
          fail("empty alternative before '" + closer + "'");
          return std::nullopt;
        }
      result.push_back(std::move(*alternative));
      if (atEnd()) {
        fail("missing '" + closer + "'");
        return std::nullopt;
      }
      const std::string piece = pieces_[next_++];
      if (piece == closer) return result;
      if (piece != "|") {
        fail("'" + piece + "' where '" + closer + "' or '|' was expected");
        return std::nullopt;
      }
    }
  }

  // Every non-empty ordered selection of the alternatives, each used at most once.
  std::optional<Paths> anyOrder(const std::vector<Paths>& groups) {
    Paths result;
    std::vector<bool> used(groups.size(), false);
    bool tooMany = false;
    auto extend = [&](auto& self, const TokenPath& prefix) -> void {
      for (size_t g = 0; g < groups.size() && !tooMany; ++g) {
        if (used[g]) continue;
        used[g] = true;
        for (const auto& path : groups[g]) {
          TokenPath longer = prefix;
          longer.insert(longer.end(), path.begin(), path.end());
          result.push_back(longer);
          if (result.size() > CompiledPattern::kMaxPaths) tooMany = true;
          self(self, longer);
        }
        used[g] = false;
      }
    };
    extend(extend, {});
    if (tooMany) {
      fail("pattern expands to more than " + std::to_string(CompiledPattern::kMaxPaths) +
           " paths");
      return std::nullopt;
    }
    return result;
  }

  std::vector<std::string> pieces_;
  size_t next_ = 0;
  CompiledPattern& out_;
  std::string& error_;
};

bool checkPaths(const CompiledPattern& compiled, std::string& error) {
  for (const auto& path : compiled.paths) {
    if (path.empty()) {
      error = "pattern accepts an empty line";
      return false;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i]->kind == TokenKind::kLine && i + 1 != path.size()) {
        error = "'" + path[i]->text + "' must be the last token";
        return false;
      }
      if (!names.insert(path[i]->name).second) {
        error = "name '" + path[i]->name + "' used twice on one path; add $names";
        return false;
      }
    }
  }
  return true;
}

// Paths with the same first tokens share nodes; a node's children keep the order in which the
// paths meet them, so choices are listed as the pattern writes them.
void buildTree(CompiledPattern& compiled) {
  compiled.nodes.assign(1, PatternNode{});
  for (uint32_t p = 0; p < compiled.paths.size(); ++p) {
    uint32_t at = 0;
    for (const CommandToken* token : compiled.paths[p]) {
      uint32_t next = PatternNode::kNoPath;
      for (uint32_t child : compiled.nodes[at].children)
        if (compiled.nodes[child].token == token) next = child;
      if (next == PatternNode::kNoPath) {
        next = static_cast<uint32_t>(compiled.nodes.size());
        compiled.nodes.push_back(PatternNode{token, {}, PatternNode::kNoPath});
        compiled.nodes[at].children.push_back(next);
      }
      at = next;
    }
    if (compiled.nodes[at].path == PatternNode::kNoPath) compiled.nodes[at].path = p;
  }
}

}  // namespace

std::optional<CompiledPattern> compilePattern(std::string_view pattern, std::string& error) {
  error.clear();
  CompiledPattern compiled;
  PatternCompiler compiler(splitPattern(pattern), compiled, error);
  if (!compiler.compile() || !checkPaths(compiled, error)) return std::nullopt;
  buildTree(compiled);
  return compiled;
}

}  // namespace sbc::control
