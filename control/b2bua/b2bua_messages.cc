#include "control/b2bua/b2bua_messages.h"

#include <algorithm>

#include "control/sip/sip_headers.h"

namespace sbc::control {

using sip::HeaderId;

bool isSupportedOption(std::string_view tag) {
  return sip::equalsIgnoreCase(tag, "100rel") || sip::equalsIgnoreCase(tag, "timer");
}

bool hasSdp(const sip::Message& message) {
  if (message.body.empty()) return false;
  const std::string_view type = message.value(HeaderId::ContentType);
  return type.empty() || sip::equalsIgnoreCase(type.substr(0, type.find(';')), "application/sdp");
}

std::string withoutTag(std::string_view nameAddr) {
  auto parsed = sip::parseNameAddr(nameAddr);
  if (!parsed) return std::string(nameAddr);
  sip::removeParam(parsed->params, "tag");
  return parsed->str();
}

std::string contactUri(const sip::Message& message) {
  const auto contacts = message.values(HeaderId::Contact);
  if (contacts.empty()) return {};
  const auto parsed = sip::parseNameAddr(contacts.front());
  return parsed ? parsed->uri.str() : std::string();
}

std::uint32_t cseqNumber(const sip::Message& message) {
  const auto cseq = sip::parseCSeq(message.value(HeaderId::CSeq));
  return cseq ? cseq->number : 0;
}

void copyFields(const sip::Message& from, sip::Message& to, std::initializer_list<HeaderId> ids) {
  for (const sip::HeaderField& field : from.headers)
    if (std::find(ids.begin(), ids.end(), field.id) != ids.end()) to.headers.push_back(field);
}

void copyExtensionFields(const sip::Message& from, sip::Message& to) {
  for (const sip::HeaderField& field : from.headers)
    if (field.id == HeaderId::Other && field.name.size() > 2 &&
        (field.name[0] == 'X' || field.name[0] == 'x') && field.name[1] == '-')
      to.headers.push_back(field);
}

sip::TransportKind transportKindOf(SipTransport transport) {
  switch (transport) {
    case SipTransport::Udp: return sip::TransportKind::Udp;
    case SipTransport::Tcp: return sip::TransportKind::Tcp;
    case SipTransport::Tls: return sip::TransportKind::Tls;
  }
  return sip::TransportKind::Udp;
}

std::string endCauseFor(int status) {
  if (status == 486 || status == 600) return "busy";
  if (status == 408 || status == 480) return "no-answer";
  if (status == 487) return "cancelled";
  if (status == 503) return "unavailable";
  return "rejected-" + std::to_string(status);
}

}  // namespace sbc::control
