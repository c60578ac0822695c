// The SIP side's configuration: parsed from the CLI language, checked against the interfaces,
// and printed back as the same commands.

#include <gtest/gtest.h>

#include "control/config/config_parser.h"
#include "control/config/config_render.h"

namespace sbc::control {
namespace {

constexpr const char* kInterfaces =
    "interface access0\n device net_null0\n realm access\n address 198.18.1.1/24\nexit\n"
    "interface core0\n device net_null1\n realm core\n address 198.18.2.1/24\nexit\n";

constexpr const char* kSip =
    "sip listen access0 udp 198.18.1.1\n"
    "sip listen core0 udp 198.18.2.1\n"
    "sip listen access0 tls 198.18.1.1\n"
    "sip listen core0 tcp 198.18.2.1\n"
    "sip tls certificate /etc/sbc/cert.pem key /etc/sbc/key.pem ca /etc/sbc/ca.pem\n"
    "sip media-timeout 30\n"
    "sip ring-timeout 60\n"
    "sip session-expires 1800\n"
    "sip records /tmp/calls.jsonl\n"
    "!\n"
    "trunk carrier1\n"
    " interface access0\n"
    " match 198.18.1.0/24\n"
    " destination 198.18.1.10:5060\n"
    " dial-prefix 00\n"
    " max-calls 500\n"
    " max-cps 50\n"
    " auth carrier s3cret\n"
    " codecs allow PCMA PCMU\n"
    " codecs order PCMA\n"
    " ptime 20\n"
    "exit\n"
    "!\n"
    "contact-center\n"
    " interface core0\n"
    " vip 198.18.2.10:5060\n"
    " backup 198.18.2.11:5060\n"
    " transport tcp\n"
    " options-interval 250\n"
    " options-timeout 200\n"
    "exit\n";

TEST(SipConfigTest, ParsesEveryCommand) {
  const ConfigParseResult parsed = parseConfig(std::string(kInterfaces) + kSip);
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().toString();
  const SipConfig& sip = parsed.sip;
  ASSERT_EQ(sip.listens.size(), 4u);
  EXPECT_EQ(sip.listens[2].transport, SipTransport::Tls);
  EXPECT_EQ(sip.listens[2].port, 5061);
  EXPECT_EQ(sip.listens[3].transport, SipTransport::Tcp);
  EXPECT_EQ(sip.listens[3].port, 5060);
  EXPECT_EQ(sip.tls.certificateFile, "/etc/sbc/cert.pem");
  EXPECT_EQ(sip.tls.privateKeyFile, "/etc/sbc/key.pem");
  EXPECT_EQ(sip.tls.caFile, "/etc/sbc/ca.pem");
  EXPECT_EQ(sip.mediaTimeoutMs, 30'000u);
  EXPECT_EQ(sip.ringTimeoutS, 60u);
  EXPECT_EQ(sip.sessionExpiresS, 1800u);
  ASSERT_EQ(sip.trunks.size(), 1u);
  const TrunkConfig& trunk = sip.trunks[0];
  EXPECT_EQ(trunk.maxCalls, 500u);
  EXPECT_EQ(trunk.maxCps, 50u);
  EXPECT_EQ(trunk.authUser, "carrier");
  EXPECT_EQ(trunk.codecs.allow, (std::vector<std::string>{"PCMA", "PCMU"}));
  EXPECT_EQ(trunk.codecs.ptimeMs, 20u);
  EXPECT_EQ(sip.contactCenter.vip->toString(), "198.18.2.10:5060");
  EXPECT_EQ(sip.contactCenter.optionsIntervalMs, 250u);
  EXPECT_EQ(sip.contactCenter.transport, SipTransport::Tcp);
}

TEST(SipConfigTest, RendersWhatItParsed) {
  const ConfigParseResult parsed = parseConfig(std::string(kInterfaces) + kSip);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(renderSipConfig(parsed.sip), kSip);
  const ConfigParseResult again =
      parseConfig(renderConfig(*parsed.config) + renderSipConfig(parsed.sip));
  ASSERT_TRUE(again.ok()) << again.errors.front().toString();
  EXPECT_EQ(renderSipConfig(again.sip), kSip);
}

TEST(SipConfigTest, FaultsNameTheLineOrTheBlock) {
  const ConfigParseResult parsed = parseConfig(std::string(kInterfaces) +
                                               "sip listen access0 udp 198.18.9.9\n"
                                               "sip session-expires 30\n"
                                               "sip ring-timeout soon\n"
                                               "sip ring-timeout 86401\n"
                                               "trunk t1\n"
                                               " max-calls 0\n"
                                               " dial-prefix 12a\n"
                                               "exit\n"
                                               "contact-center\n"
                                               " vip 198.18.2.10:5060\n"
                                               "exit\n");
  ASSERT_FALSE(parsed.ok());
  std::vector<std::string> lines;
  for (const ConfigError& e : parsed.errors) lines.push_back(e.toString());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "line 12: '30': below 90 seconds, the least RFC 4028 allows",
                       "line 13: 'soon': unexpected word, expected: (0-86400)",
                       "line 14: '86401': unexpected word, expected: (0-86400)",
                       "line 16: '0': unexpected word, expected: (1-1000000)",
                       "line 17: '12a': a dial prefix holds only 0-9 + * #",
                   }));
  // With the lines fixed, what only the whole shows.
  const ConfigParseResult whole = parseConfig(std::string(kInterfaces) +
                                              "sip listen access0 udp 198.18.9.9\n"
                                              "trunk t1\n"
                                              " interface core9\n"
                                              "exit\n"
                                              "contact-center\n"
                                              " vip 198.18.2.10:5060\n"
                                              "exit\n");
  ASSERT_FALSE(whole.ok());
  lines.clear();
  for (const ConfigError& e : whole.errors) lines.push_back(e.toString());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "sip listen access0 198.18.9.9: not an address of interface access0",
                       "trunk t1: no interface core9",
                       "trunk t1: neither 'match' nor 'destination': no call can use it",
                       "contact-center: no interface (add ' interface IFACE')",
                   }));
}


// `transport udp|tcp|tls` in the contact-center block: udp by default (and then not printed),
// and tcp or tls only where a `sip listen` of that word on the interface can carry them.
TEST(SipConfigTest, ContactCenterTransport) {
  auto config = [](const std::string& listens, const std::string& transport,
                   const std::string& backup = "198.18.2.11:5060") {
    return parseConfig(std::string(kInterfaces) + listens +
                       "contact-center\n interface core0\n vip 198.18.2.10:5060\n backup " +
                       backup + "\n" + transport + "exit\n");
  };
  auto faults = [](const ConfigParseResult& parsed) {
    std::vector<std::string> lines;
    for (const ConfigError& e : parsed.errors) lines.push_back(e.toString());
    return lines;
  };
  const ConfigParseResult plain = config("sip listen core0 udp 198.18.2.1\n", "");
  ASSERT_TRUE(plain.ok()) << faults(plain).front();
  EXPECT_EQ(plain.sip.contactCenter.transport, SipTransport::Udp);
  EXPECT_EQ(renderSipConfig(plain.sip).find("transport"), std::string::npos);
  const ConfigParseResult udp = config("sip listen core0 udp 198.18.2.1\n", " transport udp\n");
  ASSERT_TRUE(udp.ok());
  EXPECT_EQ(renderSipConfig(udp.sip), renderSipConfig(plain.sip));

  // Over TLS: printed back as written, and read back the same.
  const ConfigParseResult tls = config(
      "sip listen core0 tls 198.18.2.1\nsip tls certificate c.pem key k.pem\n", " transport tls\n");
  ASSERT_TRUE(tls.ok()) << faults(tls).front();
  EXPECT_EQ(tls.sip.contactCenter.transport, SipTransport::Tls);
  const std::string rendered = renderSipConfig(tls.sip);
  EXPECT_NE(rendered.find("sip tls certificate c.pem key k.pem\n"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find(" backup 198.18.2.11:5060\n transport tls\n"), std::string::npos)
      << rendered;
  const ConfigParseResult again = parseConfig(std::string(kInterfaces) + rendered);
  ASSERT_TRUE(again.ok()) << faults(again).front();
  EXPECT_EQ(renderSipConfig(again.sip), rendered);
  EXPECT_EQ(again.sip.contactCenter, tls.sip.contactCenter);
  EXPECT_EQ(again.sip.tls, tls.sip.tls);

  // The word it asks for must be listened on, on that interface, in each host's IP version.
  EXPECT_EQ(faults(config("sip listen core0 udp 198.18.2.1\n", " transport tcp\n")),
            (std::vector<std::string>{
                "contact-center: transport tcp but no tcp listener on core0 (add 'sip listen "
                "core0 tcp ADDRESS')"}));
  EXPECT_EQ(faults(config("sip listen core0 udp 198.18.2.1\nsip listen access0 tls 198.18.1.1\n"
                          "sip tls certificate c.pem key k.pem\n",
                          " transport tls\n")),
            (std::vector<std::string>{
                "contact-center: transport tls but no tls listener on core0 (add 'sip listen "
                "core0 tls ADDRESS')"}));
  EXPECT_EQ(faults(config("sip listen core0 tcp 198.18.2.1\n", " transport tcp\n",
                          "[2001:db8:2::11]:5060")),
            (std::vector<std::string>{
                "contact-center: transport tcp but no IPv6 tcp listener on core0 for the backup "
                "[2001:db8:2::11]:5060 (add 'sip listen core0 tcp ADDRESS')"}));
  // A TLS listener needs the SBC's certificate.
  EXPECT_EQ(faults(config("sip listen core0 tls 198.18.2.1\n", " transport tls\n")),
            (std::vector<std::string>{
                "sip listen core0 198.18.2.1: tls needs the SBC's certificate (add 'sip tls "
                "certificate FILE key FILE')"}));
  // Only the three words.
  const ConfigParseResult sctp = config("sip listen core0 udp 198.18.2.1\n", " transport sctp\n");
  ASSERT_FALSE(sctp.ok());
  EXPECT_NE(faults(sctp).front().find("'sctp'"), std::string::npos) << faults(sctp).front();
}

}  // namespace
}  // namespace sbc::control
