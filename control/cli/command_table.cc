#include "control/cli/command_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "control/cli/tokenizer.h"

namespace sbc::control {

namespace {

// One way a line may still fit: a command and one of its paths, with the fit so far.
struct Candidate {
  const Command* command;
  const TokenPath* path;
  std::vector<MatchRank> ranks;
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
  std::vector<Candidate> alive;
  for (const auto& command : commands_)
    for (const auto& path : command->compiled.paths) alive.push_back({command.get(), &path, {}});
  // Candidates whose LINE... token took the rest of the line: complete whatever follows.
  std::vector<Candidate> tookRest;

  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    // An abbreviation must name one keyword among those that may stand here; a word that is
    // itself a keyword never counts as an abbreviation of a longer one.
    bool exactKeyword = false;
    std::vector<std::string> abbreviated;
    for (const auto& candidate : alive) {
      if (i >= candidate.path->size()) continue;
      const CommandToken& token = *(*candidate.path)[i];
      if (token.kind != TokenKind::kKeyword) continue;
      const MatchRank rank = token.match(word);
      if (rank == MatchRank::kExactKeyword) exactKeyword = true;
      if (rank == MatchRank::kPartialKeyword) addChoice(abbreviated, token.text);
    }
    const bool ambiguous = !exactKeyword && abbreviated.size() > 1;

    std::vector<Candidate> next;
    for (const auto& candidate : alive) {
      if (i >= candidate.path->size()) continue;
      const CommandToken& token = *(*candidate.path)[i];
      const MatchRank rank = token.match(word);
      if (rank == MatchRank::kNoMatch) continue;
      if (rank == MatchRank::kPartialKeyword && (exactKeyword || ambiguous)) continue;
      Candidate longer = candidate;
      longer.ranks.push_back(rank);
      if (token.kind == TokenKind::kLine) {
        longer.ranks.resize(words.size(), MatchRank::kLine);
        tookRest.push_back(std::move(longer));
      } else {
        next.push_back(std::move(longer));
      }
    }
    if (next.empty()) {
      if (!tookRest.empty()) {
        alive.clear();
        break;
      }
      MatchError& error = result.error;
      error.position = i + 1;
      error.word = word;
      if (ambiguous) {
        error.kind = MatchError::Kind::kAmbiguousWord;
        error.choices = abbreviated;
      } else {
        error.kind = MatchError::Kind::kUnknownWord;
        error.choices = choicesAt(alive, i);
      }
      return result;
    }
    alive = std::move(next);
  }

  std::vector<Candidate> complete = std::move(tookRest);
  for (auto& candidate : alive)
    if (candidate.path->size() == words.size()) complete.push_back(std::move(candidate));
  if (complete.empty()) {
    MatchError& error = result.error;
    error.kind = MatchError::Kind::kIncomplete;
    error.position = words.size();
    error.word = words.empty() ? std::string() : words.back();
    error.choices = choicesAt(alive, words.size());
    return result;
  }

  auto best = std::min_element(complete.begin(), complete.end(),
                               [](const Candidate& a, const Candidate& b) {
                                 return a.ranks < b.ranks;
                               });
  std::vector<std::string> tied;
  for (const auto& candidate : complete)
    if (candidate.ranks == best->ranks)
      addChoice(tied, displayPattern(candidate.command->pattern));
  if (tied.size() > 1) {
    MatchError& error = result.error;
    error.kind = MatchError::Kind::kAmbiguousCommand;
    error.position = 1;
    error.word = words.front();
    error.choices = std::move(tied);
    return result;
  }
  result.command = best->command;
  result.args = bindArgs(*best->path, words);
  return result;
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
