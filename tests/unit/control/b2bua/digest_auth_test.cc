// SIP digest authentication: the header grammar, the RFC test vectors, and the authenticator
// driven on a fake clock as a carrier trunk would drive it.
//
// The expected digests of the RFC examples were computed with the OpenSSL command line, not
// copied from the RFCs, e.g. for RFC 2617 section 3.5:
//   h() { printf '%s' "$1" | openssl dgst -$2 -r | cut -d' ' -f1; }
//   HA1=$(h "Mufasa:testrealm@host.com:Circle Of Life" md5)  # 939e7578ed9e3c518a452acee763bce9
//   HA2=$(h "GET:/dir/index.html" md5)                        # 39aff3a2bab6126f332b942af96d3366
//   h "$HA1:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:$HA2" md5
// (they agree with the values printed in RFC 2617 and RFC 7616). Every other expected digest here
// is computed by clientDigest() below, which calls OpenSSL's EVP directly and shares no code with
// control/b2bua/digest_auth.cc.

#include "control/b2bua/digest_auth.h"

#include <openssl/evp.h>

#include <array>
#include <map>
#include <random>
#include <regex>

#include <gtest/gtest.h>

#include "control/b2bua/digest_params.h"
#include "control/sip/sip_grammar.h"
#include "control/sip/sip_parser.h"

namespace sbc::control::test {
namespace {

using sip::HeaderId;
using Verdict = DigestAuthenticator::Verdict;

// --- an independent client ------------------------------------------------------------------

std::string hexHash(const EVP_MD* md, std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(text.data(), text.size(), out, &size, md, nullptr), 1);
  std::string hex;
  char buffer[3];
  for (unsigned i = 0; i < size; ++i) {
    std::snprintf(buffer, sizeof buffer, "%02x", out[i]);
    hex += buffer;
  }
  return hex;
}

struct ClientSide {
  const EVP_MD* md = EVP_md5();
  std::string algorithm = "MD5";  // as written in the credentials; "" leaves it out
  bool session = false;
  std::string user = "carrier1";
  std::string realm = "sbc";
  std::string password = "s3cret";
  std::string nonce;
  std::string method = "INVITE";
  std::string uri = "sip:+15551234567@198.18.0.1:5060";
  std::string qop = "auth";  // "" for the RFC 2069 form
  std::string nc = "00000001";
  std::string cnonce = "0a4f113b";
};

std::string clientDigest(const ClientSide& c) {
  std::string ha1 = hexHash(c.md, c.user + ":" + c.realm + ":" + c.password);
  if (c.session) ha1 = hexHash(c.md, ha1 + ":" + c.nonce + ":" + c.cnonce);
  const std::string ha2 = hexHash(c.md, c.method + ":" + c.uri);
  if (c.qop.empty()) return hexHash(c.md, ha1 + ":" + c.nonce + ":" + ha2);
  return hexHash(c.md, ha1 + ":" + c.nonce + ":" + c.nc + ":" + c.cnonce + ":" + c.qop + ":" + ha2);
}

std::string clientCredentials(const ClientSide& c) {
  std::string out = "Digest username=\"" + c.user + "\", realm=\"" + c.realm + "\", nonce=\"" +
                    c.nonce + "\", uri=\"" + c.uri + "\", response=\"" + clientDigest(c) + "\"";
  if (!c.algorithm.empty()) out += ", algorithm=" + c.algorithm;
  if (!c.qop.empty()) out += ", qop=" + c.qop + ", nc=" + c.nc + ", cnonce=\"" + c.cnonce + "\"";
  return out;
}

std::string nonceOf(const std::string& challenge) {
  std::smatch match;
  EXPECT_TRUE(std::regex_search(challenge, match, std::regex("nonce=\"([^\"]*)\"")));
  return match.size() > 1 ? match[1].str() : std::string();
}

sip::Message request(const std::string& method, const std::string& uri) {
  sip::Message m;
  m.method = method;
  m.requestUri = uri;
  m.add(HeaderId::Via, "SIP/2.0/UDP 198.18.1.10:5060;branch=z9hG4bKauth");
  m.add(HeaderId::From, "<sip:carrier@198.18.1.10>;tag=1");
  m.add(HeaderId::To, "<" + uri + ">");
  m.add(HeaderId::CallId, "auth-1");
  m.add(HeaderId::CSeq, "2 " + method);
  return m;
}

sip::Message requestWith(const ClientSide& c, const std::string& credentials,
                         HeaderId id = HeaderId::ProxyAuthorization) {
  sip::Message m = request(c.method, c.uri);
  m.add(id, credentials);
  return m;
}

// --- header grammar -------------------------------------------------------------------------

TEST(DigestParamsTest, ParsesQuotedAndBareValues) {
  const auto h = parseAuthHeader(
      "Digest username=\"Mufasa\", realm=\"sbc\", nc=00000001, algorithm=SHA-256, "
      "uri=\"sip:a@b;transport=udp\"");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->scheme, "Digest");
  ASSERT_EQ(h->params.size(), 5u);
  EXPECT_EQ(h->params[0].name, "username");
  EXPECT_EQ(h->params[0].value, "Mufasa");
  EXPECT_TRUE(h->params[0].quoted);
  EXPECT_EQ(h->params[2].value, "00000001");
  EXPECT_FALSE(h->params[2].quoted);
  EXPECT_EQ(h->param("algorithm"), "SHA-256");
  EXPECT_EQ(h->param("uri"), "sip:a@b;transport=udp");
  EXPECT_EQ(h->param("opaque"), std::nullopt);
}

TEST(DigestParamsTest, UnescapesQuotedPairs) {
  const auto h = parseAuthHeader(R"(Digest realm="a\"b\\c,d", username="x\y", nonce="")");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->param("realm"), R"(a"b\c,d)");
  EXPECT_EQ(h->param("username"), "xy");
  EXPECT_EQ(h->param("nonce"), "");
}

TEST(DigestParamsTest, NamesAreCaseInsensitiveAndExtraParamsKept) {
  const auto h = parseAuthHeader(
      "digest USERNAME=\"u\",Realm=\"r\" ,  NoNcE=\"n\", x-carrier-id=\"42\", flag=on");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->scheme, "digest");
  EXPECT_EQ(h->param("username"), "u");
  EXPECT_EQ(h->param("realm"), "r");
  EXPECT_EQ(h->param("nonce"), "n");
  EXPECT_EQ(h->param("X-Carrier-Id"), "42");
  EXPECT_EQ(h->param("flag"), "on");
  EXPECT_EQ(h->params[0].name, "USERNAME");  // kept as written
}

TEST(DigestParamsTest, LenientAboutQuotingBlanksAndEmptyElements) {
  const auto h = parseAuthHeader(
      "\tDigest  algorithm=\"MD5\" ,, qop = \"auth\",nc=\"00000002\", uri=sip:x@y:5060 ,");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->params.size(), 4u);
  EXPECT_EQ(h->param("algorithm"), "MD5");
  EXPECT_EQ(h->param("qop"), "auth");
  EXPECT_EQ(h->param("nc"), "00000002");
  EXPECT_EQ(h->param("uri"), "sip:x@y:5060");
  ASSERT_TRUE(parseAuthHeader("Digest"));
  EXPECT_TRUE(parseAuthHeader("Digest")->params.empty());
}

TEST(DigestParamsTest, RefusesWhatTheGrammarDoesNot) {
  const std::string tooMany = [] {
    std::string s = "Digest a0=1";
    for (std::size_t i = 1; i <= kMaxAuthParams; ++i) s += ", a" + std::to_string(i) + "=1";
    return s;
  }();
  const std::vector<std::string> bad = {
      "",
      "   ",
      "\"Digest\" realm=\"x\"",
      "Digest,realm=\"x\"",
      "Digest realm=\"unterminated",
      "Digest realm=\"x\\",  // a backslash escaping the end
      "Digest realm=\"a\rb\"",
      "Digest realm=\"a\nb\"",
      "Digest realm=\"a\x01" "b\"",
      "Digest realm",
      "Digest realm=",
      "Digest realm= ,nonce=\"n\"",
      "Digest =\"x\"",
      "Digest re(alm=\"x\"",
      "Digest realm=\"x\" nonce=\"y\"",  // no comma between parameters
      "Digest realm=\"x\"junk",
      "Digest realm=a\"b\"",
      "Digest realm=\"x\", REALM=\"y\"",  // twice
      "Digest realm=\"x\", nonce=\"a\"\"b\"",
      tooMany,
      "Digest realm=\"" + std::string(kMaxAuthHeaderLength, 'x') + "\"",
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(parseAuthHeader(text)) << text;
  }
  std::string fits = "Digest realm=\"";
  fits += std::string(kMaxAuthHeaderLength - fits.size() - 1, 'x') + "\"";
  EXPECT_TRUE(parseAuthHeader(fits));
}

TEST(DigestParamsTest, QuotedStringRoundTripsAndDropsLineBreaks) {
  for (const std::string text : {"sbc", "a\"b", "back\\slash", "\\\"", "", "utf8 \xc3\xa9"}) {
    const auto h = parseAuthHeader("Digest realm=" + quotedString(text));
    ASSERT_TRUE(h) << text;
    EXPECT_EQ(h->param("realm"), text);
  }
  EXPECT_EQ(quotedString("evil\r\nVia: x"), "\"evilVia: x\"");
  EXPECT_EQ(quotedString("a\"b\\c"), R"("a\"b\\c")");
}

// --- algorithms and the RFC vectors ----------------------------------------------------------

TEST(DigestVectorTest, Rfc2617Section3_5) {
  DigestInput in;
  in.user = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "Circle Of Life";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.method = "GET";
  in.uri = "/dir/index.html";
  in.qop = "auth";
  in.nc = "00000001";
  in.cnonce = "0a4f113b";
  EXPECT_EQ(digestResponse(in), "6629fae49393a05397450978507c4ef1");
  ClientSide c{.user = "Mufasa", .realm = "testrealm@host.com", .password = "Circle Of Life",
               .nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093", .method = "GET",
               .uri = "/dir/index.html"};
  EXPECT_EQ(clientDigest(c), "6629fae49393a05397450978507c4ef1");
}

TEST(DigestVectorTest, Rfc2617ChallengeAnswered) {
  const auto credentials = answerDigestChallenge(
      "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
      "GET", "/dir/index.html", {"Mufasa", "Circle Of Life"}, "0a4f113b", 1);
  ASSERT_TRUE(credentials);
  EXPECT_EQ(*credentials,
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
            "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, qop=auth, "
            "nc=00000001, cnonce=\"0a4f113b\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

TEST(DigestVectorTest, Rfc7616Section3_9_1) {
  DigestInput in;
  in.user = "Mufasa";
  in.realm = "http-auth@example.org";
  in.password = "Circle of Life";
  in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  in.method = "GET";
  in.uri = "/dir/index.html";
  in.qop = "auth";
  in.nc = "00000001";
  in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  in.algorithm = DigestAlgorithm::kSha256;
  EXPECT_EQ(digestResponse(in),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  in.algorithm = DigestAlgorithm::kMd5;
  EXPECT_EQ(digestResponse(in), "8ca523f5e9506fed4657c9700eebdbec");

  const auto credentials = answerDigestChallenge(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
      "GET", "/dir/index.html", {"Mufasa", "Circle of Life"},
      "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", 1);
  ASSERT_TRUE(credentials);
  const auto parsed = parseAuthHeader(*credentials);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->param("response"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  EXPECT_EQ(parsed->param("algorithm"), "SHA-256");
  EXPECT_EQ(parsed->param("opaque"), "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
}

TEST(DigestVectorTest, Rfc2069FormWithoutQop) {
  // printf '%s' "$HA1:dcd98b7102dd2f0e8b11d0f600bfb0c093:$HA2" | openssl md5, HA1 over
  // "Mufasa:testrealm@host.com:CircleOfLife", HA2 over "GET:/dir/index.html".
  DigestInput in;
  in.user = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "CircleOfLife";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.method = "GET";
  in.uri = "/dir/index.html";
  EXPECT_EQ(digestResponse(in), "1949323746fe6a43ef61f9606e7febea");
  const auto credentials = answerDigestChallenge(
      "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"", "GET",
      "/dir/index.html", {"Mufasa", "CircleOfLife"}, "ignored", 1);
  ASSERT_TRUE(credentials);
  EXPECT_EQ(*credentials,
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
            "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
            "response=\"1949323746fe6a43ef61f9606e7febea\", algorithm=MD5");
}

TEST(DigestVectorTest, EveryAlgorithmMatchesAnIndependentClient) {
  struct Case {
    DigestAlgorithm algorithm;
    const EVP_MD* md;
    bool session;
  };
  const Case cases[] = {
      {DigestAlgorithm::kMd5, EVP_md5(), false},
      {DigestAlgorithm::kMd5Sess, EVP_md5(), true},
      {DigestAlgorithm::kSha256, EVP_sha256(), false},
      {DigestAlgorithm::kSha256Sess, EVP_sha256(), true},
      {DigestAlgorithm::kSha512_256, EVP_sha512_256(), false},
      {DigestAlgorithm::kSha512_256Sess, EVP_sha512_256(), true},
  };
  for (const Case& k : cases) {
    ClientSide c{.md = k.md, .session = k.session, .nonce = "abc123"};
    DigestInput in{k.algorithm, c.user, c.realm, c.password, c.nonce, c.method,
                   c.uri,       c.qop,  c.nc,    c.cnonce};
    EXPECT_EQ(digestResponse(in), clientDigest(c)) << digestAlgorithmName(k.algorithm);
    EXPECT_EQ(digestAlgorithmFromName(digestAlgorithmName(k.algorithm)), k.algorithm);
  }
  EXPECT_EQ(digestAlgorithmFromName("md5-SESS"), DigestAlgorithm::kMd5Sess);
  EXPECT_EQ(digestAlgorithmFromName("sha-256"), DigestAlgorithm::kSha256);
  EXPECT_EQ(digestAlgorithmFromName("SHA-512/256"), std::nullopt);
  EXPECT_EQ(digestAlgorithmFromName("AKAv1-MD5"), std::nullopt);
}

TEST(DigestVectorTest, UnanswerableChallenges) {
  const DigestCredentials creds{"u", "p"};
  for (const char* challenge : {
           "Basic realm=\"x\"",
           "Digest nonce=\"n\"",
           "Digest realm=\"r\"",
           "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1",
           "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"",
           "Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess",  // -sess needs a qop
           "Digest realm=\"r, nonce=\"n\"",
       }) {
    EXPECT_FALSE(answerDigestChallenge(challenge, "INVITE", "sip:a@b", creds, "c", 1)) << challenge;
  }
}

// --- the authenticator ----------------------------------------------------------------------

class DigestAuthenticatorTest : public ::testing::Test {
 protected:
  static constexpr Millis kLifetime = 30'000;
  DigestAuthenticatorTest() : auth(realm, clock, kLifetime, "fixed test secret") {}

  ClientSide client() {
    ClientSide c;
    c.nonce = nonceOf(auth.challenge());
    return c;
  }
  Verdict check(const ClientSide& c) {
    return auth.check(requestWith(c, clientCredentials(c)), trunk);
  }

  const std::string realm = "sbc";
  FakeClock clock;
  DigestAuthenticator auth;
  DigestCredentials trunk{"carrier1", "s3cret"};
};

TEST_F(DigestAuthenticatorTest, ChallengeFormat) {
  const std::regex md5(
      R"(Digest realm="sbc", nonce="[0-9a-f]{48}", algorithm=MD5, qop="auth")");
  EXPECT_TRUE(std::regex_match(auth.challenge(), md5)) << auth.challenge();
  const std::regex staleSha(
      R"(Digest realm="sbc", nonce="[0-9a-f]{48}", algorithm=SHA-256, qop="auth", stale=true)");
  const std::string stale = auth.challenge(true, DigestAlgorithm::kSha256);
  EXPECT_TRUE(std::regex_match(stale, staleSha)) << stale;
  // Our own challenge parses with the header grammar.
  const auto parsed = parseAuthHeader(stale);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->param("realm"), "sbc");
  EXPECT_EQ(parsed->param("stale"), "true");
  EXPECT_EQ(auth.realm(), "sbc");
}

TEST_F(DigestAuthenticatorTest, NoncesAreStatelessMacsOfTheTime) {
  const std::string first = nonceOf(auth.challenge());
  EXPECT_EQ(nonceOf(auth.challenge()), first);  // a function of the clock, not of a counter
  clock.advance(1);
  EXPECT_NE(nonceOf(auth.challenge()), first);

  // Another instance with the same secret and realm accepts it: nothing is remembered.
  ClientSide c = client();
  DigestAuthenticator twin(realm, clock, kLifetime, "fixed test secret");
  EXPECT_EQ(twin.check(requestWith(c, clientCredentials(c)), trunk), Verdict::kAccepted);
  // Another secret, or another realm with the same secret, does not.
  DigestAuthenticator stranger(realm, clock, kLifetime, "another secret");
  EXPECT_EQ(stranger.check(requestWith(c, clientCredentials(c)), trunk), Verdict::kStaleNonce);
  DigestAuthenticator otherRealm("carrier.example", clock, kLifetime, "fixed test secret");
  ClientSide moved = c;
  moved.realm = "carrier.example";
  EXPECT_EQ(otherRealm.check(requestWith(moved, clientCredentials(moved)), trunk),
            Verdict::kStaleNonce);
}

TEST_F(DigestAuthenticatorTest, RandomSecretByDefault) {
  DigestAuthenticator a(realm, clock);
  DigestAuthenticator b(realm, clock);
  EXPECT_NE(nonceOf(a.challenge()), nonceOf(b.challenge()));
  ClientSide c;
  c.nonce = nonceOf(a.challenge());
  EXPECT_EQ(a.check(requestWith(c, clientCredentials(c)), trunk), Verdict::kAccepted);
  EXPECT_EQ(b.check(requestWith(c, clientCredentials(c)), trunk), Verdict::kStaleNonce);
}

TEST_F(DigestAuthenticatorTest, MissingCredentials) {
  ClientSide c = client();
  EXPECT_EQ(auth.check(request("INVITE", c.uri), trunk), Verdict::kMissing);
  // Authorization is not what a proxy reads, and the other way round.
  EXPECT_EQ(auth.check(requestWith(c, clientCredentials(c), HeaderId::Authorization), trunk),
            Verdict::kMissing);
  EXPECT_EQ(auth.check(requestWith(c, clientCredentials(c), HeaderId::Authorization), trunk, false),
            Verdict::kAccepted);
  EXPECT_EQ(auth.check(requestWith(c, clientCredentials(c)), trunk, false), Verdict::kMissing);
}

TEST_F(DigestAuthenticatorTest, RoundTripQopAuth) {
  ClientSide c = client();
  EXPECT_EQ(check(c), Verdict::kAccepted);
  c.nc = "00000002";
  c.cnonce = "other-cnonce";
  EXPECT_EQ(check(c), Verdict::kAccepted);
  c.method = "BYE";  // the method is part of HA2
  EXPECT_EQ(check(c), Verdict::kAccepted);
}

TEST_F(DigestAuthenticatorTest, RoundTripEveryAlgorithm) {
  struct Case {
    const char* name;
    const EVP_MD* md;
    bool session;
  };
  for (const Case& k : {Case{"SHA-256", EVP_sha256(), false},
                        Case{"sha-256-sess", EVP_sha256(), true}, Case{"MD5-sess", EVP_md5(), true},
                        Case{"SHA-512-256", EVP_sha512_256(), false}}) {
    ClientSide c = client();
    c.md = k.md;
    c.session = k.session;
    c.algorithm = k.name;
    EXPECT_EQ(check(c), Verdict::kAccepted) << k.name;
    c.password = "wrong";
    EXPECT_EQ(check(c), Verdict::kBadResponse) << k.name;
  }
}

TEST_F(DigestAuthenticatorTest, RoundTripThroughTheParserAndOurOwnClient) {
  const std::string challenge = auth.challenge(false, DigestAlgorithm::kSha256);
  const auto credentials = answerDigestChallenge(challenge, "INVITE", "sip:100@198.18.0.1",
                                                 trunk, "xyz", 7);
  ASSERT_TRUE(credentials);
  const std::string text =
      "INVITE sip:100@198.18.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.18.1.10:5060;branch=z9hG4bKa1\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:c@198.18.1.10>;tag=1\r\nTo: <sip:100@198.18.0.1>\r\n"
      "Call-ID: rt\r\nCSeq: 2 INVITE\r\n"
      "Proxy-Authorization: " + *credentials + "\r\nContent-Length: 0\r\n\r\n";
  const sip::ParseResult parsed = sip::parseDatagram(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error.reason;
  EXPECT_EQ(auth.check(*parsed.message, trunk), Verdict::kAccepted);
  EXPECT_EQ(auth.check(*parsed.message, {"carrier1", "nope"}), Verdict::kBadResponse);
}

TEST_F(DigestAuthenticatorTest, Rfc2069FormAccepted) {
  ClientSide c = client();
  c.qop = "";
  c.algorithm = "";  // MD5 by default
  EXPECT_EQ(check(c), Verdict::kAccepted);
  c.password = "wrong";
  EXPECT_EQ(check(c), Verdict::kBadResponse);
}

TEST_F(DigestAuthenticatorTest, UpperCaseHexResponseAccepted) {
  ClientSide c = client();
  std::string value = clientCredentials(c);
  const std::string digest = clientDigest(c);
  std::string upper = digest;
  for (char& ch : upper) ch = sip::grammar::toUpper(ch);
  value.replace(value.find(digest), digest.size(), upper);
  EXPECT_EQ(auth.check(requestWith(c, value), trunk), Verdict::kAccepted);
}

TEST_F(DigestAuthenticatorTest, StaleAfterLifetime) {
  ClientSide c = client();
  clock.advance(kLifetime - 1);
  EXPECT_EQ(check(c), Verdict::kAccepted);
  clock.advance(1);
  EXPECT_EQ(check(c), Verdict::kStaleNonce);
  // A wrong password on an expired nonce is a wrong password, not a stale nonce.
  ClientSide wrong = c;
  wrong.password = "guess";
  EXPECT_EQ(check(wrong), Verdict::kBadResponse);
  // The client retries on the stale=true challenge's fresh nonce.
  const std::string again = auth.challenge(true);
  EXPECT_NE(again.find("stale=true"), std::string::npos);
  c.nonce = nonceOf(again);
  EXPECT_EQ(check(c), Verdict::kAccepted);
}

TEST_F(DigestAuthenticatorTest, NonceFromTheFutureIsStale) {
  ClientSide c = client();
  clock.advance(-1);
  EXPECT_EQ(check(c), Verdict::kStaleNonce);
}

TEST_F(DigestAuthenticatorTest, ForgedOrForeignNonceIsStaleOnlyWithTheRightDigest) {
  ClientSide c = client();
  for (const std::string& nonce : {std::string("dcd98b7102dd2f0e8b11d0f600bfb0c093"),
                                  std::string(48, '0'), std::string(48, 'f'), std::string("x"),
                                  std::string(""), c.nonce.substr(0, 47) + "0",
                                  // a later timestamp with the old MAC
                                  "00000000000f4241" + c.nonce.substr(16),
                                  std::string(c.nonce.size(), 'A')}) {
    if (nonce == c.nonce) continue;
    ClientSide forged = c;
    forged.nonce = nonce;
    EXPECT_EQ(check(forged), Verdict::kStaleNonce) << nonce;
    forged.password = "guess";
    EXPECT_EQ(check(forged), Verdict::kBadResponse) << nonce;
  }
}

TEST_F(DigestAuthenticatorTest, WrongPassword) {
  ClientSide c = client();
  c.password = "S3cret";
  EXPECT_EQ(check(c), Verdict::kBadResponse);
  EXPECT_EQ(auth.check(requestWith(client(), clientCredentials(client())), {"carrier1", ""}),
            Verdict::kBadResponse);
}

TEST_F(DigestAuthenticatorTest, ResponseForAnotherRequestIsRefused) {
  // A digest computed for REGISTER does not authorize an INVITE.
  ClientSide c = client();
  c.method = "REGISTER";
  const std::string value = clientCredentials(c);
  c.method = "INVITE";
  EXPECT_EQ(auth.check(requestWith(c, value), trunk), Verdict::kBadResponse);
}

TEST_F(DigestAuthenticatorTest, WrongUser) {
  ClientSide c = client();
  c.user = "carrier2";
  EXPECT_EQ(check(c), Verdict::kWrongUser);
  c.user = "Carrier1";  // usernames are case-sensitive
  EXPECT_EQ(check(c), Verdict::kWrongUser);
  EXPECT_EQ(auth.check(requestWith(client(), clientCredentials(client())), {"carrier2", "s3cret"}),
            Verdict::kWrongUser);
}

TEST_F(DigestAuthenticatorTest, WrongUri) {
  ClientSide c = client();
  const std::string value = clientCredentials(c);  // computed for c.uri
  EXPECT_EQ(auth.check(requestWith(c, value), trunk), Verdict::kAccepted);
  for (const char* other : {"sip:+15551234567@198.18.0.2:5060", "sip:+15551234567@198.18.0.1",
                            "sip:+15559999999@198.18.0.1:5060", "sips:+15551234567@198.18.0.1:5060",
                            "sip:+15551234567@198.18.0.1:5060;user=phone", "tel:+15551234567"}) {
    sip::Message m = request("INVITE", other);
    m.add(HeaderId::ProxyAuthorization, value);
    EXPECT_EQ(auth.check(m, trunk), Verdict::kWrongUri) << other;
  }
}

TEST_F(DigestAuthenticatorTest, EquivalentUriAccepted) {
  ClientSide c = client();
  c.uri = "sip:+15551234567@SBC.Example.COM:5060;transport=udp;user=phone";
  const std::string value = clientCredentials(c);
  for (const char* same : {"sip:+15551234567@SBC.Example.COM:5060;transport=udp;user=phone",
                           "sip:+15551234567@sbc.example.com:5060;transport=udp;user=phone",
                           "SIP:+15551234567@sbc.example.com:5060;user=phone;TRANSPORT=UDP"}) {
    sip::Message m = request("INVITE", same);
    m.add(HeaderId::ProxyAuthorization, value);
    EXPECT_EQ(auth.check(m, trunk), Verdict::kAccepted) << same;
  }
}

TEST_F(DigestAuthenticatorTest, CredentialsForOtherRealmsAreSkipped) {
  ClientSide c = client();
  ClientSide upstream = c;
  upstream.realm = "carrier.example";
  upstream.password = "theirs";
  sip::Message m = request("INVITE", c.uri);
  m.add(HeaderId::ProxyAuthorization, "Basic Y2FycmllcjE6czNjcmV0");
  m.add(HeaderId::ProxyAuthorization, clientCredentials(upstream));
  EXPECT_EQ(auth.check(m, trunk), Verdict::kMissing);
  m.add(HeaderId::ProxyAuthorization, clientCredentials(c));
  EXPECT_EQ(auth.check(m, trunk), Verdict::kAccepted);
  // The realm compares exactly.
  ClientSide shouting = c;
  shouting.realm = "SBC";
  EXPECT_EQ(check(shouting), Verdict::kMissing);
  // A broken field beside good credentials for our realm does not spoil them; alone it is
  // malformed.
  sip::Message mixed = request("INVITE", c.uri);
  mixed.add(HeaderId::ProxyAuthorization, "Digest realm=\"sbc");
  EXPECT_EQ(auth.check(mixed, trunk), Verdict::kMalformed);
  mixed.add(HeaderId::ProxyAuthorization, clientCredentials(c));
  EXPECT_EQ(auth.check(mixed, trunk), Verdict::kAccepted);
}

TEST_F(DigestAuthenticatorTest, MalformedCredentials) {
  ClientSide c = client();
  const std::string good = clientCredentials(c);
  ASSERT_EQ(auth.check(requestWith(c, good), trunk), Verdict::kAccepted);
  auto without = [&good](const std::string& param) {
    const std::regex re(",? ?" + param + "=(\"[^\"]*\"|[^,]*)");
    return std::regex_replace(good, re, "", std::regex_constants::format_first_only);
  };
  auto replaced = [&good](const std::string& from, const std::string& to) {
    std::string s = good;
    const std::size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  };
  const std::string digest = clientDigest(c);
  const std::vector<std::string> bad = {
      "Digest",
      "Digest username=\"carrier1\"",
      "Digest realm=\"sbc\"",
      without("username"),
      without("nonce"),
      without("uri"),
      without("response"),
      without("nc"),
      without("cnonce"),
      without("realm"),
      replaced("uri=\"" + c.uri + "\"", "uri=\"\""),
      replaced("response=\"" + digest, "response=\"" + digest + "0"),
      replaced("response=\"" + digest, "response=\"" + digest.substr(1)),
      replaced("response=\"" + digest.substr(0, 1), "response=\"g"),
      replaced("algorithm=MD5", "algorithm=SHA-1"),
      replaced("algorithm=MD5", "algorithm=SHA-256"),  // a 32-digit response for SHA-256
      replaced("qop=auth", "qop=auth-int"),
      replaced("qop=auth", "qop=bogus"),
      replaced("nc=00000001", "nc=1"),
      replaced("nc=00000001", "nc=0000000g"),
      replaced("nc=00000001", "nc=000000001"),
      replaced("cnonce=\"0a4f113b\"", "cnonce=\"\""),
      replaced("realm=\"sbc\"", "realm=\"sbc\", realm=\"sbc\""),
      replaced("username=\"carrier1\"", "username=\"carrier1"),
      replaced("nonce=\"", "nonce=\"\"\""),
      good + ", opaque=\"unterminated",
      good + " trailing",
  };
  for (const std::string& value : bad) {
    if (value == good) continue;
    EXPECT_EQ(auth.check(requestWith(c, value), trunk), Verdict::kMalformed) << value;
  }
  // A -sess algorithm in the RFC 2069 form has no cnonce to hash.
  ClientSide sess = c;
  sess.qop = "";
  sess.algorithm = "MD5-sess";
  EXPECT_EQ(check(sess), Verdict::kMalformed);
  // A response is not a request.
  sip::Message response;
  response.statusCode = 200;
  response.add(HeaderId::ProxyAuthorization, good);
  EXPECT_EQ(auth.check(response, trunk), Verdict::kMalformed);
}

TEST_F(DigestAuthenticatorTest, HugeValuesAreMalformed) {
  ClientSide c = client();
  ClientSide huge = c;
  huge.user = std::string(100'000, 'u');
  EXPECT_EQ(auth.check(requestWith(huge, clientCredentials(huge)), {huge.user, "s3cret"}),
            Verdict::kMalformed);
  ClientSide longCnonce = c;
  longCnonce.cnonce = std::string(kMaxAuthHeaderLength, 'c');
  EXPECT_EQ(check(longCnonce), Verdict::kMalformed);
  // Long but within the limit is fine.
  ClientSide fits = c;
  fits.cnonce = std::string(1000, 'c');
  EXPECT_EQ(check(fits), Verdict::kAccepted);
}

// Random edits of valid credentials (flip, insert, delete, duplicate, the grammar's special
// bytes) never crash, never accept credentials whose meaningful parameters changed, and every
// header the grammar accepts prints and re-parses to the same parameters.
TEST_F(DigestAuthenticatorTest, FuzzedCredentials) {
  const ClientSide c = client();
  const std::string good = clientCredentials(c);
  const auto original = parseAuthHeader(good);
  ASSERT_TRUE(original);
  std::mt19937 rng(20240611);
  const std::string special = "\"\\,= \t\r\n\x01\x7f\xff;:<>@";
  std::map<Verdict, int> counts;
  for (int i = 0; i < 600; ++i) {
    std::string value = good;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !value.empty(); ++e) {
      const std::size_t at = rng() % value.size();
      switch (rng() % 6) {
        case 0: value[at] = static_cast<char>(rng() % 256); break;
        case 1: value.insert(at, 1, special[rng() % special.size()]); break;
        case 2: value.erase(at, 1 + rng() % 8); break;
        case 3: value.insert(at, value.substr(at, 1 + rng() % 40)); break;
        case 4: value[at] = special[rng() % special.size()]; break;
        case 5: value.insert(at, std::string(1 + rng() % 3000, 'A')); break;
      }
    }
    const Verdict verdict = auth.check(requestWith(c, value), trunk);
    ++counts[verdict];
    const auto parsed = parseAuthHeader(value);
    if (verdict == Verdict::kAccepted) {
      ASSERT_TRUE(parsed) << value;
      for (const char* name : {"username", "realm", "nonce", "uri", "response", "nc", "cnonce"}) {
        ASSERT_TRUE(parsed->param(name)) << value;
        if (std::string_view(name) == "response") {
          std::string lower(*parsed->param(name));
          for (char& ch : lower) ch = sip::grammar::toLower(ch);
          EXPECT_EQ(lower, *original->param(name)) << value;
        } else {
          EXPECT_EQ(*parsed->param(name), *original->param(name)) << value;
        }
      }
    }
    if (parsed) {
      std::string printed = parsed->scheme;
      for (std::size_t p = 0; p < parsed->params.size(); ++p) {
        printed += (p == 0 ? " " : ", ") + parsed->params[p].name + "=" +
                   quotedString(parsed->params[p].value);
      }
      const auto again = parseAuthHeader(printed);
      // quotedString drops control bytes, which the grammar only admits escaped.
      bool controls = false;
      for (const AuthParam& p : parsed->params) {
        for (char ch : p.value) {
          const auto byte = static_cast<unsigned char>(ch);
          controls = controls || (byte < 0x20 && ch != '\t') || byte == 0x7f;
        }
      }
      if (!controls && printed.size() <= kMaxAuthHeaderLength) {
        ASSERT_TRUE(again) << printed;
        ASSERT_EQ(again->params.size(), parsed->params.size());
        for (std::size_t p = 0; p < parsed->params.size(); ++p) {
          EXPECT_EQ(again->params[p].name, parsed->params[p].name);
          EXPECT_EQ(again->params[p].value, parsed->params[p].value);
        }
      }
    }
  }
  EXPECT_GT(counts[Verdict::kMalformed], 100);
  EXPECT_GT(counts[Verdict::kAccepted], 0);  // blanks and case edits that keep the meaning
}

TEST(DigestVerdictTest, RejectStatusAndNames) {
  EXPECT_EQ(rejectStatus(Verdict::kAccepted), 0);
  EXPECT_EQ(rejectStatus(Verdict::kMissing), 407);
  EXPECT_EQ(rejectStatus(Verdict::kMissing, false), 401);
  EXPECT_EQ(rejectStatus(Verdict::kStaleNonce), 407);
  EXPECT_EQ(rejectStatus(Verdict::kBadResponse), 407);
  EXPECT_EQ(rejectStatus(Verdict::kWrongUser, false), 401);
  EXPECT_EQ(rejectStatus(Verdict::kWrongUri), 400);
  EXPECT_EQ(rejectStatus(Verdict::kMalformed, false), 400);
  EXPECT_EQ(verdictName(Verdict::kStaleNonce), "stale-nonce");
  EXPECT_EQ(verdictName(Verdict::kAccepted), "accepted");
  EXPECT_EQ(verdictName(Verdict::kMalformed), "malformed");
}

}  // namespace
}  // namespace sbc::control::test
