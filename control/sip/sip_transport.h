#pragma once
// SIP transports (RFC 3261 section 18): UDP, TCP and TLS (OpenSSL) listeners on the SBC's
// addresses, each non-blocking. The real set (SocketTransports, socket_transports.h) exposes one
// pollFd() for the owner's epoll set, and handleEvents() when it is readable; whole messages
// come out through the receive callback.
// Streams are framed by StreamFramer (sip_parser.h); connections are reused for responses and
// closed after an idle time.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "control/sip/sip_message.h"
#include "dataplane/ip_address.h"

namespace sbc::sip {

enum class TransportKind : std::uint8_t { Udp, Tcp, Tls };
std::string_view transportName(TransportKind kind);  // "UDP", "TCP", "TLS"

// Where a message came from or goes to. For a stream, connectionId names the connection it
// arrived on (0: open or reuse one to `address`). `local` is the SBC's own address the message
// arrived on; on sending it picks the listener to leave from (the access or the core side),
// and left unspecified it means the first listener of that transport and address family.
struct Peer {
  TransportKind transport = TransportKind::Udp;
  dataplane::SocketAddress address;
  std::uint64_t connectionId = 0;
  dataplane::SocketAddress local;
  bool reliable() const { return transport != TransportKind::Udp; }
};

struct ListenerSpec {
  TransportKind transport = TransportKind::Udp;
  dataplane::SocketAddress local;  // the SBC's address and port (5060/5061)
  std::string certificateFile;     // TLS only (PEM)
  std::string privateKeyFile;      // TLS only (PEM)
  std::string caFile;              // TLS: verify peers against it where set
};

class TransportSet {
 public:
  using ReceiveHandler = std::function<void(const Message&, const Peer&)>;
  // Bytes that framed but did not parse: the owner answers 400 where it can, and counts it.
  using MalformedHandler = std::function<void(std::string_view bytes, const ParseError&, const Peer&)>;
  // A connection to `to` failed (refused, reset, TLS handshake) after send() had accepted
  // messages for it: those are lost. The transaction layer ends the client transactions that
  // wait on that peer (RFC 3261 17.1.4) instead of letting them run into timer B or F.
  using FailureHandler = std::function<void(const Peer& to, const std::string& error)>;

  virtual ~TransportSet() = default;
  virtual void setHandlers(ReceiveHandler onMessage, MalformedHandler onMalformed) = 0;
  // Transports that fail only synchronously (UDP, the fakes of tests) need not call it.
  virtual void setFailureHandler(FailureHandler onFailure) {}
  // False (and `error` set) when the message could not be sent (no route, connection refused).
  virtual bool send(const Message& message, const Peer& to, std::string& error) = 0;
  // The local address a message to `to` leaves from (for Via and Contact).
  virtual dataplane::SocketAddress localAddressFor(const Peer& to) const = 0;
};

}  // namespace sbc::sip
