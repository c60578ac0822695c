#include "control/b2bua/digest_params.h"

#include "control/sip/sip_grammar.h"

namespace sbc::control {

namespace grammar = sip::grammar;

namespace {

// A bare (unquoted) value: what the grammar calls a token, widened to any visible ASCII but the
// three bytes that end or quote a value, so that an unquoted uri or base64 nonce still parses.
bool isBareValueChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte > 0x20 && byte < 0x7f && c != ',' && c != '"' && c != '\\';
}

// text[begin, end) is a quoted-string already checked by grammar::quotedStringEnd.
std::string unquote(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == '\\') ++i;
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

std::optional<std::string_view> AuthHeader::param(std::string_view name) const {
  for (const AuthParam& p : params) {
    if (grammar::equalsIgnoreCase(p.name, name)) return std::string_view(p.value);
  }
  return std::nullopt;
}

std::optional<AuthHeader> parseAuthHeader(std::string_view text) {
  if (text.size() > kMaxAuthHeaderLength) return std::nullopt;
  AuthHeader header;
  std::size_t pos = grammar::skipWsp(text, 0);
  const std::size_t schemeEnd = grammar::skipClass(text, pos, grammar::kTokenChar);
  if (schemeEnd == pos) return std::nullopt;
  header.scheme = std::string(text.substr(pos, schemeEnd - pos));
  pos = schemeEnd;
  if (pos < text.size() && !grammar::isWsp(text[pos])) return std::nullopt;

  while (true) {
    pos = grammar::skipWsp(text, pos);
    if (pos == text.size()) break;
    if (text[pos] == ',') {  // an empty list element
      ++pos;
      continue;
    }
    const std::size_t nameEnd = grammar::skipClass(text, pos, grammar::kTokenChar);
    if (nameEnd == pos) return std::nullopt;
    AuthParam param;
    param.name = std::string(text.substr(pos, nameEnd - pos));
    pos = grammar::skipWsp(text, nameEnd);
    if (pos == text.size() || text[pos] != '=') return std::nullopt;
    pos = grammar::skipWsp(text, pos + 1);
    if (pos == text.size()) return std::nullopt;
    if (text[pos] == '"') {
      const std::size_t end = grammar::quotedStringEnd(text, pos);
      if (end == std::string_view::npos) return std::nullopt;
      param.value = unquote(text.substr(pos, end - pos));
      param.quoted = true;
      pos = end;
    } else {
      std::size_t end = pos;
      while (end < text.size() && isBareValueChar(text[end])) ++end;
      if (end == pos) return std::nullopt;
      param.value = std::string(text.substr(pos, end - pos));
      pos = end;
    }
    if (header.param(param.name) || header.params.size() == kMaxAuthParams) return std::nullopt;
    header.params.push_back(std::move(param));
    pos = grammar::skipWsp(text, pos);
    if (pos == text.size()) break;
    if (text[pos] != ',') return std::nullopt;
    ++pos;
  }
  return header;
}

std::string quotedString(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) continue;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace sbc::control
