#include "control/cli/tokenizer.h"

#include <cstdio>

namespace sbc::control {

namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool startsComment(char c) { return c == '!' || c == '#'; }

}  // namespace

TokenizedLine tokenizeLine(std::string_view line) {
  TokenizedLine result;
  size_t i = 0;
  while (i < line.size()) {
    if (isBlank(line[i])) {
      ++i;
      continue;
    }
    if (startsComment(line[i])) break;
    std::string word;
    while (i < line.size() && !isBlank(line[i])) {
      const char c = line[i];
      if (c != '"' && c != '\'') {
        word += c;
        ++i;
        continue;
      }
      const size_t openColumn = i + 1;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == c) {
          closed = true;
          ++i;
          break;
        }
        if (c == '"' && line[i] == '\\' && i + 1 < line.size()) ++i;
        word += line[i];
        ++i;
      }
      if (!closed) {
        result.words.clear();
        result.error = "unterminated quote";
        result.errorColumn = openColumn;
        return result;
      }
    }
    result.words.push_back(std::move(word));
  }
  return result;
}

std::string quoteWord(std::string_view word) {
  bool needsQuotes = word.empty() || startsComment(word.front());
  for (char c : word)
    if (isBlank(c) || c == '"' || c == '\'' || c == '\\') needsQuotes = true;
  if (!needsQuotes) return std::string(word);
  std::string out = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string displayWord(std::string_view word) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  for (size_t i = 0; i < word.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (word.size() > kMaxShown) out += "...";
  return out;
}

}  // namespace sbc::control
