#include "control/sip/malformed_request.h"

#include <array>
#include <string>

namespace sbc::sip {

namespace {

constexpr std::array kFieldsForAResponse{HeaderId::Via, HeaderId::From, HeaderId::To,
                                         HeaderId::CallId, HeaderId::CSeq};

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

// Next line of the header section (without its CR LF), or nullopt at its end.
std::optional<std::string_view> nextLine(std::string_view& rest) {
  if (rest.empty()) return std::nullopt;
  const std::size_t end = rest.find('\n');
  std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return std::nullopt;  // the blank line before the body
  return line;
}

bool readStartLine(std::string_view line, Message& request) {
  const std::size_t methodEnd = line.find(' ');
  if (methodEnd == std::string_view::npos || methodEnd == 0) return false;
  request.method = std::string(line.substr(0, methodEnd));
  if (request.method.starts_with("SIP/")) return false;  // a response: never answered
  const std::size_t uriEnd = line.find(' ', methodEnd + 1);
  request.requestUri = std::string(line.substr(methodEnd + 1, uriEnd - methodEnd - 1));
  return true;
}

}  // namespace

std::optional<Message> salvageRequestForError(std::string_view bytes) {
  Message request;
  std::string_view rest = bytes;
  const std::optional<std::string_view> startLine = nextLine(rest);
  if (!startLine || !readStartLine(*startLine, request) || request.method == "ACK")
    return std::nullopt;
  while (const std::optional<std::string_view> line = nextLine(rest)) {
    if (line->front() == ' ' || line->front() == '\t') continue;  // a folded continuation
    const std::size_t colon = line->find(':');
    if (colon == std::string_view::npos) continue;
    const HeaderId id = headerIdFromName(trimmed(line->substr(0, colon)));
    for (HeaderId wanted : kFieldsForAResponse)
      if (id == wanted) request.add(id, std::string(trimmed(line->substr(colon + 1))));
  }
  for (HeaderId wanted : kFieldsForAResponse)
    if (request.value(wanted).empty()) return std::nullopt;
  return request;
}

std::string miscWarning(std::string_view agent, std::string_view text) {
  std::string out = "399 ";
  out.append(agent).append(" \"");
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);  // no CR, LF or controls
  }
  out.push_back('"');
  return out;
}

}  // namespace sbc::sip
