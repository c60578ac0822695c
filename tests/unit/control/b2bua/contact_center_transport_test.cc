// The contact center over TCP or TLS (`transport tcp|tls` in the contact-center block): leg B's
// requests and the OPTIONS probes take the configured transport from the SBC's core listener,
// with the URIs RFC 3261 wants (;transport=tcp, sips: for TLS); a connection that fails is a
// host that does not answer. First on the harness's fake transports, then on real sockets
// (TCP, and TLS with a certificate made at test time) over loopback.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include "b2bua_harness.h"
#include "control/sip/sip_headers.h"
#include "control/sip/socket_addresses.h"
#include "control/sip/socket_transports.h"
#include "tests/unit/control/sip/test_certificate.h"

namespace sbc::control::test {
namespace {

using sip::HeaderId;
using sip::TransportKind;

SipConfig overStream(SipTransport transport) {
  SipConfig config = B2buaHarness::defaultConfig();
  const auto core = *dataplane::IpAddress::parse("198.18.2.1");
  config.listens.push_back({"core0", transport, core,
                            static_cast<std::uint16_t>(transport == SipTransport::Tls ? 5061 : 5060)});
  config.contactCenter.transport = transport;
  return config;
}

std::optional<SentMessage> firstRequestTo(const B2buaHarness& h, const std::string& address,
                                          const std::string& method) {
  for (const SentMessage& sent : h.sentTo(address))
    if (sent.message.isRequest() && sent.message.method == method) return sent;
  return std::nullopt;
}

TEST(ContactCenterTransportTest, CallsAndProbesGoToTheContactCenterOverTcp) {
  B2buaHarness h(overStream(SipTransport::Tcp));
  h.b2bua->start();
  // The health check goes over TCP from the core listener.
  const auto probe = firstRequestTo(h, "198.18.2.10", "OPTIONS");
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->to.transport, TransportKind::Tcp);
  EXPECT_EQ(probe->to.local.toString(), "198.18.2.1:5060");
  EXPECT_EQ(probe->message.requestUri, "sip:198.18.2.10:5060;transport=tcp");
  EXPECT_EQ(probe->message.value(HeaderId::Via).substr(0, 29), "SIP/2.0/TCP 198.18.2.1:5060;b");

  h.receive(carrierInvite("tcp-1@carrier"), "198.18.1.10");
  EXPECT_EQ(h.lastResponse(100)->to.transport, TransportKind::Udp);  // the carrier stays on UDP
  const auto invite = h.lastRequest("INVITE");
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->to.transport, TransportKind::Tcp);
  EXPECT_EQ(invite->to.address.toString(), "198.18.2.10:5060");
  EXPECT_EQ(invite->to.local.toString(), "198.18.2.1:5060");
  EXPECT_EQ(invite->message.requestUri, "sip:8005551234@198.18.2.10:5060;transport=tcp");
  EXPECT_EQ(invite->message.value(HeaderId::Via).substr(0, 29), "SIP/2.0/TCP 198.18.2.1:5060;b");
  EXPECT_EQ(invite->message.value(HeaderId::Contact), "<sip:198.18.2.1:5060;transport=tcp>");

  // The contact center answers on the connection the INVITE opened.
  h.receive(answerTo(invite->message, 200, "cc1", sdpFor("198.18.2.10", 40000),
                     "<sip:agent@198.18.2.10:5060;transport=tcp>"),
            "198.18.2.10:5060", TransportKind::Tcp, 7);
  const auto ok = h.lastResponse(200);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->to.transport, TransportKind::Udp);
  EXPECT_EQ(ok->message.value(HeaderId::Contact), "<sip:198.18.1.1:5060>");
  const auto ack = h.lastRequest("ACK");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->to.transport, TransportKind::Tcp);
  EXPECT_EQ(ack->message.requestUri, "sip:agent@198.18.2.10:5060;transport=tcp");
  EXPECT_EQ(ack->message.value(HeaderId::Via).substr(0, 12), "SIP/2.0/TCP ");

  // The caller hangs up: the BYE crosses over TCP too, and the call ends with its record.
  h.receive(carrierInDialog(ok->message, "ACK", 1), "198.18.1.10");
  h.receive(carrierInDialog(ok->message, "BYE", 2), "198.18.1.10");
  const auto bye = h.lastRequest("BYE");
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->to.transport, TransportKind::Tcp);
  EXPECT_EQ(bye->to.address.toString(), "198.18.2.10:5060");
  EXPECT_EQ(bye->message.value(HeaderId::Via).substr(0, 12), "SIP/2.0/TCP ");
  EXPECT_TRUE(h.b2bua->calls().empty());
}

TEST(ContactCenterTransportTest, OverTlsTheUrisAreSips) {
  B2buaHarness h(overStream(SipTransport::Tls));
  h.b2bua->start();
  const auto probe = firstRequestTo(h, "198.18.2.10", "OPTIONS");
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->to.transport, TransportKind::Tls);
  EXPECT_EQ(probe->message.requestUri, "sips:198.18.2.10:5060");
  EXPECT_EQ(probe->message.value(HeaderId::To), "<sips:198.18.2.10:5060>");

  h.receive(carrierInvite("tls-1@carrier"), "198.18.1.10");
  const auto invite = h.lastRequest("INVITE");
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->to.transport, TransportKind::Tls);
  EXPECT_EQ(invite->to.local.toString(), "198.18.2.1:5061");
  // RFC 3261 8.1.1.8: a sips: Request-URI asks for a sips: Contact; transport=tls is
  // deprecated (26.2.2).
  EXPECT_EQ(invite->message.requestUri, "sips:8005551234@198.18.2.10:5060");
  EXPECT_EQ(invite->message.value(HeaderId::To), "<sips:8005551234@198.18.2.10:5060>");
  EXPECT_EQ(invite->message.value(HeaderId::Contact), "<sips:198.18.2.1:5061>");
  EXPECT_EQ(invite->message.value(HeaderId::Via).substr(0, 29), "SIP/2.0/TLS 198.18.2.1:5061;b");
  EXPECT_EQ(invite->wire.find("transport=tls"), std::string::npos);
}

TEST(ContactCenterTransportTest, AConnectionThatFailsIsAHostThatDoesNotAnswer) {
  B2buaHarness h(overStream(SipTransport::Tcp));
  h.b2bua->start();
  h.receive(carrierInvite("refused@carrier"), "198.18.1.10");
  ASSERT_EQ(h.lastRequest("INVITE")->to.address.toString(), "198.18.2.10:5060");
  // The VIP refuses the connection: the INVITE and the probe waiting on it fail at once.
  sip::Peer vip;
  vip.transport = TransportKind::Tcp;
  vip.address = *dataplane::SocketAddress::parse("198.18.2.10:5060");
  h.b2bua->transactions().onTransportFailure(vip);
  h.advance(10);  // what the layer reports from a 0 ms timer, well before any probe timeout
  const auto moved = firstRequestTo(h, "198.18.2.11", "INVITE");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->to.transport, TransportKind::Tcp);
  EXPECT_EQ(moved->message.requestUri, "sip:8005551234@198.18.2.11:5060;transport=tcp");
  EXPECT_EQ(h.countRequests("INVITE"), 2u);  // one to the VIP, one to the backup: no more
  EXPECT_FALSE(h.b2bua->contactCenter().vip()->up);
  EXPECT_EQ(h.b2bua->contactCenter().target()->toString(), "198.18.2.11:5060");
  EXPECT_GE(h.b2bua->counters().failovers, 1u);
  EXPECT_FALSE(h.lastResponse(503));  // the caller never heard of it
}

TEST(ContactCenterTransportTest, OutboundCallFromTheContactCenterIsAnsweredOnItsConnection) {
  B2buaHarness h(overStream(SipTransport::Tcp));
  std::string invite = carrierInvite("out-tcp@cc", "0044123456", "z9hG4bKouttcp");
  invite.replace(invite.find("SIP/2.0/UDP"), 11, "SIP/2.0/TCP");
  h.receive(invite, "198.18.2.10:40123", TransportKind::Tcp, 42);
  const auto trying = h.lastResponse(100);
  ASSERT_TRUE(trying);
  EXPECT_EQ(trying->to.transport, TransportKind::Tcp);
  EXPECT_EQ(trying->to.connectionId, 42u);
  // Toward the carrier the trunk's own transport (UDP) is used.
  const auto out = h.lastRequest("INVITE");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->to.transport, TransportKind::Udp);
  EXPECT_EQ(out->to.address.toString(), "198.18.1.10:5060");
  h.receive(answerTo(out->message, 200, "car1", sdpFor("198.18.1.10", 30000),
                     "<sip:callee@198.18.1.10:5060>"),
            "198.18.1.10");
  const auto ok = h.lastResponse(200);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->to.transport, TransportKind::Tcp);
  EXPECT_EQ(ok->to.connectionId, 42u);
  EXPECT_EQ(ok->message.value(HeaderId::Contact), "<sip:198.18.2.1:5060;transport=tcp>");
}

// --- real sockets over loopback ---------------------------------------------------------------

constexpr int kPollRounds = 500;  // of at most 10 ms each
constexpr int kPollSliceMs = 10;

// A far end on real sockets (the carrier or a contact center host) that records what it got.
struct FarEnd {
  std::unique_ptr<sip::SocketTransports> transports;
  std::vector<std::pair<sip::Message, sip::Peer>> received;

  const sip::Message* lastRequest(const std::string& method) const {
    for (auto it = received.rbegin(); it != received.rend(); ++it)
      if (it->first.isRequest() && it->first.method == method) return &it->first;
    return nullptr;
  }
  const std::pair<sip::Message, sip::Peer>* lastWith(const std::string& methodOrStatus) const {
    for (auto it = received.rbegin(); it != received.rend(); ++it)
      if (it->first.isRequest() ? it->first.method == methodOrStatus
                                : std::to_string(it->first.statusCode) == methodOrStatus)
        return &*it;
    return nullptr;
  }
  void send(const std::string& text, const sip::Peer& to) {
    const sip::ParseResult parsed = sip::parseDatagram(text);
    ASSERT_TRUE(parsed.ok()) << text;
    std::string error;
    ASSERT_TRUE(transports->send(*parsed.message, to, error)) << error;
  }
};

class LoopbackTest : public ::testing::Test {
 protected:
  LoopbackTest() {
    char name[] = "/tmp/b2bua-loopback-records-XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    recordsPath = name;
    records = std::make_unique<CallRecordWriter>(recordsPath);
  }
  ~LoopbackTest() override {
    b2bua.reset();
    sbc.reset();
    ends.clear();
    if (refusing_ >= 0) close(refusing_);
    unlink(recordsPath.c_str());
  }

  // An address on 127.0.0.20 where nothing listens: a bound TCP socket that never listens
  // answers SYN with RST (for the test's life). Port 0 when it cannot be made.
  dataplane::SocketAddress refusingTcpAddress() {
    refusing_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(refusing_, 0);
    const auto bindTo = sip::toNative(*dataplane::SocketAddress::parse("127.0.0.20:0"));
    if (refusing_ < 0 || bind(refusing_, bindTo->get(), bindTo->length) != 0) return {};
    return sip::localAddressOf(refusing_).value_or(dataplane::SocketAddress{});
  }
  int refusing_ = -1;

  static sip::ListenerSpec spec(TransportKind transport, const std::string& local,
                                const sip::test_support::TestCertificate* certificate = nullptr) {
    sip::ListenerSpec listener;
    listener.transport = transport;
    listener.local = *dataplane::SocketAddress::parse(local);
    if (certificate) {
      listener.certificateFile = certificate->certificateFile;
      listener.privateKeyFile = certificate->privateKeyFile;
      listener.caFile = certificate->certificateFile;  // it trusts itself: mutual verification
    }
    return listener;
  }

  FarEnd* farEnd(const std::vector<sip::ListenerSpec>& listeners) {
    auto end = std::make_unique<FarEnd>();
    std::string error;
    end->transports = sip::SocketTransports::open(listeners, timers, error);
    EXPECT_TRUE(end->transports) << error;
    if (!end->transports) return nullptr;
    FarEnd* raw = end.get();
    raw->transports->setHandlers(
        [raw](const sip::Message& message, const sip::Peer& from) {
          raw->received.emplace_back(message, from);
        },
        nullptr);
    ends.push_back(std::move(end));
    return raw;
  }

  // The SBC: UDP toward the carrier on 127.0.0.1, `core` toward the contact center on
  // 127.0.0.2, the contact center at `vip` (and `backup`).
  void startSbc(sip::ListenerSpec core, const dataplane::SocketAddress& vip,
                std::optional<dataplane::SocketAddress> backup, bool probe) {
    std::string error;
    sbc = sip::SocketTransports::open({spec(TransportKind::Udp, "127.0.0.1:0"), core}, timers,
                                      error);
    ASSERT_TRUE(sbc) << error;
    SipConfig config;
    config.listens.push_back({"access0", SipTransport::Udp, sbc->listenerAddress(0).ip,
                              sbc->listenerAddress(0).port});
    const SipTransport transport =
        core.transport == TransportKind::Tls ? SipTransport::Tls : SipTransport::Tcp;
    config.listens.push_back({"core0", transport, sbc->listenerAddress(1).ip,
                              sbc->listenerAddress(1).port});
    TrunkConfig trunk;
    trunk.name = "carrier1";
    trunk.interfaceName = "access0";
    trunk.match.push_back(*dataplane::IpPrefix::parse("127.0.0.10/32"));
    config.trunks.push_back(trunk);
    config.contactCenter.interfaceName = "core0";
    config.contactCenter.vip = vip;
    config.contactCenter.backup = backup;
    config.contactCenter.transport = transport;
    b2bua = std::make_unique<B2bua>(config, *sbc, timers, media, *records, [] { return Millis{0}; });
    b2bua->transactions().attachToTransports();
    if (probe) b2bua->start();
  }

  void pumpOnce() {
    std::vector<pollfd> fds{{sbc->pollFd(), POLLIN, 0}};
    for (const auto& end : ends) fds.push_back({end->transports->pollFd(), POLLIN, 0});
    poll(fds.data(), fds.size(), kPollSliceMs);
    sbc->handleEvents();
    for (const auto& end : ends) end->transports->handleEvents();
    timers.runDue();  // 0 ms timers only: the clock stands still unless a test moves it
  }
  bool pumpUntil(const std::function<bool()>& done) {
    for (int round = 0; round < kPollRounds; ++round) {
      if (done()) return true;
      pumpOnce();
    }
    return done();
  }

  // The carrier's INVITE from `carrier` to the SBC's access address.
  std::string invite(const FarEnd& carrier, const std::string& callId) const {
    std::string text = carrierInvite(callId);
    const std::string from = carrier.transports->listenerAddress(0).toString();
    for (std::size_t at; (at = text.find("198.18.1.10:5060")) != std::string::npos;)
      text.replace(at, 16, from);
    return text;
  }
  sip::Peer toSbcAccess() const {
    sip::Peer peer;
    peer.address = sbc->listenerAddress(0);
    return peer;
  }

  FakeClock clock;
  TimerQueue timers{clock};
  FakeMediaAnchor media;
  std::string recordsPath;
  std::unique_ptr<CallRecordWriter> records;
  std::vector<std::unique_ptr<FarEnd>> ends;
  std::unique_ptr<sip::SocketTransports> sbc;
  std::unique_ptr<B2bua> b2bua;
};

TEST_F(LoopbackTest, ACallToTheContactCenterOverTlsWithMutualVerification) {
  const auto certificate =
      sip::test_support::TestCertificate::make("sbc.test", "IP:127.0.0.2,IP:127.0.0.20");
  ASSERT_TRUE(certificate.ok()) << certificate.error;
  FarEnd* center = farEnd({spec(TransportKind::Tls, "127.0.0.20:0", &certificate)});
  FarEnd* carrier = farEnd({spec(TransportKind::Udp, "127.0.0.10:0")});
  ASSERT_TRUE(center && carrier);
  const dataplane::SocketAddress vip = center->transports->listenerAddress(0);
  startSbc(spec(TransportKind::Tls, "127.0.0.2:0", &certificate), vip, std::nullopt, true);
  ASSERT_TRUE(b2bua);
  const dataplane::SocketAddress core = sbc->listenerAddress(1);

  // The health check arrives over TLS (the SBC verified the host's certificate, the host the
  // SBC's) and is answered on its connection.
  ASSERT_TRUE(pumpUntil([&] { return center->lastRequest("OPTIONS") != nullptr; }));
  const auto probe = *center->lastWith("OPTIONS");
  EXPECT_EQ(probe.second.transport, TransportKind::Tls);
  EXPECT_EQ(probe.first.requestUri, "sips:" + vip.toString());
  EXPECT_EQ(probe.first.value(HeaderId::Via).substr(0, 12 + core.toString().size()),
            "SIP/2.0/TLS " + core.toString());
  center->send(answerTo(probe.first, 200, "opt"), probe.second);
  ASSERT_TRUE(pumpUntil([&] { return b2bua->contactCenter().vip()->answered == 1; }));

  // A call: the INVITE reuses the probes' connection.
  carrier->send(invite(*carrier, "tls-call@carrier"), toSbcAccess());
  ASSERT_TRUE(pumpUntil([&] { return center->lastRequest("INVITE") != nullptr; }));
  const auto inviteAt = *center->lastWith("INVITE");
  EXPECT_EQ(inviteAt.second.transport, TransportKind::Tls);
  EXPECT_EQ(inviteAt.second.connectionId, probe.second.connectionId);
  EXPECT_EQ(inviteAt.first.requestUri, "sips:8005551234@" + vip.toString());
  EXPECT_EQ(inviteAt.first.value(HeaderId::Contact), "<sips:" + core.toString() + ">");
  EXPECT_EQ(sbc->counters().connectionsOpened, 1u);

  // The host answers without the harness's Record-Route (it names no host of this test).
  std::string answer = answerTo(inviteAt.first, 200, "cc1", sdpFor("127.0.0.20", 40000),
                                "<sips:agent@" + vip.toString() + ">");
  answer.erase(answer.find("Record-Route:"), answer.find("\r\n", answer.find("Record-Route:")) + 2 -
                                                 answer.find("Record-Route:"));
  center->send(answer, inviteAt.second);
  ASSERT_TRUE(pumpUntil([&] { return carrier->lastWith("200") != nullptr; }));
  ASSERT_TRUE(pumpUntil([&] { return center->lastRequest("ACK") != nullptr; }));
  EXPECT_EQ(center->lastWith("ACK")->second.transport, TransportKind::Tls);
  EXPECT_EQ(center->lastRequest("ACK")->requestUri, "sips:agent@" + vip.toString());

  // The contact center hangs up over TLS; the carrier gets the BYE over UDP.
  const sip::Message* ack = center->lastRequest("ACK");
  std::string bye = "BYE sips:" + core.toString() + " SIP/2.0\r\n"
                    "Via: SIP/2.0/TLS " + vip.toString() + ";branch=z9hG4bKccbye\r\n"
                    "Max-Forwards: 70\r\n"
                    "From: " + std::string(ack->value(HeaderId::To)) + "\r\n"
                    "To: " + std::string(ack->value(HeaderId::From)) + "\r\n"
                    "Call-ID: " + std::string(ack->value(HeaderId::CallId)) + "\r\n"
                    "CSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n";
  center->send(bye, inviteAt.second);
  ASSERT_TRUE(pumpUntil([&] { return center->lastWith("200") != nullptr; }));
  EXPECT_EQ(center->lastWith("200")->first.value(HeaderId::CSeq), "1 BYE");
  ASSERT_TRUE(pumpUntil([&] { return carrier->lastRequest("BYE") != nullptr; }));
  EXPECT_EQ(carrier->lastWith("BYE")->second.transport, TransportKind::Udp);
  EXPECT_TRUE(b2bua->calls().empty());
  EXPECT_EQ(sbc->counters().connectionsOpened, 1u);
}

TEST_F(LoopbackTest, ARefusedTcpConnectionFailsTheInviteOverToTheBackupAtOnce) {
  const dataplane::SocketAddress vip = refusingTcpAddress();
  ASSERT_NE(vip.port, 0);
  FarEnd* backup = farEnd({spec(TransportKind::Tcp, "127.0.0.21:0")});
  FarEnd* carrier = farEnd({spec(TransportKind::Udp, "127.0.0.10:0")});
  ASSERT_TRUE(backup && carrier);
  // No probes: the monitor still thinks the VIP is up, so only the refused connection tells.
  startSbc(spec(TransportKind::Tcp, "127.0.0.2:0"), vip,
           backup->transports->listenerAddress(0), false);
  ASSERT_TRUE(b2bua);

  carrier->send(invite(*carrier, "refused@carrier"), toSbcAccess());
  ASSERT_TRUE(pumpUntil([&] { return backup->lastRequest("INVITE") != nullptr; }));
  // The fake clock never moved: no timer had to run out.
  EXPECT_EQ(backup->lastWith("INVITE")->second.transport, TransportKind::Tcp);
  EXPECT_EQ(backup->lastRequest("INVITE")->requestUri,
            "sip:8005551234@" + backup->transports->listenerAddress(0).toString() +
                ";transport=tcp");
  EXPECT_EQ(b2bua->counters().failovers, 1u);
  EXPECT_GE(b2bua->transactions().counters().transportErrors, 1u);
  EXPECT_EQ(carrier->lastWith("503"), nullptr);
}

TEST_F(LoopbackTest, ARefusedTcpConnectionFailsTheProbeAtOnce) {
  const dataplane::SocketAddress vip = refusingTcpAddress();
  ASSERT_NE(vip.port, 0);
  FarEnd* backup = farEnd({spec(TransportKind::Tcp, "127.0.0.21:0")});
  ASSERT_TRUE(backup);
  startSbc(spec(TransportKind::Tcp, "127.0.0.2:0"), vip,
           backup->transports->listenerAddress(0), true);
  ASSERT_TRUE(b2bua);
  // Well inside the probe timeout (the clock stands still), the VIP is down.
  ASSERT_TRUE(pumpUntil([&] { return !b2bua->contactCenter().vip()->up; }));
  ASSERT_TRUE(pumpUntil([&] { return backup->lastRequest("OPTIONS") != nullptr; }));
  EXPECT_EQ(backup->lastWith("OPTIONS")->second.transport, TransportKind::Tcp);
}

}  // namespace
}  // namespace sbc::control::test
