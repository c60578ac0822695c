#include "control/b2bua/digest_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

#include "control/b2bua/digest_params.h"
#include "control/sip/sip_grammar.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

namespace grammar = sip::grammar;
using Verdict = DigestAuthenticator::Verdict;

namespace {

constexpr std::size_t kSecretOctets = 32;
constexpr std::size_t kNonceStampHex = 16;  // 64-bit timestamp
constexpr std::size_t kNonceMacOctets = 16;  // HMAC-SHA256 truncated to 128 bits
constexpr std::size_t kNonceHex = kNonceStampHex + 2 * kNonceMacOctets;

struct AlgorithmInfo {
  DigestAlgorithm algorithm;
  std::string_view name;
  bool session;
};
constexpr std::array<AlgorithmInfo, 6> kAlgorithms{{
    {DigestAlgorithm::kMd5, "MD5", false},
    {DigestAlgorithm::kMd5Sess, "MD5-sess", true},
    {DigestAlgorithm::kSha256, "SHA-256", false},
    {DigestAlgorithm::kSha256Sess, "SHA-256-sess", true},
    {DigestAlgorithm::kSha512_256, "SHA-512-256", false},
    {DigestAlgorithm::kSha512_256Sess, "SHA-512-256-sess", true},
}};

constexpr bool indexedByEnum() {
  for (std::size_t i = 0; i < kAlgorithms.size(); ++i) {
    if (static_cast<std::size_t>(kAlgorithms[i].algorithm) != i) return false;
  }
  return true;
}
static_assert(indexedByEnum(), "kAlgorithms is indexed by DigestAlgorithm");

const AlgorithmInfo& info(DigestAlgorithm algorithm) {
  return kAlgorithms[static_cast<std::size_t>(algorithm)];
}

const EVP_MD* evpFor(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
    case DigestAlgorithm::kMd5Sess: return EVP_md5();
    case DigestAlgorithm::kSha256:
    case DigestAlgorithm::kSha256Sess: return EVP_sha256();
    case DigestAlgorithm::kSha512_256:
    case DigestAlgorithm::kSha512_256Sess: return EVP_sha512_256();
  }
  return EVP_md5();
}

// Octets of the hash, in hex digits.
std::size_t hexLength(DigestAlgorithm algorithm) {
  return 2 * static_cast<std::size_t>(EVP_MD_get_size(evpFor(algorithm)));
}

void appendHex(std::string& out, const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
}

// H(a:b:c...) in lower-case hex; "" if OpenSSL refuses the algorithm (a FIPS-only build without
// MD5), which then matches no response.
template <typename... Parts>
std::string hashHex(DigestAlgorithm algorithm, const Parts&... parts) {
  const std::string_view views[] = {std::string_view(parts)...};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdLength = 0;
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, evpFor(algorithm), nullptr) == 1;
  for (std::size_t i = 0; ok && i < std::size(views); ++i) {
    if (i > 0) ok = EVP_DigestUpdate(ctx, ":", 1) == 1;
    if (ok) ok = EVP_DigestUpdate(ctx, views[i].data(), views[i].size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, md, &mdLength) == 1;
  EVP_MD_CTX_free(ctx);
  std::string out;
  if (ok) appendHex(out, md, mdLength);
  return out;
}

bool isHex(std::string_view text) { return grammar::allOf(text, grammar::kHexDigit); }

std::string toLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = grammar::toLower(c);
  return out;
}

bool sameParams(const std::vector<sip::Param>& a, const std::vector<sip::Param>& b) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&b](const sip::Param& param) {
    const auto other = sip::findParam(b, param.name);
    return other && grammar::equalsIgnoreCase(*other, param.value);
  });
}

// The digest-uri names the Request-URI (RFC 2617 section 3.2.2.5). Clients re-render URIs, so
// beyond an exact match this accepts the same URI with another letter case in the scheme and
// host or with its parameters in another order; any other difference is a different URI.
bool sameUri(std::string_view digestUri, std::string_view requestUri) {
  if (digestUri == requestUri) return true;
  const auto a = sip::parseUri(digestUri);
  const auto b = sip::parseUri(requestUri);
  if (!a || !b) return false;
  return a->scheme == b->scheme && a->user == b->user && a->password == b->password &&
         grammar::equalsIgnoreCase(a->host, b->host) && a->port == b->port &&
         a->headers == b->headers && a->opaque == b->opaque && sameParams(a->params, b->params);
}

// The parameters check() reads, taken from credentials whose realm is ours.
struct Credentials {
  std::string_view username, nonce, uri, response, qop, nc, cnonce;
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
};

std::optional<Credentials> readCredentials(const AuthHeader& header) {
  const auto username = header.param("username");
  const auto nonce = header.param("nonce");
  const auto uri = header.param("uri");
  const auto response = header.param("response");
  if (!username || !nonce || !uri || !response || uri->empty()) return std::nullopt;
  Credentials out{*username, *nonce, *uri, *response, {}, {}, {}};
  if (const auto algorithm = header.param("algorithm")) {
    const auto known = digestAlgorithmFromName(*algorithm);
    if (!known) return std::nullopt;
    out.algorithm = *known;
  }
  if (out.response.size() != hexLength(out.algorithm) || !isHex(out.response)) {
    return std::nullopt;
  }
  if (const auto qop = header.param("qop")) {
    if (!grammar::equalsIgnoreCase(*qop, "auth")) return std::nullopt;  // auth-int: not offered
    const auto nc = header.param("nc");
    const auto cnonce = header.param("cnonce");
    if (!nc || nc->size() != 8 || !isHex(*nc) || !cnonce || cnonce->empty()) return std::nullopt;
    out.qop = "auth";
    out.nc = *nc;
    out.cnonce = *cnonce;
  } else if (info(out.algorithm).session) {
    return std::nullopt;  // a -sess HA1 needs the cnonce, which comes only with a qop
  }
  return out;
}

std::string randomSecret() {
  std::string secret(kSecretOctets, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 1) {
    throw std::runtime_error("digest authentication: no randomness for the nonce secret");
  }
  return secret;
}

}  // namespace

std::string_view digestAlgorithmName(DigestAlgorithm algorithm) { return info(algorithm).name; }

std::optional<DigestAlgorithm> digestAlgorithmFromName(std::string_view name) {
  for (const AlgorithmInfo& entry : kAlgorithms) {
    if (grammar::equalsIgnoreCase(entry.name, name)) return entry.algorithm;
  }
  return std::nullopt;
}

std::string digestResponse(const DigestInput& in) {
  std::string ha1 = hashHex(in.algorithm, in.user, in.realm, in.password);
  if (info(in.algorithm).session) ha1 = hashHex(in.algorithm, ha1, in.nonce, in.cnonce);
  const std::string ha2 = hashHex(in.algorithm, in.method, in.uri);
  if (in.qop.empty()) return hashHex(in.algorithm, ha1, in.nonce, ha2);
  return hashHex(in.algorithm, ha1, in.nonce, in.nc, in.cnonce, in.qop, ha2);
}

std::optional<std::string> answerDigestChallenge(std::string_view challenge,
                                                 std::string_view method, std::string_view uri,
                                                 const DigestCredentials& credentials,
                                                 std::string_view cnonce, std::uint32_t nc) {
  const auto header = parseAuthHeader(challenge);
  if (!header || !grammar::equalsIgnoreCase(header->scheme, "Digest")) return std::nullopt;
  const auto realm = header->param("realm");
  const auto nonce = header->param("nonce");
  if (!realm || !nonce) return std::nullopt;
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  if (const auto name = header->param("algorithm")) {
    const auto known = digestAlgorithmFromName(*name);
    if (!known) return std::nullopt;
    algorithm = *known;
  }
  bool useQop = false;
  if (const auto qops = header->param("qop")) {
    grammar::forEachListElement(*qops, [&useQop](std::string_view element) {
      if (grammar::equalsIgnoreCase(element, "auth")) useQop = true;
      return !useQop;
    });
    if (!useQop) return std::nullopt;
  }
  if (info(algorithm).session && !useQop) return std::nullopt;

  char ncHex[9];
  std::snprintf(ncHex, sizeof ncHex, "%08x", static_cast<unsigned>(nc));
  DigestInput input{algorithm, credentials.user, *realm, credentials.password, *nonce, method, uri,
                    useQop ? "auth" : "", ncHex, cnonce};
  std::string out = "Digest username=" + quotedString(credentials.user) +
                    ", realm=" + quotedString(*realm) + ", nonce=" + quotedString(*nonce) +
                    ", uri=" + quotedString(uri) + ", response=\"" + digestResponse(input) +
                    "\", algorithm=" + std::string(digestAlgorithmName(algorithm));
  if (useQop) {
    out += ", qop=auth, nc=" + std::string(ncHex) + ", cnonce=" + quotedString(cnonce);
  }
  if (const auto opaque = header->param("opaque")) out += ", opaque=" + quotedString(*opaque);
  return out;
}

DigestAuthenticator::DigestAuthenticator(std::string realm, const Clock& clock,
                                         Millis nonceLifetimeMs, std::string secret)
    : realm_(std::move(realm)),
      clock_(clock),
      nonceLifetimeMs_(nonceLifetimeMs),
      secret_(secret.empty() ? randomSecret() : std::move(secret)) {}

std::string DigestAuthenticator::nonceAt(Millis at) const {
  const auto stamp = static_cast<std::uint64_t>(at);
  unsigned char message[8];
  for (int i = 0; i < 8; ++i) message[i] = static_cast<unsigned char>(stamp >> (56 - 8 * i));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLength = 0;
  // HMAC over the timestamp and the realm, so a nonce of another realm's authenticator that
  // shares the secret does not pass here.
  std::string data(reinterpret_cast<const char*>(message), sizeof message);
  data += realm_;
  std::string out;
  out.reserve(kNonceHex);
  appendHex(out, message, sizeof message);
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &macLength) == nullptr) {
    return {};  // cannot happen with SHA-256; an empty nonce is never fresh
  }
  appendHex(out, mac, kNonceMacOctets);
  return out;
}

bool DigestAuthenticator::nonceFresh(std::string_view nonce) const {
  if (nonce.size() != kNonceHex || !isHex(nonce.substr(0, kNonceStampHex))) return false;
  std::uint64_t stamp = 0;
  for (char c : nonce.substr(0, kNonceStampHex)) {
    const char lower = grammar::toLower(c);
    const int digit = lower <= '9' ? lower - '0' : lower - 'a' + 10;
    stamp = (stamp << 4) | static_cast<std::uint64_t>(digit);
  }
  const std::string expected = nonceAt(static_cast<Millis>(stamp));
  if (expected.size() != nonce.size() ||
      CRYPTO_memcmp(expected.data(), nonce.data(), expected.size()) != 0) {
    return false;
  }
  // The MAC matched, so the stamp is one this process minted and the subtraction is safe.
  const Millis age = clock_.now() - static_cast<Millis>(stamp);
  return age >= 0 && age < nonceLifetimeMs_;
}

std::string DigestAuthenticator::challenge(bool stale, DigestAlgorithm algorithm) const {
  std::string out = "Digest realm=" + quotedString(realm_) + ", nonce=\"" +
                    nonceAt(clock_.now()) + "\", algorithm=" +
                    std::string(digestAlgorithmName(algorithm)) + ", qop=\"auth\"";
  if (stale) out += ", stale=true";
  return out;
}

Verdict DigestAuthenticator::check(const sip::Message& request,
                                   const DigestCredentials& credentials, bool proxy) const {
  const auto fields =
      request.findAll(proxy ? sip::HeaderId::ProxyAuthorization : sip::HeaderId::Authorization);
  if (fields.empty()) return Verdict::kMissing;
  bool sawMalformed = false;
  std::optional<AuthHeader> ours;
  for (const sip::HeaderField* field : fields) {
    // Other schemes (Basic, with its token68 credentials) are not ours, whatever their grammar.
    const std::string_view value = grammar::trimWsp(field->value);
    const std::size_t schemeEnd = grammar::skipClass(value, 0, grammar::kTokenChar);
    if (!grammar::equalsIgnoreCase(value.substr(0, schemeEnd), "Digest")) continue;
    auto header = parseAuthHeader(value);
    if (!header) {
      sawMalformed = true;
      continue;
    }
    const auto realm = header->param("realm");
    if (!realm) {
      sawMalformed = true;
      continue;
    }
    if (*realm == realm_) {
      ours = std::move(header);
      break;
    }
  }
  if (!ours) return sawMalformed ? Verdict::kMalformed : Verdict::kMissing;
  const auto given = readCredentials(*ours);
  if (!given || !request.isRequest() || request.method.empty()) return Verdict::kMalformed;
  if (!sameUri(given->uri, request.requestUri)) return Verdict::kWrongUri;
  if (given->username != credentials.user) return Verdict::kWrongUser;

  const std::string expected = digestResponse({given->algorithm, given->username, realm_,
                                               credentials.password, given->nonce,
                                               request.method, given->uri, given->qop, given->nc,
                                               given->cnonce});
  const std::string response = toLower(given->response);
  if (expected.size() != response.size() ||
      CRYPTO_memcmp(expected.data(), response.data(), expected.size()) != 0) {
    return Verdict::kBadResponse;
  }
  return nonceFresh(given->nonce) ? Verdict::kAccepted : Verdict::kStaleNonce;
}

std::string_view verdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccepted: return "accepted";
    case Verdict::kMissing: return "missing";
    case Verdict::kWrongUser: return "wrong-user";
    case Verdict::kBadResponse: return "bad-response";
    case Verdict::kStaleNonce: return "stale-nonce";
    case Verdict::kWrongUri: return "wrong-uri";
    case Verdict::kMalformed: return "malformed";
  }
  return "unknown";
}

int rejectStatus(Verdict verdict, bool proxy) {
  switch (verdict) {
    case Verdict::kAccepted: return 0;
    case Verdict::kMalformed:
    case Verdict::kWrongUri: return 400;
    case Verdict::kMissing:
    case Verdict::kWrongUser:
    case Verdict::kBadResponse:
    case Verdict::kStaleNonce: break;
  }
  return proxy ? 407 : 401;
}

}  // namespace sbc::control
