// SdpMediaAnchor::refresh (control/b2bua/sdp_media_anchor.cc): what the call record says about
// media comes from the dataplane's session view: packets and RTP loss each way, as numbers once
// the call's media session exists, left unknown before.

#include "control/b2bua/sdp_media_anchor.h"

#include <gtest/gtest.h>

#include "tests/unit/control/fake_dataplane.h"

namespace sbc::control {
namespace {

dataplane::InterfaceConfig interface(const std::string& name, const std::string& prefix) {
  dataplane::InterfaceConfig config;
  config.name = name;
  config.device = "net_null_" + name;
  config.addresses.push_back(*dataplane::IpPrefix::parse(prefix));
  return config;
}

class SdpMediaAnchorRefreshTest : public ::testing::Test {
 protected:
  SdpMediaAnchorRefreshTest() {
    dataplaneConfig.interfaces.push_back(interface("access0", "198.18.1.1/24"));
    dataplaneConfig.interfaces.push_back(interface("core0", "198.18.2.1/24"));
    call.id = 7;
    call.legs[0].interfaceName = "access0";
    call.legs[0].local = *dataplane::SocketAddress::parse("198.18.1.1:5060");
    call.legs[1].interfaceName = "core0";
    call.legs[1].local = *dataplane::SocketAddress::parse("198.18.2.1:5060");
  }

  // The view the dataplane gives for the session the anchor made.
  dataplane::SessionView viewOf(const dataplane::MediaSessionSpec& spec) {
    dataplane::SessionView view;
    view.spec = spec;
    view.legs[0].rtp = {3050, 524600, 0, 7};
    view.legs[1].rtp = {3052, 524944, 1, 0};
    view.legs[0].rtcp = {12, 960, 0, 0};
    view.idleMs = 40;
    return view;
  }

  dataplane::DataplaneConfig dataplaneConfig;
  testing::FakeDataplane dataplane;
  Call call;
};

TEST_F(SdpMediaAnchorRefreshTest, PacketsAndLossEachWayComeFromTheSessionView) {
  SdpMediaAnchor anchor(SipConfig{}, dataplaneConfig, dataplane);
  const std::string sdp =
      "v=0\r\no=- 1 1 IN IP4 198.18.1.10\r\ns=-\r\nc=IN IP4 198.18.1.10\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
  ASSERT_TRUE(anchor.offer(call, LegSide::kA, sdp).ok());
  ASSERT_EQ(dataplane.created.size(), 1u);
  dataplane.sessionViews.push_back(viewOf(dataplane.created[0]));

  EXPECT_EQ(anchor.refresh(call), Millis{40});
  EXPECT_EQ(call.media[0].packetsIn, 3050u);
  EXPECT_EQ(call.media[0].lostIn, std::optional<std::uint64_t>{7});
  EXPECT_EQ(call.media[1].packetsIn, 3052u);
  EXPECT_EQ(call.media[1].lostIn, std::optional<std::uint64_t>{0}) << "a clean direction is 0, not unknown";
  anchor.release(call);
}

TEST_F(SdpMediaAnchorRefreshTest, LossStaysUnknownWithoutAMediaSession) {
  SdpMediaAnchor anchor(SipConfig{}, dataplaneConfig, dataplane);
  EXPECT_EQ(anchor.refresh(call), std::nullopt);
  EXPECT_EQ(call.media[0].lostIn, std::nullopt);
  EXPECT_EQ(call.media[1].lostIn, std::nullopt);
}

}  // namespace
}  // namespace sbc::control
