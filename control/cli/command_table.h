#pragma once
// The command engine: commands are declared as patterns with one help string per token
// (command_pattern.h), and a typed line is matched against all of them at once. Keywords may
// be abbreviated to any unique prefix (IOS style); when nothing matches, the error names the
// word that did not fit and what would have fitted there. The same engine reads the
// configuration file (control/config) and serves the control socket.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "control/cli/command_args.h"
#include "control/cli/command_pattern.h"

namespace sbc::control {

// What a command prints; a non-empty `error` (one line, no "% ") means it failed.
struct CommandOutput {
  std::string text;
  std::string error;
  bool ok() const { return error.empty(); }
};

using CommandHandler = std::function<void(const CommandArgs& args, CommandOutput& out)>;

struct CommandSpec {
  std::string pattern;
  std::vector<std::string> help;  // one per token, in the order the tokens are written
  CommandHandler handler;
};

struct Command {
  std::string pattern;
  CompiledPattern compiled;
  CommandHandler handler;
};

// Listed among the choices where the line may end.
inline constexpr std::string_view kEndOfLine = "<cr>";

struct MatchError {
  enum class Kind : uint8_t {
    kUnknownWord,       // `word` fits nothing at `position`; `choices` would have
    kAmbiguousWord,     // `word` abbreviates every keyword in `choices`
    kIncomplete,        // the line stops early; `choices` may follow `word`
    kAmbiguousCommand,  // the line fits the patterns in `choices` equally well
  };
  Kind kind = Kind::kUnknownWord;
  size_t position = 0;  // 1-based index of `word` in the line
  std::string word;
  std::vector<std::string> choices;
};

// One thing that may be typed next, for Tab and `?`.
struct CommandChoice {
  std::string word;  // a keyword, a placeholder ("A.B.C.D/M", "(1-65535)") or <cr>
  std::string help;
  bool keyword = false;
  bool operator==(const CommandChoice&) const = default;
};

struct MatchResult {
  const Command* command = nullptr;  // null when the line did not match
  CommandArgs args;
  MatchError error;
  bool ok() const { return command != nullptr; }
};

class CommandTable {
 public:
  CommandTable() = default;
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

  // An error message when the declaration is malformed; the command is not added then.
  [[nodiscard]] std::string add(CommandSpec spec);
  // For the built-in grammars, where a malformed declaration is a bug: aborts with the message.
  void addOrDie(CommandSpec spec);

  // Lines are also matched against the commands of `other` (which must outlive this table),
  // as if they had been added here: a shell mode's own commands plus the shared ones.
  void include(const CommandTable& other) { included_.push_back(&other); }

  MatchResult match(const std::vector<std::string>& words) const;

  // What may stand at position words.size() after `words`, starting with `partial` (empty: any
  // word): keywords that `partial` abbreviates, placeholders it fits, and <cr> where the line
  // may end. In declaration order, each word once; the help is the first declaration's.
  std::vector<CommandChoice> choices(const std::vector<std::string>& words,
                                     std::string_view partial) const;

  // Splits, matches and runs one line. An empty line (or a comment) does nothing. Errors come
  // back in `error`, worded for the shell (see formatShellError).
  CommandOutput execute(std::string_view line) const;

  const std::vector<std::unique_ptr<Command>>& commands() const { return commands_; }

 private:
  // Every command of this table and the included ones, in declaration order.
  std::vector<const Command*> allCommands() const;

  std::vector<std::unique_ptr<Command>> commands_;
  std::vector<const CommandTable*> included_;
};

// "unknown word 'sesions' at position 2; expected: sessions, drops"
std::string formatShellError(const MatchError& error);
// A pattern as the operator reads it: the $names taken out.
std::string displayPattern(std::string_view pattern);
// "a, b, c"
std::string joinChoices(const std::vector<std::string>& choices);

}  // namespace sbc::control
