// parseDatagram on hand-written messages: start lines, header fields, framing, and where and
// why a message is refused. The RFC 4475/5118 verdicts are in sip_torture_test.cc.

#include "control/sip/sip_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "control/sip/sip_field_rules.h"

namespace sbc::sip {
namespace {

// A minimal valid INVITE; tests replace or add lines around it.
constexpr std::string_view kInviteHead =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n";

std::string invite(std::string_view extraHeaders, std::string_view body) {
  std::string out(kInviteHead);
  out += extraHeaders;
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

Message parseOk(std::string_view text) {
  ParseResult result = parseDatagram(text);
  EXPECT_TRUE(result.ok()) << "refused: " << result.error.reason << " at line " << result.error.line;
  return result.ok() ? std::move(*result.message) : Message{};
}

ParseError parseFails(std::string_view text) {
  const ParseResult result = parseDatagram(text);
  EXPECT_FALSE(result.ok()) << "unexpectedly parsed";
  EXPECT_FALSE(result.error.reason.empty());
  return result.error;
}

// --- start line ------------------------------------------------------------------------------

TEST(SipParserTest, ParsesRequestLineHeadersInOrderAndBody) {
  const Message m = parseOk(invite("Subject: lunch\r\n", "v=0\r\n"));
  EXPECT_TRUE(m.isRequest());
  EXPECT_EQ(m.method, "INVITE");
  EXPECT_EQ(m.requestUri, "sip:bob@biloxi.example.com");
  EXPECT_EQ(m.version, "SIP/2.0");
  ASSERT_EQ(m.headers.size(), 9u);
  EXPECT_EQ(m.headers[0].id, HeaderId::Via);
  EXPECT_EQ(m.headers[0].value, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
  EXPECT_EQ(m.headers[7].id, HeaderId::Other);
  EXPECT_EQ(m.headers[7].name, "Subject");
  EXPECT_EQ(m.headers[7].value, "lunch");
  EXPECT_EQ(m.value(HeaderId::CSeq), "314159 INVITE");
  EXPECT_EQ(m.body, "v=0\r\n");
}

TEST(SipParserTest, ParsesStatusLineWithUtf8OrEmptyReason) {
  const std::string headers =
      "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds8\r\n"
      "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  Message m = parseOk("SIP/2.0 180 Klingelt \xc3\xbc" "berall\r\n" + headers);
  EXPECT_FALSE(m.isRequest());
  EXPECT_EQ(m.statusCode, 180);
  EXPECT_EQ(m.reasonPhrase, "Klingelt \xc3\xbc" "berall");
  m = parseOk("SIP/2.0 100 \r\n" + headers);
  EXPECT_EQ(m.statusCode, 100);
  EXPECT_EQ(m.reasonPhrase, "");
  // The version is case-insensitive (RFC 3261 7.1) and is kept in the canonical form.
  m = parseOk("sip/2.0 200 OK\r\n" + headers);
  EXPECT_EQ(m.version, "SIP/2.0");
}

TEST(SipParserTest, RefusesStatusCodesThatAreNotThreeDigits100To699) {
  const std::string rest = "\r\nVia: SIP/2.0/UDP h.example.com\r\nCSeq: 1 INVITE\r\n\r\n";
  EXPECT_NE(parseFails("SIP/2.0 099 Low" + rest).reason.find("outside 100..699"),
            std::string::npos);
  EXPECT_NE(parseFails("SIP/2.0 700 High" + rest).reason.find("outside 100..699"),
            std::string::npos);
  EXPECT_NE(parseFails("SIP/2.0 2000 Long" + rest).reason.find("three digits"), std::string::npos);
  EXPECT_NE(parseFails("SIP/2.0 20x Hex" + rest).reason.find("three digits"), std::string::npos);
  EXPECT_NE(parseFails("SIP/2.0 OK" + rest).reason.find("no status code"), std::string::npos);
}

TEST(SipParserTest, RefusesOtherSipVersionsWith505AndMalformedOnesWith400) {
  std::string text = invite("", "");
  text.replace(text.find("SIP/2.0\r\n"), 7, "SIP/2.1");
  ParseError error = parseFails(text);
  EXPECT_EQ(error.reason, "unsupported SIP version SIP/2.1 (only SIP/2.0)");
  EXPECT_EQ(error.responseCode, 505);
  EXPECT_EQ(error.line, 1u);
  EXPECT_EQ(error.offset, std::string_view("INVITE sip:bob@biloxi.example.com ").size());

  text = invite("", "");
  text.replace(text.find("SIP/2.0\r\n"), 7, "HTTP/1.1");
  error = parseFails(text);
  EXPECT_NE(error.reason.find("malformed SIP version"), std::string::npos);
  EXPECT_EQ(error.responseCode, 400);
}

TEST(SipParserTest, RequestLineNeedsExactlyOneSpaceBetweenElements) {
  std::string text = invite("", "");
  text.replace(0, 7, "INVITE\t");
  EXPECT_EQ(parseFails(text).reason, "method is not a token");
  text = invite("", "");
  text.insert(6, " ");
  EXPECT_NE(parseFails(text).reason.find("more than one SP"), std::string::npos);
}

TEST(SipParserTest, RequestUriMustBeAValidUriWithoutHeaders) {
  std::string text = invite("", "");
  text.replace(7, 26, "sip:bob@bad_host.example.com");
  const ParseError error = parseFails(text);
  EXPECT_NE(error.reason.find("invalid Request-URI"), std::string::npos);
  EXPECT_EQ(error.offset, 7u);
  EXPECT_TRUE(error.header.empty());
}

TEST(SipParserTest, SkipsCrlfBeforeTheStartLineButNotAKeepAliveAlone) {
  const Message m = parseOk("\r\n\r\n" + invite("", ""));
  EXPECT_EQ(m.method, "INVITE");
  EXPECT_NE(parseFails("\r\n\r\n").reason.find("keep-alive"), std::string::npos);
  EXPECT_EQ(parseFails("").reason, "empty message");
}

// --- header fields ---------------------------------------------------------------------------

TEST(SipParserTest, UnfoldsContinuationLinesIntoOneSpace) {
  const Message m = parseOk(invite("Subject: I know you're there,\r\n"
                                   "   pick up the phone   \r\n"
                                   "\t and talk to me!\r\n",
                                   ""));
  EXPECT_EQ(m.find(HeaderId::Other)->value,
            "I know you're there, pick up the phone and talk to me!");
}

TEST(SipParserTest, FoldedValueRightAfterTheColonStartsTheValue) {
  const Message m = parseOk(invite("Route:\r\n <sip:p1.example.com;lr>\r\n", ""));
  EXPECT_EQ(m.value(HeaderId::Route), "<sip:p1.example.com;lr>");
}

TEST(SipParserTest, HeaderNamesAreCaseInsensitiveAndCompactFormsMapToTheirIds) {
  const std::string text =
      "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n"
      "v: SIP/2.0/TCP pc33.example.com;branch=z9hG4bKhjhs8ass877\r\n"
      "t : <sip:carol@chicago.example.com>\r\n"
      "f:<sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "i: a84b4c76e66710\r\n"
      "cSeQ: 63104 OPTIONS\r\n"
      "m: <sip:alice@pc33.example.com>\r\n"
      "k: 100rel\r\n"
      "c: application/sdp\r\n"
      "e: gzip\r\n"
      "x: 1800;refresher=uac\r\n"
      "o: refer\r\n"
      "MAX-FORWARDS: 70\r\n"
      "l: 0\r\n\r\n";
  const Message m = parseOk(text);
  const HeaderId expected[] = {HeaderId::Via,         HeaderId::To,
                               HeaderId::From,        HeaderId::CallId,
                               HeaderId::CSeq,        HeaderId::Contact,
                               HeaderId::Supported,   HeaderId::ContentType,
                               HeaderId::ContentEncoding, HeaderId::SessionExpires,
                               HeaderId::Event,       HeaderId::MaxForwards,
                               HeaderId::ContentLength};
  ASSERT_EQ(m.headers.size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i)
    EXPECT_EQ(m.headers[i].id, expected[i]) << m.headers[i].name;
  EXPECT_EQ(m.headers[1].name, "t");  // the name as received, without the blank before ':'
  EXPECT_EQ(m.value(HeaderId::CallId), "a84b4c76e66710");
}

TEST(SipParserTest, KeepsRepeatedFieldsAndCommaListsInOrder) {
  const std::string text =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP p2.example.com;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/UDP p3.example.com;branch=z9hG4bK3\r\n"
      "CSeq: 1 INVITE\r\n"
      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
      "Content-Length: 0\r\n\r\n";
  const Message m = parseOk(text);
  EXPECT_EQ(m.findAll(HeaderId::Via).size(), 2u);
  const std::vector<std::string> vias = m.values(HeaderId::Via);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[1], "SIP/2.0/UDP p2.example.com;branch=z9hG4bK2");
  EXPECT_EQ(m.values(HeaderId::RecordRoute).size(), 2u);
}

TEST(SipParserTest, RefusesHeaderLinesWithoutAColonOrName) {
  ParseError error = parseFails(invite("Foobar roobar\r\n", ""));
  EXPECT_EQ(error.reason, "header field name is not a token");
  error = parseFails(invite("Foobar\r\n", ""));
  EXPECT_EQ(error.reason, "header line has no colon");
  EXPECT_EQ(error.line, 9u);
  EXPECT_EQ(error.header, "Foobar");
  error = parseFails(invite(": value\r\n", ""));
  EXPECT_EQ(error.reason, "header field has an empty name");
}

TEST(SipParserTest, LinesEndInCrlfOnly) {
  std::string text = invite("", "");
  text.replace(text.find("Max-Forwards: 70\r\n") + 16, 2, "\n");
  ParseError error = parseFails(text);
  EXPECT_EQ(error.reason, "line ends with a bare LF instead of CRLF");
  EXPECT_EQ(error.line, 3u);
  EXPECT_EQ(error.header, "Max-Forwards");

  text = invite("", "");
  text.replace(text.find("Max-Forwards: 70") + 14, 0, "\r");
  EXPECT_EQ(parseFails(text).reason, "bare CR inside a line");
}

TEST(SipParserTest, ACrAtTheVeryEndIsNotALineEnd) {
  // Found by fuzzing: a message cut right after a CR once read as if a CRLF were there.
  ParseError error = parseFails("SIP/2.0 200\r");
  EXPECT_EQ(error.reason, "message ends inside a line");
  EXPECT_LT(error.offset, 12u);
  std::string text(kInviteHead);
  text += "Content-Length: 0\r";
  error = parseFails(text);
  EXPECT_EQ(error.reason, "message ends inside a line");
  EXPECT_EQ(error.header, "Content-Length");
  EXPECT_LT(error.offset, text.size());
}

TEST(SipParserTest, HeaderSectionMustEndWithAnEmptyLine) {
  std::string text(kInviteHead);
  EXPECT_EQ(parseFails(text).reason, "header section is not terminated by an empty line");
  text += "Content-Length: 0";
  EXPECT_EQ(parseFails(text).reason, "header section is not terminated by an empty line");
}

TEST(SipParserTest, ErrorNamesTheLineOffsetAndFieldOfAFaultInAFoldedValue) {
  const std::string head = invite("", "").substr(0, kInviteHead.size());
  const std::string text = head + "Record-Route: <sip:p1.example.com;lr>,\r\n sip:p2.example.com\r\n"
                                  "Content-Length: 0\r\n\r\n";
  const ParseError error = parseFails(text);
  EXPECT_EQ(error.header, "Record-Route");
  EXPECT_EQ(error.line, 9u);  // where the field starts
  EXPECT_EQ(error.offset, head.size() + std::string_view("Record-Route: ").size());
  EXPECT_NE(error.reason.find("name-addr"), std::string::npos);
}

// --- the fields the stack relies on ----------------------------------------------------------

struct FieldCase {
  const char* line;
  const char* reasonPart;
};

TEST(SipParserTest, RefusesMalformedReliedOnFields) {
  const FieldCase cases[] = {
      {"Via: SIP/2.0/UDP\r\n", "no sent-by"},
      {"Via: SIP/2.0/UDP host.example.com;branch=\r\n", "no value"},
      {"Via: SIP/2.0/UDP host.example.com:0\r\n", "port"},
      {"Via: SIP/2.0/UDP host.example.com;ttl=256\r\n", "ttl"},
      {"Via: SIP/2.0/UDP host.example.com;received=host.example.com\r\n", "received"},
      {"Via: SIP/2.0/UDP host.example.com,\r\n", "stray comma"},
      {"Via: HTTP/1.1/TCP host.example.com\r\n", "not SIP"},
      {"Max-Forwards: 256\r\n", "0..255"},
      {"Max-Forwards: -1\r\n", "0..255"},
      {"Expires: 4294967296\r\n", "below 2^32"},
      {"Expires: soon\r\n", "below 2^32"},
      {"Contact: *, <sip:a@example.com>\r\n", "stand alone"},
      {"Contact: <sip:a@example.com>;;\r\n", "parameter"},
      {"Route: sip:p1.example.com;lr\r\n", "name-addr"},
      {"Record-Route: <sip:p1.example.com;lr\r\n", "closing '>'"},
  };
  for (const FieldCase& c : cases) {
    const ParseError error = parseFails(invite(c.line, ""));
    EXPECT_NE(error.reason.find(c.reasonPart), std::string::npos)
        << c.line << " gave: " << error.reason;
  }
}

TEST(SipParserTest, RefusesMalformedToFromCallIdAndCSeq) {
  const auto replaced = [](std::string_view field, std::string_view by) {
    std::string text = invite("", "");
    const std::size_t at = text.find(field);
    text.replace(at, text.find("\r\n", at) - at, by);
    return text;
  };
  EXPECT_NE(parseFails(replaced("To:", "To: Bob sip:bob@biloxi.example.com")).reason.find(
                "display name"),
            std::string::npos);
  EXPECT_NE(parseFails(replaced("From:", "From: <sip:alice@atlanta.example.com>;tag=a b"))
                .reason.find("unexpected"),
            std::string::npos);
  EXPECT_NE(parseFails(replaced("Call-ID:", "Call-ID: a84b4c76 e66710")).reason.find("Call-ID"),
            std::string::npos);
  EXPECT_NE(parseFails(replaced("Call-ID:", "Call-ID: a@b@c")).reason.find("Call-ID"),
            std::string::npos);
  EXPECT_NE(parseFails(replaced("CSeq:", "CSeq: INVITE")).reason.find("number"),
            std::string::npos);
  EXPECT_NE(parseFails(replaced("CSeq:", "CSeq: 2147483648 INVITE")).reason.find("2^31"),
            std::string::npos);
}

TEST(SipParserTest, CSeqMethodMustMatchTheRequestMethodCaseSensitively) {
  std::string text = invite("", "");
  text.replace(text.find("314159 INVITE"), 13, "314159 invite");
  const ParseError error = parseFails(text);
  EXPECT_EQ(error.reason, "CSeq method invite does not match the request method INVITE");
  EXPECT_EQ(error.header, "CSeq");
}

TEST(SipParserTest, ViaAndCSeqAreMandatoryTheRestIsLeftToTheApplication) {
  std::string text = invite("", "");
  text.erase(text.find("Via:"), text.find("Max-Forwards:") - text.find("Via:"));
  EXPECT_EQ(parseFails(text).reason, "Via header field is missing");

  text = invite("", "");
  text.erase(text.find("CSeq:"), text.find("Contact:") - text.find("CSeq:"));
  EXPECT_EQ(parseFails(text).reason, "CSeq header field is missing");

  // RFC 4475 3.3.1: a request without To parses; the B2BUA answers it with a 400.
  text = invite("", "");
  text.erase(text.find("To:"), text.find("From:") - text.find("To:"));
  const Message m = parseOk(text);
  EXPECT_EQ(headerSetFault(m), "missing To header");
  EXPECT_EQ(headerSetFault(parseOk(invite("", ""))), "");
}

TEST(SipParserTest, HeaderSetFaultKnowsWhatResponsesNeed) {
  // A response carries no Max-Forwards; the same Content-Length twice is no conflict.
  const Message ok = parseOk(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
      "To: <sip:b@example.com>;tag=2\r\nFrom: <sip:a@example.com>;tag=1\r\nCall-ID: c1\r\n"
      "CSeq: 1 INVITE\r\nContent-Length: 0\r\nl: 0\r\n\r\n");
  EXPECT_EQ(headerSetFault(ok), "");
  const Message twoCallIds = parseOk(invite("i: another-call\r\n", ""));
  EXPECT_EQ(headerSetFault(twoCallIds), "more than one Call-ID header");
}

// --- framing by Content-Length ---------------------------------------------------------------

TEST(SipParserTest, BodyIsContentLengthOctetsAndTheRestOfADatagramIsIgnored) {
  const Message m = parseOk(invite("", "hello") + "trailing junk");
  EXPECT_EQ(m.body, "hello");
}

TEST(SipParserTest, ContentLengthLargerThanTheBodyIsRefused) {
  std::string text = invite("", "hello");
  text.replace(text.find("Content-Length: 5"), 17, "Content-Length: 6");
  const ParseError error = parseFails(text);
  EXPECT_EQ(error.reason, "Content-Length 6 is larger than the 5 octets of body");
  EXPECT_EQ(error.header, "Content-Length");
  EXPECT_EQ(error.line, 9u);

  text.replace(text.find("Content-Length: 6"), 17, "Content-Length: 99999999999999999999999");
  EXPECT_NE(parseFails(text).reason.find("is larger than the 5 octets"), std::string::npos);
}

TEST(SipParserTest, WithoutContentLengthADatagramBodyRunsToTheEnd) {
  std::string text(kInviteHead);
  text += "\r\nv=0\r\n";
  const Message m = parseOk(text);
  EXPECT_EQ(m.body, "v=0\r\n");
  // serialize() states the length, so the message frames on a stream as well.
  EXPECT_NE(m.serialize().find("Content-Length: 5\r\n\r\nv=0\r\n"), std::string::npos);
}

TEST(SipParserTest, DisagreeingContentLengthsOnADatagramAreLeftToTheApplication) {
  // RFC 4475 3.3.10: equivalent to no Content-Length; the element above answers 400.
  const Message m = parseOk(invite("Content-Length: 3\r\n", "hello"));
  EXPECT_EQ(m.body, "hello");
  EXPECT_EQ(headerSetFault(m), "Content-Length values disagree");
}

TEST(SipParserTest, ParsesAManyFieldMessageInOnePass) {
  // 2,000 fields, one folded over two lines each: everything is kept, in order.
  std::string extra;
  for (int i = 0; i < 2000; ++i)
    extra += "X-Field-" + std::to_string(i) + ": part one\r\n part two\r\n";
  const Message m = parseOk(invite(extra, ""));
  ASSERT_EQ(m.headers.size(), 7u + 2000u + 1u);
  EXPECT_EQ(m.headers[7 + 1999].name, "X-Field-1999");
  EXPECT_EQ(m.headers[7 + 1999].value, "part one part two");
}

// --- the message model -----------------------------------------------------------------------

TEST(SipMessageTest, SetKeepsTheFirstPositionAndDropsTheOthers) {
  Message m = parseOk(invite("Route: <sip:a.example.com;lr>\r\nSubject: x\r\n"
                             "Route: <sip:b.example.com;lr>\r\n",
                             ""));
  m.set(HeaderId::Route, "<sip:c.example.com;lr>");
  ASSERT_EQ(m.findAll(HeaderId::Route).size(), 1u);
  EXPECT_EQ(m.headers[7].id, HeaderId::Route);
  EXPECT_EQ(m.headers[7].value, "<sip:c.example.com;lr>");
  EXPECT_EQ(m.headers[8].name, "Subject");
}

TEST(SipMessageTest, PrependAndRemoveByCompactName) {
  Message m = parseOk(invite("", ""));
  m.prepend(HeaderId::Via, "SIP/2.0/UDP sbc.example.net;branch=z9hG4bKsbc");
  EXPECT_EQ(m.headers[0].value, "SIP/2.0/UDP sbc.example.net;branch=z9hG4bKsbc");
  EXPECT_EQ(m.findAll(HeaderId::Via).size(), 2u);
  m.remove("v");
  EXPECT_EQ(m.find(HeaderId::Via), nullptr);
}

TEST(SipMessageTest, SerializeWritesOneContentLengthFromTheBody) {
  Message m = parseOk(invite("", "abc"));
  m.body = "abcdef";
  const std::string wire = m.serialize();
  EXPECT_EQ(wire.find("Content-Length: 3"), std::string::npos);
  const Message again = parseOk(wire);
  EXPECT_EQ(again.body, "abcdef");
  EXPECT_EQ(again.findAll(HeaderId::ContentLength).size(), 1u);
}

}  // namespace
}  // namespace sbc::sip
