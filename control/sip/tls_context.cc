#include "control/sip/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace sbc::sip {

namespace {

SSL_CTX* newContext(const SSL_METHOD* method, const ListenerSpec& spec, bool verifyPeers,
                    std::string& error) {
  SSL_CTX* context = SSL_CTX_new(method);
  if (!context) {
    error = openSslError("SSL_CTX_new");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  const bool ok =
      SSL_CTX_use_certificate_chain_file(context, spec.certificateFile.c_str()) == 1 &&
      SSL_CTX_use_PrivateKey_file(context, spec.privateKeyFile.c_str(), SSL_FILETYPE_PEM) == 1 &&
      SSL_CTX_check_private_key(context) == 1 &&
      (!verifyPeers ||
       SSL_CTX_load_verify_locations(context, spec.caFile.c_str(), nullptr) == 1);
  if (!ok) {
    error = openSslError("TLS certificate " + spec.certificateFile + " / key " +
                         spec.privateKeyFile + (verifyPeers ? " / CA " + spec.caFile : ""));
    SSL_CTX_free(context);
    return nullptr;
  }
  return context;
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::create(const ListenerSpec& spec, std::string& error) {
  std::unique_ptr<TlsContext> tls(new TlsContext);
  tls->verifyPeers_ = !spec.caFile.empty();
  tls->server_ = newContext(TLS_server_method(), spec, tls->verifyPeers_, error);
  if (!tls->server_) return nullptr;
  tls->client_ = newContext(TLS_client_method(), spec, tls->verifyPeers_, error);
  if (!tls->client_) return nullptr;
  if (tls->verifyPeers_) {
    SSL_CTX_set_verify(tls->server_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    SSL_CTX_set_verify(tls->client_, SSL_VERIFY_PEER, nullptr);
  }
  return tls;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(server_);
  SSL_CTX_free(client_);
}

std::unique_ptr<TlsSession> TlsContext::acceptSession(std::string& error) {
  SSL* ssl = SSL_new(server_);
  if (!ssl) {
    error = openSslError("SSL_new");
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::make_unique<TlsSession>(ssl);
}

std::unique_ptr<TlsSession> TlsContext::connectSession(const dataplane::IpAddress& peer,
                                                       std::string& error) {
  SSL* ssl = SSL_new(client_);
  if (!ssl) {
    error = openSslError("SSL_new");
    return nullptr;
  }
  if (verifyPeers_ &&
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), peer.toString().c_str()) != 1) {
    error = openSslError("TLS peer address");
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_connect_state(ssl);
  return std::make_unique<TlsSession>(ssl);
}

}  // namespace sbc::sip
