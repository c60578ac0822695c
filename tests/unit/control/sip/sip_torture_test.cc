// The RFC 4475 and RFC 5118 torture messages, each fed as one datagram, against the verdict that
// sip-torture/SOURCES.md lists and the RFC text explains. Every message that parses must also
// be a fixed point of serialize → parse, and its typed headers must render and parse back.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "control/sip/sip_field_rules.h"
#include "control/sip/sip_headers.h"
#include "control/sip/sip_parser.h"
#include "sip_testdata.h"

namespace sbc::sip {
namespace {

namespace fs = std::filesystem;

enum class Verdict { Valid, Invalid };

struct Expectation {
  Verdict verdict;
  // Invalid: a part of the reason that names the fault; Valid: "" or what headerSetFault() says
  // (the faults RFC 4475 3.3 leaves to the application).
  const char* fault;
  const char* header;  // Invalid: the header field named in the error ("" for the start line)
};

// RFC 4475. Where section 3.1.2 allows either answer, the decision and why:
//  - lwsstart (3.1.2.9), trws (3.1.2.10), escruri (3.1.2.11): "acceptable to reject"; refused,
//    because the start line is what every later decision rests on and the SBC forwards nothing
//    it had to guess at.
//  - baddate (3.1.2.12): rejecting is allowed only "if the contents of the Date header field
//    were actually important to its processing". The SBC never reads Date: accepted, kept as
//    text.
//  - regbadct (3.1.2.13): a Contact URI with '?' outside <> is ambiguous (is Route a URI header
//    or not?). Contact is relied on (registrations, targets): refused.
//  - badaspec (3.1.2.14): "reasonable to reject"; To is relied on (dialog matching): refused.
//  - baddn (3.1.2.15): display names with a comma and no quotes: refused.
//  - mcl01 (3.3.10) is a framing fault over a stream but, on a datagram, "equivalent to no
//    Content-Length": it parses (body = rest of the datagram) and headerSetFault() reports it.
const std::map<std::string, Expectation>& rfc4475() {
  static const std::map<std::string, Expectation> table = {
      // 3.1.1: valid
      {"wsinv.dat", {Verdict::Valid, "", ""}},
      {"intmeth.dat", {Verdict::Valid, "", ""}},
      {"esc01.dat", {Verdict::Valid, "", ""}},
      {"escnull.dat", {Verdict::Valid, "", ""}},
      {"esc02.dat", {Verdict::Valid, "", ""}},
      {"lwsdisp.dat", {Verdict::Valid, "", ""}},
      {"longreq.dat", {Verdict::Valid, "", ""}},
      {"dblreq.dat", {Verdict::Valid, "", ""}},
      {"semiuri.dat", {Verdict::Valid, "", ""}},
      {"transports.dat", {Verdict::Valid, "", ""}},
      {"mpart01.dat", {Verdict::Valid, "", ""}},
      {"unreason.dat", {Verdict::Valid, "", ""}},
      {"noreason.dat", {Verdict::Valid, "", ""}},
      // 3.1.2: invalid
      {"badinv01.dat", {Verdict::Invalid, "empty or malformed parameter", "Via"}},
      {"clerr.dat", {Verdict::Invalid, "Content-Length 9999 is larger than", "Content-Length"}},
      {"ncl.dat", {Verdict::Invalid, "Content-Length is not a decimal number", "Content-Length"}},
      {"scalar02.dat", {Verdict::Invalid, "CSeq number out of range", "CSeq"}},
      {"scalarlg.dat", {Verdict::Invalid, "CSeq number out of range", "CSeq"}},
      {"quotbal.dat", {Verdict::Invalid, "unterminated or malformed quoted display name", "To"}},
      {"ltgtruri.dat", {Verdict::Invalid, "Request-URI: URI is enclosed in <>", ""}},
      {"lwsruri.dat", {Verdict::Invalid, "Request-URI holds whitespace", ""}},
      {"lwsstart.dat", {Verdict::Invalid, "more than one SP", ""}},
      {"trws.dat", {Verdict::Invalid, "ends with whitespace after the SIP version", ""}},
      {"escruri.dat", {Verdict::Invalid, "Request-URI must not carry headers", ""}},
      {"baddate.dat", {Verdict::Valid, "", ""}},
      {"regbadct.dat", {Verdict::Invalid, "must be enclosed in <>", "Contact"}},
      {"badaspec.dat", {Verdict::Invalid, "whitespace inside <>", "To"}},
      {"baddn.dat", {Verdict::Invalid, "display name holds a comma", "From"}},
      {"badvers.dat", {Verdict::Invalid, "unsupported SIP version SIP/7.0", ""}},
      {"mismatch01.dat",
       {Verdict::Invalid, "CSeq method INVITE does not match the request method OPTIONS", "CSeq"}},
      {"mismatch02.dat",
       {Verdict::Invalid, "CSeq method INVITE does not match the request method NEWMETHOD",
        "CSeq"}},
      {"bigcode.dat", {Verdict::Invalid, "status code must be exactly three digits", ""}},
      // 3.2.1: for the transaction layer; the parser keeps the bare "z9hG4bK" branch.
      {"badbranch.dat", {Verdict::Valid, "", ""}},
      // 3.3: parse; the application answers.
      {"insuf.dat", {Verdict::Valid, "missing To header", ""}},
      {"unkscm.dat", {Verdict::Valid, "", ""}},
      {"novelsc.dat", {Verdict::Valid, "", ""}},
      {"unksm2.dat", {Verdict::Valid, "", ""}},
      {"bext01.dat", {Verdict::Valid, "", ""}},
      {"invut.dat", {Verdict::Valid, "", ""}},
      {"regaut01.dat", {Verdict::Valid, "", ""}},
      {"multi01.dat", {Verdict::Valid, "more than one To header", ""}},
      {"mcl01.dat", {Verdict::Valid, "Content-Length values disagree", ""}},
      {"bcast.dat", {Verdict::Valid, "", ""}},
      {"zeromf.dat", {Verdict::Valid, "", ""}},
      {"cparam01.dat", {Verdict::Valid, "", ""}},
      {"cparam02.dat", {Verdict::Valid, "", ""}},
      {"regescrt.dat", {Verdict::Valid, "", ""}},
      {"sdp01.dat", {Verdict::Valid, "", ""}},
      // 3.4.1: RFC 2543 style; no Max-Forwards, no Content-Length (body = rest of datagram).
      {"inv2543.dat", {Verdict::Valid, "missing Max-Forwards header", ""}},
      // Not an RFC section; a stray file in the archive (SOURCES.md).
      {"test.dat", {Verdict::Invalid, "request line has no SIP version", ""}},
  };
  return table;
}

// RFC 5118 section 4. ipv6-bug-abnf-3-colons: the RFC asks receivers to tolerate the extra
// colon that RFC 3261's ABNF produced, and we do.
const std::map<std::string, Expectation>& rfc5118() {
  static const std::map<std::string, Expectation> table = {
      {"ipv6-good", {Verdict::Valid, "", ""}},
      {"ipv6-bad", {Verdict::Invalid, "IPv6 address that is not enclosed in []", ""}},
      {"port-ambiguous", {Verdict::Valid, "", ""}},
      {"port-unambiguous", {Verdict::Valid, "", ""}},
      {"via-received-param-with-delim", {Verdict::Valid, "", ""}},
      {"via-received-param-no-delim", {Verdict::Valid, "", ""}},
      {"ipv6-in-sdp", {Verdict::Valid, "", ""}},
      {"mult-ip-in-header", {Verdict::Valid, "", ""}},
      {"mult-ip-in-sdp", {Verdict::Valid, "", ""}},
      {"ipv4-mapped-ipv6", {Verdict::Valid, "", ""}},
      {"ipv6-bug-abnf-3-colons", {Verdict::Valid, "", ""}},
      {"ipv6-correct-abnf-2-colons", {Verdict::Valid, "", ""}},
  };
  return table;
}

class SipTortureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::testdataRoot() / "sip-torture";
    if (!fs::is_directory(root_ / "rfc4475"))
      GTEST_SKIP() << "no RFC 4475 messages at " << root_ << " (set SBC_TESTDATA)";
  }

  std::string read(const char* set, const std::string& name) {
    return testing::readBytes(root_ / set / name);
  }

  fs::path root_;
};

// The header fields other than Content-Length, which serialize() rewrites from the body.
std::vector<std::pair<std::string, std::string>> fieldsWithoutLength(const Message& m) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const HeaderField& field : m.headers)
    if (field.id != HeaderId::ContentLength) fields.emplace_back(field.name, field.value);
  return fields;
}

// serialize → parse is a fixed point, and the typed headers render back to what they parse.
void expectFixedPoint(const Message& m, const std::string& name) {
  const std::string wire = m.serialize();
  const ParseResult again = parseDatagram(wire);
  ASSERT_TRUE(again.ok()) << name << ": serialized form refused: " << again.error.reason;
  EXPECT_EQ(again.message->serialize(), wire) << name;
  EXPECT_EQ(again.message->method, m.method) << name;
  EXPECT_EQ(again.message->requestUri, m.requestUri) << name;
  EXPECT_EQ(again.message->statusCode, m.statusCode) << name;
  EXPECT_EQ(again.message->reasonPhrase, m.reasonPhrase) << name;
  EXPECT_EQ(fieldsWithoutLength(*again.message), fieldsWithoutLength(m)) << name;
  EXPECT_EQ(again.message->body, m.body) << name;

  auto renderTwice = [&name](auto parse, const std::string& value) {
    const auto first = parse(value);
    ASSERT_TRUE(first) << name << ": " << value;
    const auto second = parse(first->str());
    ASSERT_TRUE(second) << name << ": " << first->str();
    EXPECT_EQ(second->str(), first->str()) << name;
  };
  for (const std::string& via : m.values(HeaderId::Via)) renderTwice(parseVia, via);
  for (HeaderId id : {HeaderId::Route, HeaderId::RecordRoute})
    for (const std::string& entry : m.values(id)) renderTwice(parseNameAddr, entry);
  for (const std::string& contact : m.values(HeaderId::Contact))
    if (contact != "*") renderTwice(parseNameAddr, contact);
  for (HeaderId id : {HeaderId::From, HeaderId::To})
    for (const HeaderField* field : m.findAll(id)) renderTwice(parseNameAddr, field->value);
  for (const HeaderField* field : m.findAll(HeaderId::CSeq)) renderTwice(parseCSeq, field->value);
  if (m.isRequest()) renderTwice(parseUri, m.requestUri);
}

void checkSet(const char* set, const fs::path& directory,
              const std::map<std::string, Expectation>& table) {
  std::set<std::string> seen;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.find("LICENSE") != std::string::npos) continue;
    seen.insert(name);
    const auto expected = table.find(name);
    ASSERT_NE(expected, table.end()) << set << "/" << name << " has no verdict in this test";
    const std::string bytes = testing::readBytes(entry.path());
    ASSERT_FALSE(bytes.empty()) << name;
    const ParseResult result = parseDatagram(bytes);
    const Expectation& e = expected->second;
    if (e.verdict == Verdict::Valid) {
      ASSERT_TRUE(result.ok()) << name << " refused: " << result.error.reason;
      EXPECT_EQ(headerSetFault(*result.message), e.fault) << name;
      expectFixedPoint(*result.message, name);
    } else {
      ASSERT_FALSE(result.ok()) << name << " parsed but must be refused";
      EXPECT_NE(result.error.reason.find(e.fault), std::string::npos)
          << name << ": reason was: " << result.error.reason;
      EXPECT_EQ(result.error.header, e.header) << name;
      EXPECT_GE(result.error.line, 1u) << name;
      EXPECT_LT(result.error.offset, bytes.size()) << name;
    }
  }
  EXPECT_EQ(seen.size(), table.size()) << set << ": some files of the table are missing";
}

TEST_F(SipTortureTest, Rfc4475VerdictsPerFile) { checkSet("rfc4475", root_ / "rfc4475", rfc4475()); }

TEST_F(SipTortureTest, Rfc5118VerdictsPerFile) {
  if (!fs::is_directory(root_ / "rfc5118")) GTEST_SKIP() << "no RFC 5118 messages";
  checkSet("rfc5118", root_ / "rfc5118", rfc5118());
}

// --- what the valid messages hold, for the ones that test something particular ------------

TEST_F(SipTortureTest, WsinvUnfoldsAndKeepsEveryField) {
  const ParseResult r = parseDatagram(read("rfc4475", "wsinv.dat"));
  ASSERT_TRUE(r.ok()) << r.error.reason;
  const Message& m = *r.message;
  EXPECT_EQ(m.value(HeaderId::To), "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
  EXPECT_EQ(parseNameAddr(m.value(HeaderId::To))->tag(), "1918181833n");
  EXPECT_EQ(parseCSeq(m.value(HeaderId::CSeq))->number, 9u);
  const std::vector<std::string> vias = m.values(HeaderId::Via);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(parseVia(vias[0])->host, "192.0.2.2");
  EXPECT_EQ(parseVia(vias[2])->branch(), "z9hG4bK30239");
  const auto contact = parseNameAddr(m.value(HeaderId::Contact));
  ASSERT_TRUE(contact);
  EXPECT_EQ(findParam(contact->params, "q"), "0.33");
  EXPECT_EQ(m.body.size(), 150u);
}

TEST_F(SipTortureTest, IntmethKeepsTheUnusualMethodAndEscapedControlBytes) {
  const ParseResult r = parseDatagram(read("rfc4475", "intmeth.dat"));
  ASSERT_TRUE(r.ok()) << r.error.reason;
  EXPECT_EQ(r.message->method, "!interesting-Method0123456789_*+`.%indeed'~");
  const auto to = parseNameAddr(r.message->value(HeaderId::To));
  ASSERT_TRUE(to);
  EXPECT_EQ(to->displayName, std::string("\"BEL:\\\x07 NUL:\\\0 DEL:\\\x7f\"", 22));
}

TEST_F(SipTortureTest, DblreqTakesOnlyTheFirstRequest) {
  const ParseResult r = parseDatagram(read("rfc4475", "dblreq.dat"));
  ASSERT_TRUE(r.ok()) << r.error.reason;
  EXPECT_EQ(r.message->method, "REGISTER");
  EXPECT_TRUE(r.message->body.empty());
}

TEST_F(SipTortureTest, BadversAsksFor505) {
  const ParseResult r = parseDatagram(read("rfc4475", "badvers.dat"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.responseCode, 505);
}

TEST_F(SipTortureTest, Rfc5118BodiesAreCutAtContentLength) {
  // SOURCES.md: these copies hold CRLF where the RFC printed LF, so the body is longer than
  // Content-Length; RFC 3261 18.3 says to drop what follows.
  for (const char* name : {"ipv6-in-sdp", "mult-ip-in-sdp", "ipv4-mapped-ipv6"}) {
    const ParseResult r = parseDatagram(read("rfc5118", name));
    ASSERT_TRUE(r.ok()) << name << ": " << r.error.reason;
    EXPECT_EQ(std::to_string(r.message->body.size()), r.message->value(HeaderId::ContentLength))
        << name;
  }
}

TEST_F(SipTortureTest, Rfc5118PortsAndHosts) {
  auto requestUri = [this](const char* name) {
    const ParseResult r = parseDatagram(read("rfc5118", name));
    EXPECT_TRUE(r.ok()) << name << ": " << r.error.reason;
    return r.ok() ? parseUri(r.message->requestUri) : std::nullopt;
  };
  auto uri = requestUri("port-ambiguous");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->host, "[2001:db8::10:5070]");
  EXPECT_EQ(uri->port, 0);
  uri = requestUri("port-unambiguous");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->host, "[2001:db8::10]");
  EXPECT_EQ(uri->port, 5070);
  uri = requestUri("ipv6-bug-abnf-3-colons");
  ASSERT_TRUE(uri);
  EXPECT_EQ(uri->host, "[2001:db8:::192.0.2.1]");
}

}  // namespace
}  // namespace sbc::sip
