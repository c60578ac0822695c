#include "control/config/config_render.h"

#include <gtest/gtest.h>

#include "control/config/config_parser.h"
#include "tests/unit/control/config/config_compare.h"

namespace sbc::control {
namespace {

using dataplane::DataplaneConfig;
using dataplane::InterfaceConfig;
using dataplane::IpAddress;
using dataplane::IpPrefix;

DataplaneConfig everyFieldSet() {
  DataplaneConfig c;
  c.workers = 4;
  c.maxSessions = 1000;
  c.mediaPortMin = 30000;
  c.mediaPortMax = 30999;
  c.idleTimeoutMs = 2500;
  c.memoryMb = 256;
  c.rxDescriptors = 512;
  c.txDescriptors = 4096;
  c.workerIdleSleepUs = 50;
  c.extraEalArgs = {"--log-level=lib.eal:warning", "--file-prefix=sbc test"};
  InterfaceConfig access;
  access.name = "access0";
  access.device = "net_af_packet0,iface=veth-sbc-a";
  access.realm = "access";
  access.mac = dataplane::MacAddress{0x02, 0x5b, 0xc0, 0x00, 0x01, 0x01};
  access.vlan = 100;
  access.maxFrame = 16000;
  access.addresses = {*IpPrefix::parse("198.18.1.1/24"), *IpPrefix::parse("2001:db8:1::1/64")};
  access.gatewayV4 = IpAddress::parse("198.18.1.254");
  access.gatewayV6 = IpAddress::parse("2001:db8:1::fe");
  access.staticNeighbors = {{*IpAddress::parse("198.18.1.10"), {0x02, 0x5b, 0xc0, 0x00, 0x01, 0x0a}}};
  access.tapName = "sbc-acc";
  InterfaceConfig core;
  core.name = "core0";
  core.device = "0000:3b:00.1";
  core.realm = "core";
  core.addresses = {*IpPrefix::parse("198.18.2.1/24")};
  core.exceptionPath = false;
  c.interfaces = {access, core};
  return c;
}

TEST(ConfigRenderTest, PrintsEverySettingAsTheCommandThatMakesIt) {
  EXPECT_EQ(renderConfig(everyFieldSet()),
            "dataplane workers 4\n"
            "dataplane max-sessions 1000\n"
            "dataplane memory-mb 256\n"
            "dataplane idle-sleep-us 50\n"
            "dataplane rx-descriptors 512\n"
            "dataplane tx-descriptors 4096\n"
            "dataplane eal-arg --log-level=lib.eal:warning\n"
            "dataplane eal-arg \"--file-prefix=sbc test\"\n"
            "media port-range 30000 30999\n"
            "media idle-timeout 2500 ms\n"
            "!\n"
            "interface access0\n"
            " device net_af_packet0,iface=veth-sbc-a\n"
            " realm access\n"
            " mac 02:5b:c0:00:01:01\n"
            " vlan 100\n"
            " max-frame 16000\n"
            " address 198.18.1.1/24\n"
            " address 2001:db8:1::1/64\n"
            " gateway 198.18.1.254\n"
            " gateway 2001:db8:1::fe\n"
            " neighbor 198.18.1.10 02:5b:c0:00:01:0a\n"
            " exception-path tap sbc-acc\n"
            "exit\n"
            "!\n"
            "interface core0\n"
            " device 0000:3b:00.1\n"
            " realm core\n"
            " address 198.18.2.1/24\n"
            " no exception-path\n"
            "exit\n");
}

TEST(ConfigRenderTest, LeavesOutDefaults) {
  DataplaneConfig c;
  InterfaceConfig i;
  i.name = "a";
  i.device = "net_null0";
  i.realm = "access";
  i.addresses = {*IpPrefix::parse("198.18.1.1/24")};
  c.interfaces = {i};
  EXPECT_EQ(renderConfig(c),
            "!\n"
            "interface a\n"
            " device net_null0\n"
            " realm access\n"
            " address 198.18.1.1/24\n"
            "exit\n");
  c.idleTimeoutMs = 120000;
  EXPECT_EQ(renderConfig(c).substr(0, 24), "media idle-timeout 120\n!");
}

TEST(ConfigRenderTest, ParsingTheRenderingGivesTheSameConfig) {
  const DataplaneConfig original = everyFieldSet();
  const ConfigParseResult parsed = parseConfig(renderConfig(original));
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().toString();
  EXPECT_EQ(testing::firstDifference(original, *parsed.config), "");
}

TEST(ConfigRenderTest, AwkwardNamesSurviveTheRoundTrip) {
  DataplaneConfig c = everyFieldSet();
  c.interfaces[0].name = "#1";
  c.interfaces[0].realm = "access side";
  c.interfaces[0].tapName = "tap\"q";
  c.interfaces[1].name = "exit";
  c.extraEalArgs = {"!bang", "back\\slash", "it's"};
  const ConfigParseResult parsed = parseConfig(renderConfig(c));
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().toString();
  EXPECT_EQ(testing::firstDifference(c, *parsed.config), "");
}

TEST(ConfigRenderTest, TheDemoConfigurationRoundTrips) {
  const ConfigParseResult first = parseConfigFile(SBC_SOURCE_DIR "/config/sbc.conf");
  ASSERT_TRUE(first.ok());
  const std::string rendered = renderConfig(*first.config);
  EXPECT_EQ(rendered,
            "dataplane max-sessions 16384\n"
            "dataplane memory-mb 512\n"
            "dataplane idle-sleep-us 100\n"
            "!\n"
            "interface access0\n"
            " device net_af_packet0,iface=sbc-acc\n"
            " realm access\n"
            " mac 02:5b:c0:00:01:01\n"
            " max-frame 16000\n"
            " address 198.18.1.1/24\n"
            "exit\n"
            "!\n"
            "interface core0\n"
            " device net_af_packet1,iface=sbc-core\n"
            " realm core\n"
            " mac 02:5b:c0:00:02:01\n"
            " max-frame 16000\n"
            " address 198.18.2.1/24\n"
            " address 2001:db8:2::1/64\n"
            "exit\n");
  const ConfigParseResult second = parseConfig(rendered);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(testing::firstDifference(*first.config, *second.config), "");
}

}  // namespace
}  // namespace sbc::control
