#include "control/sip/stream_connection.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace sbc::sip {

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
}  // namespace

StreamConnection::StreamConnection(std::uint64_t id, int fd, Peer peer,
                                   std::unique_ptr<TlsSession> tls, bool outbound,
                                   control::Millis now)
    : id_(id),
      fd_(fd),
      peer_(std::move(peer)),
      tls_(std::move(tls)),
      outbound_(outbound),
      state_(outbound ? State::Connecting : tls_ ? State::Handshaking : State::Open),
      everOpened_(state_ == State::Open),
      lastActivity_(now) {
  peer_.connectionId = id;
}

StreamConnection::~StreamConnection() { close(fd_); }

bool StreamConnection::finishConnect(std::string& error) {
  int soError = 0;
  socklen_t length = sizeof soError;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &soError, &length) != 0) soError = errno;
  if (soError != 0) {
    error = std::string("connect to ") + peer_.address.toString() + ": " + std::strerror(soError);
    return false;
  }
  if (!tls_) {
    state_ = State::Open;
    everOpened_ = true;
    return true;
  }
  state_ = State::Handshaking;
  return startTls(error);
}

bool StreamConnection::startTls(std::string& error) {
  return tls_->start(wire_, error) == TlsSession::Outcome::Ok;
}

// Once the handshake is done, the SIP bytes that waited for it go out.
void StreamConnection::becomeEstablished(std::string& error, bool& ok) {
  state_ = State::Open;
  everOpened_ = true;
  if (waitingForHandshake_.empty()) return;
  ok = tls_->send(waitingForHandshake_, wire_, error) == TlsSession::Outcome::Ok;
  waitingForHandshake_.clear();
}

StreamConnection::ReadOutcome StreamConnection::read(int maxReads, const Deliver& deliver,
                                                     control::Millis now, std::string& error) {
  for (int i = 0; i < maxReads; ++i) {
    char buffer[kReadChunk];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) return ReadOutcome::PeerClosed;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadOutcome::Open;
      error = std::string("read: ") + std::strerror(errno);
      return ReadOutcome::IoError;
    }
    lastActivity_ = now;
    std::string_view bytes(buffer, static_cast<std::size_t>(n));
    std::string plain;
    if (tls_) {
      const TlsSession::Outcome outcome = tls_->receive(bytes, plain, wire_, error);
      if (outcome == TlsSession::Outcome::Failed) return ReadOutcome::IoError;
      bool ok = true;
      if (state_ == State::Handshaking && tls_->established()) becomeEstablished(error, ok);
      if (!ok) return ReadOutcome::IoError;
      if (outcome == TlsSession::Outcome::PeerClosed) return ReadOutcome::PeerClosed;
      bytes = plain;
    }
    framer_.append(bytes);
    while (std::optional<ParseResult> message = framer_.next())
      if (!deliver(std::move(*message), framer_.refusedBytes())) return ReadOutcome::Open;
    if (framer_.failed()) {
      error = "framing: " + framer_.error().reason;
      return ReadOutcome::FramingFault;
    }
  }
  return ReadOutcome::Open;
}

bool StreamConnection::queue(std::string_view bytes, std::size_t limit, std::string& error) {
  if (unsentBytes() + bytes.size() > limit) {
    error = "connection to " + peer_.address.toString() + " has " +
            std::to_string(unsentBytes()) + " bytes waiting: peer not reading";
    return false;
  }
  if (!tls_) {
    wire_.append(bytes);
    return true;
  }
  if (state_ != State::Open) {
    waitingForHandshake_.append(bytes);
    return true;
  }
  return tls_->send(bytes, wire_, error) == TlsSession::Outcome::Ok;
}

bool StreamConnection::flush(control::Millis now, std::string& error) {
  if (state_ == State::Connecting) return true;  // not writable yet: finishConnect() first
  while (wireSent_ < wire_.size()) {
    const ssize_t n = send(fd_, wire_.data() + wireSent_, wire_.size() - wireSent_,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      wireSent_ += static_cast<std::size_t>(n);
      lastActivity_ = now;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    } else {
      error = std::string("write: ") + std::strerror(errno);
      return false;
    }
  }
  // Keep the buffer from growing with what was written long ago.
  if (wireSent_ == wire_.size()) {
    wire_.clear();
    wireSent_ = 0;
  } else if (wireSent_ > wire_.size() / 2) {
    wire_.erase(0, wireSent_);
    wireSent_ = 0;
  }
  return true;
}

}  // namespace sbc::sip
