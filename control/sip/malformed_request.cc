#include "control/sip/malformed_request.h"

#include <array>
#include <string>

namespace sbc::sip {

namespace {

// What a response copies from its request (RFC 3261 8.2.6.2), and of it what the sender needs
// to match the response to its request (17.1.3): the top Via's branch and the CSeq method.
constexpr std::array kFieldsForAResponse{HeaderId::Via, HeaderId::From, HeaderId::To,
                                         HeaderId::CallId, HeaderId::CSeq};
constexpr std::array kFieldsToMatchIt{HeaderId::Via, HeaderId::CSeq};

// A value with the control octets left out (HTAB kept): what came in broken must not put a
// bare CR or a NUL into the answer.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)) out.push_back(c);
  return out;
}

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

// The start line of anything that is not a response is a request's, however broken its
// method: PROTOS c07-sip sends empty and all-blank ones. The answer needs none of it; only an
// ACK (never answered) must be told apart.
bool readStartLine(std::string_view line, Message& request) {
  if (line.starts_with("SIP/")) return false;  // a response: never answered
  const std::size_t methodStart = line.find_first_not_of(" \t");
  if (methodStart == std::string_view::npos) return false;
  const std::size_t methodEnd = line.find_first_of(" \t", methodStart);
  request.method = std::string(line.substr(methodStart, methodEnd - methodStart));
  if (methodEnd == std::string_view::npos) return true;
  const std::size_t uriStart = line.find_first_not_of(" \t", methodEnd);
  if (uriStart == std::string_view::npos) return true;
  const std::size_t uriEnd = line.find_first_of(" \t", uriStart);
  request.requestUri = std::string(line.substr(uriStart, uriEnd - uriStart));
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
      if (id == wanted) request.add(id, printable(trimmed(line->substr(colon + 1))));
  }
  for (HeaderId wanted : kFieldsToMatchIt)
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
