#pragma once
// Prints a DataplaneConfig as the commands that build it (the `show running-config` of the
// dataplane): parseConfig(renderConfig(c)) gives back c. As on a router, settings left at
// their defaults are not printed.

#include <string>

#include "control/config/sip_config.h"
#include "dataplane/config.h"

namespace sbc::control {

std::string renderConfig(const dataplane::DataplaneConfig& config);
// The SIP side's commands (sip_config_render.cc), to follow renderConfig's output.
std::string renderSipConfig(const SipConfig& sip);

}  // namespace sbc::control
