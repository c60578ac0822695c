// The JSON form of a parsed message (what `sbcctl parse sip` prints).

#include "control/sip/sip_json.h"

#include <gtest/gtest.h>

#include "control/sip/sip_parser.h"

namespace sbc::sip {
namespace {

Message parse(std::string_view text) {
  ParseResult result = parseDatagram(text);
  EXPECT_TRUE(result.ok()) << result.error.reason;
  return result.ok() ? std::move(*result.message) : Message{};
}

TEST(SipJsonTest, RequestWithTypedBreakdownsInHeaderOrder) {
  const Message m = parse(
      "INVITE sip:bob@biloxi.example.com:5070;transport=udp SIP/2.0\r\n"
      "v: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK77;rport\r\n"
      "To: \"Bob\" <sip:bob@biloxi.example.com>\r\n"
      "f: <sip:alice@atlanta.example.com>;tag=19\r\n"
      "i: a84b@pc33\r\n"
      "CSeq: 7 INVITE\r\n"
      "m: <sip:alice@pc33.example.com>;expires=60\r\n"
      "X-Custom: \"quoted\\value\"\r\n"
      "l: 4\r\n\r\nv=0\n");
  EXPECT_EQ(
      messageToJson(m),
      R"({"kind":"request","method":"INVITE","requestUri":"sip:bob@biloxi.example.com:5070;transport=udp",)"
      R"("uri":{"scheme":"sip","user":"bob","host":"biloxi.example.com","port":5070,"params":[{"name":"transport","value":"udp"}]},)"
      R"("version":"SIP/2.0","headers":[)"
      R"({"name":"v","value":"SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK77;rport",)"
      R"("via":[{"protocol":"SIP/2.0","transport":"UDP","host":"[2001:db8::1]","port":5060,"branch":"z9hG4bK77",)"
      R"("params":[{"name":"branch","value":"z9hG4bK77"},{"name":"rport"}]}]},)"
      R"({"name":"To","value":"\"Bob\" <sip:bob@biloxi.example.com>","address":{"displayName":"\"Bob\"",)"
      R"("uriText":"sip:bob@biloxi.example.com","uri":{"scheme":"sip","user":"bob","host":"biloxi.example.com","params":[]},"params":[]}},)"
      R"({"name":"f","value":"<sip:alice@atlanta.example.com>;tag=19","address":{"uriText":"sip:alice@atlanta.example.com",)"
      R"("uri":{"scheme":"sip","user":"alice","host":"atlanta.example.com","params":[]},"params":[{"name":"tag","value":"19"}],"tag":"19"}},)"
      R"({"name":"i","value":"a84b@pc33","callId":{"localId":"a84b","host":"pc33"}},)"
      R"({"name":"CSeq","value":"7 INVITE","cseq":{"number":7,"method":"INVITE"}},)"
      R"({"name":"m","value":"<sip:alice@pc33.example.com>;expires=60","addresses":[{"uriText":"sip:alice@pc33.example.com",)"
      R"("uri":{"scheme":"sip","user":"alice","host":"pc33.example.com","params":[]},"params":[{"name":"expires","value":"60"}]}]},)"
      R"({"name":"X-Custom","value":"\"quoted\\value\""},)"
      R"({"name":"l","value":"4"}],"bodyLength":4,"body":"v=0\n"})");
}

TEST(SipJsonTest, ResponseStarContactAndBinaryBody) {
  std::string text =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
      "CSeq: 2 REGISTER\r\n"
      "Contact: *\r\n"
      "Content-Length: 3\r\n\r\n";
  text += std::string("\xff\x00z", 3);
  const Message m = parse(text);
  const std::string json = messageToJson(m);
  EXPECT_EQ(json.find(R"({"kind":"response","statusCode":200,"reasonPhrase":"OK","version":"SIP/2.0",)"), 0u) << json;
  EXPECT_NE(json.find(R"({"name":"Contact","value":"*","star":true})"), std::string::npos) << json;
  // The length is the real one; bytes that are not UTF-8 show as U+FFFD.
  EXPECT_NE(json.find(R"("bodyLength":3,"body":"\ufffd\u0000z"})"), std::string::npos) << json;
}

TEST(SipJsonTest, OpaqueAndTelUris) {
  const Message m = parse(
      "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0\r\n"
      "Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
      "To: <tel:+1-201-555-0123>\r\n"
      "CSeq: 1 OPTIONS\r\n\r\n");
  const std::string json = messageToJson(m);
  EXPECT_NE(json.find(R"("uri":{"scheme":"nobodyknowsthisscheme","opaque":"totallyopaquecontent"})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("uri":{"scheme":"tel","user":"+1-201-555-0123","params":[]})"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace sbc::sip
