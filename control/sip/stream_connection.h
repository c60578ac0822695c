#pragma once
// One TCP or TLS connection of the SIP transport (RFC 3261 18.3): a non-blocking socket, the
// TLS filter where there is one, the StreamFramer that cuts SIP messages out of the bytes, and
// the bytes still to be written. It does no epoll and knows no other connection: the owner
// (SocketTransports) calls it when the socket is ready and decides what a failure means.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "control/common/clock.h"
#include "control/sip/sip_parser.h"
#include "control/sip/sip_transport.h"
#include "control/sip/tls_session.h"

namespace sbc::sip {

class StreamConnection {
 public:
  enum class State { Connecting, Handshaking, Open };
  enum class ReadOutcome { Open, PeerClosed, IoError, FramingFault };

  // `fd` is owned from here on. An outbound connection starts Connecting (connect() was
  // called and is in progress); an accepted one starts Handshaking (TLS) or Open (TCP).
  StreamConnection(std::uint64_t id, int fd, Peer peer, std::unique_ptr<TlsSession> tls,
                   bool outbound, control::Millis now);
  ~StreamConnection();
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  // The socket became writable while Connecting: false (and `error`) when connect() failed.
  bool finishConnect(std::string& error);

  // Reads up to `maxReads` chunks and hands every whole message to `deliver`, which returns
  // false to stop (the owner closed the connection meanwhile). A message that framed but did
  // not parse comes with its octets (`refused`), so that it can still be answered.
  using Deliver = std::function<bool(ParseResult&&, std::string_view refused)>;
  ReadOutcome read(int maxReads, const Deliver& deliver, control::Millis now, std::string& error);
  // After ReadOutcome::FramingFault: the fault, and the header section of the message at
  // fault where it was whole (else empty), until the next read().
  const ParseError& framingError() const { return framer_.error(); }
  std::string_view framingFaultBytes() const { return framer_.refusedBytes(); }

  // Adds a whole message to what is to be sent; false when that would pass `limit` bytes
  // waiting (a peer that does not read) or the TLS layer failed.
  bool queue(std::string_view bytes, std::size_t limit, std::string& error);
  // Writes what it can now; false on a socket error.
  bool flush(control::Millis now, std::string& error);

  bool wantsWrite() const { return state_ == State::Connecting || unsentBytes() > 0; }
  // Bytes accepted by queue() that never reached the socket.
  std::size_t unsentBytes() const {
    return wire_.size() - wireSent_ + waitingForHandshake_.size();
  }
  bool everOpened() const { return everOpened_; }

  std::uint64_t id() const { return id_; }
  int fd() const { return fd_; }
  State state() const { return state_; }
  const Peer& peer() const { return peer_; }
  bool outbound() const { return outbound_; }
  control::Millis lastActivity() const { return lastActivity_; }

 private:
  void becomeEstablished(std::string& error, bool& ok);
  bool startTls(std::string& error);

  const std::uint64_t id_;
  const int fd_;
  Peer peer_;
  std::unique_ptr<TlsSession> tls_;
  const bool outbound_;
  State state_;
  bool everOpened_ = false;
  control::Millis lastActivity_;
  StreamFramer framer_;
  std::string wire_;                 // bytes for the socket (ciphertext under TLS)
  std::size_t wireSent_ = 0;         // of wire_, already written
  std::string waitingForHandshake_;  // SIP bytes queued before the TLS session was up
};

}  // namespace sbc::sip
