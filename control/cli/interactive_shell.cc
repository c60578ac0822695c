#include "control/cli/interactive_shell.h"

#include <histedit.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "control/cli/ctl_protocol.h"

namespace sbc::control {

namespace {

struct Choice {
  bool keyword = false;
  std::string word;
  std::string help;
};

// The shell's state as libedit's callbacks see it (EL_CLIENTDATA).
struct Shell {
  CtlConnection* connection = nullptr;
  std::string prompt = "sbc>";
  std::string mode = "exec";
};

std::string promptFor(const std::string& mode) {
  if (mode == "exec") return "sbc>";
  return "sbc(" + mode + ")#";
}

std::vector<Choice> askChoices(Shell& shell, const std::string& typed) {
  std::vector<Choice> choices;
  const CtlClientResult answer =
      shell.connection->request(std::string(kChoicesRequest) + typed);
  if (!answer.ok() || answer.rc != 0) return choices;
  size_t start = 0;
  const std::string& text = answer.text;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const size_t tab1 = line.find('\t');
    const size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) continue;
    choices.push_back(
        {line[0] == 'k', line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1)});
  }
  return choices;
}

Shell& shellOf(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return *static_cast<Shell*>(data);
}

std::string typedSoFar(EditLine* el) {
  const LineInfo* info = el_line(el);
  return std::string(info->buffer, info->cursor);
}

std::string partialWord(const std::string& typed) {
  const size_t blank = typed.find_last_of(" \t");
  return blank == std::string::npos ? typed : typed.substr(blank + 1);
}

void printChoices(const std::vector<Choice>& choices, bool withHelp) {
  std::fputc('\n', stdout);
  if (choices.empty()) {
    std::fputs("% nothing fits here\n", stdout);
    return;
  }
  size_t width = 0;
  for (const auto& c : choices) width = std::max(width, c.word.size());
  for (const auto& c : choices) {
    if (withHelp) std::printf("  %-*s  %s\n", static_cast<int>(width), c.word.c_str(), c.help.c_str());
    else std::printf("  %s\n", c.word.c_str());
  }
  std::fflush(stdout);
}

// `?`: every choice at the cursor, with its help; the line stays as it was.
unsigned char onHelp(EditLine* el, int) {
  Shell& shell = shellOf(el);
  printChoices(askChoices(shell, typedSoFar(el)), true);
  return CC_REDISPLAY;
}

// Tab: a unique keyword is completed (and a blank added); several share their common start,
// and when that adds nothing they are listed. Placeholders are listed with their help.
unsigned char onComplete(EditLine* el, int) {
  Shell& shell = shellOf(el);
  const std::string typed = typedSoFar(el);
  const std::string partial = partialWord(typed);
  const std::vector<Choice> choices = askChoices(shell, typed);
  std::vector<const Choice*> keywords;
  for (const auto& c : choices)
    if (c.keyword) keywords.push_back(&c);
  if (keywords.size() == 1) {
    const std::string rest = keywords[0]->word.substr(partial.size()) + " ";
    el_insertstr(el, rest.c_str());
    return CC_REFRESH;
  }
  if (keywords.size() > 1) {
    std::string common = keywords[0]->word;
    for (const Choice* c : keywords) {
      size_t n = 0;
      while (n < common.size() && n < c->word.size() && common[n] == c->word[n]) ++n;
      common.resize(n);
    }
    if (common.size() > partial.size()) {
      el_insertstr(el, common.substr(partial.size()).c_str());
      return CC_REFRESH;
    }
  }
  printChoices(choices, keywords.empty());
  return CC_REDISPLAY;
}

const char* promptOf(EditLine* el) { return shellOf(el).prompt.c_str(); }

std::string historyPath() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.sbcctl_history";
}

bool isLocalExit(const std::string& line, const std::string& mode) {
  if (mode != "exec") return false;
  const size_t first = line.find_first_not_of(" \t");
  if (first == std::string::npos) return false;
  const size_t last = line.find_last_not_of(" \t");
  const std::string word = line.substr(first, last - first + 1);
  return word == "exit" || word == "quit" || word == "logout";
}

}  // namespace

std::vector<std::string> splitCommandScript(std::string_view script) {
  std::vector<std::string> lines;
  std::string current;
  char quote = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (quote) {
      current += c;
      if (c == '\\' && quote == '"' && i + 1 < script.size()) current += script[++i];
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    if (c == ';' || c == '\n') {
      lines.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  lines.push_back(current);
  std::vector<std::string> nonEmpty;
  for (auto& line : lines)
    if (line.find_first_not_of(" \t\r") != std::string::npos) nonEmpty.push_back(std::move(line));
  return nonEmpty;
}

int runInteractiveShell(CtlConnection& connection) {
  Shell shell;
  shell.connection = &connection;
  EditLine* el = el_init("sbcctl", stdin, stdout, stderr);
  History* history = history_init();
  HistEvent event;
  ::history(history, &event, H_SETSIZE, 1000);
  ::history(history, &event, H_SETUNIQUE, 1);
  const std::string historyFile = historyPath();
  ::history(history, &event, H_LOAD, historyFile.c_str());
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_HIST, ::history, history);
  el_set(el, EL_CLIENTDATA, &shell);
  el_set(el, EL_PROMPT, promptOf);
  el_set(el, EL_ADDFN, "sbc-complete", "Complete the word at the cursor", onComplete);
  el_set(el, EL_ADDFN, "sbc-help", "List what may be typed here", onHelp);
  el_set(el, EL_BIND, "^I", "sbc-complete", nullptr);
  el_set(el, EL_BIND, "?", "sbc-help", nullptr);
  el_source(el, nullptr);  // ~/.editrc, as every libedit program reads

  int status = 0;
  while (true) {
    int count = 0;
    const char* raw = el_gets(el, &count);
    if (!raw || count <= 0) {
      std::fputc('\n', stdout);
      break;
    }
    std::string line(raw);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ::history(history, &event, H_ENTER, line.c_str());
    ::history(history, &event, H_SAVE, historyFile.c_str());
    if (isLocalExit(line, shell.mode)) break;
    const CtlClientResult answer = connection.request(line);
    if (!answer.ok()) {
      std::fprintf(stderr, "sbcctl: %s\n", answer.error.c_str());
      status = 2;
      break;
    }
    std::fputs(answer.text.c_str(), stdout);
    std::fflush(stdout);
    const CtlClientResult mode = connection.request(kModeRequest);
    if (mode.ok() && mode.rc == 0) {
      shell.mode = mode.text;
      while (!shell.mode.empty() && shell.mode.back() == '\n') shell.mode.pop_back();
      shell.prompt = promptFor(shell.mode);
    }
  }
  history_end(history);
  el_end(el);
  return status;
}

}  // namespace sbc::control
