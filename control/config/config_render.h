#pragma once
// Prints a DataplaneConfig as the commands that build it (the `show running-config` of the
// dataplane): parseConfig(renderConfig(c)) gives back c. As on a router, settings left at
// their defaults are not printed.

#include <string>

#include "dataplane/config.h"

namespace sbc::control {

std::string renderConfig(const dataplane::DataplaneConfig& config);

}  // namespace sbc::control
