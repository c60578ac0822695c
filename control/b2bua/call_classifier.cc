#include "control/b2bua/call_classifier.h"

#include <cctype>

#include "control/sip/sip_headers.h"

namespace sbc::control {

namespace {

std::string numberOf(const sip::Uri& uri) {
  if (uri.isSip() || uri.scheme == "tel") return sip::unescapeUser(uri.user);
  return {};
}

std::string numberOfNameAddr(std::string_view text) {
  const auto parsed = sip::parseNameAddr(text);
  return parsed ? numberOf(parsed->uri) : std::string();
}

}  // namespace

CallParties callParties(const sip::Message& invite) {
  CallParties parties;
  const auto asserted = invite.values(sip::HeaderId::PAssertedIdentity);
  for (const std::string& identity : asserted) {
    parties.ani = numberOfNameAddr(identity);
    if (!parties.ani.empty()) break;
  }
  if (parties.ani.empty()) parties.ani = numberOfNameAddr(invite.value(sip::HeaderId::From));
  if (const auto uri = sip::parseUri(invite.requestUri)) parties.dnis = numberOf(*uri);
  if (parties.dnis.empty()) parties.dnis = numberOfNameAddr(invite.value(sip::HeaderId::To));
  return parties;
}

std::string displayNameOf(std::string_view nameAddr) {
  const auto parsed = sip::parseNameAddr(nameAddr);
  return parsed ? parsed->displayName : std::string();
}

std::string uriUser(std::string_view number) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : number) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || std::string_view("-_.!~*'()&=+$,;?/").find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace sbc::control
