#pragma once
// `help`: every command the table holds, one pattern a line, in the order they were declared.

#include "control/cli/command_table.h"

namespace sbc::control {

void addHelpCommand(CommandTable& table);

}  // namespace sbc::control
