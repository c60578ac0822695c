// The typed header parsers and their renderers: what each accepts and refuses, and that str()
// parses back to the same value.

#include "control/sip/sip_headers.h"

#include <gtest/gtest.h>

namespace sbc::sip {
namespace {

// str() is canonical: rendering what it parses gives the same text again.
template <typename Parse>
void expectRoundTrip(Parse parse, std::string_view text, std::string_view canonical) {
  const auto first = parse(text);
  ASSERT_TRUE(first.has_value()) << text;
  EXPECT_EQ(first->str(), canonical) << text;
  const auto second = parse(first->str());
  ASSERT_TRUE(second.has_value()) << first->str();
  EXPECT_EQ(second->str(), first->str());
}

// --- URI -------------------------------------------------------------------------------------

TEST(SipUriTest, ParsesEveryPartOfASipUri) {
  const auto uri = parseUri("SIP:alice:secret@atlanta.example.com:5070;transport=tcp;lr?subject=project%20x&priority=urgent");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->scheme, "sip");
  EXPECT_EQ(uri->user, "alice");
  EXPECT_EQ(uri->password, "secret");
  EXPECT_EQ(uri->host, "atlanta.example.com");
  EXPECT_EQ(uri->port, 5070);
  ASSERT_EQ(uri->params.size(), 2u);
  EXPECT_EQ(uri->params[0].name, "transport");
  EXPECT_EQ(uri->params[0].value, "tcp");
  EXPECT_FALSE(uri->params[1].hasValue);
  EXPECT_EQ(uri->headers, "subject=project%20x&priority=urgent");
  EXPECT_EQ(uri->str(),
            "sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr?subject=project%20x&priority=urgent");
}

TEST(SipUriTest, UserPartMayHoldSemicolonsQuestionMarksAndEscapes) {
  // RFC 4475 3.1.1.2 and 3.1.1.10.
  const auto uri = parseUri("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(uri->password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(uri->host, "example.com");
  const auto semi = parseUri("sip:user;par=u%40example.net@example.com");
  ASSERT_TRUE(semi);
  EXPECT_EQ(semi->user, "user;par=u%40example.net");
  EXPECT_EQ(unescapeUser("sips%3Auser%40example.com"), "sips:user@example.com");
  EXPECT_EQ(unescapeUser("null-%00-null"), std::string("null-\0-null", 11));
  EXPECT_EQ(unescapeUser("100%"), "100%");
}

TEST(SipUriTest, IPv6ReferencesFollowRfc5118) {
  auto uri = parseUri("sip:[2001:db8::10]:5070");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->host, "[2001:db8::10]");
  EXPECT_EQ(uri->hostWithoutBrackets(), "2001:db8::10");
  EXPECT_EQ(uri->port, 5070);
  uri = parseUri("sip:[2001:db8::10:5070]");  // 4.3: the port is part of the address
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->port, 0);
  EXPECT_TRUE(parseUri("sip:user@[::ffff:192.0.2.10]"));
  EXPECT_TRUE(parseUri("sip:user@[2001:db8::192.0.2.1]"));
  EXPECT_TRUE(parseUri("sip:user@[2001:db8:::192.0.2.1]"));  // 4.8: tolerated
  EXPECT_TRUE(parseUri("sip:[::1]"));
  EXPECT_TRUE(parseUri("sip:[1:2:3:4:5:6:7:8]"));
  EXPECT_FALSE(parseUri("sip:[1:2:3:4:5:6:7:8:9]"));
  EXPECT_FALSE(parseUri("sip:[1::2::3]"));
  EXPECT_FALSE(parseUri("sip:[12345::1]"));
  EXPECT_FALSE(parseUri("sip:[2001:db8::1"));
  EXPECT_FALSE(parseUri("sip:[1:2:3:4:5:6:7:8::]"));
  EXPECT_FALSE(parseUri("sip:2001:db8::10"));  // 4.2: must be bracketed
}

TEST(SipUriTest, RefusesMalformedSipUris) {
  for (const char* bad : {"sip:", "sip:@example.com", "sip:alice@", "sip:alice@example.com:0",
                          "sip:alice@example.com:65536", "sip:alice@example.com:50a",
                          "sip:al ice@example.com", "sip:alice%G1@example.com",
                          "sip:alice@exa_mple.com", "sip:alice@-example.com",
                          "sip:alice@example.123", "sip:alice@192.0.2.256",
                          "sip:alice@example.com;", "sip:alice@example.com;=x",
                          "sip:alice@example.com;transport=", "sip:alice@example.com?",
                          "sip:alice@example.com?noequals", "<sip:alice@example.com>", "alice",
                          ":alice", "1sip:alice@example.com"}) {
    EXPECT_FALSE(parseUri(bad)) << bad;
  }
  const std::string longLabel = "sip:" + std::string(64, 'a') + ".example.com";
  EXPECT_FALSE(parseUri(longLabel));
}

TEST(SipUriTest, TelAndOtherSchemes) {
  auto tel = parseUri("tel:+1-201-555-0123;ext=1234");
  ASSERT_TRUE(tel);
  EXPECT_EQ(tel->scheme, "tel");
  EXPECT_EQ(tel->user, "+1-201-555-0123");
  ASSERT_EQ(tel->params.size(), 1u);
  EXPECT_EQ(tel->str(), "tel:+1-201-555-0123;ext=1234");
  EXPECT_FALSE(parseUri("tel:+"));
  EXPECT_FALSE(parseUri("tel:+1 201"));
  auto other = parseUri("soap.beep://192.0.2.103:3002");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->isSip());
  EXPECT_EQ(other->scheme, "soap.beep");
  EXPECT_EQ(other->opaque, "//192.0.2.103:3002");
  EXPECT_EQ(other->str(), "soap.beep://192.0.2.103:3002");
  EXPECT_FALSE(parseUri("http:"));
  EXPECT_FALSE(parseUri("http://exa mple.com"));
}

// --- parameters ------------------------------------------------------------------------------

TEST(SipParamsTest, FindSetAndRemoveIgnoreCase) {
  std::vector<Param> params = {{"Tag", "abc", true}, {"lr", "", false}};
  EXPECT_EQ(findParam(params, "tag"), "abc");
  EXPECT_EQ(findParam(params, "LR"), "");
  EXPECT_FALSE(findParam(params, "branch"));
  setParam(params, "TAG", "xyz");
  EXPECT_EQ(params[0].value, "xyz");
  setParam(params, "received", "192.0.2.1");
  ASSERT_EQ(params.size(), 3u);
  EXPECT_TRUE(params[2].hasValue);
  removeParam(params, "Lr");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[1].name, "received");
}

// --- name-addr -------------------------------------------------------------------------------

TEST(SipNameAddrTest, QuotedAndTokenDisplayNames) {
  auto na = parseNameAddr("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com> ; tag = 98asjd8");
  ASSERT_TRUE(na);
  EXPECT_EQ(na->displayName, "\"J Rosenberg \\\\\\\"\"");
  EXPECT_EQ(na->uri.user, "jdrosen");
  EXPECT_EQ(na->tag(), "98asjd8");
  EXPECT_EQ(na->str(), "\"J Rosenberg \\\\\\\"\" <sip:jdrosen@example.com>;tag=98asjd8");

  na = parseNameAddr("caller<sip:caller@example.com>;tag=323");  // RFC 4475 3.1.1.6
  ASSERT_TRUE(na);
  EXPECT_EQ(na->displayName, "caller");
  EXPECT_EQ(na->str(), "caller <sip:caller@example.com>;tag=323");

  na = parseNameAddr("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>");
  ASSERT_TRUE(na);
  EXPECT_EQ(na->displayName, "token1~` token2'+_ token3*%!.-");

  na = parseNameAddr("J\xc3\xbcrgen <sip:j@example.com>");  // UTF-8, unquoted: tolerated
  ASSERT_TRUE(na);
  EXPECT_EQ(na->displayName, "J\xc3\xbcrgen");
}

TEST(SipNameAddrTest, BareAddrSpecParametersBelongToTheHeader) {
  auto na = parseNameAddr("sip:+19725552222@gw1.example.net;unknownparam");
  ASSERT_TRUE(na);
  EXPECT_FALSE(na->angleBrackets);
  EXPECT_TRUE(na->uri.params.empty());
  ASSERT_EQ(na->params.size(), 1u);
  EXPECT_EQ(na->params[0].name, "unknownparam");
  EXPECT_EQ(na->str(), "sip:+19725552222@gw1.example.net;unknownparam");

  na = parseNameAddr("<sip:+19725552222@gw1.example.net;unknownparam>");
  ASSERT_TRUE(na);
  EXPECT_TRUE(na->angleBrackets);
  EXPECT_EQ(na->uri.params.size(), 1u);
  EXPECT_TRUE(na->params.empty());
}

TEST(SipNameAddrTest, RendersBracketsWhereABareFormWouldBeAmbiguous) {
  NameAddr na;
  na.uri = *parseUri("sip:bob@example.com;transport=tcp");
  na.angleBrackets = false;
  EXPECT_EQ(na.str(), "<sip:bob@example.com;transport=tcp>");
  na.uri = *parseUri("sip:bob@example.com");
  na.displayName = "Bob";
  EXPECT_EQ(na.str(), "Bob <sip:bob@example.com>");
}

TEST(SipNameAddrTest, RefusesWhatRfc4475Refuses) {
  EXPECT_FALSE(parseNameAddr("\"Mr. J. User <sip:j.user@example.com>"));       // quotbal
  EXPECT_FALSE(parseNameAddr("\"Watson, Thomas\" < sip:t.watson@example.org >"));  // badaspec
  EXPECT_FALSE(parseNameAddr("Bell, Alexander <sip:a.g.bell@example.com>;tag=43"));  // baddn
  EXPECT_FALSE(parseNameAddr("sip:user@example.com?Route=%3Csip:sip.example.com%3E"));  // regbadct
  EXPECT_FALSE(parseNameAddr("\"Joe\" <sip:joe@example.org>;;;;"));  // badinv01
  EXPECT_FALSE(parseNameAddr("*"));
  EXPECT_FALSE(parseNameAddr(""));
  EXPECT_FALSE(parseNameAddr("<sip:a@example.com>;tag=\"open"));
  EXPECT_FALSE(parseNameAddr("<sip:a@example.com> junk"));
  EXPECT_TRUE(parseNameAddr("<sip:user@example.com?Route=%3Csip:sip.example.com%3E>"));  // regescrt
}

TEST(SipNameAddrTest, RoundTrips) {
  expectRoundTrip(parseNameAddr, "  \"Alice\"   <sip:alice@atlanta.example.com>;tag=1928301774 ",
                  "\"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774");
  expectRoundTrip(parseNameAddr, "<sip:p1.example.com;lr>", "<sip:p1.example.com;lr>");
  expectRoundTrip(parseNameAddr, "sip:a@example.com ; q = 0.33 ; expires=60",
                  "sip:a@example.com;q=0.33;expires=60");
  expectRoundTrip(parseNameAddr, "<tel:+12015550123>;tag=x;param=\"quoted; value\"",
                  "<tel:+12015550123>;tag=x;param=\"quoted; value\"");
  expectRoundTrip(parseNameAddr, "<urn:service:sos>", "<urn:service:sos>");
}

// --- Via -------------------------------------------------------------------------------------

TEST(SipViaTest, ParsesLinearWhiteSpaceAndNormalizesProtocolAndTransport) {
  const auto via = parseVia("sip  / 2.0  / tcp     spindle.example.com   : 5061 ;  branch  =   z9hG4bK9ikj8 ; rport");
  ASSERT_TRUE(via);
  EXPECT_EQ(via->protocol, "SIP/2.0");
  EXPECT_EQ(via->transport, "TCP");
  EXPECT_EQ(via->host, "spindle.example.com");
  EXPECT_EQ(via->port, 5061);
  EXPECT_EQ(via->branch(), "z9hG4bK9ikj8");
  EXPECT_EQ(via->str(), "SIP/2.0/TCP spindle.example.com:5061;branch=z9hG4bK9ikj8;rport");
}

TEST(SipViaTest, AcceptsReceivedWithAndWithoutBrackets) {
  auto via = parseVia("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3");
  ASSERT_TRUE(via);
  EXPECT_EQ(via->host, "[2001:db8::9:1]");
  EXPECT_EQ(findParam(via->params, "received"), "[2001:db8::9:255]");
  via = parseVia("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3");
  ASSERT_TRUE(via);
  EXPECT_EQ(findParam(via->params, "received"), "2001:db8::9:255");
  expectRoundTrip(parseVia, "SIP/2.0/UDP [2001:db8::9:1]:6050;received=2001:db8::9:255;ttl=16",
                  "SIP/2.0/UDP [2001:db8::9:1]:6050;received=2001:db8::9:255;ttl=16");
}

TEST(SipViaTest, RefusesMalformedVias) {
  for (const char* bad : {"SIP/2.0/UDP", "SIP/2.0 host.example.com", "SIP/3.0/UDP h.example.com",
                          "/2.0/UDP h.example.com", "SIP/2.0/UDP h.example.com;;",
                          "SIP/2.0/UDP h.example.com;branch", "SIP/2.0/UDP h.example.com;=token",
                          "SIP/2.0/UDP h.example.com:99999", "SIP/2.0/UDP h.example.com junk",
                          "SIP/2.0/UDP h.example.com;maddr=bad_host",
                          "SIP/2.0/UDP h.example.com;rport=0", "SIP/2.0/UDP 2001:db8::1"}) {
    EXPECT_FALSE(parseVia(bad)) << bad;
  }
}

// --- CSeq, RAck, Session-Expires and small values ----------------------------------------------

TEST(SipSmallHeadersTest, CSeq) {
  const auto cseq = parseCSeq("0009\tINVITE");
  ASSERT_TRUE(cseq);
  EXPECT_EQ(cseq->number, 9u);
  EXPECT_EQ(cseq->method, "INVITE");
  EXPECT_EQ(cseq->str(), "9 INVITE");
  EXPECT_TRUE(parseCSeq("2147483647 ACK"));
  EXPECT_FALSE(parseCSeq("2147483648 ACK"));
  EXPECT_FALSE(parseCSeq("36893488147419103232 REGISTER"));
  EXPECT_FALSE(parseCSeq("1INVITE"));
  EXPECT_FALSE(parseCSeq("1"));
  EXPECT_FALSE(parseCSeq("-1 INVITE"));
  EXPECT_FALSE(parseCSeq("1 IN VITE"));
}

TEST(SipSmallHeadersTest, RAck) {
  const auto rack = parseRAck("776656 1 INVITE");
  ASSERT_TRUE(rack);
  EXPECT_EQ(rack->rseq, 776656u);
  EXPECT_EQ(rack->cseq, 1u);
  EXPECT_EQ(rack->method, "INVITE");
  EXPECT_FALSE(parseRAck("0 1 INVITE"));
  EXPECT_FALSE(parseRAck("1 INVITE"));
  EXPECT_FALSE(parseRAck("1 2"));
}

TEST(SipSmallHeadersTest, SessionExpires) {
  auto se = parseSessionExpires("1800 ; refresher = UAC");
  ASSERT_TRUE(se);
  EXPECT_EQ(se->seconds, 1800u);
  EXPECT_EQ(se->refresher, "uac");
  se = parseSessionExpires("90;other=1");
  ASSERT_TRUE(se);
  EXPECT_EQ(se->refresher, "");
  EXPECT_FALSE(parseSessionExpires("1800;refresher=proxy"));
  EXPECT_FALSE(parseSessionExpires("soon"));
  EXPECT_FALSE(parseSessionExpires("1800 refresher=uac"));
}

TEST(SipSmallHeadersTest, TokenListsAndNumbers) {
  EXPECT_EQ(parseTokenList(" 100rel , Timer,,replaces "),
            (std::vector<std::string>{"100rel", "timer", "replaces"}));
  EXPECT_TRUE(parseTokenList("").empty());
  EXPECT_EQ(parseUnsigned(" 4294967295 "), 4294967295u);
  EXPECT_FALSE(parseUnsigned("4294967296"));
  EXPECT_FALSE(parseUnsigned("12a"));
  EXPECT_FALSE(parseUnsigned(""));
  EXPECT_TRUE(equalsIgnoreCase("Call-ID", "call-id"));
  EXPECT_FALSE(equalsIgnoreCase("Call-ID", "Call-IDs"));
}

}  // namespace
}  // namespace sbc::sip
