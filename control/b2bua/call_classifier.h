#pragma once
// Who calls whom, as the contact center counts it: ANI (the calling number, from
// P-Asserted-Identity, else From) and DNIS (the called number, from the Request-URI, else To),
// each the user part of a sip: URI or the number of a tel: URI, unescaped.

#include <string>
#include <string_view>

#include "control/sip/sip_message.h"

namespace sbc::control {

struct CallParties {
  std::string ani;
  std::string dnis;
};

CallParties callParties(const sip::Message& invite);
// The display name of a name-addr ("\"Alice\"" keeps its quotes), "" when it has none.
std::string displayNameOf(std::string_view nameAddr);
// `number` escaped for the user part of a sip: URI (RFC 3261 25.1 user-unreserved kept).
std::string uriUser(std::string_view number);

}  // namespace sbc::control
