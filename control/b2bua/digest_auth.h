#pragma once
// SIP digest authentication (RFC 3261 section 22, RFC 2617, RFC 7616, RFC 8760): the SBC as the
// server that challenges a carrier trunk's requests and checks the credentials they come back
// with, plus the client-side computation (answerDigestChallenge) for a trunk that challenges us.
//
// Nonces are stateless: nonce = hex(timestamp) + hex(HMAC-SHA256(secret, timestamp, realm))
// truncated to 128 bits, with a secret drawn once per process. Checking one is a MAC and a clock
// read, so a flood of requests grows no table. The price is that a nonce cannot be marked used:
// within its lifetime a captured request can be replayed (nc is not tracked). Trunks are also
// matched by source address, which keeps a replay to the carrier's own addresses.
//
// Stale nonces follow RFC 2617 section 3.2.1: kStaleNonce only when the digest is right for the
// nonce the client used (it knows the password) but that nonce has expired or is not one of
// ours; the client then retries on the fresh nonce without asking its user. A wrong digest on
// an expired nonce is kBadResponse.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "control/common/clock.h"
#include "control/sip/sip_message.h"

namespace sbc::control {

// The algorithms of RFC 7616 section 6.1 (SHA-512-256 is the RFC's "SHA-512/256").
enum class DigestAlgorithm : std::uint8_t {
  kMd5,
  kMd5Sess,
  kSha256,
  kSha256Sess,
  kSha512_256,
  kSha512_256Sess,
};
std::string_view digestAlgorithmName(DigestAlgorithm algorithm);  // "MD5", "SHA-256-sess", ...
std::optional<DigestAlgorithm> digestAlgorithmFromName(std::string_view name);  // any case

struct DigestCredentials {
  std::string user;
  std::string password;
};

// The response of RFC 2617 section 3.2.2.1 / RFC 7616 section 3.4.1, in lower-case hex. qop ""
// is the RFC 2069 form (nc and cnonce unused); "auth" the usual one. Only the fields the
// formula reads matter; the request's body is not hashed (qop=auth-int is not supported).
struct DigestInput {
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  std::string_view user;
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view method;
  std::string_view uri;
  std::string_view qop;     // "" or "auth"
  std::string_view nc;      // 8 hex digits, with qop
  std::string_view cnonce;  // with qop (and always with a -sess algorithm)
};
std::string digestResponse(const DigestInput& input);

// The client side: the credentials (an Authorization or Proxy-Authorization value) that answer
// `challenge` (a WWW-Authenticate or Proxy-Authenticate value) for a request `method` to `uri`.
// Uses qop=auth when the challenge offers it, the RFC 2069 form when it offers no qop. nullopt
// for a challenge that is not Digest, lacks realm or nonce, names an unknown algorithm, or
// offers only qops other than auth.
std::optional<std::string> answerDigestChallenge(std::string_view challenge,
                                                 std::string_view method, std::string_view uri,
                                                 const DigestCredentials& credentials,
                                                 std::string_view cnonce, std::uint32_t nc);

class DigestAuthenticator {
 public:
  static constexpr Millis kDefaultNonceLifetimeMs = 300'000;

  // realm: what challenges name ("sbc"). secret: the nonce MAC key; empty (the default) draws
  // 32 random octets from OpenSSL once, here. Tests pass a fixed one.
  DigestAuthenticator(std::string realm, const Clock& clock,
                      Millis nonceLifetimeMs = kDefaultNonceLifetimeMs, std::string secret = {});

  enum class Verdict : std::uint8_t {
    kAccepted,
    kMissing,      // no credentials for our realm (none at all, or only other realms'/schemes')
    kWrongUser,    // username is not the trunk's
    kBadResponse,  // the digest does not match the password
    kStaleNonce,   // the digest is right but the nonce expired or is not ours: re-challenge stale
    kWrongUri,     // digest-uri is not the Request-URI (RFC 2617 section 3.2.2.5)
    kMalformed,    // credentials for our realm that do not follow the grammar
  };

  // Checks the request's Proxy-Authorization (proxy=true) or Authorization (proxy=false) fields
  // against `credentials`. Of several fields, the first whose realm is ours is checked (a
  // request may carry credentials for other proxies on its path, RFC 3261 section 22.3).
  Verdict check(const sip::Message& request, const DigestCredentials& credentials,
                bool proxy = true) const;

  // The value of the Proxy-Authenticate (for a 407) or WWW-Authenticate (for a 401) field:
  //   Digest realm="sbc", nonce="...", algorithm=MD5, qop="auth"[, stale=true]
  // with a nonce minted now. To offer several algorithms, add one field per algorithm, the
  // preferred first (RFC 7616, RFC 8760).
  std::string challenge(bool stale = false,
                        DigestAlgorithm algorithm = DigestAlgorithm::kMd5) const;

  const std::string& realm() const { return realm_; }

 private:
  std::string nonceAt(Millis at) const;
  bool nonceFresh(std::string_view nonce) const;

  std::string realm_;
  const Clock& clock_;
  Millis nonceLifetimeMs_;
  std::string secret_;
};

std::string_view verdictName(DigestAuthenticator::Verdict verdict);  // "accepted", "stale-nonce"

// What a server answers a request with for this verdict: 0 for kAccepted (go on), 400 for
// kMalformed and kWrongUri, otherwise a fresh challenge: 407 (proxy) or 401. The B2BUA adds
// challenge(verdict == kStaleNonce) as Proxy-Authenticate (407) or WWW-Authenticate (401).
int rejectStatus(DigestAuthenticator::Verdict verdict, bool proxy = true);

}  // namespace sbc::control
