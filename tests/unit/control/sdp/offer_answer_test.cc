#include "control/sdp/offer_answer.h"

#include <gtest/gtest.h>

#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::crlf;
using testing::parseOrFail;

SessionDescription withMedia(std::string_view media, std::string_view version = "1") {
  return parseOrFail(crlf("v=0\no=- 1 " + std::string(version) +
                          " IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n" + std::string(media)));
}

void expectAnswerError(const SessionDescription& offer, const SessionDescription& answer,
                       std::size_t index, std::string_view words) {
  auto error = checkAnswer(offer, answer);
  ASSERT_TRUE(error) << "answer accepted";
  EXPECT_EQ(error->mediaIndex, index) << error->reason;
  EXPECT_NE(error->reason.find(words), std::string::npos) << error->reason;
}

TEST(CheckAnswer, Rfc3264ExamplesAreValid) {
  EXPECT_FALSE(checkAnswer(parseOrFail(testing::kRfc3264Offer), parseOrFail(testing::kRfc3264Answer)));
  // The re-offer and its answer (RFC 3264 section 10.1): video disabled on both sides.
  SessionDescription aliceAnswer = parseOrFail(testing::kRfc3264Reoffer);
  aliceAnswer.origin.username = "alice";
  EXPECT_FALSE(checkAnswer(parseOrFail(testing::kRfc3264Reoffer), aliceAnswer));
}

TEST(CheckAnswer, CountOfMediaLinesMustMatch) {
  SessionDescription offer = parseOrFail(testing::kRfc3264Offer);
  SessionDescription answer = parseOrFail(testing::kRfc3264Answer);
  answer.media.pop_back();
  expectAnswerError(offer, answer, 2, "answer has 1 m= lines, offer has 2");
}

TEST(CheckAnswer, MediaTypesMustMatchInOrder) {
  SessionDescription offer = parseOrFail(testing::kRfc3264Offer);
  SessionDescription answer = parseOrFail(testing::kRfc3264Answer);
  std::swap(answer.media[0], answer.media[1]);
  expectAnswerError(offer, answer, 0, "answer has media 'video' where the offer has 'audio'");
}

TEST(CheckAnswer, FormatsMustComeFromTheOffer) {
  SessionDescription offer = parseOrFail(testing::kRfc3264Offer);
  expectAnswerError(offer, withMedia("m=audio 1 RTP/AVP 0 18\nm=video 0 RTP/AVP 31\n"), 0,
                    "payload type 18 (G729/8000) was not offered");
  expectAnswerError(offer, withMedia("m=audio 1 RTP/AVP 0\nm=video 2 RTP/AVP 34\n"), 1,
                    "payload type 34 (H263/90000) was not offered");
}

TEST(CheckAnswer, SameCodecUnderAnotherNumberIsAccepted) {
  SessionDescription offer = parseOrFail(testing::kRfc3264Offer);
  EXPECT_FALSE(checkAnswer(offer, withMedia("m=audio 1 RTP/AVP 99\na=rtpmap:99 ilbc/8000\n"
                                            "m=video 0 RTP/AVP 31\n")));
}

TEST(CheckAnswer, RejectedStreamsAndProfiles) {
  SessionDescription offer = withMedia("m=audio 1 RTP/AVP 0\nm=video 0 RTP/AVP 31\n");
  expectAnswerError(offer, withMedia("m=audio 1 RTP/AVP 0\nm=video 2 RTP/AVP 31\n"), 1,
                    "disabled in the offer");
  // A rejected stream may carry anything: its formats are not checked.
  EXPECT_FALSE(checkAnswer(offer, withMedia("m=audio 0 RTP/AVP 18\nm=video 0 RTP/AVP\n")));
  expectAnswerError(offer, withMedia("m=audio 1 RTP/SAVP 0\nm=video 0 RTP/AVP 31\n"), 0,
                    "protocol RTP/SAVP does not match offered RTP/AVP");
  EXPECT_FALSE(checkAnswer(offer, withMedia("m=audio 1 RTP/AVPF 0\nm=video 0 RTP/AVP 31\n")));
}

TEST(CheckAnswer, NonRtpFormatsByName) {
  SessionDescription offer = withMedia("m=image 1 udptl t38\n");
  EXPECT_FALSE(checkAnswer(offer, withMedia("m=image 2 udptl t38\n")));
  expectAnswerError(offer, withMedia("m=image 2 udptl t37\n"), 0, "format 't37' was not offered");
}

TEST(CompareOffers, HoldBySendonlyThenResume) {
  // RFC 3264 section 8.4: hold is a re-offer with sendonly (or inactive).
  SessionDescription active = withMedia("m=audio 4000 RTP/AVP 0\na=sendrecv\n", "1");
  SessionDescription held = withMedia("m=audio 4000 RTP/AVP 0\na=sendonly\n", "2");
  SessionChanges hold = compareOffers(active, held);
  EXPECT_TRUE(hold.hold());
  EXPECT_FALSE(hold.resume());
  EXPECT_TRUE(hold.versionChanged);
  EXPECT_TRUE(hold.contentChanged);
  ASSERT_EQ(hold.media.size(), 1u);
  EXPECT_EQ(hold.media[0].directionBefore, Direction::SendRecv);
  EXPECT_EQ(hold.media[0].directionAfter, Direction::SendOnly);
  EXPECT_FALSE(hold.media[0].codecsChanged);
  EXPECT_FALSE(hold.media[0].addressChanged);

  SessionChanges resume = compareOffers(held, withMedia("m=audio 4000 RTP/AVP 0\n", "3"));
  EXPECT_TRUE(resume.resume());
  EXPECT_FALSE(resume.hold());
}

TEST(CompareOffers, Rfc2543HoldAddress) {
  SessionDescription active = withMedia("m=audio 4000 RTP/AVP 0\n", "1");
  SessionDescription held = parseOrFail(crlf(
      "v=0\no=- 1 2 IN IP4 192.0.2.1\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\nm=audio 4000 RTP/AVP 0\n"));
  SessionChanges changes = compareOffers(active, held);
  EXPECT_TRUE(changes.hold());
  EXPECT_EQ(changes.media[0].hold, HoldChange::Hold);
  EXPECT_FALSE(changes.media[0].addressChanged);  // the hold address is not a move
  EXPECT_TRUE(compareOffers(held, active).resume());
}

TEST(CompareOffers, InactiveToSendonlyIsStillHeld) {
  SessionChanges c = compareOffers(withMedia("m=audio 4000 RTP/AVP 0\na=inactive\n"),
                                   withMedia("m=audio 4000 RTP/AVP 0\na=sendonly\n", "2"));
  EXPECT_EQ(c.media[0].hold, HoldChange::None);
  EXPECT_TRUE(c.media[0].any());
}

TEST(CompareOffers, CodecAndAddressChanges) {
  SessionChanges c = compareOffers(withMedia("m=audio 4000 RTP/AVP 0 8\n"),
                                   withMedia("m=audio 5000 RTP/AVP 8 0\n", "2"));
  EXPECT_TRUE(c.codecsChanged());  // the order of preference is part of the codecs
  EXPECT_TRUE(c.media[0].addressChanged);
  EXPECT_FALSE(c.hold());
}

TEST(CompareOffers, SessionRefreshChangesNothing) {
  SessionDescription offer = parseOrFail(testing::kCarrierOffer);
  SessionChanges c = compareOffers(offer, offer);
  EXPECT_FALSE(c.versionChanged);
  EXPECT_FALSE(c.contentChanged);
  EXPECT_FALSE(c.media[0].any());
  EXPECT_FALSE(c.unversionedChange());
}

TEST(CompareOffers, ChangeWithoutNewVersionIsFlagged) {
  SessionChanges c = compareOffers(withMedia("m=audio 4000 RTP/AVP 0\n", "7"),
                                   withMedia("m=audio 4000 RTP/AVP 8\n", "7"));
  EXPECT_TRUE(c.unversionedChange());
  EXPECT_TRUE(c.codecsChanged());
}

TEST(CompareOffers, AddedStreamAndDisabledStream) {
  // RFC 3264 section 10.1: Bob's re-offer disables video and moves audio.
  SessionChanges c = compareOffers(parseOrFail(testing::kRfc3264Answer), parseOrFail(testing::kRfc3264Reoffer));
  EXPECT_FALSE(c.mediaCountChanged);
  EXPECT_TRUE(c.media[0].addressChanged);
  EXPECT_TRUE(c.media[1].rejectedChanged);
  EXPECT_EQ(c.media[1].hold, HoldChange::None);

  SessionChanges added = compareOffers(withMedia("m=audio 4000 RTP/AVP 0\n"),
                                       withMedia("m=audio 4000 RTP/AVP 0\nm=video 4002 RTP/AVP 31\n", "2"));
  EXPECT_TRUE(added.mediaCountChanged);
  EXPECT_EQ(added.media.size(), 1u);
}

}  // namespace
}  // namespace sbc::sdp
