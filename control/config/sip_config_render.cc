#include <string>

#include "control/cli/tokenizer.h"
#include "control/config/config_render.h"

namespace sbc::control {

namespace {

void renderCodecs(const CodecPolicyConfig& codecs, std::string& out) {
  auto list = [&](const char* what, const std::vector<std::string>& names) {
    if (names.empty()) return;
    out += std::string(" codecs ") + what;
    for (const std::string& name : names) out += " " + quoteWord(name);
    out += "\n";
  };
  list("allow", codecs.allow);
  list("strip", codecs.strip);
  list("order", codecs.order);
  if (codecs.ptimeMs != 0) out += " ptime " + std::to_string(codecs.ptimeMs) + "\n";
}

void renderTrunk(const TrunkConfig& trunk, std::string& out) {
  out += "trunk " + quoteWord(trunk.name) + "\n";
  if (!trunk.interfaceName.empty()) out += " interface " + quoteWord(trunk.interfaceName) + "\n";
  for (const auto& prefix : trunk.match) out += " match " + prefix.toString() + "\n";
  if (trunk.destination) out += " destination " + trunk.destination->toString() + "\n";
  for (const auto& prefix : trunk.dialPrefixes) out += " dial-prefix " + quoteWord(prefix) + "\n";
  if (trunk.maxCalls != 0) out += " max-calls " + std::to_string(trunk.maxCalls) + "\n";
  if (trunk.maxCps != 0) out += " max-cps " + std::to_string(trunk.maxCps) + "\n";
  if (!trunk.authUser.empty())
    out += " auth " + quoteWord(trunk.authUser) + " " + quoteWord(trunk.authPassword) + "\n";
  renderCodecs(trunk.codecs, out);
  if (!trunk.latchAnySource) out += " no latch-any\n";
  out += "exit\n";
}

void renderContactCenter(const ContactCenterConfig& center, std::string& out) {
  const ContactCenterConfig defaults;
  if (center == defaults) return;
  out += "contact-center\n";
  if (!center.interfaceName.empty()) out += " interface " + quoteWord(center.interfaceName) + "\n";
  if (center.vip) out += " vip " + center.vip->toString() + "\n";
  if (center.backup) out += " backup " + center.backup->toString() + "\n";
  if (center.transport != defaults.transport)
    out += " transport " + std::string(sipTransportName(center.transport)) + "\n";
  if (center.optionsIntervalMs != defaults.optionsIntervalMs)
    out += " options-interval " + std::to_string(center.optionsIntervalMs) + "\n";
  if (center.optionsTimeoutMs != defaults.optionsTimeoutMs)
    out += " options-timeout " + std::to_string(center.optionsTimeoutMs) + "\n";
  if (center.failuresToDown != defaults.failuresToDown)
    out += " failures " + std::to_string(center.failuresToDown) + "\n";
  for (const auto& prefix : center.match) out += " match " + prefix.toString() + "\n";
  renderCodecs(center.codecs, out);
  out += "exit\n";
}

}  // namespace

std::string renderSipConfig(const SipConfig& sip) {
  const SipConfig defaults;
  std::string out;
  for (const SipListenConfig& listen : sip.listens) {
    out += "sip listen " + quoteWord(listen.interfaceName) + " " +
           std::string(sipTransportName(listen.transport)) + " " + listen.address.toString();
    const std::uint16_t defaultPort = listen.transport == SipTransport::Tls ? 5061 : 5060;
    if (listen.port != defaultPort) out += " " + std::to_string(listen.port);
    out += "\n";
  }
  if (!sip.tls.certificateFile.empty()) {
    out += "sip tls certificate " + quoteWord(sip.tls.certificateFile) + " key " +
           quoteWord(sip.tls.privateKeyFile);
    if (!sip.tls.caFile.empty()) out += " ca " + quoteWord(sip.tls.caFile);
    out += "\n";
  }
  if (sip.mediaTimeoutMs != defaults.mediaTimeoutMs)
    out += "sip media-timeout " + std::to_string(sip.mediaTimeoutMs / 1000) + "\n";
  if (sip.ringTimeoutS != defaults.ringTimeoutS)
    out += "sip ring-timeout " + std::to_string(sip.ringTimeoutS) + "\n";
  if (sip.sessionExpiresS != defaults.sessionExpiresS)
    out += "sip session-expires " + std::to_string(sip.sessionExpiresS) + "\n";
  if (!sip.recordsFile.empty()) out += "sip records " + quoteWord(sip.recordsFile) + "\n";
  if (sip.keepIce) out += "sip keep-ice\n";
  if (sip.userAgent != defaults.userAgent) out += "sip user-agent " + quoteWord(sip.userAgent) + "\n";
  for (const TrunkConfig& trunk : sip.trunks) {
    out += "!\n";
    renderTrunk(trunk, out);
  }
  if (!(sip.contactCenter == defaults.contactCenter)) {
    out += "!\n";
    renderContactCenter(sip.contactCenter, out);
  }
  return out;
}

}  // namespace sbc::control
