#include "control/sip/transaction_matching.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "control/sip/sip_headers.h"

namespace sbc::sip {

namespace {

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct TopVia {
  std::string value;
  Via via;
};

std::optional<TopVia> readTopVia(const Message& message, std::string& fault) {
  const std::vector<std::string> vias = message.values(HeaderId::Via);
  if (vias.empty()) {
    fault = "no Via";
    return std::nullopt;
  }
  std::optional<Via> via = parseVia(vias.front());
  if (!via) {
    fault = "malformed Via";
    return std::nullopt;
  }
  return TopVia{vias.front(), std::move(*via)};
}

std::string sentByOf(const Via& via) {
  return lowerCase(via.host) + ":" + std::to_string(via.port);
}

// Fields equal in a retransmission, an ACK and a CANCEL alike (the To tag aside).
bool sameLegacyCore(const RequestIdentity& a, const RequestIdentity& b) {
  return a.requestUri == b.requestUri && a.fromTag == b.fromTag && a.callId == b.callId &&
         a.cseqNumber == b.cseqNumber && a.topVia == b.topVia;
}

}  // namespace

std::optional<RequestIdentity> identifyRequest(const Message& request, std::string& fault) {
  std::optional<TopVia> top = readTopVia(request, fault);
  if (!top) return std::nullopt;
  const std::optional<CSeq> cseq = parseCSeq(request.value(HeaderId::CSeq));
  if (!cseq) {
    fault = request.find(HeaderId::CSeq) ? "malformed CSeq" : "no CSeq";
    return std::nullopt;
  }
  if (cseq->method != request.method) {
    fault = "CSeq method " + cseq->method + " is not the request method " + request.method;
    return std::nullopt;
  }
  if (request.value(HeaderId::CallId).empty()) {
    fault = "no Call-ID";
    return std::nullopt;
  }
  const std::optional<NameAddr> from = parseNameAddr(request.value(HeaderId::From));
  if (!from) {
    fault = request.find(HeaderId::From) ? "malformed From" : "no From";
    return std::nullopt;
  }
  const std::optional<NameAddr> to = parseNameAddr(request.value(HeaderId::To));
  if (!to) {
    fault = request.find(HeaderId::To) ? "malformed To" : "no To";
    return std::nullopt;
  }

  RequestIdentity id;
  id.method = request.method;
  if (std::optional<std::string_view> branch = top->via.branch()) id.branch = std::string(*branch);
  id.rfc3261Branch = id.branch.starts_with(kMagicCookie);
  id.sentBy = sentByOf(top->via);
  id.topVia = std::move(top->value);
  id.callId = std::string(request.value(HeaderId::CallId));
  id.cseqNumber = cseq->number;
  if (std::optional<std::string_view> tag = from->tag()) id.fromTag = std::string(*tag);
  if (std::optional<std::string_view> tag = to->tag()) id.toTag = std::string(*tag);
  id.requestUri = request.requestUri;
  return id;
}

std::optional<ResponseIdentity> identifyResponse(const Message& response, std::string& fault) {
  std::optional<TopVia> top = readTopVia(response, fault);
  if (!top) return std::nullopt;
  const std::optional<CSeq> cseq = parseCSeq(response.value(HeaderId::CSeq));
  if (!cseq) {
    fault = response.find(HeaderId::CSeq) ? "malformed CSeq" : "no CSeq";
    return std::nullopt;
  }
  ResponseIdentity id;
  if (std::optional<std::string_view> branch = top->via.branch()) id.branch = std::string(*branch);
  id.sentBy = sentByOf(top->via);
  id.cseqMethod = cseq->method;
  return id;
}

// '\n' cannot occur inside a header value or a token, so it separates the parts unambiguously.
std::string clientKey(std::string_view branch, std::string_view method) {
  std::string key(branch);
  key.append("\n").append(method);
  return key;
}

std::string serverKey(const RequestIdentity& request, std::string_view method) {
  std::string key = request.branch;
  key.append("\n").append(request.sentBy).append("\n").append(method);
  return key;
}

std::string legacyKey(const RequestIdentity& request) {
  std::string key = request.callId;
  key.append("\n").append(std::to_string(request.cseqNumber)).append("\n").append(request.fromTag);
  return key;
}

bool legacyRetransmissionMatches(const RequestIdentity& original, const RequestIdentity& request) {
  return sameLegacyCore(original, request) && original.method == request.method &&
         original.toTag == request.toTag;
}

bool legacyAckMatches(const RequestIdentity& original, const RequestIdentity& ack,
                      std::string_view responseToTag) {
  return sameLegacyCore(original, ack) && original.method == "INVITE" &&
         ack.toTag == responseToTag;
}

bool legacyCancelMatches(const RequestIdentity& original, const RequestIdentity& cancel) {
  return sameLegacyCore(original, cancel) && original.method == "INVITE";
}

}  // namespace sbc::sip
