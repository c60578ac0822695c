#include "control/cli/help_cli.h"

namespace sbc::control {

void addHelpCommand(CommandTable& table) {
  // The handler reads the table when it runs, so it also lists commands added after it.
  table.addOrDie({"help",
                  {"List the commands"},
                  [&table](const CommandArgs&, CommandOutput& out) {
                    for (const auto& command : table.commands())
                      out.text += displayPattern(command->pattern) + "\n";
                  }});
}

}  // namespace sbc::control
