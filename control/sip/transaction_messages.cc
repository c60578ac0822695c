#include "control/sip/transaction_messages.h"

#include <vector>

#include "control/sip/sip_headers.h"

namespace sbc::sip {

namespace {

// RFC 3261 8.1.1.6: every request carries Max-Forwards; 70 is the value it recommends.
constexpr std::string_view kMaxForwards = "70";

void copyAll(const Message& from, Message& to, HeaderId id) {
  for (const HeaderField* field : from.findAll(id)) to.add(id, field->value);
}

// The first Via value of a message, whether the Via fields hold one value each or a list.
std::string topVia(const Message& message) {
  const std::vector<std::string> vias = message.values(HeaderId::Via);
  return vias.empty() ? std::string() : vias.front();
}

std::string cseqNumberWithMethod(const Message& request, std::string_view method) {
  const std::optional<CSeq> cseq = parseCSeq(request.value(HeaderId::CSeq));
  const std::uint32_t number = cseq ? cseq->number : 0;
  return std::to_string(number) + " " + std::string(method);
}

// The fields that ACK and CANCEL share with the INVITE they belong to.
Message requestOnSameTransaction(const Message& invite, std::string_view method) {
  Message out;
  out.method = std::string(method);
  out.requestUri = invite.requestUri;
  out.add(HeaderId::Via, topVia(invite));
  copyAll(invite, out, HeaderId::Route);
  out.add(HeaderId::MaxForwards, std::string(kMaxForwards));
  out.add(HeaderId::From, std::string(invite.value(HeaderId::From)));
  return out;
}

}  // namespace

std::string tagOf(std::string_view nameAddrValue) {
  const std::optional<NameAddr> parsed = parseNameAddr(nameAddrValue);
  if (!parsed) return {};
  const std::optional<std::string_view> tag = parsed->tag();
  return tag ? std::string(*tag) : std::string();
}

std::string withTag(std::string_view nameAddrValue, std::string_view tag) {
  std::string out(nameAddrValue);
  // The tag goes after the URI, as a header parameter: after the '>' of a name-addr, or at the
  // end of a bare addr-spec, where ';' params are header params anyway (RFC 3261 20.10).
  if (!tag.empty() && tagOf(nameAddrValue).empty()) out.append(";tag=").append(tag);
  return out;
}

Message makeResponse(const Message& request, int statusCode, std::string_view reasonPhrase,
                     std::string_view toTag) {
  Message response;
  response.statusCode = statusCode;
  response.reasonPhrase = std::string(reasonPhrase);
  copyAll(request, response, HeaderId::Via);
  response.add(HeaderId::From, std::string(request.value(HeaderId::From)));
  response.add(HeaderId::To, withTag(request.value(HeaderId::To), toTag));
  response.add(HeaderId::CallId, std::string(request.value(HeaderId::CallId)));
  response.add(HeaderId::CSeq, std::string(request.value(HeaderId::CSeq)));
  if (statusCode == 100) copyAll(request, response, HeaderId::Timestamp);
  return response;
}

Message makeAckForNon2xx(const Message& invite, const Message& response) {
  Message ack = requestOnSameTransaction(invite, "ACK");
  ack.add(HeaderId::To, std::string(response.value(HeaderId::To)));
  ack.add(HeaderId::CallId, std::string(invite.value(HeaderId::CallId)));
  ack.add(HeaderId::CSeq, cseqNumberWithMethod(invite, "ACK"));
  return ack;
}

Message makeCancel(const Message& invite) {
  Message cancel = requestOnSameTransaction(invite, "CANCEL");
  cancel.add(HeaderId::To, std::string(invite.value(HeaderId::To)));
  cancel.add(HeaderId::CallId, std::string(invite.value(HeaderId::CallId)));
  cancel.add(HeaderId::CSeq, cseqNumberWithMethod(invite, "CANCEL"));
  return cancel;
}

}  // namespace sbc::sip
