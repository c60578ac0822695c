#include "control/cli/shell_session.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "control/cli/command_reply.h"
#include "control/cli/shared_help.h"
#include "control/cli/tokenizer.h"
#include "control/common/json_writer.h"
#include "control/config/config_render.h"

namespace sbc::control {

namespace {

std::string joinFaults(const std::vector<std::string>& faults) {
  std::string joined;
  for (const auto& fault : faults) joined += (joined.empty() ? "" : "; ") + fault;
  return joined;
}

// The rendered configuration cut into top-level blocks (a line and its indented lines), each
// keyed by what names it: "interface access0", "trunk carrier1", "sip", "dataplane", ...
std::multiset<std::pair<std::string, std::string>> blocksOf(const std::string& text) {
  std::multiset<std::pair<std::string, std::string>> blocks;
  std::string name, body;
  auto flush = [&] {
    if (!body.empty()) blocks.insert({name, body});
    body.clear();
  };
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '!' || line == "exit") continue;
    if (line[0] != ' ') {
      flush();
      const auto words = tokenizeLine(line).words;
      name = words.empty() ? line : words[0];
      if ((name == "interface" || name == "trunk") && words.size() > 1) name += " " + words[1];
    }
    body += line + "\n";
  }
  flush();
  return blocks;
}

// Which parts that take effect at restart differ between two configurations: "interface
// access0, sip".
std::string restartOnlyChanges(const RunningConfig& running, const ConfigCandidate& candidate) {
  const auto before = blocksOf(renderConfig(running.config) + renderSipConfig(running.sip));
  const auto after = blocksOf(renderConfig(candidate.config) + renderSipConfig(candidate.sip));
  std::set<std::string> names;
  for (const auto& block : before)
    if (after.count(block) != before.count(block)) names.insert(block.first);
  for (const auto& block : after)
    if (after.count(block) != before.count(block)) names.insert(block.first);
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

}  // namespace

ShellSession::ShellSession(RunningConfig& running, const CommandTable& operational,
                           dataplane::Dataplane* dataplane)
    : running_(running), operational_(operational), dataplane_(dataplane) {
  candidate_.onTopLevelExit = [this] { leaveConfig(); };
  addExecCommands();
  exec_.include(operational_);
  addConfigSessionCommands();
  addTopLevelConfigCommands(topLevel_, candidate_);
  topLevel_.include(configSession_);
  addInterfaceConfigCommands(interfaceBlock_, candidate_);
  addTrunkConfigCommands(trunkBlock_, candidate_);
  addContactCenterConfigCommands(contactCenterBlock_, candidate_);
  addAclConfigCommands(aclBlock_, candidate_);
}

void ShellSession::addExecCommands() {
  exec_.addOrDie({"configure [terminal]",
                  {"Edit a candidate configuration (copied from the running one)",
                   "From this terminal (the only way there is)"},
                  [this](const CommandArgs&, CommandOutput&) { enterConfig(); }});
  exec_.addOrDie({"show running-config [json]",
                  {kShowHelp, "The configuration sbcd runs with, as commands", kJsonHelp},
                  [this](const CommandArgs& args, CommandOutput& out) {
                    const std::string text = renderRunningConfig(running_.config, running_.sip,
                                                                 running_.firewall);
                    if (!args.has("json")) {
                      out.text = text;
                      return;
                    }
                    JsonWriter json;
                    json.beginObject().field("running_config", text).endObject();
                    out.text = json.text() + "\n";
                  }});
  exec_.addOrDie({"write memory",
                  {"Save the configuration", "Write the running configuration to the startup file"},
                  [this](const CommandArgs&, CommandOutput& out) { out = writeMemory(); }});
}

void ShellSession::addConfigSessionCommands() {
  configSession_.addOrDie({"commit",
                           {"Check the candidate and apply it at once"},
                           [this](const CommandArgs&, CommandOutput& out) { out = commit(); }});
  configSession_.addOrDie({"abort",
                           {"Drop the candidate and leave configuration mode"},
                           [this](const CommandArgs&, CommandOutput&) {
                             mode_ = Mode::kExec;
                             candidate_.leaveInterface();
                           }});
  configSession_.addOrDie({"end",
                           {"Leave configuration mode (commit or abort first)"},
                           [this](const CommandArgs&, CommandOutput& out) {
                             if (candidateChanged()) {
                               out.error =
                                   "'end': the candidate has uncommitted changes; commit or abort";
                               return;
                             }
                             leaveConfig();
                           }});
  configSession_.addOrDie({"do LINE...",
                           {"Run an exec-mode command", "The command, e.g. show acl"},
                           [this](const CommandArgs& args, CommandOutput& out) {
                             out = exec_.execute(args.get("LINE..."));
                           }});
  configSession_.addOrDie(
      {"show <running-config|candidate-config>",
       {"Show a configuration", "The configuration sbcd runs with",
        "This session's candidate, as commit would apply it"},
       [this](const CommandArgs& args, CommandOutput& out) {
         out.text = args.has("running-config")
                        ? renderRunningConfig(running_.config, running_.sip, running_.firewall)
                        : renderRunningConfig(candidate_.config, candidate_.sip,
                                              candidate_.firewall);
       }});
}

void ShellSession::enterConfig() {
  mode_ = Mode::kConfig;
  candidate_.leaveInterface();
  candidate_.config = running_.config;
  candidate_.sip = running_.sip;
  candidate_.firewall = running_.firewall;
  baseGeneration_ = running_.generation;
}

void ShellSession::leaveConfig() {
  if (candidateChanged()) return;  // `exit` at the top: refused below, by its caller
  mode_ = Mode::kExec;
  candidate_.leaveInterface();
}

bool ShellSession::candidateChanged() const {
  return renderRunningConfig(candidate_.config, candidate_.sip, candidate_.firewall) !=
         renderRunningConfig(running_.config, running_.sip, running_.firewall);
}

std::string ShellSession::modeName() const {
  if (mode_ == Mode::kExec) return "exec";
  switch (candidate_.block()) {
    case ConfigBlock::kInterface: return "config-if";
    case ConfigBlock::kTrunk: return "config-trunk";
    case ConfigBlock::kContactCenter: return "config-cc";
    case ConfigBlock::kAcl: return "config-acl";
    case ConfigBlock::kNone: break;
  }
  return "config";
}

const CommandTable& ShellSession::blockTable() const {
  switch (candidate_.block()) {
    case ConfigBlock::kInterface: return interfaceBlock_;
    case ConfigBlock::kTrunk: return trunkBlock_;
    case ConfigBlock::kContactCenter: return contactCenterBlock_;
    case ConfigBlock::kAcl: return aclBlock_;
    case ConfigBlock::kNone: break;
  }
  return topLevel_;
}

// Inside a block a line is first one of the block's; failing that, a top-level line closes
// the block and runs (as an unindented line does in the startup file).
CommandOutput ShellSession::runConfigLine(const std::vector<std::string>& words) {
  CommandOutput out;
  const bool inBlock = candidate_.block() != ConfigBlock::kNone;
  MatchResult matched = blockTable().match(words);
  if (!matched.ok() && inBlock) {
    MatchResult top = topLevel_.match(words);
    if (top.ok()) {
      candidate_.leaveInterface();
      matched = std::move(top);
    }
  }
  if (!matched.ok()) {
    out.error = formatShellError(matched.error);
    return out;
  }
  const bool topLevelExit = !inBlock && matched.command->pattern == "exit";
  if (topLevelExit && candidateChanged()) {
    out.error = "'exit': the candidate has uncommitted changes; commit or abort";
    return out;
  }
  matched.command->handler(matched.args, out);
  return out;
}

CommandOutput ShellSession::execute(std::string_view line) {
  CommandOutput out;
  TokenizedLine tokenized = tokenizeLine(line);
  if (!tokenized.ok()) {
    out.error = tokenized.error + " at column " + std::to_string(tokenized.errorColumn);
    return out;
  }
  auto& words = tokenized.words;
  if (words.empty()) return out;
  // `--json` at the end of a show command means what its `json` word means.
  if (words.size() > 1 && words.back() == "--json") words.back() = "json";
  if (mode_ == Mode::kConfig) return runConfigLine(words);
  MatchResult matched = exec_.match(words);
  if (!matched.ok()) {
    out.error = formatShellError(matched.error);
    return out;
  }
  matched.command->handler(matched.args, out);
  return out;
}

std::string ShellSession::choicesReply(std::string_view line) const {
  TokenizedLine tokenized = tokenizeLine(line);
  if (!tokenized.ok()) return {};
  std::vector<std::string> words = std::move(tokenized.words);
  std::string partial;
  const bool endsInBlank = line.empty() || line.back() == ' ' || line.back() == '\t';
  if (!endsInBlank && !words.empty()) {
    partial = words.back();
    words.pop_back();
  }
  std::vector<CommandChoice> choices;
  if (mode_ == Mode::kExec) {
    choices = exec_.choices(words, partial);
  } else {
    choices = blockTable().choices(words, partial);
    if (candidate_.block() != ConfigBlock::kNone)
      for (auto& choice : topLevel_.choices(words, partial)) {
        bool seen = false;
        for (const auto& have : choices) seen = seen || have.word == choice.word;
        if (!seen) choices.push_back(std::move(choice));
      }
  }
  std::string text;
  for (const auto& choice : choices)
    text += std::string(choice.keyword ? "k" : "v") + "\t" + choice.word + "\t" + choice.help + "\n";
  return text;
}

CtlReply ShellSession::handle(std::string_view line) {
  if (line.starts_with(kChoicesRequest)) return {choicesReply(line.substr(kChoicesRequest.size())), 0};
  if (line == kModeRequest) return {modeName(), 0};
  return toCtlReply(execute(line));
}

CommandOutput ShellSession::commit() {
  CommandOutput out;
  if (running_.generation != baseGeneration_) {
    out.error = "'commit': the running configuration changed since `configure` (another "
                "session committed); abort and configure again";
    return out;
  }
  std::vector<std::string> faults = candidate_.config.validate();
  if (faults.empty()) faults = candidate_.sip.validate(candidate_.config);
  const auto firewall =
      firewallWithPinholes(candidate_.firewall, candidate_.sip, candidate_.config);
  if (faults.empty()) faults = checkFirewall(firewall, candidate_.sip, candidate_.config);
  if (!faults.empty()) {
    out.error = "commit refused, nothing changed: " + joinFaults(faults);
    return out;
  }
  const auto runningFirewall =
      firewallWithPinholes(running_.firewall, running_.sip, running_.config);
  const bool firewallChanged = !(firewall == runningFirewall);
  if (firewallChanged) {
    if (!dataplane_) {
      out.error = "commit refused, nothing changed: no dataplane to apply the firewall to";
      return out;
    }
    const dataplane::Status applied = dataplane_->applyFirewall(firewall);
    if (!applied.ok()) {
      out.error = "commit refused by the dataplane, nothing changed: " + applied.error;
      return out;
    }
  }
  const std::string restartOnly = restartOnlyChanges(running_, candidate_);
  running_.config = candidate_.config;
  running_.sip = candidate_.sip;
  running_.firewall = candidate_.firewall;
  baseGeneration_ = ++running_.generation;
  if (firewallChanged)
    out.text = "committed: firewall applied (" + std::to_string(firewall.lists.size()) +
               " acl, " + std::to_string(firewall.ruleCount()) + " rules, " +
               std::to_string(firewall.pinholes.size()) + " trunk pinholes)\n";
  else
    out.text = "committed\n";
  if (!restartOnly.empty())
    out.text += "changes to " + restartOnly +
                " take effect at restart: write memory and restart sbcd\n";
  return out;
}

CommandOutput ShellSession::writeMemory() const {
  CommandOutput out;
  if (running_.startupPath.empty()) {
    out.error = "'memory': sbcd was started without a startup file";
    return out;
  }
  const std::string text = "! written by sbcd (write memory)\n" +
                           renderRunningConfig(running_.config, running_.sip, running_.firewall);
  // A new file renamed over the old one: a crash midway never leaves half a configuration.
  const std::string temporary = running_.startupPath + ".new";
  FILE* file = std::fopen(temporary.c_str(), "w");
  bool written = file && std::fwrite(text.data(), 1, text.size(), file) == text.size();
  if (file) written = (std::fflush(file) == 0 && fsync(fileno(file)) == 0) && written;
  if (file && std::fclose(file) != 0) written = false;
  if (!written || std::rename(temporary.c_str(), running_.startupPath.c_str()) != 0) {
    out.error = "cannot write " + running_.startupPath + ": " + std::strerror(errno);
    std::remove(temporary.c_str());
    return out;
  }
  out.text = "saved the running configuration to " + running_.startupPath + "\n";
  return out;
}

}  // namespace sbc::control
