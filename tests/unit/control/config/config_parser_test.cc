#include "control/config/config_parser.h"

#include <gtest/gtest.h>

#include "dataplane/ip_address.h"

namespace sbc::control {
namespace {

using dataplane::IpAddress;
using dataplane::IpPrefix;

std::vector<std::string> errorLines(const ConfigParseResult& result) {
  std::vector<std::string> lines;
  for (const auto& error : result.errors) lines.push_back(error.toString());
  return lines;
}

IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

TEST(ConfigParserTest, ReadsEveryCommandOfTheLanguage) {
  const ConfigParseResult result = parseConfig(R"(! sbc startup configuration
dataplane workers 2
dataplane max-sessions 65536
dataplane memory-mb 512
dataplane idle-sleep-us 100
dataplane rx-descriptors 512
dataplane tx-descriptors 2048
dataplane eal-arg --log-level=lib.eal:warning
dataplane eal-arg "--vdev=net_null0,size=64"
media port-range 20000 29999
media idle-timeout 30
interface access0
 device net_af_packet0,iface=veth-sbc-a
 realm access
 mac 02:00:00:00:01:01
 vlan 100
 max-frame 16000
 address 198.18.1.1/24
 address 2001:db8:1::1/64
 gateway 198.18.1.254
 gateway 2001:db8:1::fe
 neighbor 198.18.1.10 02:00:00:00:01:0a
 neighbor 2001:db8:1::10 02:00:00:00:01:0b
 neighbor 198.18.1.10 02:00:00:00:01:0c
 exception-path tap sbc-acc
exit
interface core0
	device net_af_packet1,iface=veth-sbc-c   # a tab indents too
	realm core
	address 198.18.2.1/24
	no exception-path
exit
)");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorLines(result));
  const dataplane::DataplaneConfig& c = *result.config;
  EXPECT_EQ(c.workers, 2u);
  EXPECT_EQ(c.maxSessions, 65536u);
  EXPECT_EQ(c.memoryMb, 512u);
  EXPECT_EQ(c.workerIdleSleepUs, 100u);
  EXPECT_EQ(c.rxDescriptors, 512);
  EXPECT_EQ(c.txDescriptors, 2048);
  EXPECT_EQ(c.extraEalArgs,
            (std::vector<std::string>{"--log-level=lib.eal:warning", "--vdev=net_null0,size=64"}));
  EXPECT_EQ(c.mediaPortMin, 20000);
  EXPECT_EQ(c.mediaPortMax, 29999);
  EXPECT_EQ(c.idleTimeoutMs, 30000u);
  ASSERT_EQ(c.interfaces.size(), 2u);
  const auto& access = c.interfaces[0];
  EXPECT_EQ(access.name, "access0");
  EXPECT_EQ(access.device, "net_af_packet0,iface=veth-sbc-a");
  EXPECT_EQ(access.realm, "access");
  EXPECT_EQ(access.mac, (dataplane::MacAddress{0x02, 0, 0, 0, 0x01, 0x01}));
  EXPECT_EQ(access.vlan, 100);
  EXPECT_EQ(access.maxFrame, 16000u);
  EXPECT_EQ(access.addresses,
            (std::vector<IpPrefix>{prefix("198.18.1.1/24"), prefix("2001:db8:1::1/64")}));
  EXPECT_EQ(access.gatewayV4, IpAddress::parse("198.18.1.254"));
  EXPECT_EQ(access.gatewayV6, IpAddress::parse("2001:db8:1::fe"));
  // A second line for the same neighbour replaces its MAC.
  ASSERT_EQ(access.staticNeighbors.size(), 2u);
  EXPECT_EQ(access.staticNeighbors[0].address, IpAddress::parse("198.18.1.10"));
  EXPECT_EQ(access.staticNeighbors[0].mac, (dataplane::MacAddress{0x02, 0, 0, 0, 0x01, 0x0c}));
  EXPECT_EQ(access.staticNeighbors[1].address, IpAddress::parse("2001:db8:1::10"));
  EXPECT_TRUE(access.exceptionPath);
  EXPECT_EQ(access.tapName, "sbc-acc");
  const auto& core = c.interfaces[1];
  EXPECT_EQ(core.name, "core0");
  EXPECT_EQ(core.realm, "core");
  EXPECT_FALSE(core.mac.has_value());
  EXPECT_EQ(core.vlan, 0);
  EXPECT_EQ(core.maxFrame, 0u) << "standard Ethernet unless raised";
  EXPECT_FALSE(core.gatewayV4.has_value());
  EXPECT_FALSE(core.exceptionPath);
}

TEST(ConfigParserTest, ReadsTheShippedDemoConfiguration) {
  const ConfigParseResult result = parseConfigFile(SBC_SOURCE_DIR "/config/sbc.conf");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorLines(result));
  const dataplane::DataplaneConfig& c = *result.config;
  EXPECT_EQ(c.workers, 1u);
  EXPECT_EQ(c.maxSessions, 16384u);
  EXPECT_EQ(c.memoryMb, 512u);
  EXPECT_EQ(c.workerIdleSleepUs, 100u);
  ASSERT_EQ(c.interfaces.size(), 2u);
  EXPECT_EQ(c.interfaces[0].name, "access0");
  EXPECT_EQ(c.interfaces[0].device, "net_af_packet0,iface=sbc-acc");
  EXPECT_EQ(dataplane::formatMac(*c.interfaces[0].mac), "02:5b:c0:00:01:01");
  EXPECT_EQ(c.interfaces[0].addresses, (std::vector<IpPrefix>{prefix("198.18.1.1/24")}));
  EXPECT_EQ(c.interfaces[1].name, "core0");
  EXPECT_EQ(c.interfaces[1].device, "net_af_packet1,iface=sbc-core");
  EXPECT_EQ(dataplane::formatMac(*c.interfaces[1].mac), "02:5b:c0:00:02:01");
  EXPECT_EQ(c.interfaces[1].addresses,
            (std::vector<IpPrefix>{prefix("198.18.2.1/24"), prefix("2001:db8:2::1/64")}));
}

TEST(ConfigParserTest, AcceptsAbbreviationsAndUnitsAndEndsBlocksWithoutExit) {
  const ConfigParseResult result = parseConfig(
      "datap work 3\n"
      "med idle 1500 ms\n"
      "int a\n"
      " dev net_null0\n"
      " rea access\n"
      " addr 198.18.1.1/24\n"
      "int b\n"  // ends the block of a without exit
      " dev net_null1\n"
      " rea core\n"
      " addr 198.18.2.1/24\n");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorLines(result));
  EXPECT_EQ(result.config->workers, 3u);
  EXPECT_EQ(result.config->idleTimeoutMs, 1500u);
  ASSERT_EQ(result.config->interfaces.size(), 2u);
  EXPECT_EQ(result.config->interfaces[1].device, "net_null1");
}

TEST(ConfigParserTest, ASecondBlockEditsTheSameInterfaceAndNoRemoves) {
  const ConfigParseResult result = parseConfig(
      "interface a\n"
      " device net_null0\n"
      " realm access\n"
      " mac 02:00:00:00:00:01\n"
      " vlan 7\n"
      " max-frame 9018\n"
      " address 198.18.1.1/24\n"
      " address 198.18.1.2/24\n"
      " address 198.18.1.1/24\n"  // already there: not added twice
      " gateway 198.18.1.254\n"
      "exit\n"
      "interface a\n"
      " no address 198.18.1.1/24\n"
      " no gateway 198.18.1.254\n"
      " no mac\n"
      " no vlan\n"
      " no max-frame\n"
      " exception-path tap\n"
      "exit\n");
  ASSERT_TRUE(result.ok()) << ::testing::PrintToString(errorLines(result));
  ASSERT_EQ(result.config->interfaces.size(), 1u);
  const auto& a = result.config->interfaces[0];
  EXPECT_EQ(a.addresses, (std::vector<IpPrefix>{prefix("198.18.1.2/24")}));
  EXPECT_FALSE(a.gatewayV4.has_value());
  EXPECT_FALSE(a.mac.has_value());
  EXPECT_EQ(a.vlan, 0);
  EXPECT_EQ(a.maxFrame, 0u);
  EXPECT_TRUE(a.exceptionPath);
  EXPECT_EQ(a.tapName, "");
}

TEST(ConfigParserTest, NamesLineWordAndExpectationForEveryBadLine) {
  const ConfigParseResult result = parseConfig(
      "! garbage\n"                           // 1
      "dataplane workers 17\n"                // 2
      "dataplane wrkers 1\n"                  // 3
      "media port-range 30000 20000\n"        // 4
      "interface\n"                           // 5
      "interface access0\n"                   // 6
      " adress 198.18.1.1/24\n"               // 7
      " address 198.18.1.300/24\n"            // 8
      " mac 02:00:00:00:01\n"                 // 9
      " vlan 0\n"                             // 10
      " gateway fe80::1 extra\n"              // 11
      " exception-path tap a b\n"             // 12
      " device \"unterminated\n"              // 13
      " no address 10.0.0.1/8\n"              // 14
      " realm\n"                              // 15
      "frobnicate now\n"                      // 16
      " device x\n"                           // 17: checked as the broken line's block: fine
      "exit\n"                                // 18
      " realm core\n"                         // 19
      "media idle-timeout 5000000\n"          // 20
      "dataplane eal-arg\n"                   // 21
      " e\n");                                // 22
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(errorLines(result),
            (std::vector<std::string>{
                "line 2: '17': unexpected word, expected: (1-16)",
                "line 3: 'wrkers': unexpected word, expected one of: eal-arg, idle-sleep-us, "
                "max-sessions, memory-mb, rx-descriptors, tx-descriptors, workers",
                "line 4: '20000': below the first port 30000",
                "line 5: incomplete command after 'interface', expected: NAME",
                "line 7: 'adress': unknown command, expected one of: address, device, "
                "exception-path, exit, gateway, mac, max-frame, neighbor, no, realm, vlan",
                "line 8: '198.18.1.300/24': unexpected word, expected one of: A.B.C.D/M, "
                "X:X::X:X/M",
                "line 9: '02:00:00:00:01': unexpected word, expected: XX:XX:XX:XX:XX:XX",
                "line 10: '0': unexpected word, expected: (1-4094)",
                "line 11: 'extra': unexpected word, expected: <cr>",
                "line 12: 'b': unexpected word, expected: <cr>",
                "line 13: unterminated quote at column 9",
                "line 14: '10.0.0.1/8': not an address of interface access0",
                "line 15: incomplete command after 'realm', expected: REALM",
                "line 16: 'frobnicate': unknown command, expected one of: contact-center, "
                "dataplane, exit, acl, no, firewall, interface, media, sip, trunk",
                "line 19: 'realm': indented, but no block is open",
                "line 20: '5000000': more than 4294967 seconds",
                "line 21: incomplete command after 'eal-arg', expected: ARG",
                "line 22: 'e': ambiguous, could be: exception-path, exit",
            }));
}

TEST(ConfigParserTest, ReportsWhatValidateFindsAtTheInterfaceBlock) {
  const ConfigParseResult result = parseConfig(
      "interface access0\n"
      " realm access\n"
      " address 198.18.1.1/24\n"
      "exit\n"
      "interface core0\n"
      " device net_null0\n"
      " address 198.18.2.1/24\n"
      " exception-path tap much-too-long-name\n"
      "interface access0\n");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(errorLines(result),
            (std::vector<std::string>{
                "line 1: interface access0: no device",
                "line 5: interface core0: no realm",
                "line 5: interface core0: tap name 'much-too-long-name' longer than 15",
            }));
}

TEST(ConfigParserTest, MaxFrameOutsideItsRangeNamesTheWordAndTheRange) {
  const ConfigParseResult result = parseConfig(
      "interface access0\n"
      " device net_af_packet0,iface=acc\n"
      " realm access\n"
      " address 198.18.1.1/24\n"
      " max-frame 1500\n"
      " max-frame 65535\n"
      " max-frame 16k\n"
      " max-frame\n"
      "exit\n");
  EXPECT_EQ(errorLines(result),
            (std::vector<std::string>{
                "line 5: '1500': unexpected word, expected: (1518-32702)",
                "line 6: '65535': unexpected word, expected: (1518-32702)",
                "line 7: '16k': unexpected word, expected: (1518-32702)",
                "line 8: incomplete command after 'max-frame', expected: (1518-32702)",
            }));
}

TEST(ConfigParserTest, AnEmptyFileHasNoInterface) {
  EXPECT_EQ(errorLines(parseConfig("! nothing here\n\n")),
            (std::vector<std::string>{"no interface configured"}));
}

TEST(ConfigParserTest, SaysWhenTheFileCannotBeRead) {
  EXPECT_EQ(errorLines(parseConfigFile("/nonexistent/sbc.conf")),
            (std::vector<std::string>{
                "cannot read /nonexistent/sbc.conf: No such file or directory"}));
}

}  // namespace
}  // namespace sbc::control
