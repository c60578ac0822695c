#pragma once
// The operator's commands for the dataplane, served on the control socket:
//
//   show interfaces [json]
//   show drops [all] [json]
//   show sessions [ID] [json]          (with ID: the detail of one session)
//   show session ID [json]
//   show neighbors [json]
//   media session add ID leg-a IFACE LOCAL:PORT REMOTE:PORT [latch-any] [rtcp-mux]
//                        leg-b IFACE LOCAL:PORT REMOTE:PORT [latch-any] [rtcp-mux]
//                        [relatch-after MS]
//   media session update ...the same as add...
//   media session del ID
//
// A remote of 0.0.0.0:0 means the peer is not known yet (latch-any learns it).

#include "control/cli/command_table.h"
#include "dataplane/dataplane.h"

namespace sbc::control {

void addDataplaneCommands(CommandTable& table, dataplane::Dataplane& dataplane);

}  // namespace sbc::control
