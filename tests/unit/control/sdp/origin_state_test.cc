#include "control/sdp/origin_state.h"

#include <gtest/gtest.h>

#include "control/sdp/sdp_render.h"
#include "sdp_test_support.h"

namespace sbc::sdp {
namespace {

using testing::parseOrFail;

OriginConfig config() {
  OriginConfig c;
  c.sessionId = 3724394400;
  c.firstVersion = 1;
  c.address = *IpAddress::parse("198.18.0.1");
  return c;
}

TEST(OriginState, FirstBodyCarriesOurOrigin) {
  OriginState state(config());
  SessionDescription sdp = parseOrFail(testing::kCarrierOffer);
  EXPECT_FALSE(state.stamp(sdp));
  EXPECT_EQ(sdp.origin.toString(), "sbc 3724394400 1 IN IP4 198.18.0.1");
  EXPECT_TRUE(state.hasSent());
}

TEST(OriginState, UnchangedBodyKeepsTheVersion) {
  // RFC 3264 section 8: a session refresh re-sends the same description with the same version,
  // whatever the peer put in its own o= line.
  OriginState state(config());
  SessionDescription first = parseOrFail(testing::kCarrierOffer);
  state.stamp(first);
  SessionDescription refresh = parseOrFail(testing::kCarrierOffer);
  refresh.origin.sessionVersion = "5679";
  EXPECT_FALSE(state.stamp(refresh));
  EXPECT_EQ(refresh.origin.sessionVersion, "1");
  EXPECT_EQ(render(first), render(refresh));
}

TEST(OriginState, ChangedBodyMovesTheVersionByOne) {
  OriginState state(config());
  SessionDescription sdp = parseOrFail(testing::kCarrierOffer);
  state.stamp(sdp);
  sdp.media[0].setAttribute("sendonly");
  EXPECT_TRUE(state.stamp(sdp));
  EXPECT_EQ(sdp.origin.sessionVersion, "2");
  EXPECT_FALSE(state.stamp(sdp));  // stamping again is not a change
  EXPECT_EQ(state.version(), 2u);
  sdp.media[0].removeAttributes("sendonly");
  EXPECT_TRUE(state.stamp(sdp));  // going back is a change too
  EXPECT_EQ(sdp.origin.sessionVersion, "3");
}

TEST(OriginState, Ipv6LegAndOwnUsername) {
  OriginConfig c = config();
  c.username = "edge";
  c.address = *IpAddress::parse("2001:db8::5b");
  OriginState state(c);
  SessionDescription sdp = parseOrFail(testing::kCarrierOffer);
  state.stamp(sdp);
  EXPECT_EQ(sdp.origin.toString(), "edge 3724394400 1 IN IP6 2001:db8::5b");
}

}  // namespace
}  // namespace sbc::sdp
