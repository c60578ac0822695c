#include "control/config/sip_config.h"

#include <algorithm>

namespace sbc::control {

namespace {

bool interfaceHas(const dataplane::InterfaceConfig& interface, const dataplane::IpAddress& a) {
  return std::any_of(interface.addresses.begin(), interface.addresses.end(),
                     [&](const dataplane::IpPrefix& p) { return p.address == a; });
}

// Requests to the VIP and the backup leave from a listener of the contact center's transport
// and of each host's address family on its interface.
void checkContactCenterTransport(const SipConfig& sip, std::vector<std::string>& faults) {
  const ContactCenterConfig& center = sip.contactCenter;
  const std::vector<SipListenConfig>& listens = sip.listens;
  const std::string word(sipTransportName(center.transport));
  const std::string listenLine = "'sip listen " + center.interfaceName + " " + word + " ADDRESS'";
  auto listener = [&](std::optional<dataplane::IpFamily> family) {
    return std::any_of(listens.begin(), listens.end(), [&](const SipListenConfig& l) {
      return l.interfaceName == center.interfaceName && l.transport == center.transport &&
             (!family || l.address.family == *family);
    });
  };
  if (!listener(std::nullopt)) {
    faults.push_back("contact-center: transport " + word + " but no " + word + " listener on " +
                     center.interfaceName + " (add " + listenLine + ")");
    return;
  }
  auto checkHost = [&](const char* role, const std::optional<dataplane::SocketAddress>& host) {
    if (!host || listener(host->ip.family)) return;
    faults.push_back("contact-center: transport " + word + " but no " +
                     (host->ip.isV6() ? "IPv6 " : "IPv4 ") + word + " listener on " +
                     center.interfaceName + " for the " + role + " " + host->toString() +
                     " (add " + listenLine + ")");
  };
  checkHost("vip", center.vip);
  checkHost("backup", center.backup);
}

}  // namespace

std::string_view sipTransportName(SipTransport transport) {
  switch (transport) {
    case SipTransport::Udp: return "udp";
    case SipTransport::Tcp: return "tcp";
    case SipTransport::Tls: return "tls";
  }
  return "udp";
}

const TrunkConfig* SipConfig::findTrunk(const std::string& name) const {
  for (const TrunkConfig& trunk : trunks)
    if (trunk.name == name) return &trunk;
  return nullptr;
}

std::vector<std::string> SipConfig::validate(const dataplane::DataplaneConfig& dataplane) const {
  std::vector<std::string> faults;
  auto listensOn = [&](const std::string& interfaceName) {
    return std::any_of(listens.begin(), listens.end(),
                       [&](const SipListenConfig& l) { return l.interfaceName == interfaceName; });
  };
  for (const SipListenConfig& listen : listens) {
    const auto* interface = dataplane.findInterface(listen.interfaceName);
    const std::string what = "sip listen " + listen.interfaceName + " " +
                             listen.address.toString() + ": ";
    if (!interface) {
      faults.push_back(what + "no interface " + listen.interfaceName);
    } else if (!interfaceHas(*interface, listen.address)) {
      faults.push_back(what + "not an address of interface " + listen.interfaceName);
    } else if (!interface->exceptionPath) {
      faults.push_back(what + "interface " + listen.interfaceName +
                       " has no exception path, so SIP cannot reach the SBC there");
    }
    if (listen.transport == SipTransport::Tls && tls.certificateFile.empty())
      faults.push_back(what + "tls needs the SBC's certificate (add 'sip tls certificate FILE key FILE')");
  }
  for (const TrunkConfig& trunk : trunks) {
    const std::string what = "trunk " + trunk.name + ": ";
    if (trunk.interfaceName.empty()) {
      faults.push_back(what + "no interface (add ' interface IFACE')");
    } else if (!dataplane.findInterface(trunk.interfaceName)) {
      faults.push_back(what + "no interface " + trunk.interfaceName);
    } else if (!listensOn(trunk.interfaceName)) {
      faults.push_back(what + "no 'sip listen' on interface " + trunk.interfaceName);
    }
    if (trunk.match.empty() && !trunk.destination)
      faults.push_back(what + "neither 'match' nor 'destination': no call can use it");
    if (!trunk.dialPrefixes.empty() && !trunk.destination)
      faults.push_back(what + "dial prefixes without a destination");
  }
  if (contactCenter.vip || contactCenter.backup || !contactCenter.interfaceName.empty()) {
    const std::string what = "contact-center: ";
    if (!contactCenter.vip) faults.push_back(what + "no vip (add ' vip ADDR:PORT')");
    if (contactCenter.interfaceName.empty()) {
      faults.push_back(what + "no interface (add ' interface IFACE')");
    } else if (!dataplane.findInterface(contactCenter.interfaceName)) {
      faults.push_back(what + "no interface " + contactCenter.interfaceName);
    } else if (!listensOn(contactCenter.interfaceName)) {
      faults.push_back(what + "no 'sip listen' on interface " + contactCenter.interfaceName);
    } else {
      checkContactCenterTransport(*this, faults);
    }
    if (contactCenter.optionsTimeoutMs > contactCenter.optionsIntervalMs)
      faults.push_back(what + "options-timeout is longer than options-interval");
  }
  return faults;
}

}  // namespace sbc::control
