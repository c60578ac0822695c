// Fuzz-style robustness on a fixed seed: truncations and byte mutations of valid bodies never
// crash, and every outcome is either a clean error naming a line or a description that renders
// to a fixed point and survives every consumer of the library.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "control/sdp/codec_policy.h"
#include "control/sdp/offer_answer.h"
#include "control/sdp/origin_state.h"
#include "control/sdp/remote_media.h"
#include "control/sdp/sdp_anchor.h"
#include "control/sdp/sdp_media.h"
#include "control/sdp/sdp_render.h"
#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> bodies = {testing::kRfc8866Example, testing::kRfc4566Example,
                                     testing::kRfc3264Offer, testing::kRfc3264Answer,
                                     testing::kCarrierOffer};
  if (auto dir = testing::testdataDir()) {
    for (const char* name : {"normal.sdp", "hacky.sdp", "jsep.sdp", "icelite.sdp", "invalid.sdp"}) {
      auto path = *dir / "sdp" / "sdp-transform" / name;
      if (std::filesystem::exists(path)) bodies.push_back(testing::readFile(path));
    }
  }
  return bodies;
}

unsigned countLines(std::string_view body) {
  return static_cast<unsigned>(std::count(body.begin(), body.end(), '\n')) + 1;
}

struct Tally {
  unsigned parsed = 0;
  unsigned refused = 0;
};

// Checks one input; returns whether it parsed.
bool checkOne(std::string_view input, const SessionDescription& original) {
  ParseResult r = parse(input);
  if (!r.ok()) {
    EXPECT_FALSE(r.error.reason.empty());
    EXPECT_GE(r.error.line, 1u);
    EXPECT_LE(r.error.line, countLines(input) + 1);
    return false;
  }
  const SessionDescription& sdp = *r.sdp;
  std::string rendered = render(sdp);
  ParseResult again = parse(rendered);
  EXPECT_TRUE(again.ok()) << again.error.reason << " at line " << again.error.line << " of\n" << rendered;
  if (!again.ok()) return true;
  EXPECT_EQ(*again.sdp, sdp);
  EXPECT_EQ(render(*again.sdp), rendered);

  // Every consumer runs on it without trouble, and what it writes still parses.
  describeRemoteMedia(sdp);
  checkAnswer(original, sdp);
  compareOffers(original, sdp);
  SessionDescription filtered = sdp;
  CodecPolicy policy;
  policy.allow = {*CodecSpec::parse("PCMA"), *CodecSpec::parse("PCMU")};
  policy.ptime = 20;
  applyCodecPolicy(filtered, policy);
  EXPECT_TRUE(parse(render(filtered)).ok());
  SessionDescription anchored = sdp;
  AnchorPlan plan{*IpAddress::parse("198.18.0.1"), {}};
  for (std::size_t i = 0; i < sdp.media.size(); ++i)
    plan.media.push_back(i % 3 == 2 ? MediaAnchor::reject()
                                    : MediaAnchor::at(*SocketAddress::parse("198.18.0.1:20000")));
  EXPECT_FALSE(anchorMedia(anchored, plan));
  OriginState origin(OriginConfig{"sbc", 1, 1, *IpAddress::parse("198.18.0.1")});
  origin.stamp(anchored);
  ParseResult out = parse(render(anchored));
  EXPECT_TRUE(out.ok()) << out.error.reason << "\n" << render(anchored);
  return true;
}

TEST(SdpRobustness, EveryTruncation) {
  Tally tally;
  for (const std::string& body : corpus()) {
    ParseResult full = parse(body);
    SessionDescription original = full.ok() ? *full.sdp : SessionDescription{};
    for (std::size_t length = 0; length <= body.size(); ++length)
      (checkOne(std::string_view(body).substr(0, length), original) ? tally.parsed : tally.refused)++;
  }
  // Both outcomes occur: short prefixes lack t=, long ones end inside a valid line.
  EXPECT_GT(tally.parsed, 100u);
  EXPECT_GT(tally.refused, 100u);
}

TEST(SdpRobustness, RandomByteMutations) {
  std::mt19937 random(20260101);  // fixed: the run is repeatable
  static constexpr char kInteresting[] = "\r\n\0 =:/.-0123456789amcvost";
  const std::string interesting(kInteresting, sizeof kInteresting - 1);
  Tally tally;
  for (const std::string& body : corpus()) {
    ParseResult full = parse(body);
    SessionDescription original = full.ok() ? *full.sdp : SessionDescription{};
    for (int round = 0; round < 1500; ++round) {
      std::string input = body;
      int edits = 1 + static_cast<int>(random() % 4);
      for (int e = 0; e < edits && !input.empty(); ++e) {
        std::size_t at = random() % input.size();
        switch (random() % 4) {
          case 0:
            input[at] = static_cast<char>(random() % 256);
            break;
          case 1:
            input[at] = interesting[random() % interesting.size()];
            break;
          case 2:
            input.erase(at, 1 + random() % 8);
            break;
          default: {
            std::size_t from = random() % input.size();
            input.insert(at, input.substr(from, 1 + random() % 40));
            break;
          }
        }
      }
      (checkOne(input, original) ? tally.parsed : tally.refused)++;
    }
  }
  EXPECT_GT(tally.parsed, 500u);
  EXPECT_GT(tally.refused, 500u);
}

}  // namespace
}  // namespace sbc::sdp
