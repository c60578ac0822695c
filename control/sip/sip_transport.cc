#include "control/sip/sip_transport.h"

namespace sbc::sip {

std::string_view transportName(TransportKind kind) {
  switch (kind) {
    case TransportKind::Udp:
      return "UDP";
    case TransportKind::Tcp:
      return "TCP";
    case TransportKind::Tls:
      return "TLS";
  }
  return "UDP";
}

}  // namespace sbc::sip
