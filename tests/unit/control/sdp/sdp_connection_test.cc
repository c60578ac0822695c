#include "control/sdp/sdp_connection.h"

#include <gtest/gtest.h>

namespace sbc::sdp {
namespace {

TEST(SdpConnection, ParsesIpv4Ipv6AndNames) {
  auto v4 = Connection::parse("IN IP4 192.0.2.5");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->ip(), IpAddress::parse("192.0.2.5"));
  auto v6 = Connection::parse("IN IP6 2001:db8::20");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->ip()->isV6());
  auto mapped = Connection::parse("IN IP6 ::ffff:192.0.2.2");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->toString(), "IN IP6 ::ffff:192.0.2.2");
  auto name = Connection::parse("IN IP4 host.atlanta.example.com");
  ASSERT_TRUE(name);
  EXPECT_FALSE(name->ip().has_value());
}

TEST(SdpConnection, MulticastSuffixRoundTrips) {
  auto c = Connection::parse("IN IP4 233.252.0.1/127/3");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "233.252.0.1");
  EXPECT_EQ(c->multicastSuffix, "/127/3");
  EXPECT_EQ(c->toString(), "IN IP4 233.252.0.1/127/3");
  EXPECT_TRUE(Connection::parse("IN IP6 ff00::db8:0:101/3"));
  EXPECT_FALSE(Connection::parse("IN IP6 ff00::db8:0:101/3/3"));
  EXPECT_FALSE(Connection::parse("IN IP4 233.252.0.1/"));
}

TEST(SdpConnection, RefusesWhatIsNotAnAddressOfItsType) {
  std::string why;
  EXPECT_FALSE(Connection::parse("IN IP4 999.1.1.1", &why));
  EXPECT_NE(why.find("999.1.1.1"), std::string::npos);
  EXPECT_FALSE(Connection::parse("IN IP4 ::1"));
  EXPECT_FALSE(Connection::parse("IN IP6 10.0.0.1"));
  EXPECT_FALSE(Connection::parse("IN IP6 2001:db8::zz"));
  EXPECT_FALSE(Connection::parse("IN IP4 a_b"));
  EXPECT_FALSE(Connection::parse("IN IP4"));
  EXPECT_FALSE(Connection::parse("IN IP4 192.0.2.1 extra"));
}

TEST(SdpConnection, HoldAddress) {
  EXPECT_TRUE(Connection::parse("IN IP4 0.0.0.0")->isHoldAddress());
  EXPECT_TRUE(Connection::parse("IN IP6 ::")->isHoldAddress());
  EXPECT_FALSE(Connection::parse("IN IP4 192.0.2.1")->isHoldAddress());
  EXPECT_FALSE(Connection::parse("IN IP4 host.example.com")->isHoldAddress());
}

TEST(SdpConnection, FromIpPicksTheFamily) {
  EXPECT_EQ(Connection::fromIp(*IpAddress::parse("198.18.0.1")).toString(), "IN IP4 198.18.0.1");
  EXPECT_EQ(Connection::fromIp(*IpAddress::parse("2001:db8::1")).toString(), "IN IP6 2001:db8::1");
}

TEST(SdpOrigin, ParsesAndRendersSixFields) {
  auto o = Origin::parse("alice 2890844526 2890844527 IN IP4 host.atlanta.example.com");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->username, "alice");
  EXPECT_EQ(o->sessionVersion, "2890844527");
  EXPECT_EQ(o->toString(), "alice 2890844526 2890844527 IN IP4 host.atlanta.example.com");
  std::string why;
  EXPECT_FALSE(Origin::parse("alice 1 2 IN IP4", &why));
  EXPECT_NE(why.find("6 fields"), std::string::npos);
}

}  // namespace
}  // namespace sbc::sdp
