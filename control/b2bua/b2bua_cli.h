#pragma once
// The operator's commands for calls and signalling:
//
//   show calls [json]            the calls that are up (or being set up), one line each
//   show sip [json]              B2BUA counters, the trunks with their load, the contact
//                                center's health (VIP and backup)

#include "control/b2bua/b2bua.h"
#include "control/cli/command_table.h"

namespace sbc::control {

void addB2buaCommands(CommandTable& table, const B2bua& b2bua);

std::string callsText(const B2bua& b2bua, Millis nowWallMs);
std::string callsJson(const B2bua& b2bua, Millis nowWallMs);
std::string sipText(const B2bua& b2bua);
std::string sipJson(const B2bua& b2bua);

}  // namespace sbc::control
