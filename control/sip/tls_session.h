#pragma once
// One TLS session (OpenSSL) run over memory buffers instead of the socket: the connection
// reads and writes the socket itself (never blocking, never raising SIGPIPE) and passes the
// ciphertext through here. Handshake, reads and writes then never return "want write", and
// a session is a pure byte filter that tests could drive without a socket.

#include <memory>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace sbc::sip {

class TlsSession {
 public:
  enum class Outcome { Ok, PeerClosed, Failed };

  // Takes ownership of `ssl`, already set to accept or connect state.
  explicit TlsSession(SSL* ssl);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Client side: the ClientHello, appended to `toPeer`. Server side: nothing to do.
  Outcome start(std::string& toPeer, std::string& error);
  // Ciphertext from the peer: application bytes are appended to `plain`, and what the
  // handshake or the protocol has to answer to `toPeer`.
  Outcome receive(std::string_view cipher, std::string& plain, std::string& toPeer,
                  std::string& error);
  // Application bytes, once established(): the records are appended to `toPeer`.
  Outcome send(std::string_view plain, std::string& toPeer, std::string& error);
  bool established() const;

 private:
  Outcome step(std::string& plain, std::string& toPeer, std::string& error);
  void drainRecords(std::string& toPeer);

  SSL* ssl_;
  BIO* fromPeer_;  // owned by ssl_
  BIO* toPeer_;    // owned by ssl_
};

// The last OpenSSL error as text (and the error queue cleared).
std::string openSslError(std::string_view what);

}  // namespace sbc::sip
