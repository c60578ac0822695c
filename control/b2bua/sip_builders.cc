#include "control/b2bua/sip_builders.h"

#include <random>

#include "control/sip/sip_headers.h"
#include "control/sip/transaction_messages.h"

namespace sbc::control {

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 422: return "Session Interval Too Small";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 491: return "Request Pending";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 603: return "Decline";
    default: break;
  }
  if (status < 200) return "Session Progress";
  if (status < 300) return "OK";
  if (status < 400) return "Redirect";
  if (status < 500) return "Client Error";
  if (status < 600) return "Server Error";
  return "Global Failure";
}

sip::Message responseTo(const sip::Message& request, int status, std::string_view toTag,
                        std::string_view reason) {
  // A 100 is hop by hop and never carries a tag (RFC 3261 8.2.6.1).
  return sip::makeResponse(request, status, reason.empty() ? reasonPhrase(status) : reason,
                           status == 100 ? std::string_view() : toTag);
}

std::string randomToken() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = generator();
  std::string token(16, '0');
  for (char& c : token) {
    c = kHex[bits & 15];
    bits >>= 4;
  }
  return token;
}

namespace {

bool refreshesTarget(std::string_view method) {
  return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" || method == "NOTIFY" ||
         method == "REFER";
}

std::string withTag(const std::string& nameAddr, const std::string& tag) {
  if (tag.empty()) return nameAddr;
  return nameAddr + ";tag=" + tag;
}

}  // namespace

std::string hostText(const dataplane::IpAddress& address) {
  if (address.isV6()) return "[" + address.toString() + "]";
  return address.toString();
}

std::string hostPortText(const dataplane::SocketAddress& address) {
  return hostText(address.ip) + ":" + std::to_string(address.port);
}

std::string viaValue(const sip::Peer& to, const dataplane::SocketAddress& local,
                     std::string_view branch) {
  return "SIP/2.0/" + std::string(sip::transportName(to.transport)) + " " + hostPortText(local) +
         ";branch=" + std::string(branch) + ";rport";
}

std::string requestUriFor(std::string_view user, const dataplane::SocketAddress& to,
                          sip::TransportKind transport) {
  std::string uri = transport == sip::TransportKind::Tls ? "sips:" : "sip:";
  if (!user.empty()) uri.append(user).push_back('@');
  uri += hostPortText(to);
  if (transport == sip::TransportKind::Tcp) uri += ";transport=tcp";
  return uri;
}

std::string contactValue(const sip::Peer& to, const dataplane::SocketAddress& local) {
  return "<" + requestUriFor({}, local, to.transport) + ">";
}

sip::Message makeInDialogRequest(Dialog& dialog, std::string_view method,
                                 std::optional<std::uint32_t> cseq) {
  sip::Message request;
  request.method = std::string(method);
  request.requestUri = dialog.remoteTarget;
  for (const std::string& route : dialog.routeSet) request.add(sip::HeaderId::Route, route);
  request.add(sip::HeaderId::MaxForwards, "70");
  request.add(sip::HeaderId::From, withTag(dialog.localUri, dialog.localTag));
  request.add(sip::HeaderId::To, withTag(dialog.remoteUri, dialog.remoteTag));
  request.add(sip::HeaderId::CallId, dialog.callId);
  const std::uint32_t number = cseq ? *cseq : ++dialog.localCseq;
  request.add(sip::HeaderId::CSeq, std::to_string(number) + " " + std::string(method));
  if (refreshesTarget(method)) request.add(sip::HeaderId::Contact, contactValue(dialog.peer, dialog.local));
  return request;
}

std::optional<dataplane::SocketAddress> uriAddress(std::string_view text) {
  std::string_view inner = text;
  if (const auto open = inner.find('<'); open != std::string_view::npos) {
    const auto close = inner.find('>', open);
    inner = inner.substr(open + 1, close == std::string_view::npos ? std::string_view::npos
                                                                    : close - open - 1);
  }
  const auto uri = sip::parseUri(inner);
  if (!uri || !uri->isSip()) return std::nullopt;
  const auto ip = dataplane::IpAddress::parse(uri->hostWithoutBrackets());
  if (!ip) return std::nullopt;
  dataplane::SocketAddress address;
  address.ip = *ip;
  address.port = uri->port != 0 ? uri->port : (uri->scheme == "sips" ? 5061 : 5060);
  return address;
}

sip::Peer nextHop(const Dialog& dialog) {
  sip::Peer peer = dialog.peer;
  const std::string& uri = dialog.routeSet.empty() ? dialog.remoteTarget : dialog.routeSet.front();
  if (const auto address = uriAddress(uri)) {
    if (!(address->ip == peer.address.ip && address->port == peer.address.port)) peer.connectionId = 0;
    peer.address = *address;
  }
  return peer;
}

}  // namespace sbc::control
