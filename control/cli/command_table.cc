#include "control/cli/command_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "control/cli/tokenizer.h"

namespace sbc::control {

namespace {

// One way a line may still fit: a command and the node of its pattern's tree that the words so
// far lead to (they fit the tokens on the way down from the root).
struct Candidate {
  const Command* command;
  uint32_t node;
  const PatternNode& at() const { return command->compiled.nodes[node]; }
  const CommandToken& childToken(uint32_t child) const { return *command->compiled.nodes[child].token; }
};

// A command whose path has ended: its LINE... token took the rest of the line, or the path
// ends where the line does.
struct Ended {
  const Command* command;
  const TokenPath* path;
};

void addChoice(std::vector<std::string>& choices, std::string_view choice) {
  if (std::find(choices.begin(), choices.end(), choice) == choices.end())
    choices.emplace_back(choice);
}

// What could stand next for the candidates still alive, in declaration order.
std::vector<std::string> choicesAfter(const std::vector<Candidate>& alive) {
  std::vector<std::string> choices;
  bool canEnd = false;
  for (const auto& candidate : alive) {
    for (uint32_t child : candidate.at().children) addChoice(choices, candidate.childToken(child).text);
    canEnd |= candidate.at().path != PatternNode::kNoPath;
  }
  if (canEnd) addChoice(choices, kEndOfLine);
  return choices;
}

std::vector<MatchRank> ranksOf(const TokenPath& path, const std::vector<std::string>& words) {
  std::vector<MatchRank> ranks;
  ranks.reserve(words.size());
  for (size_t i = 0; i < words.size(); ++i) {
    if (i >= path.size()) break;
    if (path[i]->kind == TokenKind::kLine) {
      ranks.resize(words.size(), MatchRank::kLine);
      break;
    }
    ranks.push_back(path[i]->match(words[i]));
  }
  return ranks;
}

// The candidates that fit `words`, and where they stopped fitting; `error` set when none.
struct Walk {
  std::vector<Candidate> alive;  // fit every word, with the tree going on or ending here
  std::vector<Ended> tookRest;   // a LINE... token took the rest
  bool failed = false;
  MatchError error;
};

Walk walk(const std::vector<const Command*>& commands, const std::vector<std::string>& words) {
  Walk w;
  for (const Command* command : commands) w.alive.push_back({command, 0});
  std::vector<Candidate> next;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    // An abbreviation must name one keyword among those that may stand here; a word that is
    // itself a keyword never counts as an abbreviation of a longer one.
    bool exactKeyword = false;
    std::vector<std::string> abbreviated;
    for (const auto& candidate : w.alive) {
      for (uint32_t child : candidate.at().children) {
        const CommandToken& token = candidate.childToken(child);
        if (token.kind != TokenKind::kKeyword) continue;
        const MatchRank rank = token.match(word);
        if (rank == MatchRank::kExactKeyword) exactKeyword = true;
        if (rank == MatchRank::kPartialKeyword) addChoice(abbreviated, token.text);
      }
    }
    const bool ambiguous = !exactKeyword && abbreviated.size() > 1;

    next.clear();
    for (const auto& candidate : w.alive) {
      for (uint32_t child : candidate.at().children) {
        const CommandToken& token = candidate.childToken(child);
        const MatchRank rank = token.match(word);
        if (rank == MatchRank::kNoMatch) continue;
        if (rank == MatchRank::kPartialKeyword && (exactKeyword || ambiguous)) continue;
        if (token.kind == TokenKind::kLine) {
          // LINE... is last on its path: the node holds that path.
          const uint32_t path = candidate.command->compiled.nodes[child].path;
          w.tookRest.push_back({candidate.command, &candidate.command->compiled.paths[path]});
        } else {
          next.push_back({candidate.command, child});
        }
      }
    }
    if (next.empty()) {
      if (!w.tookRest.empty()) {
        w.alive.clear();
        return w;
      }
      w.failed = true;
      w.error.position = i + 1;
      w.error.word = word;
      if (ambiguous) {
        w.error.kind = MatchError::Kind::kAmbiguousWord;
        w.error.choices = abbreviated;
      } else {
        w.error.kind = MatchError::Kind::kUnknownWord;
        w.error.choices = choicesAfter(w.alive);
      }
      return w;
    }
    std::swap(w.alive, next);
  }
  return w;
}

}  // namespace

std::vector<const Command*> CommandTable::allCommands() const {
  std::vector<const Command*> all;
  for (const auto& command : commands_) all.push_back(command.get());
  for (const CommandTable* other : included_)
    for (const Command* command : other->allCommands()) all.push_back(command);
  return all;
}

namespace {

CommandArgs bindArgs(const TokenPath& path, const std::vector<std::string>& words) {
  CommandArgs args;
  for (size_t i = 0; i < path.size(); ++i) {
    const CommandToken& token = *path[i];
    if (token.kind == TokenKind::kKeyword) {
      args.set(token.name, token.text);
    } else if (token.kind == TokenKind::kLine) {
      std::string rest = words[i];
      for (size_t k = i + 1; k < words.size(); ++k) rest += " " + words[k];
      args.set(token.name, std::move(rest));
    } else {
      args.set(token.name, words[i]);
    }
  }
  return args;
}

}  // namespace

std::string CommandTable::add(CommandSpec spec) {
  std::string error;
  auto compiled = compilePattern(spec.pattern, error);
  if (!compiled) return "'" + spec.pattern + "': " + error;
  if (spec.help.size() != compiled->tokens.size())
    return "'" + spec.pattern + "': " + std::to_string(compiled->tokens.size()) + " tokens but " +
           std::to_string(spec.help.size()) + " help strings";
  if (!spec.handler) return "'" + spec.pattern + "': no handler";
  for (size_t i = 0; i < spec.help.size(); ++i) compiled->tokens[i]->help = spec.help[i];
  auto command = std::make_unique<Command>();
  command->pattern = std::move(spec.pattern);
  command->compiled = std::move(*compiled);
  command->handler = std::move(spec.handler);
  commands_.push_back(std::move(command));
  return {};
}

void CommandTable::addOrDie(CommandSpec spec) {
  const std::string error = add(std::move(spec));
  if (!error.empty()) {
    std::fprintf(stderr, "bad command declaration: %s\n", error.c_str());
    std::abort();
  }
}

MatchResult CommandTable::match(const std::vector<std::string>& words) const {
  MatchResult result;
  Walk w = walk(allCommands(), words);
  if (w.failed) {
    result.error = std::move(w.error);
    return result;
  }
  std::vector<Ended> complete = std::move(w.tookRest);
  for (const auto& candidate : w.alive)
    if (const uint32_t path = candidate.at().path; path != PatternNode::kNoPath)
      complete.push_back({candidate.command, &candidate.command->compiled.paths[path]});
  if (complete.empty()) {
    MatchError& error = result.error;
    error.kind = MatchError::Kind::kIncomplete;
    error.position = words.size();
    error.word = words.empty() ? std::string() : words.back();
    error.choices = choicesAfter(w.alive);
    return result;
  }

  std::vector<std::vector<MatchRank>> ranks;
  ranks.reserve(complete.size());
  for (const auto& ended : complete) ranks.push_back(ranksOf(*ended.path, words));
  const size_t best = static_cast<size_t>(
      std::min_element(ranks.begin(), ranks.end()) - ranks.begin());
  std::vector<std::string> tied;
  for (size_t k = 0; k < complete.size(); ++k)
    if (ranks[k] == ranks[best]) addChoice(tied, displayPattern(complete[k].command->pattern));
  if (tied.size() > 1) {
    MatchError& error = result.error;
    error.kind = MatchError::Kind::kAmbiguousCommand;
    error.position = 1;
    error.word = words.front();
    error.choices = std::move(tied);
    return result;
  }
  result.command = complete[best].command;
  result.args = bindArgs(*complete[best].path, words);
  return result;
}

std::vector<CommandChoice> CommandTable::choices(const std::vector<std::string>& words,
                                                 std::string_view partial) const {
  std::vector<CommandChoice> out;
  Walk w = walk(allCommands(), words);
  if (w.failed) return out;
  auto add = [&out](CommandChoice choice) {
    for (const auto& have : out)
      if (have.word == choice.word) return;
    out.push_back(std::move(choice));
  };
  bool canEnd = false;
  for (const auto& candidate : w.alive) {
    canEnd |= candidate.at().path != PatternNode::kNoPath;
    for (uint32_t child : candidate.at().children) {
      const CommandToken& token = candidate.childToken(child);
      if (token.kind == TokenKind::kKeyword) {
        if (token.text.starts_with(partial)) add({token.text, token.help, true});
      } else if (partial.empty() || token.match(partial) != MatchRank::kNoMatch) {
        add({token.text, token.help, false});
      }
    }
  }
  for (const auto& ended : w.tookRest) {
    // Every further word belongs to the LINE... token.
    for (const CommandToken* token : *ended.path)
      if (token->kind == TokenKind::kLine) add({token->text, token->help, false});
    canEnd = true;
  }
  if (canEnd && partial.empty()) add({std::string(kEndOfLine), "Run the command", false});
  return out;
}

CommandOutput CommandTable::execute(std::string_view line) const {
  CommandOutput out;
  TokenizedLine tokenized = tokenizeLine(line);
  if (!tokenized.ok()) {
    out.error = tokenized.error + " at column " + std::to_string(tokenized.errorColumn);
    return out;
  }
  if (tokenized.words.empty()) return out;
  MatchResult matched = match(tokenized.words);
  if (!matched.ok()) {
    out.error = formatShellError(matched.error);
    return out;
  }
  matched.command->handler(matched.args, out);
  return out;
}

std::string displayPattern(std::string_view pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '$') {
      out += pattern[i];
      continue;
    }
    while (i + 1 < pattern.size() && pattern[i + 1] != ' ' && pattern[i + 1] != '|' &&
           pattern[i + 1] != ']' && pattern[i + 1] != '>' && pattern[i + 1] != '}')
      ++i;
  }
  return out;
}

std::string joinChoices(const std::vector<std::string>& choices) {
  std::string joined;
  for (const auto& choice : choices) {
    if (!joined.empty()) joined += ", ";
    joined += choice;
  }
  return joined;
}

std::string formatShellError(const MatchError& error) {
  const std::string word = "'" + displayWord(error.word) + "'";
  switch (error.kind) {
    case MatchError::Kind::kUnknownWord:
      return "unknown word " + word + " at position " + std::to_string(error.position) +
             "; expected: " + joinChoices(error.choices);
    case MatchError::Kind::kAmbiguousWord:
      return "ambiguous word " + word + " at position " + std::to_string(error.position) +
             "; could be: " + joinChoices(error.choices);
    case MatchError::Kind::kIncomplete:
      return "incomplete command after " + word + "; expected: " + joinChoices(error.choices);
    case MatchError::Kind::kAmbiguousCommand:
      return "ambiguous command; could be: " + joinChoices(error.choices);
  }
  return "unknown error";
}

}  // namespace sbc::control
