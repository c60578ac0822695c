#include "control/cli/command_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "control/cli/tokenizer.h"

namespace sbc::control {

namespace {

// One way a line may still fit: a command and one of its paths. The fit of each word is
// computed again for the few candidates that reach the end: a line is tried against thousands
// of paths (an acl rule line alone has over 3000), and carrying a vector per path would cost
// an allocation per path and word.
struct Candidate {
  const Command* command;
  const TokenPath* path;
  bool tookRest = false;  // its LINE... token took the rest of the line
};

void addChoice(std::vector<std::string>& choices, std::string_view choice) {
  if (std::find(choices.begin(), choices.end(), choice) == choices.end())
    choices.emplace_back(choice);
}

// What could stand at `position` for the candidates still alive, in declaration order.
std::vector<std::string> choicesAt(const std::vector<Candidate>& alive, size_t position) {
  std::vector<std::string> choices;
  bool canEnd = false;
  for (const auto& candidate : alive) {
    if (position < candidate.path->size()) addChoice(choices, (*candidate.path)[position]->text);
    else if (position == candidate.path->size()) canEnd = true;
  }
  if (canEnd) addChoice(choices, kEndOfLine);
  return choices;
}

std::vector<MatchRank> ranksOf(const Candidate& candidate, const std::vector<std::string>& words) {
  std::vector<MatchRank> ranks;
  ranks.reserve(words.size());
  const TokenPath& path = *candidate.path;
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
  std::vector<Candidate> alive;     // fit every word, path not exhausted early
  std::vector<Candidate> tookRest;  // a LINE... token took the rest
  bool failed = false;
  MatchError error;
};

Walk walk(const std::vector<const Command*>& commands, const std::vector<std::string>& words) {
  Walk w;
  for (const Command* command : commands)
    for (const auto& path : command->compiled.paths) w.alive.push_back({command, &path});
  std::vector<Candidate> next;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    // An abbreviation must name one keyword among those that may stand here; a word that is
    // itself a keyword never counts as an abbreviation of a longer one.
    bool exactKeyword = false;
    std::vector<std::string> abbreviated;
    for (const auto& candidate : w.alive) {
      if (i >= candidate.path->size()) continue;
      const CommandToken& token = *(*candidate.path)[i];
      if (token.kind != TokenKind::kKeyword) continue;
      const MatchRank rank = token.match(word);
      if (rank == MatchRank::kExactKeyword) exactKeyword = true;
      if (rank == MatchRank::kPartialKeyword) addChoice(abbreviated, token.text);
    }
    const bool ambiguous = !exactKeyword && abbreviated.size() > 1;

    next.clear();
    // Paths share tokens: remember the last token's fit instead of matching it again.
    const CommandToken* lastToken = nullptr;
    MatchRank lastRank = MatchRank::kNoMatch;
    for (const auto& candidate : w.alive) {
      if (i >= candidate.path->size()) continue;
      const CommandToken* token = (*candidate.path)[i];
      if (token != lastToken) {
        lastToken = token;
        lastRank = token->match(word);
      }
      const MatchRank rank = lastRank;
      if (rank == MatchRank::kNoMatch) continue;
      if (rank == MatchRank::kPartialKeyword && (exactKeyword || ambiguous)) continue;
      if (token->kind == TokenKind::kLine) w.tookRest.push_back({candidate.command, candidate.path, true});
      else next.push_back(candidate);
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
        w.error.choices = choicesAt(w.alive, i);
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
  std::vector<Candidate> complete = std::move(w.tookRest);
  for (auto& candidate : w.alive)
    if (candidate.path->size() == words.size()) complete.push_back(candidate);
  if (complete.empty()) {
    MatchError& error = result.error;
    error.kind = MatchError::Kind::kIncomplete;
    error.position = words.size();
    error.word = words.empty() ? std::string() : words.back();
    error.choices = choicesAt(w.alive, words.size());
    return result;
  }

  std::vector<std::vector<MatchRank>> ranks;
  ranks.reserve(complete.size());
  for (const auto& candidate : complete) ranks.push_back(ranksOf(candidate, words));
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
    const TokenPath& path = *candidate.path;
    if (words.size() == path.size()) canEnd = true;
    if (words.size() >= path.size()) continue;
    const CommandToken& token = *path[words.size()];
    if (token.kind == TokenKind::kKeyword) {
      if (token.text.starts_with(partial)) add({token.text, token.help, true});
    } else if (partial.empty() || token.match(partial) != MatchRank::kNoMatch) {
      add({token.text, token.help, false});
    }
  }
  for (const auto& candidate : w.tookRest) {
    // Every further word belongs to the LINE... token.
    for (const CommandToken* token : *candidate.path)
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
