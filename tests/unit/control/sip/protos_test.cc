// PROTOS c07-sip (OUSPG): 4,527 INVITEs, each with one field mangled, run through the parser.
// The archive is unpacked at test time into a temporary directory. Each case file holds two
// PDUs, "<length> <INVITE><length> <teardown>", with placeholders (<To>, <Call-ID>, ...) that
// the original harness filled in per run; here they get fixed values so that runs repeat.
//
// Every case must either parse (and then be a fixed point of serialize → parse) or be refused
// with a reason; case 0 is the valid reference and must parse, and so must its teardown.
// GROUPS.tsv names the field each range of cases mangles.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "control/sip/sip_parser.h"
#include "sip_testdata.h"

namespace sbc::sip {
namespace {

namespace fs = std::filesystem;

struct Group {
  std::string name;
  int first = 0;
  int count = 0;
};

struct Outcome {
  bool parsed = false;
  std::string reason;
};

// The INVITE and the teardown of one case file, with the placeholders filled in.
struct Case {
  std::string invite;
  std::string teardown;
};

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string fillPlaceholders(std::string text) {
  static const std::pair<std::string_view, std::string_view> kValues[] = {
      {"<To>", "bob@sut.example.net"},
      {"<From>", "alice@client.example.net"},
      {"<From-Address>", "client.example.net"},
      {"<From-IP>", "192.0.2.1"},
      {"<Local-Port>", "5060"},
      {"<Branch-ID>", "00c0ffee"},
      {"<Call-ID>", "protos0123456789"},
      {"<CSeq>", "1"},
      {"<Teardown-Method>", "CANCEL"},
  };
  for (const auto& [from, to] : kValues) text = replaceAll(std::move(text), from, to);
  // Content-Length states the body as written after the first empty line (0 where the case
  // removed that line).
  const std::size_t bodyStart = text.find("\r\n\r\n");
  const std::size_t bodyLength = bodyStart == std::string::npos ? 0 : text.size() - bodyStart - 4;
  return replaceAll(std::move(text), "<Content-Length>", std::to_string(bodyLength));
}

// "<decimal length> <that many octets>" at `pos`; advances pos.
bool takePdu(const std::string& raw, std::size_t& pos, std::string& out) {
  const std::size_t space = raw.find(' ', pos);
  if (space == std::string::npos) return false;
  std::size_t length = 0;
  for (std::size_t i = pos; i < space; ++i) {
    if (raw[i] < '0' || raw[i] > '9') return false;
    length = length * 10 + static_cast<std::size_t>(raw[i] - '0');
  }
  if (space + 1 + length > raw.size()) return false;
  out = raw.substr(space + 1, length);
  pos = space + 1 + length;
  return true;
}

class ProtosTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path suite = testing::testdataRoot() / "sip-fuzz" / "protos-c07-sip";
    const fs::path archive = suite / "cases.tar.xz";
    if (!fs::exists(archive)) {
      skipReason_ = "no PROTOS archive at " + archive.string() + " (set SBC_TESTDATA)";
      return;
    }
    std::string pattern = (fs::path(::testing::TempDir()) / "sbc-protos-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      skipReason_ = "cannot make a temporary directory";
      return;
    }
    unpacked_ = pattern;
    const std::string command =
        "tar -xJf '" + archive.string() + "' -C '" + unpacked_.string() + "'";
    if (std::system(command.c_str()) != 0) {
      skipReason_ = "tar could not unpack " + archive.string();
      return;
    }
    readGroups(suite / "GROUPS.tsv");
  }

  static void TearDownTestSuite() {
    if (!unpacked_.empty()) fs::remove_all(unpacked_);
  }

  void SetUp() override {
    if (!skipReason_.empty()) GTEST_SKIP() << skipReason_;
  }

  static void readGroups(const fs::path& path) {
    std::istringstream in(testing::readBytes(path));
    std::string line;
    std::getline(in, line);  // the column names
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      Group group;
      if (fields >> group.name >> group.first >> group.count) groups_.push_back(group);
    }
  }

  static bool loadCase(int number, Case& out) {
    char name[16];
    std::snprintf(name, sizeof name, "%07d", number);
    const std::string raw = testing::readBytes(unpacked_ / "cases" / name);
    std::size_t pos = 0;
    std::string invite, teardown;
    if (!takePdu(raw, pos, invite) || !takePdu(raw, pos, teardown)) return false;
    out.invite = fillPlaceholders(std::move(invite));
    out.teardown = fillPlaceholders(std::move(teardown));
    return true;
  }

  static int caseCount() {
    int count = 0;
    for (const Group& group : groups_) count = std::max(count, group.first + group.count);
    return count;
  }

  static inline fs::path unpacked_;
  static inline std::string skipReason_;
  static inline std::vector<Group> groups_;
};

TEST_F(ProtosTest, ValidReferenceCaseParses) {
  Case c;
  ASSERT_TRUE(loadCase(0, c));
  const ParseResult invite = parseDatagram(c.invite);
  ASSERT_TRUE(invite.ok()) << invite.error.reason;
  EXPECT_EQ(invite.message->method, "INVITE");
  EXPECT_EQ(invite.message->requestUri, "sip:bob@sut.example.net");
  EXPECT_EQ(invite.message->value(HeaderId::Expires), "1200");
  EXPECT_NE(invite.message->body.find("a=rtpmap:0 PCMU/8000"), std::string::npos);
  const ParseResult teardown = parseDatagram(c.teardown);
  ASSERT_TRUE(teardown.ok()) << teardown.error.reason;
  EXPECT_EQ(teardown.message->method, "CANCEL");
}

TEST_F(ProtosTest, EveryCaseParsesOrIsRefusedWithAReason) {
  const int total = caseCount();
  ASSERT_EQ(total, 4527);
  std::map<std::string, std::pair<int, int>> perGroup;  // parsed, refused
  int parsed = 0;
  int refused = 0;
  std::size_t group = 0;
  for (int number = 0; number < total; ++number) {
    while (number >= groups_[group].first + groups_[group].count) ++group;
    Case c;
    ASSERT_TRUE(loadCase(number, c)) << "case " << number << " is not two PDUs";
    const ParseResult result = parseDatagram(c.invite);
    if (result.ok()) {
      ++parsed;
      ++perGroup[groups_[group].name].first;
      // What parsed must survive re-serialization unchanged.
      const std::string wire = result.message->serialize();
      const ParseResult again = parseDatagram(wire);
      ASSERT_TRUE(again.ok()) << "case " << number << ": " << again.error.reason;
      EXPECT_EQ(again.message->serialize(), wire) << "case " << number;
    } else {
      ++refused;
      ++perGroup[groups_[group].name].second;
      EXPECT_FALSE(result.error.reason.empty()) << "case " << number;
      EXPECT_LE(result.error.offset, c.invite.size()) << "case " << number;
    }
    // The teardown (a CANCEL) repeats the mangled Request-URI, To and From of its INVITE.
    const ParseResult teardown = parseDatagram(c.teardown);
    EXPECT_TRUE(teardown.ok() || !teardown.error.reason.empty()) << "teardown of case " << number;
  }
  EXPECT_EQ(parsed + refused, total);
  std::printf("PROTOS c07-sip: %d cases, %d parsed, %d refused\n", total, parsed, refused);
  for (const Group& g : groups_) {
    const auto& [groupParsed, groupRefused] = perGroup[g.name];
    std::printf("  %-32s %4d cases: %4d parsed, %4d refused\n", g.name.c_str(), g.count,
                groupParsed, groupRefused);
  }
  RecordProperty("parsed", parsed);
  RecordProperty("refused", refused);

  // Groups that mangle a part the grammar pins down are refused whole: the method, the SIP
  // version (request line and Via), the Via parameters, the CSeq method, the <> and the colon
  // of From/To/Contact, and the CRLFs that end the request line or the header section.
  for (const char* name : {"sip-method", "sip-version", "sip-via-version", "sip-via-tag",
                           "sip-from-colon", "sip-contact-left-paranthesis",
                           "sip-contact-right-paranthesis", "sip-to-left-paranthesis",
                           "sip-to-right-paranthesis", "sip-cseq-string", "sip-request-crlf",
                           "crlf-request"}) {
    EXPECT_EQ(perGroup[name].first, 0) << name << ": cases that should have been refused parsed";
  }
  // The body and Content-Type are not the SIP parser's to judge: those groups all parse.
  for (const Group& g : groups_) {
    if (g.name.rfind("sdp-", 0) == 0 || g.name == "sip-content-type" || g.name == "valid") {
      EXPECT_EQ(perGroup[g.name].second, 0) << g.name << ": cases were refused";
    }
  }
  // The totals as of this parser's strictness (RFC 3261 grammar for the relied-on fields, DNS
  // sizes for host names, IPv4 octets to 255). Change them only with a deliberate change of
  // strictness, and say which cases moved.
  EXPECT_EQ(parsed, 2994);
  EXPECT_EQ(refused, 1533);
}

}  // namespace
}  // namespace sbc::sip
