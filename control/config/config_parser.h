#pragma once
// Reads the startup configuration (config/sbc.conf) into a DataplaneConfig. The file is written
// in the shell's own language (config_commands.h), one command per line:
//
//   ! a comment; so is a word that starts with # or !
//   dataplane workers 1
//   interface access0                      <- opens a block
//    device net_af_packet0,iface=sbc-acc   <- the block's lines are indented (blanks or tabs)
//    address 198.18.1.1/24
//   exit                                   <- `exit`, or any unindented line, ends the block
//
// All or nothing: any error (a word the grammar does not take, a value out of range, a fault
// DataplaneConfig::validate() finds) means no configuration. Every bad line is reported, not
// only the first, each naming its line, the word and what was expected there.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/config/sip_config.h"
#include "dataplane/config.h"
#include "dataplane/firewall_config.h"

namespace sbc::control {

struct ConfigError {
  unsigned line = 0;  // 0: about the file as a whole
  std::string message;
  // "line 7: 'adress': unknown command, expected one of: address, device, ..."
  std::string toString() const;
};

struct ConfigParseResult {
  std::optional<dataplane::DataplaneConfig> config;  // set only when `errors` is empty
  SipConfig sip;                                     // valid only when config is set
  // The engineer's firewall (no derived pinholes: firewallWithPinholes adds them).
  dataplane::FirewallConfig firewall;                // valid only when config is set
  std::vector<ConfigError> errors;
  bool ok() const { return config.has_value(); }
};

ConfigParseResult parseConfig(std::string_view text);
ConfigParseResult parseConfigFile(const std::string& path);

}  // namespace sbc::control
