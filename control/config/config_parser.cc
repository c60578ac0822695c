#include "control/config/config_parser.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "control/cli/command_table.h"
#include "control/cli/tokenizer.h"
#include "control/config/config_commands.h"

namespace sbc::control {

namespace {

std::string expectedList(const std::vector<std::string>& choices) {
  return (choices.size() == 1 ? "expected: " : "expected one of: ") + joinChoices(choices);
}

// The engine's match errors, worded for a file: the line is known, the position is not needed.
std::string describeMatchError(const MatchError& error) {
  const std::string word = "'" + displayWord(error.word) + "'";
  switch (error.kind) {
    case MatchError::Kind::kUnknownWord: {
      const char* what = error.position == 1 ? "unknown command" : "unexpected word";
      return word + ": " + what + ", " + expectedList(error.choices);
    }
    case MatchError::Kind::kAmbiguousWord:
      return word + ": ambiguous, could be: " + joinChoices(error.choices);
    case MatchError::Kind::kIncomplete:
      return "incomplete command after " + word + ", " + expectedList(error.choices);
    case MatchError::Kind::kAmbiguousCommand:
      return "ambiguous command, could be: " + joinChoices(error.choices);
  }
  return "unknown error";
}

// The block a broken top-level line meant to open, judged by its first word (abbreviated or
// not); an interface when it names none.
ConfigBlock intendedBlock(const std::string& first) {
  static constexpr std::pair<std::string_view, ConfigBlock> kOpeners[] = {
      {"interface", ConfigBlock::kInterface},
      {"trunk", ConfigBlock::kTrunk},
      {"contact-center", ConfigBlock::kContactCenter},
      {"acl", ConfigBlock::kAcl}};
  for (const auto& [opener, block] : kOpeners)
    if (!first.empty() && opener.starts_with(first)) return block;
  return ConfigBlock::kInterface;
}

bool isIndented(std::string_view line) {
  return !line.empty() && (line.front() == ' ' || line.front() == '\t');
}

class ConfigReader {
 public:
  ConfigReader() {
    addTopLevelConfigCommands(topLevel_, candidate_);
    addInterfaceConfigCommands(interfaceBlock_, candidate_);
    addTrunkConfigCommands(trunkBlock_, candidate_);
    addContactCenterConfigCommands(contactCenterBlock_, candidate_);
    addAclConfigCommands(aclBlock_, candidate_);
  }

  ConfigParseResult read(std::string_view text) {
    unsigned lineNumber = 0;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      readLine(++lineNumber, text.substr(start, end - start));
      start = end + 1;
    }
    if (errors_.empty()) checkWhole();
    ConfigParseResult result;
    result.errors = std::move(errors_);
    if (result.errors.empty()) {
      result.config = std::move(candidate_.config);
      result.sip = std::move(candidate_.sip);
      result.firewall = std::move(candidate_.firewall);
    }
    return result;
  }

 private:
  void readLine(unsigned lineNumber, std::string_view line) {
    const TokenizedLine tokenized = tokenizeLine(line);
    if (!tokenized.ok()) {
      errors_.push_back(
          {lineNumber, tokenized.error + " at column " + std::to_string(tokenized.errorColumn)});
      return;
    }
    if (tokenized.words.empty()) return;
    const bool indented = isIndented(line);
    if (indented && candidate_.block() == ConfigBlock::kNone) {
      errors_.push_back({lineNumber, "'" + displayWord(tokenized.words.front()) +
                                         "': indented, but no block is open"});
      return;
    }
    if (!indented) candidate_.leaveInterface();
    const CommandTable& table = indented ? blockTable(candidate_.block()) : topLevel_;
    MatchResult matched = table.match(tokenized.words);
    if (!matched.ok()) {
      errors_.push_back({lineNumber, describeMatchError(matched.error)});
      // The indented lines after a broken top-level line are most likely its block.
      if (!indented) candidate_.enterScratch(intendedBlock(tokenized.words.front()));
      return;
    }
    CommandOutput out;
    matched.command->handler(matched.args, out);
    if (!out.ok()) {
      errors_.push_back({lineNumber, out.error});
      if (!indented) candidate_.enterScratch(intendedBlock(tokenized.words.front()));
      return;
    }
    if (!indented && candidate_.inInterface())
      interfaceLines_.emplace(candidate_.currentInterface().name, lineNumber);
  }

  const CommandTable& blockTable(ConfigBlock block) const {
    switch (block) {
      case ConfigBlock::kTrunk: return trunkBlock_;
      case ConfigBlock::kContactCenter: return contactCenterBlock_;
      case ConfigBlock::kAcl: return aclBlock_;
      default: return interfaceBlock_;
    }
  }

  // Faults only the whole configuration shows; those about one interface point at its block.
  void checkWhole() {
    for (const std::string& fault : candidate_.config.validate()) {
      unsigned line = 0;
      size_t longestName = 0;
      for (const auto& [name, firstLine] : interfaceLines_) {
        const std::string prefix = "interface " + name + ": ";
        if (fault.starts_with(prefix) && prefix.size() > longestName) {
          line = firstLine;
          longestName = prefix.size();
        }
      }
      errors_.push_back({line, fault});
    }
    if (!errors_.empty()) return;
    for (const std::string& fault : candidate_.sip.validate(candidate_.config))
      errors_.push_back({0, fault});
    if (!errors_.empty()) return;
    const auto firewall =
        firewallWithPinholes(candidate_.firewall, candidate_.sip, candidate_.config);
    for (const std::string& fault : checkFirewall(firewall, candidate_.sip, candidate_.config))
      errors_.push_back({0, fault});
  }

  ConfigCandidate candidate_;
  CommandTable topLevel_;
  CommandTable interfaceBlock_;
  CommandTable trunkBlock_;
  CommandTable contactCenterBlock_;
  CommandTable aclBlock_;
  std::map<std::string, unsigned> interfaceLines_;  // name → line of its first block
  std::vector<ConfigError> errors_;
};

}  // namespace

std::string ConfigError::toString() const {
  if (line == 0) return message;
  return "line " + std::to_string(line) + ": " + message;
}

ConfigParseResult parseConfig(std::string_view text) { return ConfigReader().read(text); }

ConfigParseResult parseConfigFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    ConfigParseResult result;
    result.errors.push_back({0, "cannot read " + path + ": " + std::strerror(errno)});
    return result;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  return parseConfig(contents.str());
}

}  // namespace sbc::control
