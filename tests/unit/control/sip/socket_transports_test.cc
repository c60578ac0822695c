// SocketTransports on real sockets bound to 127.0.0.1 and ::1, port 0 only. Time for the idle
// timers is a FakeClock; waiting for the kernel is bounded polling, never a sleep.
#include "control/sip/socket_transports.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "control/sip/sip_headers.h"
#include "control/sip/socket_addresses.h"
#include "tests/unit/control/sip/test_certificate.h"
#include "tests/unit/control/sip/transaction_fixture.h"

namespace sbc::sip::test_support {
namespace {

constexpr int kPollRounds = 500;  // of at most 10 ms each: a generous bound for loopback
constexpr int kPollSliceMs = 10;

dataplane::SocketAddress address(std::string_view text) {
  return *dataplane::SocketAddress::parse(text);
}

ListenerSpec listener(TransportKind transport, std::string_view local) {
  ListenerSpec spec;
  spec.transport = transport;
  spec.local = address(local);
  return spec;
}

// A transport set and everything it reported.
struct Endpoint {
  std::unique_ptr<SocketTransports> transports;
  std::vector<std::pair<Message, Peer>> received;
  std::vector<std::string> malformed;
  std::vector<std::pair<Peer, std::string>> failures;

  dataplane::SocketAddress at(std::size_t index = 0) const {
    return transports->listenerAddress(index);
  }
  bool send(const Message& message, const Peer& to) {
    std::string error;
    const bool sent = transports->send(message, to, error);
    lastError = error;
    return sent;
  }
  std::string lastError;
};

// --- raw peers, to see exactly what goes over the wire ---------------------------------------

class RawSocket {
 public:
  RawSocket(int family, int type) : fd_(socket(family, type | SOCK_CLOEXEC, 0)) {}
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  int fd() const { return fd_; }
  bool connectTo(const dataplane::SocketAddress& to) {
    const std::optional<NativeAddress> native = toNative(to);
    return native && connect(fd_, native->get(), native->length) == 0;
  }
  bool sendTo(std::string_view bytes, const dataplane::SocketAddress& to) {
    const std::optional<NativeAddress> native = toNative(to);
    return native && sendto(fd_, bytes.data(), bytes.size(), 0, native->get(), native->length) ==
                         static_cast<ssize_t>(bytes.size());
  }
  bool write(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  dataplane::SocketAddress local() const { return localAddressOf(fd_).value(); }

  // Whatever arrives within one poll slice (appended to `into`); false on end of stream.
  bool readSome(std::string& into) {
    pollfd entry{fd_, POLLIN, 0};
    if (poll(&entry, 1, kPollSliceMs) <= 0) return true;
    char buffer[65536];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) return false;
    if (n > 0) into.append(buffer, static_cast<std::size_t>(n));
    return n > 0 || errno == EAGAIN;
  }

 private:
  int fd_;
};

class SocketTransportsTest : public ::testing::Test {
 protected:
  Endpoint* open(std::vector<ListenerSpec> specs, SocketTransportLimits limits = {}) {
    auto endpoint = std::make_unique<Endpoint>();
    std::string error;
    endpoint->transports = SocketTransports::open(specs, timers, error, limits);
    if (!endpoint->transports) {
      openError = error;
      return nullptr;
    }
    Endpoint* raw = endpoint.get();
    raw->transports->setHandlers(
        [raw](const Message& message, const Peer& from) { raw->received.emplace_back(message, from); },
        [raw](std::string_view bytes, const ParseError&, const Peer&) {
          raw->malformed.emplace_back(bytes);
        });
    raw->transports->setFailureHandler([raw](const Peer& to, const std::string& why) {
      raw->failures.emplace_back(to, why);
    });
    endpoints.push_back(std::move(endpoint));
    return raw;
  }

  // Lets every endpoint work until `done` holds (or the rounds run out).
  bool pumpUntil(const std::function<bool()>& done) {
    for (int round = 0; round < kPollRounds; ++round) {
      if (done()) return true;
      pumpOnce();
    }
    return done();
  }
  void pumpOnce() {
    std::vector<pollfd> fds;
    for (const auto& endpoint : endpoints) fds.push_back({endpoint->transports->pollFd(), POLLIN, 0});
    poll(fds.data(), fds.size(), kPollSliceMs);
    for (const auto& endpoint : endpoints) endpoint->transports->handleEvents();
  }

  // Reads from a raw peer until `wanted` occurs in what it got.
  bool rawReadUntil(RawSocket& socket, std::string& got, std::string_view wanted) {
    for (int round = 0; round < kPollRounds; ++round) {
      if (got.find(wanted) != std::string::npos) return true;
      pumpOnce();
      if (!socket.readSome(got)) break;
    }
    return got.find(wanted) != std::string::npos;
  }
  // True when the raw peer sees the end of the stream.
  bool rawSeesClose(RawSocket& socket) {
    std::string ignored;
    for (int round = 0; round < kPollRounds; ++round) {
      pumpOnce();
      if (!socket.readSome(ignored)) return true;
    }
    return false;
  }

  static Message request(std::string_view method, std::string_view branch) {
    return makeRequest(method, branch, "198.18.0.2:5060");
  }

  control::FakeClock clock;
  control::TimerQueue timers{clock};
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  std::string openError;
};

// --- UDP ------------------------------------------------------------------------------------

TEST_F(SocketTransportsTest, UdpRoundTripBetweenTwoTransportSets) {
  Endpoint* a = open({listener(TransportKind::Udp, "127.0.0.1:0")});
  Endpoint* b = open({listener(TransportKind::Udp, "127.0.0.1:0")});
  ASSERT_TRUE(a && b) << openError;
  EXPECT_NE(a->at().port, 0);

  const Message options = request("OPTIONS", "z9hG4bKudp1");
  ASSERT_TRUE(a->send(options, Peer{TransportKind::Udp, b->at(), 0, {}})) << a->lastError;
  ASSERT_TRUE(pumpUntil([&] { return !b->received.empty(); }));
  const auto& [got, from] = b->received[0];
  EXPECT_EQ(got.method, "OPTIONS");
  EXPECT_EQ(got.value(HeaderId::CallId), options.value(HeaderId::CallId));
  EXPECT_EQ(from.transport, TransportKind::Udp);
  EXPECT_EQ(from.address, a->at());  // sent from the listener's own port
  EXPECT_EQ(from.local, b->at());

  ASSERT_TRUE(b->send(makeResponse(got, 200, "OK", "b-tag"), from));
  ASSERT_TRUE(pumpUntil([&] { return !a->received.empty(); }));
  EXPECT_EQ(a->received[0].first.statusCode, 200);
  EXPECT_EQ(b->transports->counters().messagesReceived, 1u);
  EXPECT_EQ(b->transports->counters().messagesSent, 1u);
}

TEST_F(SocketTransportsTest, UdpRequestGetsReceivedAndRportOnItsTopVia) {
  Endpoint* sbc = open({listener(TransportKind::Udp, "127.0.0.1:0")});
  ASSERT_TRUE(sbc) << openError;
  RawSocket phone(AF_INET, SOCK_DGRAM);
  Message options = request("OPTIONS", "z9hG4bKrport");
  options.set(HeaderId::Via, "SIP/2.0/UDP 198.18.0.2:5060;branch=z9hG4bKrport;rport");
  ASSERT_TRUE(phone.sendTo(options.serialize(), sbc->at()));
  ASSERT_TRUE(pumpUntil([&] { return !sbc->received.empty(); }));
  const std::optional<Via> via = parseVia(sbc->received[0].first.values(HeaderId::Via).at(0));
  ASSERT_TRUE(via);
  EXPECT_EQ(findParam(via->params, "received"), "127.0.0.1");
  EXPECT_EQ(findParam(via->params, "rport"), std::to_string(phone.local().port));
  EXPECT_EQ(via->branch(), "z9hG4bKrport");
}

TEST_F(SocketTransportsTest, UdpGarbageGoesToTheMalformedHandlerAndKeepalivesAreCounted) {
  Endpoint* sbc = open({listener(TransportKind::Udp, "127.0.0.1:0")});
  ASSERT_TRUE(sbc) << openError;
  RawSocket phone(AF_INET, SOCK_DGRAM);
  ASSERT_TRUE(phone.sendTo("\r\n\r\n", sbc->at()));
  ASSERT_TRUE(phone.sendTo("this is not SIP\r\n\r\n", sbc->at()));
  ASSERT_TRUE(pumpUntil([&] { return !sbc->malformed.empty(); }));
  EXPECT_EQ(sbc->malformed[0], "this is not SIP\r\n\r\n");
  EXPECT_TRUE(sbc->received.empty());
  EXPECT_EQ(sbc->transports->counters().keepalivesReceived, 1u);
  EXPECT_EQ(sbc->transports->counters().malformedMessages, 1u);
}

TEST_F(SocketTransportsTest, LocalAddressIsTheListenerOfThatTransportAndFamily) {
  Endpoint* sbc = open({listener(TransportKind::Udp, "127.0.0.1:0"),
                        listener(TransportKind::Tcp, "127.0.0.1:0"),
                        listener(TransportKind::Udp, "0.0.0.0:0")});
  ASSERT_TRUE(sbc) << openError;
  const Peer far{TransportKind::Tcp, address("127.0.0.1:9"), 0, {}};
  EXPECT_EQ(sbc->transports->localAddressFor(far), sbc->at(1));
  // A wildcard listener reports the address the kernel would send from.
  const Peer viaWildcard{TransportKind::Udp, address("127.0.0.1:9"), 0, sbc->at(2)};
  const dataplane::SocketAddress local = sbc->transports->localAddressFor(viaWildcard);
  EXPECT_EQ(local.ip.toString(), "127.0.0.1");
  EXPECT_EQ(local.port, sbc->at(2).port);
  // No TLS listener, no IPv6 listener: nothing to send from.
  EXPECT_EQ(sbc->transports->localAddressFor({TransportKind::Tls, address("127.0.0.1:9"), 0, {}})
                .ip.family,
            dataplane::IpFamily::kNone);
  std::string error;
  EXPECT_FALSE(sbc->transports->send(request("OPTIONS", "z9hG4bKv6"),
                                     {TransportKind::Udp, address("[::1]:9"), 0, {}}, error));
  EXPECT_FALSE(error.empty());
}

// --- TCP ------------------------------------------------------------------------------------

TEST_F(SocketTransportsTest, TcpMessagesSplitAcrossWritesAndTwoInOneWriteAreFramed) {
  Endpoint* sbc = open({listener(TransportKind::Tcp, "127.0.0.1:0")});
  ASSERT_TRUE(sbc) << openError;
  RawSocket phone(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(phone.connectTo(sbc->at()));
  Message first = request("INFO", "z9hG4bKsplit1");
  first.body = "a body of twenty six bytes";
  first.set(HeaderId::ContentType, "text/plain");
  const std::string one = first.serialize();
  const std::string two = request("OPTIONS", "z9hG4bKsplit2").serialize();

  ASSERT_TRUE(phone.write(one.substr(0, 40)));
  for (int i = 0; i < 5; ++i) pumpOnce();
  ASSERT_TRUE(phone.write(one.substr(40, one.size() - 45)));  // stops inside the body
  for (int i = 0; i < 5; ++i) pumpOnce();
  EXPECT_TRUE(sbc->received.empty());
  ASSERT_TRUE(phone.write(one.substr(one.size() - 5) + two));  // the end and one more whole
  ASSERT_TRUE(pumpUntil([&] { return sbc->received.size() == 2; }));
  EXPECT_EQ(sbc->received[0].first.method, "INFO");
  EXPECT_EQ(sbc->received[0].first.body, "a body of twenty six bytes");
  EXPECT_EQ(sbc->received[1].first.method, "OPTIONS");
  const Peer& from = sbc->received[0].second;
  EXPECT_EQ(from.transport, TransportKind::Tcp);
  EXPECT_NE(from.connectionId, 0u);
  EXPECT_EQ(from.connectionId, sbc->received[1].second.connectionId);
  EXPECT_EQ(from.address, phone.local());
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);
}

TEST_F(SocketTransportsTest, TcpResponseGoesBackOnTheRequestsConnection) {
  Endpoint* sbc = open({listener(TransportKind::Tcp, "127.0.0.1:0")});
  ASSERT_TRUE(sbc) << openError;
  RawSocket phone(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(phone.connectTo(sbc->at()));
  ASSERT_TRUE(phone.write(request("OPTIONS", "z9hG4bKreuse").serialize()));
  ASSERT_TRUE(pumpUntil([&] { return !sbc->received.empty(); }));
  const auto& [options, from] = sbc->received[0];
  ASSERT_TRUE(sbc->send(makeResponse(options, 200, "OK", "t"), from)) << sbc->lastError;
  std::string got;
  EXPECT_TRUE(rawReadUntil(phone, got, "SIP/2.0 200 OK\r\n"));
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);
  EXPECT_EQ(sbc->transports->counters().connectionsOpened, 0u);
}

TEST_F(SocketTransportsTest, TcpRequestsToOnePeerShareOneConnectionBothWays) {
  Endpoint* a = open({listener(TransportKind::Tcp, "127.0.0.1:0")});
  Endpoint* b = open({listener(TransportKind::Tcp, "127.0.0.1:0")});
  ASSERT_TRUE(a && b) << openError;
  const Peer toB{TransportKind::Tcp, b->at(), 0, {}};
  ASSERT_TRUE(a->send(request("OPTIONS", "z9hG4bKshare1"), toB)) << a->lastError;
  ASSERT_TRUE(a->send(request("OPTIONS", "z9hG4bKshare2"), toB)) << a->lastError;
  ASSERT_TRUE(pumpUntil([&] { return b->received.size() == 2; }));
  EXPECT_EQ(b->received[0].second.connectionId, b->received[1].second.connectionId);
  EXPECT_EQ(b->received[0].first.values(HeaderId::Via).size(), 1u);
  ASSERT_TRUE(b->send(makeResponse(b->received[1].first, 200, "OK", "t"), b->received[1].second));
  ASSERT_TRUE(pumpUntil([&] { return !a->received.empty(); }));
  EXPECT_EQ(a->received[0].first.statusCode, 200);
  EXPECT_EQ(a->transports->connectionCount(), 1u);
  EXPECT_EQ(b->transports->connectionCount(), 1u);
  EXPECT_EQ(a->transports->counters().connectionsOpened, 1u);
  EXPECT_EQ(b->transports->counters().connectionsAccepted, 1u);
  // Via and Contact name the listener, not the ephemeral port the connection left from.
  const Peer onA = a->received[0].second;
  EXPECT_NE(onA.local.port, a->at().port);
  EXPECT_EQ(a->transports->localAddressFor(onA), a->at());
  EXPECT_EQ(a->transports->localAddressFor(toB), a->at());
}

TEST_F(SocketTransportsTest, FramingFaultClosesOnlyThatConnection) {
  Endpoint* sbc = open({listener(TransportKind::Tcp, "127.0.0.1:0")});
  ASSERT_TRUE(sbc) << openError;
  RawSocket bad(AF_INET, SOCK_STREAM);
  RawSocket good(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(bad.connectTo(sbc->at()));
  ASSERT_TRUE(good.connectTo(sbc->at()));
  ASSERT_TRUE(pumpUntil([&] { return sbc->transports->connectionCount() == 2; }));
  // A stream message without Content-Length cannot be framed (RFC 3261 18.3).
  ASSERT_TRUE(bad.write("OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
                        "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKbad\r\n"
                        "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
                        "Call-ID: bad\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n"));
  EXPECT_TRUE(rawSeesClose(bad));
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);
  EXPECT_EQ(sbc->transports->counters().framingFaults, 1u);
  ASSERT_TRUE(good.write(request("OPTIONS", "z9hG4bKgood").serialize()));
  ASSERT_TRUE(pumpUntil([&] { return !sbc->received.empty(); }));
  EXPECT_EQ(sbc->received[0].first.value(HeaderId::CallId), "call-1@198.18.0.2");
}

// A message that frames but does not parse reaches the malformed handler with its octets (so
// that it can be answered 400), and the stream stays usable. One whose Content-Length breaks
// the framing (RFC 4475 3.1.2.3 ncl) reaches it with its header section, and what the handler
// sends in answer leaves on the connection before it closes.
TEST_F(SocketTransportsTest, TcpMalformedMessagesReachTheHandlerWithTheirBytes) {
  Endpoint* sbc = open({listener(TransportKind::Tcp, "127.0.0.1:0")});
  ASSERT_TRUE(sbc) << openError;
  std::vector<std::string> seen;
  sbc->transports->setHandlers(
      [sbc](const Message& message, const Peer& from) { sbc->received.emplace_back(message, from); },
      [&](std::string_view bytes, const ParseError& error, const Peer& from) {
        seen.emplace_back(bytes);
        Message answer;
        answer.statusCode = 400;
        answer.reasonPhrase = "Bad Request";
        answer.add(HeaderId::Warning, "399 sbc \"" + error.reason + "\"");
        std::string sendError;
        sbc->transports->send(answer, from, sendError);
      });
  RawSocket phone(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(phone.connectTo(sbc->at()));
  std::string bad = request("OPTIONS", "z9hG4bKbadcseq").serialize();
  bad.replace(bad.find("CSeq: 1 OPTIONS"), 15, "CSeq: x OPTIONS");
  ASSERT_TRUE(phone.write(bad + request("OPTIONS", "z9hG4bKgood").serialize()));
  ASSERT_TRUE(pumpUntil([&] { return !sbc->received.empty(); }));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], bad);
  std::string got;
  EXPECT_TRUE(rawReadUntil(phone, got, "SIP/2.0 400 Bad Request\r\n"));

  RawSocket ncl(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(ncl.connectTo(sbc->at()));
  std::string negative = request("OPTIONS", "z9hG4bKncl").serialize();
  negative.replace(negative.find("Content-Length: 0"), 17, "Content-Length: -999");
  ASSERT_TRUE(ncl.write(negative));
  std::string answer;
  EXPECT_TRUE(rawReadUntil(ncl, answer, "not a decimal number"));
  EXPECT_TRUE(rawSeesClose(ncl));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], negative);
  EXPECT_EQ(sbc->transports->counters().framingFaults, 1u);
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);
}

TEST_F(SocketTransportsTest, RefusedConnectIsReportedThroughTheFailureHandler) {
  Endpoint* a = open({listener(TransportKind::Tcp, "127.0.0.1:0")});
  ASSERT_TRUE(a) << openError;
  dataplane::SocketAddress nobody;
  {
    RawSocket placeholder(AF_INET, SOCK_STREAM);  // a port that was free a moment ago
    const std::optional<NativeAddress> any = toNative(address("127.0.0.1:0"));
    ASSERT_EQ(bind(placeholder.fd(), any->get(), any->length), 0);
    nobody = placeholder.local();
  }
  const Peer to{TransportKind::Tcp, nobody, 0, {}};
  EXPECT_TRUE(a->send(request("OPTIONS", "z9hG4bKrefused"), to));  // connect is under way
  EXPECT_TRUE(a->failures.empty());  // never from inside send()
  ASSERT_TRUE(pumpUntil([&] { return !a->failures.empty(); }));
  EXPECT_EQ(a->failures[0].first.address, nobody);
  EXPECT_EQ(a->failures[0].first.transport, TransportKind::Tcp);
  EXPECT_EQ(a->transports->connectionCount(), 0u);
  EXPECT_EQ(a->transports->counters().connectionFailures, 1u);
}

TEST_F(SocketTransportsTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  SocketTransportLimits limits;
  limits.idleTimeout = 60'000;
  Endpoint* sbc = open({listener(TransportKind::Tcp, "127.0.0.1:0")}, limits);
  ASSERT_TRUE(sbc) << openError;
  RawSocket phone(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(phone.connectTo(sbc->at()));
  ASSERT_TRUE(phone.write(request("OPTIONS", "z9hG4bKidle").serialize()));
  ASSERT_TRUE(pumpUntil([&] { return !sbc->received.empty(); }));
  clock.advance(59'000);
  timers.runDue();
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);
  clock.advance(1'000);
  timers.runDue();
  EXPECT_EQ(sbc->transports->connectionCount(), 0u);
  EXPECT_EQ(sbc->transports->counters().connectionsIdleClosed, 1u);
  EXPECT_TRUE(rawSeesClose(phone));
}

TEST_F(SocketTransportsTest, TlsHandshakeThatNeverCompletesIsClosedAtTheConnectTimeout) {
  const TestCertificate certificate = TestCertificate::make("sbc.test", "IP:127.0.0.1");
  ASSERT_TRUE(certificate.ok()) << certificate.error;
  SocketTransportLimits limits;
  limits.connectTimeout = 5'000;
  ListenerSpec spec = listener(TransportKind::Tls, "127.0.0.1:0");
  spec.certificateFile = certificate.certificateFile;
  spec.privateKeyFile = certificate.privateKeyFile;
  Endpoint* sbc = open({spec}, limits);
  ASSERT_TRUE(sbc) << openError;
  RawSocket silent(AF_INET, SOCK_STREAM);  // connects, never says ClientHello
  ASSERT_TRUE(silent.connectTo(sbc->at()));
  ASSERT_TRUE(pumpUntil([&] { return sbc->transports->connectionCount() == 1; }));
  clock.advance(4'999);
  timers.runDue();
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);
  clock.advance(1);
  timers.runDue();
  EXPECT_EQ(sbc->transports->connectionCount(), 0u);
  EXPECT_TRUE(rawSeesClose(silent));
  EXPECT_TRUE(sbc->failures.empty());  // nothing of ours was lost
}

TEST_F(SocketTransportsTest, ConnectionsOverTheLimitAreRefused) {
  SocketTransportLimits limits;
  limits.maxConnections = 1;
  Endpoint* sbc = open({listener(TransportKind::Tcp, "127.0.0.1:0")}, limits);
  ASSERT_TRUE(sbc) << openError;
  RawSocket first(AF_INET, SOCK_STREAM);
  RawSocket second(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(first.connectTo(sbc->at()));
  ASSERT_TRUE(pumpUntil([&] { return sbc->transports->connectionCount() == 1; }));
  ASSERT_TRUE(second.connectTo(sbc->at()));
  EXPECT_TRUE(rawSeesClose(second));
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);
  EXPECT_EQ(sbc->transports->counters().connectionsRefused, 1u);
}

TEST_F(SocketTransportsTest, APeerThatStopsReadingMakesSendFailInsteadOfGrowingMemory) {
  SocketTransportLimits limits;
  limits.maxUnsentBytesPerConnection = 256 * 1024;
  Endpoint* sbc = open({listener(TransportKind::Tcp, "127.0.0.1:0")}, limits);
  ASSERT_TRUE(sbc) << openError;
  RawSocket phone(AF_INET, SOCK_STREAM);
  const int small = 4096;
  setsockopt(phone.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(phone.connectTo(sbc->at()));
  ASSERT_TRUE(phone.write(request("OPTIONS", "z9hG4bKslow").serialize()));
  ASSERT_TRUE(pumpUntil([&] { return !sbc->received.empty(); }));
  Message big = makeResponse(sbc->received[0].first, 200, "OK", "t");
  big.body = std::string(32 * 1024, 'x');
  big.set(HeaderId::ContentType, "text/plain");
  int sent = 0;
  while (sent < 10'000 && sbc->send(big, sbc->received[0].second)) ++sent;
  EXPECT_LT(sent, 10'000);
  EXPECT_NE(sbc->lastError.find("not reading"), std::string::npos) << sbc->lastError;
  EXPECT_EQ(sbc->transports->connectionCount(), 1u);  // still open: it may catch up
}

// --- TLS ------------------------------------------------------------------------------------

ListenerSpec tlsListener(std::string_view local, const TestCertificate& certificate,
                         const std::string& caFile) {
  ListenerSpec spec = listener(TransportKind::Tls, local);
  spec.certificateFile = certificate.certificateFile;
  spec.privateKeyFile = certificate.privateKeyFile;
  spec.caFile = caFile;
  return spec;
}

TEST_F(SocketTransportsTest, TlsRoundTripWithMutualVerification) {
  const TestCertificate certificate = TestCertificate::make("sbc.test", "IP:127.0.0.1,IP:::1");
  ASSERT_TRUE(certificate.ok()) << certificate.error;
  Endpoint* a = open({tlsListener("127.0.0.1:0", certificate, certificate.certificateFile)});
  Endpoint* b = open({tlsListener("127.0.0.1:0", certificate, certificate.certificateFile)});
  ASSERT_TRUE(a && b) << openError;

  Message invite = request("INVITE", "z9hG4bKtls1");
  invite.body = "v=0\r\n";
  invite.set(HeaderId::ContentType, "application/sdp");
  ASSERT_TRUE(a->send(invite, Peer{TransportKind::Tls, b->at(), 0, {}})) << a->lastError;
  ASSERT_TRUE(pumpUntil([&] { return !b->received.empty(); }));
  const auto& [got, from] = b->received[0];
  EXPECT_EQ(got.body, "v=0\r\n");
  EXPECT_EQ(from.transport, TransportKind::Tls);
  ASSERT_TRUE(b->send(makeResponse(got, 180, "Ringing", "t"), from)) << b->lastError;
  ASSERT_TRUE(pumpUntil([&] { return !a->received.empty(); }));
  EXPECT_EQ(a->received[0].first.statusCode, 180);
  EXPECT_EQ(a->received[0].second.transport, TransportKind::Tls);
  EXPECT_EQ(a->transports->connectionCount(), 1u);
  EXPECT_EQ(b->transports->connectionCount(), 1u);
  EXPECT_TRUE(a->failures.empty());
}

TEST_F(SocketTransportsTest, TlsPeerWithAnUntrustedCertificateIsAFailure) {
  const TestCertificate ours = TestCertificate::make("sbc.test", "IP:127.0.0.1");
  const TestCertificate theirs = TestCertificate::make("other.test", "IP:127.0.0.1");
  ASSERT_TRUE(ours.ok() && theirs.ok()) << ours.error << theirs.error;
  Endpoint* a = open({tlsListener("127.0.0.1:0", ours, ours.certificateFile)});
  Endpoint* b = open({tlsListener("127.0.0.1:0", theirs, theirs.certificateFile)});
  ASSERT_TRUE(a && b) << openError;
  const Peer toB{TransportKind::Tls, b->at(), 0, {}};
  ASSERT_TRUE(a->send(request("OPTIONS", "z9hG4bKuntrusted"), toB));
  ASSERT_TRUE(pumpUntil([&] { return !a->failures.empty(); }));
  EXPECT_EQ(a->failures[0].first.address, b->at());
  EXPECT_TRUE(b->received.empty());
}

TEST_F(SocketTransportsTest, TlsListenerWithAMissingCertificateDoesNotOpen) {
  ListenerSpec spec = listener(TransportKind::Tls, "127.0.0.1:0");
  spec.certificateFile = "/nonexistent/cert.pem";
  spec.privateKeyFile = "/nonexistent/key.pem";
  EXPECT_EQ(open({spec}), nullptr);
  EXPECT_NE(openError.find("/nonexistent/cert.pem"), std::string::npos) << openError;
}

// --- IPv6 -----------------------------------------------------------------------------------

TEST_F(SocketTransportsTest, Ipv6LoopbackOverUdpAndTcp) {
  Endpoint* a = open({listener(TransportKind::Udp, "[::1]:0"), listener(TransportKind::Tcp, "[::1]:0")});
  if (!a) GTEST_SKIP() << "no IPv6 loopback here: " << openError;
  Endpoint* b = open({listener(TransportKind::Udp, "[::1]:0"), listener(TransportKind::Tcp, "[::1]:0")});
  ASSERT_TRUE(b) << openError;
  EXPECT_TRUE(a->at(0).ip.isV6());

  ASSERT_TRUE(a->send(request("OPTIONS", "z9hG4bKv6udp"), {TransportKind::Udp, b->at(0), 0, {}}));
  ASSERT_TRUE(pumpUntil([&] { return b->received.size() == 1; }));
  EXPECT_EQ(b->received[0].second.address, a->at(0));
  ASSERT_TRUE(a->send(request("OPTIONS", "z9hG4bKv6tcp"), {TransportKind::Tcp, b->at(1), 0, {}}));
  ASSERT_TRUE(pumpUntil([&] { return b->received.size() == 2; }));
  const Peer& overTcp = b->received[1].second;
  EXPECT_EQ(overTcp.transport, TransportKind::Tcp);
  EXPECT_TRUE(overTcp.address.ip.isV6());
  ASSERT_TRUE(b->send(makeResponse(b->received[1].first, 200, "OK", "t"), overTcp));
  ASSERT_TRUE(pumpUntil([&] { return !a->received.empty(); }));
  EXPECT_EQ(a->received[0].first.statusCode, 200);
}

// --- with the transaction layer on top ------------------------------------------------------

TEST_F(SocketTransportsTest, TransactionLayersTalkOverRealUdp) {
  Endpoint* a = open({listener(TransportKind::Udp, "127.0.0.1:0")});
  Endpoint* b = open({listener(TransportKind::Udp, "127.0.0.1:0")});
  ASSERT_TRUE(a && b) << openError;
  RecordingUser userA(clock);
  RecordingUser userB(clock);
  TransactionLayer layerA(*a->transports, timers, userA);
  TransactionLayer layerB(*b->transports, timers, userB);
  layerA.attachToTransports();
  layerB.attachToTransports();
  userB.onRequestHook = [&](TransactionId id, const Message& request) {
    layerB.respond(id, makeResponse(request, 200, "OK", layerB.newTag()));
  };
  Message options = makeRequest("OPTIONS", layerA.newBranch(), a->at().toString());
  const TransactionId id = layerA.sendRequest(options, {TransportKind::Udp, b->at(), 0, {}});
  ASSERT_NE(id, 0u);
  ASSERT_TRUE(pumpUntil([&] { return !userA.calls.empty(); }));
  EXPECT_EQ(userA.calls[0].kind, RecordedCall::Response);
  EXPECT_EQ(userA.calls[0].id, id);
  EXPECT_EQ(userA.calls[0].message.statusCode, 200);
  EXPECT_EQ(userB.calls.size(), 1u);
}

}  // namespace
}  // namespace sbc::sip::test_support
