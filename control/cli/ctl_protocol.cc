#include "control/cli/ctl_protocol.h"

#include <charconv>

namespace sbc::control {

std::string encodeReply(std::string_view text, int rc) {
  std::string out;
  out.reserve(text.size() + 16);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (line.starts_with("%%")) out += '%';
    out += line;
    out += '\n';
    start = end + 1;
  }
  out += kStatusLinePrefix;
  out += std::to_string(rc);
  out += '\n';
  return out;
}

bool ReplyDecoder::feed(std::string_view bytes) {
  pending_.append(bytes);
  if (!complete_) consumeLines();
  return complete_;
}

void ReplyDecoder::next() {
  text_.clear();
  rc_ = 0;
  complete_ = false;
  consumeLines();
}

void ReplyDecoder::consumeLines() {
  size_t start = 0;
  while (!complete_) {
    const size_t end = pending_.find('\n', start);
    if (end == std::string::npos) break;
    const std::string_view line(pending_.data() + start, end - start);
    start = end + 1;
    if (line.starts_with(kStatusLinePrefix)) {
      const std::string_view digits = line.substr(kStatusLinePrefix.size());
      int rc = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rc);
      if (ec == std::errc() && ptr == digits.data() + digits.size() && !digits.empty()) {
        rc_ = rc;
        complete_ = true;
        break;
      }
    }
    // An escaped line lost its extra '%'; anything else is output as it is.
    text_ += line.starts_with("%%%") ? line.substr(1) : line;
    text_ += '\n';
  }
  pending_.erase(0, start);
}

}  // namespace sbc::control
