#pragma once
// The OpenSSL contexts of the TLS transport: one for connections the SBC accepts (its
// certificate and key) and one for connections it opens (the same certificate, offered for
// mutual TLS). With a CA file set, peers are verified against it both ways: an accepted peer
// must present a certificate, and an outbound peer's certificate must name the IP address we
// connected to (there are no host names here: resolving would block). Without one, outbound
// certificates are not checked.

#include <memory>
#include <string>

#include "control/sip/sip_transport.h"
#include "control/sip/tls_session.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace sbc::sip {

class TlsContext {
 public:
  static std::unique_ptr<TlsContext> create(const ListenerSpec& spec, std::string& error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  std::unique_ptr<TlsSession> acceptSession(std::string& error);
  std::unique_ptr<TlsSession> connectSession(const dataplane::IpAddress& peer,
                                             std::string& error);

 private:
  TlsContext() = default;

  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
  bool verifyPeers_ = false;
};

}  // namespace sbc::sip
