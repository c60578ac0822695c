#include "b2bua_harness.h"

#include <unistd.h>

#include <cstdlib>
#include <set>

#include "control/sip/sip_headers.h"

namespace sbc::control::test {

using sip::HeaderId;

bool FakeTransports::send(const sip::Message& message, const sip::Peer& to, std::string&) {
  sent.push_back({message, to, message.serialize()});
  return true;
}

dataplane::SocketAddress FakeTransports::localAddressFor(const sip::Peer& to) const {
  // The SBC's access address faces 198.18.1.0/24, its core address 198.18.2.0/24; TLS
  // listens on 5061.
  const bool core = to.address.toString().starts_with("198.18.2.");
  dataplane::SocketAddress local =
      *dataplane::SocketAddress::parse(core ? "198.18.2.1:5060" : "198.18.1.1:5060");
  if (to.transport == sip::TransportKind::Tls) local.port = 5061;
  return local;
}

std::string sdpFor(const std::string& address, int port) {
  return "v=0\r\no=- 1 1 IN IP4 " + address + "\r\ns=-\r\nc=IN IP4 " + address +
         "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
}

AnchorOutcome FakeMediaAnchor::offer(Call& call, LegSide from, std::string_view sdp) {
  ++offers;
  if (rejectOffers) return {{}, 488, "399 sbc \"no common codec: offered G729; allowed PCMA\""};
  call.mediaSessionId = static_cast<std::uint32_t>(call.id);
  // The SBC's side of the other leg: core faces leg B for inbound calls.
  const bool towardCore = call.legs[index(otherSide(from))].interfaceName == "core0";
  return {sdpFor(towardCore ? "198.18.2.1" : "198.18.1.1", 20000), 0, {}};
}

AnchorOutcome FakeMediaAnchor::answer(Call& call, LegSide from, std::string_view sdp) {
  ++answers;
  const bool towardCore = call.legs[index(otherSide(from))].interfaceName == "core0";
  return {sdpFor(towardCore ? "198.18.2.1" : "198.18.1.1", 20002), 0, {}};
}

void FakeMediaAnchor::release(Call& call) {
  if (call.mediaSessionId != 0) ++releases;
  call.mediaSessionId = 0;
}

std::optional<Millis> FakeMediaAnchor::refresh(Call& call) {
  if (call.mediaSessionId == 0) return std::nullopt;
  call.media[0].codecs = "PCMA,telephone-event";
  call.media[1].codecs = "PCMA,telephone-event";
  call.media[0].packetsIn = 100;
  call.media[1].packetsIn = 99;
  return idleMs;
}

SipConfig B2buaHarness::defaultConfig() {
  SipConfig config;
  config.listens.push_back({"access0", SipTransport::Udp, *dataplane::IpAddress::parse("198.18.1.1"), 5060});
  config.listens.push_back({"core0", SipTransport::Udp, *dataplane::IpAddress::parse("198.18.2.1"), 5060});
  TrunkConfig trunk;
  trunk.name = "carrier1";
  trunk.interfaceName = "access0";
  trunk.match.push_back(*dataplane::IpPrefix::parse("198.18.1.0/24"));
  trunk.destination = dataplane::SocketAddress::parse("198.18.1.10:5060");
  trunk.dialPrefixes.push_back("00");
  config.trunks.push_back(trunk);
  config.contactCenter.interfaceName = "core0";
  config.contactCenter.vip = dataplane::SocketAddress::parse("198.18.2.10:5060");
  config.contactCenter.backup = dataplane::SocketAddress::parse("198.18.2.11:5060");
  config.mediaTimeoutMs = 10'000;
  return config;
}

B2buaHarness::B2buaHarness(SipConfig config) {
  char name[] = "/tmp/b2bua-records-XXXXXX";
  const int fd = mkstemp(name);
  if (fd >= 0) close(fd);
  recordsPath = name;
  records = std::make_unique<CallRecordWriter>(recordsPath);
  b2bua = std::make_unique<B2bua>(config, transports, timers, media, *records,
                                  [this] { return wallMs; });
}

B2buaHarness::~B2buaHarness() {
  b2bua.reset();
  records.reset();
  unlink(recordsPath.c_str());
}

void B2buaHarness::receive(const std::string& text, const std::string& from,
                           sip::TransportKind transport, std::uint64_t connectionId) {
  const sip::ParseResult parsed = sip::parseDatagram(text);
  if (!parsed.ok()) {
    ADD_FAILURE_AT(__FILE__, __LINE__);
    return;
  }
  sip::Peer peer;
  peer.transport = transport;
  peer.connectionId = connectionId;
  peer.address = from.find(':') == std::string::npos
                     ? *dataplane::SocketAddress::parse(from + ":5060")
                     : *dataplane::SocketAddress::parse(from);
  b2bua->transactions().onMessage(*parsed.message, peer);
}

void B2buaHarness::advance(Millis ms) {
  // Step through time so that every timer fires at its own moment.
  for (Millis step = 0; step < ms; step += 10) {
    clock.advance(std::min<Millis>(10, ms - step));
    timers.runDue();
  }
}

std::vector<SentMessage> B2buaHarness::sentTo(const std::string& address) const {
  std::vector<SentMessage> out;
  for (const SentMessage& sent : transports.sent) {
    const std::string full = sent.to.address.toString();
    if (full == address || sent.to.address.ip.toString() == address) out.push_back(sent);
  }
  return out;
}

std::optional<SentMessage> B2buaHarness::lastRequest(const std::string& method) const {
  for (auto it = transports.sent.rbegin(); it != transports.sent.rend(); ++it)
    if (it->message.isRequest() && it->message.method == method) return *it;
  return std::nullopt;
}

std::optional<SentMessage> B2buaHarness::lastResponse(int status) const {
  for (auto it = transports.sent.rbegin(); it != transports.sent.rend(); ++it)
    if (!it->message.isRequest() && it->message.statusCode == status) return *it;
  return std::nullopt;
}

std::size_t B2buaHarness::countRequests(const std::string& method) const {
  // Retransmissions of one request (same Call-ID and CSeq) count once.
  std::set<std::string> distinct;
  for (const SentMessage& sent : transports.sent)
    if (sent.message.isRequest() && sent.message.method == method)
      distinct.insert(std::string(sent.message.value(HeaderId::CallId)) + " " +
                      std::string(sent.message.value(HeaderId::CSeq)));
  return distinct.size();
}

std::string carrierInvite(const std::string& callId, const std::string& dnis,
                          const std::string& branch, bool withSdp) {
  const std::string body = withSdp ? sdpFor("198.18.1.10", 30000) : std::string();
  std::string text = "INVITE sip:" + dnis + "@198.18.1.1:5060 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 198.18.1.10:5060;branch=" + branch + "\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: \"Alice\" <sip:+15551230001@carrier.example>;tag=a1\r\n"
                     "To: <sip:" + dnis + "@sbc.example>\r\n"
                     "Call-ID: " + callId + "\r\n"
                     "CSeq: 1 INVITE\r\n"
                     "Contact: <sip:alice@198.18.1.10:5060>\r\n"
                     "Supported: 100rel, timer, gruu\r\n";
  if (withSdp) text += "Content-Type: application/sdp\r\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return text;
}

std::string answerTo(const sip::Message& request, int status, const std::string& toTag,
                     const std::string& body, const std::string& contact) {
  std::string text = "SIP/2.0 " + std::to_string(status) + " Whatever\r\n";
  for (const std::string& via : request.values(HeaderId::Via)) text += "Via: " + via + "\r\n";
  text += "From: " + std::string(request.value(HeaderId::From)) + "\r\n";
  std::string to(request.value(HeaderId::To));
  if (!toTag.empty() && to.find(";tag=") == std::string::npos) to += ";tag=" + toTag;
  text += "To: " + to + "\r\n";
  text += "Call-ID: " + std::string(request.value(HeaderId::CallId)) + "\r\n";
  text += "CSeq: " + std::string(request.value(HeaderId::CSeq)) + "\r\n";
  if (!contact.empty()) text += "Contact: " + contact + "\r\n";
  text += "Record-Route: <sip:198.18.2.10;lr>\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return text;
}

std::string requestInDialog(const sip::Message& inviteFromSbc, const std::string& method,
                            std::uint32_t cseq, const std::string& farTag,
                            const std::string& farAddress, const std::string& body) {
  // The far end swaps From and To of the SBC's INVITE.
  const auto contact = sip::parseNameAddr(inviteFromSbc.values(HeaderId::Contact).front());
  std::string text = method + " " + contact->uri.str() + " SIP/2.0\r\n";
  text += "Via: SIP/2.0/UDP " + farAddress + ":5060;branch=z9hG4bKfar" + method +
          std::to_string(cseq) + "\r\n";
  text += "Max-Forwards: 70\r\n";
  text += "From: " + std::string(inviteFromSbc.value(HeaderId::To)) + ";tag=" + farTag + "\r\n";
  text += "To: " + std::string(inviteFromSbc.value(HeaderId::From)) + "\r\n";
  text += "Call-ID: " + std::string(inviteFromSbc.value(HeaderId::CallId)) + "\r\n";
  text += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  text += "Contact: <sip:far@" + farAddress + ":5060>\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return text;
}

std::string carrierInDialog(const sip::Message& responseFromSbc, const std::string& method,
                            std::uint32_t cseq, const std::string& body) {
  const auto contact = sip::parseNameAddr(responseFromSbc.values(HeaderId::Contact).front());
  std::string text = method + " " + contact->uri.str() + " SIP/2.0\r\n";
  text += "Via: SIP/2.0/UDP 198.18.1.10:5060;branch=z9hG4bKcarrier" + method +
          std::to_string(cseq) + "\r\n";
  text += "Max-Forwards: 70\r\n";
  text += "From: " + std::string(responseFromSbc.value(HeaderId::From)) + "\r\n";
  text += "To: " + std::string(responseFromSbc.value(HeaderId::To)) + "\r\n";
  text += "Call-ID: " + std::string(responseFromSbc.value(HeaderId::CallId)) + "\r\n";
  text += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return text;
}

}  // namespace sbc::control::test
