// StreamFramer: messages cut out of a byte stream by Content-Length, however the stream is
// chunked, and the framing faults that end a connection.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "control/sip/sip_parser.h"

namespace sbc::sip {
namespace {

std::string request(std::string_view method, int cseq, std::string_view body) {
  std::string out = std::string(method) + " sip:bob@biloxi.example.com SIP/2.0\r\n";
  out += "Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK" + std::to_string(cseq) + "\r\n";
  out += "Max-Forwards: 70\r\nTo: <sip:bob@biloxi.example.com>\r\n";
  out += "From: <sip:alice@atlanta.example.com>;tag=1928301774\r\n";
  out += "Call-ID: a84b4c76e66710\r\nCSeq: " + std::to_string(cseq) + " " + std::string(method) +
         "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

// Every message the framer gives for `chunks` fed in order, asking after each chunk.
std::vector<ParseResult> frame(StreamFramer& framer, const std::vector<std::string>& chunks) {
  std::vector<ParseResult> out;
  for (const std::string& chunk : chunks) {
    framer.append(chunk);
    while (auto result = framer.next()) out.push_back(std::move(*result));
  }
  return out;
}

TEST(StreamFramerTest, TwoMessagesInOneChunk) {
  const std::string first = request("INVITE", 1, "v=0\r\n");
  const std::string second = request("BYE", 2, "");
  StreamFramer framer;
  const auto messages = frame(framer, {first + second});
  ASSERT_EQ(messages.size(), 2u);
  ASSERT_TRUE(messages[0].ok());
  EXPECT_EQ(messages[0].message->method, "INVITE");
  EXPECT_EQ(messages[0].message->body, "v=0\r\n");
  ASSERT_TRUE(messages[1].ok());
  EXPECT_EQ(messages[1].message->method, "BYE");
  EXPECT_FALSE(framer.failed());
}

TEST(StreamFramerTest, SplitAtEveryByteGivesTheSameMessages) {
  const std::string stream =
      "\r\n" + request("INVITE", 1, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n") + "\r\n\r\n" +
      request("ACK", 1, "") + request("BYE", 2, "x");
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    StreamFramer framer;
    const auto messages = frame(framer, {stream.substr(0, cut), stream.substr(cut)});
    ASSERT_EQ(messages.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(messages[0].message->body, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
    EXPECT_EQ(messages[1].message->method, "ACK");
    EXPECT_EQ(messages[2].message->body, "x");
  }
  // And one octet at a time.
  StreamFramer framer;
  std::vector<std::string> octets;
  for (char c : stream) octets.emplace_back(1, c);
  const auto messages = frame(framer, octets);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2].message->method, "BYE");
}

TEST(StreamFramerTest, AMessageThatFramesButDoesNotParseLeavesTheStreamUsable) {
  std::string bad = request("INVITE", 1, "");
  bad.replace(bad.find("CSeq: 1 INVITE"), 14, "CSeq: 1 BYE   ");
  StreamFramer framer;
  const auto messages = frame(framer, {bad + request("OPTIONS", 2, "")});
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_FALSE(messages[0].ok());
  EXPECT_NE(messages[0].error.reason.find("does not match"), std::string::npos);
  EXPECT_TRUE(messages[1].ok());
  EXPECT_FALSE(framer.failed());
}

// So that the receiver can still answer 400: the octets of a message that framed but did not
// parse, and the header section of one whose Content-Length broke the stream (RFC 4475
// 3.1.2.3 ncl, 3.3.9 mcl01 over TCP).
TEST(StreamFramerTest, RefusedBytesAreKeptForTheAnswer) {
  std::string bad = request("INVITE", 1, "");
  bad.replace(bad.find("CSeq: 1 INVITE"), 14, "CSeq: 1 BYE   ");
  StreamFramer framer;
  framer.append(bad + request("OPTIONS", 2, ""));
  auto first = framer.next();
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->ok());
  EXPECT_EQ(framer.refusedBytes(), bad);
  auto second = framer.next();
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->ok());
  EXPECT_TRUE(framer.refusedBytes().empty());

  std::string negative = request("INVITE", 3, "");
  negative.replace(negative.find("Content-Length: 0"), 17, "Content-Length: -999");
  StreamFramer broken;
  broken.append(negative + "v=0\r\n");
  EXPECT_FALSE(broken.next());
  EXPECT_TRUE(broken.failed());
  EXPECT_EQ(broken.refusedBytes(), negative);  // the header section, up to its empty line

  StreamFramer endless;  // no whole header section: nothing to answer
  endless.append("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n");
  while (!endless.failed()) {
    endless.append("X-Filler: " + std::string(1000, 'a') + "\r\n");
    endless.next();
  }
  EXPECT_TRUE(endless.refusedBytes().empty());
}

TEST(StreamFramerTest, WaitsForTheWholeBody) {
  const std::string message = request("MESSAGE", 1, "hello world");
  StreamFramer framer;
  framer.append(message.substr(0, message.size() - 1));
  EXPECT_FALSE(framer.next());
  EXPECT_FALSE(framer.failed());
  framer.append(message.substr(message.size() - 1));
  const auto result = framer.next();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->message->body, "hello world");
  EXPECT_FALSE(framer.next());
}

TEST(StreamFramerTest, ContentLengthIsMandatoryOnAStream) {
  std::string message = request("OPTIONS", 1, "");
  message.erase(message.find("Content-Length: 0\r\n"), 19);
  StreamFramer framer;
  framer.append(message);
  EXPECT_FALSE(framer.next());
  EXPECT_TRUE(framer.failed());
  EXPECT_NE(framer.error().reason.find("Content-Length is missing"), std::string::npos);
  // Nothing more comes out of a failed stream.
  framer.append(request("OPTIONS", 2, ""));
  EXPECT_FALSE(framer.next());
}

TEST(StreamFramerTest, NegativeHugeAndDisagreeingContentLengthsAreFatal) {
  struct Case {
    const char* value;
    const char* reason;
  };
  for (const Case& c : {Case{"-5", "not a decimal number"}, Case{"5 5", "not a decimal number"},
                        Case{"99999999999999999999999", "exceeds the limit"},
                        Case{"1048577", "exceeds the limit"}}) {
    std::string message = request("OPTIONS", 1, "");
    message.replace(message.find("Content-Length: 0"), 17, std::string("Content-Length: ") + c.value);
    StreamFramer framer;
    framer.append(message);
    EXPECT_FALSE(framer.next()) << c.value;
    EXPECT_TRUE(framer.failed()) << c.value;
    EXPECT_NE(framer.error().reason.find(c.reason), std::string::npos)
        << c.value << ": " << framer.error().reason;
  }
  std::string twice = request("OPTIONS", 1, "abc");
  twice.insert(twice.find("Content-Length"), "l: 2\r\n");
  StreamFramer framer;
  framer.append(twice);
  EXPECT_FALSE(framer.next());
  EXPECT_EQ(framer.error().reason, "Content-Length values disagree");
}

TEST(StreamFramerTest, FoldedAndCompactContentLengthFrames) {
  std::string message = request("OPTIONS", 1, "body");
  message.replace(message.find("Content-Length: 4"), 17, "l:\r\n  4");
  StreamFramer framer;
  const auto messages = frame(framer, {message});
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_TRUE(messages[0].ok()) << messages[0].error.reason;
  EXPECT_EQ(messages[0].message->body, "body");
}

TEST(StreamFramerTest, OversizedHeaderSectionIsFatal) {
  StreamFramer framer;
  framer.append("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n");
  const std::string filler = "X-Filler: " + std::string(1000, 'a') + "\r\n";
  while (!framer.failed()) {
    framer.append(filler);
    EXPECT_FALSE(framer.next());
  }
  EXPECT_NE(framer.error().reason.find("header section exceeds 65536 octets"), std::string::npos);
}

TEST(StreamFramerTest, KeepAliveCrlfsBetweenMessagesAreSkipped) {
  StreamFramer framer;
  const auto messages =
      frame(framer, {"\r\n\r\n", "\r\n", request("OPTIONS", 1, ""), "\r\n\r\n"});
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].ok());
  EXPECT_FALSE(framer.failed());
}

}  // namespace
}  // namespace sbc::sip
