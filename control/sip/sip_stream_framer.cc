// StreamFramer: cuts messages out of a TCP/TLS byte stream by Content-Length (RFC 3261 18.3).
// The search for the empty line resumes where the last call stopped and the size of a message
// is worked out once, so feeding a message one octet at a time stays linear.

#include <string>

#include "control/sip/sip_grammar.h"
#include "control/sip/sip_parser.h"

namespace sbc::sip {
namespace {

using namespace grammar;
constexpr auto npos = std::string_view::npos;

// Content-Length from a header section (start line and fields, each line ending in CRLF);
// "" when it was read, else why the stream cannot be framed.
std::string readContentLength(std::string_view section, std::uint64_t& length) {
  bool found = false;
  std::size_t pos = section.find("\r\n") + 2;  // past the start line
  while (pos < section.size()) {
    std::size_t end = section.find("\r\n", pos);
    while (end + 2 < section.size() && isWsp(section[end + 2])) end = section.find("\r\n", end + 2);
    const std::string_view field = section.substr(pos, end - pos);
    pos = end + 2;
    const std::size_t colon = field.find(':');
    if (colon == npos || headerIdFromName(trimWsp(field.substr(0, colon))) !=
                             HeaderId::ContentLength)
      continue;
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (isWsp(value.front()) || value.front() == '\r' || value.front() == '\n'))
      value.remove_prefix(1);
    while (!value.empty() && (isWsp(value.back()) || value.back() == '\r' || value.back() == '\n'))
      value.remove_suffix(1);
    std::uint64_t value64 = 0;
    if (!parseDecimal(value, value64)) return "Content-Length is not a decimal number";
    if (found && value64 != length) return "Content-Length values disagree";
    found = true;
    length = value64;
  }
  if (!found) return "Content-Length is missing (mandatory on a stream, RFC 3261 18.3)";
  return {};
}

}  // namespace

void StreamFramer::append(std::string_view bytes) {
  refused_.clear();
  if (!failed_) buffer_.append(bytes);
}

std::optional<ParseResult> StreamFramer::fatal(std::string reason, std::string_view headerSection) {
  refused_.assign(headerSection);
  failed_ = true;
  error_.reason = std::move(reason);
  error_.offset = 0;
  error_.line = 0;
  error_.header.clear();
  buffer_.clear();
  start_ = scanned_ = messageSize_ = 0;
  return std::nullopt;
}

// Drops consumed octets once they are the larger part of the buffer: amortised linear.
void StreamFramer::compact() {
  if (start_ == 0 || start_ < buffer_.size() / 2) return;
  buffer_.erase(0, start_);
  scanned_ = scanned_ > start_ ? scanned_ - start_ : 0;
  start_ = 0;
}

std::optional<ParseResult> StreamFramer::next() {
  refused_.clear();
  if (failed_) return std::nullopt;
  if (messageSize_ == 0) {
    // RFC 3261 7.5: CRLFs before a start line are ignored (RFC 5626 keep-alives too).
    while (start_ + 1 < buffer_.size() && buffer_[start_] == '\r' && buffer_[start_ + 1] == '\n')
      start_ += 2;
    if (scanned_ < start_) scanned_ = start_;
    const std::string_view pending(buffer_.data() + start_, buffer_.size() - start_);
    const std::size_t resume = scanned_ - start_ >= 3 ? scanned_ - start_ - 3 : 0;
    const std::size_t headerEnd = pending.find("\r\n\r\n", resume);
    if (headerEnd == npos) {
      scanned_ = buffer_.size();
      if (pending.size() > kMaxHeaderBytes)
        return fatal("header section exceeds " + std::to_string(kMaxHeaderBytes) + " octets");
      compact();
      return std::nullopt;
    }
    if (headerEnd + 4 > kMaxHeaderBytes)
      return fatal("header section exceeds " + std::to_string(kMaxHeaderBytes) + " octets");
    std::uint64_t length = 0;
    // A fault in the length ends the stream, but the header section is whole: the caller
    // may still answer it.
    const std::string_view headerSection = pending.substr(0, headerEnd + 4);
    if (std::string why = readContentLength(pending.substr(0, headerEnd + 2), length);
        !why.empty())
      return fatal(std::move(why), headerSection);
    if (length > kMaxBodyBytes) {
      return fatal("Content-Length " + std::to_string(length) + " exceeds the limit of " +
                   std::to_string(kMaxBodyBytes) + " octets",
                   headerSection);
    }
    messageSize_ = headerEnd + 4 + static_cast<std::size_t>(length);
  }
  if (buffer_.size() - start_ < messageSize_) {
    compact();
    return std::nullopt;
  }
  const std::string_view message(buffer_.data() + start_, messageSize_);
  ParseResult result = parseDatagram(message);
  if (!result.ok()) refused_.assign(message);
  start_ += messageSize_;
  scanned_ = start_;
  messageSize_ = 0;
  compact();
  return result;
}

}  // namespace sbc::sip
