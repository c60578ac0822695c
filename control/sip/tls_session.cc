#include "control/sip/tls_session.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace sbc::sip {

namespace {
constexpr int kPlainChunk = 16 * 1024;  // one TLS record's worth
}  // namespace

std::string openSslError(std::string_view what) {
  std::string text(what);
  unsigned long code = ERR_get_error();
  if (code == 0) return text + ": unknown TLS error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  ERR_clear_error();
  return text + ": " + buffer;
}

TlsSession::TlsSession(SSL* ssl)
    : ssl_(ssl), fromPeer_(BIO_new(BIO_s_mem())), toPeer_(BIO_new(BIO_s_mem())) {
  // An empty memory BIO reports "retry" instead of end of file: more may come.
  BIO_set_mem_eof_return(fromPeer_, -1);
  SSL_set_bio(ssl_, fromPeer_, toPeer_);
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

bool TlsSession::established() const { return SSL_is_init_finished(ssl_); }

TlsSession::Outcome TlsSession::start(std::string& toPeer, std::string& error) {
  std::string none;
  return step(none, toPeer, error);
}

TlsSession::Outcome TlsSession::receive(std::string_view cipher, std::string& plain,
                                        std::string& toPeer, std::string& error) {
  if (!cipher.empty() && BIO_write(fromPeer_, cipher.data(), static_cast<int>(cipher.size())) !=
                             static_cast<int>(cipher.size())) {
    error = openSslError("TLS buffer");
    return Outcome::Failed;
  }
  return step(plain, toPeer, error);
}

// Moves the handshake on, then reads every whole record that arrived.
TlsSession::Outcome TlsSession::step(std::string& plain, std::string& toPeer,
                                     std::string& error) {
  ERR_clear_error();
  if (!established()) {
    const int rc = SSL_do_handshake(ssl_);
    drainRecords(toPeer);
    if (rc <= 0) {
      const int reason = SSL_get_error(ssl_, rc);
      if (reason == SSL_ERROR_WANT_READ) return Outcome::Ok;
      error = openSslError("TLS handshake");
      return Outcome::Failed;
    }
  }
  char buffer[kPlainChunk];
  while (true) {
    const int n = SSL_read(ssl_, buffer, sizeof buffer);
    if (n > 0) {
      plain.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    const int reason = SSL_get_error(ssl_, n);
    drainRecords(toPeer);  // TLS 1.3 tickets and key updates answer from inside SSL_read
    if (reason == SSL_ERROR_WANT_READ) return Outcome::Ok;
    if (reason == SSL_ERROR_ZERO_RETURN) return Outcome::PeerClosed;
    error = openSslError("TLS read");
    return Outcome::Failed;
  }
}

TlsSession::Outcome TlsSession::send(std::string_view plain, std::string& toPeer,
                                     std::string& error) {
  ERR_clear_error();
  while (!plain.empty()) {
    const int n = SSL_write(ssl_, plain.data(), static_cast<int>(plain.size()));
    if (n <= 0) {
      error = openSslError("TLS write");
      return Outcome::Failed;
    }
    plain.remove_prefix(static_cast<std::size_t>(n));
  }
  drainRecords(toPeer);
  return Outcome::Ok;
}

void TlsSession::drainRecords(std::string& toPeer) {
  char* data = nullptr;
  const long pending = BIO_get_mem_data(toPeer_, &data);
  if (pending <= 0) return;
  toPeer.append(data, static_cast<std::size_t>(pending));
  (void)BIO_reset(toPeer_);
}

}  // namespace sbc::sip
