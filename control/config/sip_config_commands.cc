// The SIP side's configuration commands (declared in config_commands.h):
//
//   sip listen IFACE <udp|tcp|tls> <A.B.C.D|X:X::X:X> [(1-65535)]
//   sip tls certificate FILE key FILE [ca FILE]
//   sip media-timeout SECONDS      sip session-expires SECONDS     sip records FILE
//   sip ring-timeout SECONDS
//   sip keep-ice                   sip user-agent WORD
//   trunk NAME                      contact-center
//    interface IFACE                 interface IFACE
//    match PREFIX                    vip ADDR:PORT
//    destination ADDR:PORT           backup ADDR:PORT
//    dial-prefix DIGITS              transport <udp|tcp|tls>   (default udp)
//    max-calls N / max-cps N         options-interval MS / options-timeout MS / failures N
//    auth USER PASSWORD              match PREFIX
//    codecs allow|strip|order LINE... / ptime MS / no latch-any
//                                    codecs allow|strip|order LINE... / ptime MS
//   exit

#include <algorithm>
#include <sstream>

#include "control/cli/shared_help.h"
#include "control/config/config_commands.h"

namespace sbc::control {

namespace {

constexpr const char* kSipHelp = "SIP signalling settings";
constexpr const char* kCodecsHelp = "Codec policy of offers toward and from this peer";

std::vector<std::string> splitWords(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream in{std::string(line)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

void addCodecCommands(CommandTable& table, const std::function<CodecPolicyConfig&()>& policy) {
  table.addOrDie({"codecs allow LINE...",
                  {kCodecsHelp, "Only these codecs are offered", "Encoding names, e.g. PCMA PCMU"},
                  [policy](const CommandArgs& args, CommandOutput&) {
                    policy().allow = splitWords(args.get("LINE..."));
                  }});
  table.addOrDie({"codecs order LINE...",
                  {kCodecsHelp, "Offer these first, in this order", "Encoding names"},
                  [policy](const CommandArgs& args, CommandOutput&) {
                    policy().order = splitWords(args.get("LINE..."));
                  }});
  table.addOrDie({"codecs strip LINE...",
                  {kCodecsHelp, "Remove these codecs from offers", "Encoding names"},
                  [policy](const CommandArgs& args, CommandOutput&) {
                    policy().strip = splitWords(args.get("LINE..."));
                  }});
  table.addOrDie({"ptime (10-200)",
                  {"Packetization time to ask for in offers", "Milliseconds"},
                  [policy](const CommandArgs& args, CommandOutput&) {
                    policy().ptimeMs = static_cast<uint32_t>(*args.number("(10-200)"));
                  }});
}

}  // namespace

void addContactCenterOpening(CommandTable& table, ConfigCandidate& candidate) {
  table.addOrDie({"contact-center",
                  {"Configure the contact center's SIP server behind its VIP"},
                  [&candidate](const CommandArgs&, CommandOutput&) {
                    candidate.enterContactCenter();
                  }});
}

void addSipTopLevelConfigCommands(CommandTable& table, ConfigCandidate& candidate) {
  SipConfig& sip = candidate.sip;
  table.addOrDie(
      {"sip listen IFACE <udp|tcp|tls> <A.B.C.D$address|X:X::X:X$address> [(1-65535)$port]",
       {kSipHelp, "Take SIP on an address of an interface", "Interface name", "Over UDP",
        "Over TCP", "Over TLS", "IPv4 address", "IPv6 address", "Port (default 5060, 5061 TLS)"},
       [&sip](const CommandArgs& args, CommandOutput&) {
         SipListenConfig listen;
         listen.interfaceName = std::string(args.get("IFACE"));
         listen.transport = args.has("udp")   ? SipTransport::Udp
                            : args.has("tcp") ? SipTransport::Tcp
                                              : SipTransport::Tls;
         listen.address = *args.ipAddress("address");
         listen.port = args.has("port") ? static_cast<uint16_t>(*args.number("port"))
                       : listen.transport == SipTransport::Tls ? 5061
                                                               : 5060;
         if (std::find(sip.listens.begin(), sip.listens.end(), listen) == sip.listens.end())
           sip.listens.push_back(listen);
       }});
  table.addOrDie({"sip tls certificate FILE$certfile key FILE$keyfile [ca FILE$cafile]",
                  {kSipHelp, "TLS settings of the SIP listeners", "The SBC's certificate",
                   "Certificate chain file (PEM)", "Its private key", "Key file (PEM)",
                   "Verify peers against a CA (both ways)", "CA file (PEM)"},
                  [&sip](const CommandArgs& args, CommandOutput&) {
                    sip.tls.certificateFile = std::string(args.get("certfile"));
                    sip.tls.privateKeyFile = std::string(args.get("keyfile"));
                    sip.tls.caFile = args.has("cafile") ? std::string(args.get("cafile"))
                                                           : std::string();
                  }});
  table.addOrDie({"sip media-timeout (0-86400)",
                  {kSipHelp, "End calls whose media stopped for this long",
                   "Seconds; 0 never ends them"},
                  [&sip](const CommandArgs& args, CommandOutput&) {
                    sip.mediaTimeoutMs = static_cast<uint32_t>(*args.number("(0-86400)") * 1000);
                  }});
  table.addOrDie({"sip ring-timeout (0-86400)",
                  {kSipHelp, "Give up calls that ring this long without an answer",
                   "Seconds after the callee's last provisional answer; 0 never gives up"},
                  [&sip](const CommandArgs& args, CommandOutput&) {
                    sip.ringTimeoutS = static_cast<uint32_t>(*args.number("(0-86400)"));
                  }});
  table.addOrDie({"sip session-expires (0-86400)",
                  {kSipHelp, "Ask for RFC 4028 session timers of this interval",
                   "Seconds; 0 leaves them off"},
                  [&sip](const CommandArgs& args, CommandOutput& out) {
                    const auto value = static_cast<uint32_t>(*args.number("(0-86400)"));
                    if (value != 0 && value < 90) {
                      out.error = "'" + std::string(args.get("(0-86400)")) +
                                  "': below 90 seconds, the least RFC 4028 allows";
                      return;
                    }
                    sip.sessionExpiresS = value;
                  }});
  table.addOrDie({"sip records FILE",
                  {kSipHelp, "Append a JSON line per ended call to a file", "Path of the file"},
                  [&sip](const CommandArgs& args, CommandOutput&) {
                    sip.recordsFile = std::string(args.get("FILE"));
                  }});
  table.addOrDie({"sip keep-ice",
                  {kSipHelp, "Pass ICE attributes through instead of removing them"},
                  [&sip](const CommandArgs&, CommandOutput&) { sip.keepIce = true; }});
  table.addOrDie({"sip user-agent WORD",
                  {kSipHelp, "What the SBC calls itself in User-Agent and Server",
                   "A product token"},
                  [&sip](const CommandArgs& args, CommandOutput&) {
                    sip.userAgent = std::string(args.get("WORD"));
                  }});
  table.addOrDie({"trunk NAME",
                  {"Configure a carrier trunk (its sub-commands follow, indented)",
                   "Name of the trunk"},
                  [&candidate](const CommandArgs& args, CommandOutput&) {
                    candidate.enterTrunk(std::string(args.get("NAME")));
                  }});
}

void addTrunkConfigCommands(CommandTable& table, ConfigCandidate& candidate) {
  auto trunk = [&candidate]() -> TrunkConfig& { return candidate.currentTrunk(); };
  table.addOrDie({"auth WORD$user WORD$password",
                  {"Challenge the trunk's INVITEs with digest authentication", "User name",
                   "Password"},
                  [trunk](const CommandArgs& args, CommandOutput&) {
                    trunk().authUser = std::string(args.get("user"));
                    trunk().authPassword = std::string(args.get("password"));
                  }});
  addCodecCommands(table, [trunk]() -> CodecPolicyConfig& { return trunk().codecs; });
  table.addOrDie({"destination ADDR:PORT",
                  {"Where calls toward this trunk go", "Address and port, e.g. 198.18.1.10:5060"},
                  [trunk](const CommandArgs& args, CommandOutput&) {
                    trunk().destination = *args.socketAddress("ADDR:PORT");
                  }});
  table.addOrDie({"dial-prefix WORD",
                  {"Outbound calls whose called number starts so go to this trunk",
                   "Digits, e.g. 0044"},
                  [trunk](const CommandArgs& args, CommandOutput& out) {
                    const std::string digits(args.get("WORD"));
                    if (digits.find_first_not_of("0123456789+*#") != std::string::npos) {
                      out.error = "'" + digits + "': a dial prefix holds only 0-9 + * #";
                      return;
                    }
                    trunk().dialPrefixes.push_back(digits);
                  }});
  table.addOrDie({"exit",
                  {"End the trunk block"},
                  [&candidate](const CommandArgs&, CommandOutput&) { candidate.leaveInterface(); }});
  table.addOrDie({"interface IFACE",
                  {"Interface the trunk is reached on", "Interface name"},
                  [trunk](const CommandArgs& args, CommandOutput&) {
                    trunk().interfaceName = std::string(args.get("IFACE"));
                  }});
  table.addOrDie({"match <A.B.C.D/M$prefix|X:X::X:X/M$prefix>",
                  {"Signalling from these sources is this trunk", "IPv4 prefix", "IPv6 prefix"},
                  [trunk](const CommandArgs& args, CommandOutput&) {
                    trunk().match.push_back(*args.prefix("prefix"));
                  }});
  table.addOrDie({"max-calls (1-1000000)",
                  {"Concurrent calls allowed; more get 503", "Calls"},
                  [trunk](const CommandArgs& args, CommandOutput&) {
                    trunk().maxCalls = static_cast<uint32_t>(*args.number("(1-1000000)"));
                  }});
  table.addOrDie({"max-cps (1-100000)",
                  {"New calls per second allowed; more get 503 with Retry-After", "Calls"},
                  [trunk](const CommandArgs& args, CommandOutput&) {
                    trunk().maxCps = static_cast<uint32_t>(*args.number("(1-100000)"));
                  }});
  table.addOrDie({"no latch-any",
                  {kNoHelp, "Send media only to the address the SDP names"},
                  [trunk](const CommandArgs&, CommandOutput&) { trunk().latchAnySource = false; }});
}

void addContactCenterConfigCommands(CommandTable& table, ConfigCandidate& candidate) {
  ContactCenterConfig& center = candidate.sip.contactCenter;
  table.addOrDie({"backup ADDR:PORT",
                  {"The backup host's own address, used while the VIP does not answer",
                   "Address and port"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.backup = *args.socketAddress("ADDR:PORT");
                  }});
  addCodecCommands(table, [&center]() -> CodecPolicyConfig& { return center.codecs; });
  table.addOrDie({"exit",
                  {"End the contact-center block"},
                  [&candidate](const CommandArgs&, CommandOutput&) { candidate.leaveInterface(); }});
  table.addOrDie({"failures (1-10)",
                  {"Unanswered OPTIONS in a row that mark a host down", "Probes"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.failuresToDown = static_cast<uint32_t>(*args.number("(1-10)"));
                  }});
  table.addOrDie({"interface IFACE",
                  {"Interface the contact center is reached on", "Interface name"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.interfaceName = std::string(args.get("IFACE"));
                  }});
  table.addOrDie({"match <A.B.C.D/M$prefix|X:X::X:X/M$prefix>",
                  {"Other core sources that belong to the contact center", "IPv4 prefix",
                   "IPv6 prefix"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.match.push_back(*args.prefix("prefix"));
                  }});
  table.addOrDie({"options-interval (50-60000)",
                  {"Period of the OPTIONS health check", "Milliseconds"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.optionsIntervalMs = static_cast<uint32_t>(*args.number("(50-60000)"));
                  }});
  table.addOrDie({"options-timeout (10-60000)",
                  {"How long a health check probe may go unanswered", "Milliseconds"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.optionsTimeoutMs = static_cast<uint32_t>(*args.number("(10-60000)"));
                  }});
  table.addOrDie({"transport <udp|tcp|tls>",
                  {"How the SBC's requests reach the VIP and the backup (default udp)",
                   "Over UDP", "Over TCP, from a 'sip listen IFACE tcp' address",
                   "Over TLS, from a 'sip listen IFACE tls' address (sips: URIs)"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.transport = args.has("udp")   ? SipTransport::Udp
                                       : args.has("tcp") ? SipTransport::Tcp
                                                         : SipTransport::Tls;
                  }});
  table.addOrDie({"vip ADDR:PORT",
                  {"The SIP server's virtual IP", "Address and port, e.g. 198.18.2.10:5060"},
                  [&center](const CommandArgs& args, CommandOutput&) {
                    center.vip = *args.socketAddress("ADDR:PORT");
                  }});
}

}  // namespace sbc::control
