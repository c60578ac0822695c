#include "control/b2bua/topology_hider.h"

#include <algorithm>
#include <cctype>

namespace sbc::control {

namespace {

// Replaces whole occurrences of `needle`: one not followed by a digit (so hiding 198.18.2.1 does
// not touch 198.18.2.10; that one is hidden on its own).
std::size_t replaceAll(std::string& text, const std::string& needle, const std::string& with) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at)) {
    const std::size_t end = at + needle.size();
    const bool digitBefore = at > 0 && (std::isxdigit(static_cast<unsigned char>(text[at - 1])) ||
                                        text[at - 1] == '.');
    const bool digitAfter = end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) ||
                                                   (needle.find(':') != std::string::npos &&
                                                    std::isxdigit(static_cast<unsigned char>(text[end]))));
    if (digitBefore || digitAfter) {
      at = end;
      continue;
    }
    text.replace(at, needle.size(), with);
    at += with.size();
    ++count;
  }
  return count;
}

}  // namespace

void TopologyHider::hide(const std::string& text) {
  if (text.empty() || std::find(hidden_.begin(), hidden_.end(), text) != hidden_.end()) return;
  hidden_.push_back(text);
  // Longer texts first, so that a prefix of another hidden text never replaces part of it.
  std::sort(hidden_.begin(), hidden_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::size_t TopologyHider::scrub(sip::Message& message, const std::string& replacement) const {
  std::size_t count = 0;
  for (const std::string& needle : hidden_) {
    count += replaceAll(message.requestUri, needle, replacement);
    for (sip::HeaderField& field : message.headers)
      count += replaceAll(field.value, needle, replacement);
  }
  return count;
}

}  // namespace sbc::control
