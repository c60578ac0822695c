#pragma once
// Splits one command line into words, the same way for the shell and the configuration file.
// Words are separated by blanks; "double" or 'single' quotes keep blanks inside a word (in
// double quotes a backslash takes the next character literally); an unquoted word that starts
// with '!' or '#' begins a comment that runs to the end of the line.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sbc::control {

struct TokenizedLine {
  std::vector<std::string> words;
  std::string error;       // empty when the line was split cleanly
  size_t errorColumn = 0;  // 1-based column of the fault
  bool ok() const { return error.empty(); }
};

TokenizedLine tokenizeLine(std::string_view line);

// `word` written so that tokenizeLine reads it back as one word: quoted only where needed.
std::string quoteWord(std::string_view word);

// `word` safe to echo in an error message: control and non-ASCII bytes as \xNN, cut at 64
// characters so that a 64 KiB garbage word does not come back whole.
std::string displayWord(std::string_view word);

}  // namespace sbc::control
