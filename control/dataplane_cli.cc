#include "control/dataplane_cli.h"

#include "control/cli/shared_help.h"
#include "control/dataplane_show.h"

namespace sbc::control {

namespace {

using dataplane::Dataplane;
using dataplane::MediaSessionSpec;

constexpr const char* kSessionIdHelp = "Media session id";
constexpr const char* kMediaHelp = "Media relay";
constexpr const char* kSessionHelp = "Media sessions of the relay";

// Both legs and the options of `media session add` and `update`.
constexpr const char* kSessionSpecPattern =
    "(1-4294967295)$id"
    " leg-a IFACE$ifaceA ADDR:PORT$localA ADDR:PORT$remoteA [{latch-any$latchA|rtcp-mux$muxA}]"
    " leg-b IFACE$ifaceB ADDR:PORT$localB ADDR:PORT$remoteB [{latch-any$latchB|rtcp-mux$muxB}]"
    " [relatch-after (1-4294967295)$relatchMs]";

std::vector<std::string> sessionSpecHelp(const char* verbHelp) {
  std::vector<std::string> help{kMediaHelp, kSessionHelp, verbHelp, kSessionIdHelp};
  for (const char* leg : {"Leg a: the first peer", "Leg b: the second peer"}) {
    help.insert(help.end(),
                {leg, "Interface that reaches this peer", "The SBC's address and RTP port here",
                 "The peer's address and port from its SDP; 0.0.0.0:0 when not known",
                 "Peer is behind NAT: latch onto the first source that sends",
                 "RTCP shares the RTP port"});
  }
  help.insert(help.end(), {"Let a latched leg move to a new source after silence",
                           "Milliseconds of silence"});
  return help;
}

MediaSessionSpec sessionSpecFrom(const CommandArgs& args) {
  MediaSessionSpec spec;
  spec.id = static_cast<uint32_t>(*args.number("id"));
  const char* suffixes[2] = {"A", "B"};
  for (int leg = 0; leg < 2; ++leg) {
    const std::string s = suffixes[leg];
    auto& l = spec.legs[leg];
    l.interfaceName = std::string(args.get("iface" + s));
    l.local = *args.socketAddress("local" + s);
    l.remote = *args.socketAddress("remote" + s);
    l.latchAnySource = args.has("latch" + s);
    l.rtcpMux = args.has("mux" + s);
  }
  if (args.has("relatchMs")) spec.relatchSilenceMs = static_cast<uint32_t>(*args.number("relatchMs"));
  return spec;
}

void showSession(Dataplane& dataplane, const CommandArgs& args, CommandOutput& out) {
  const uint64_t id = *args.number("id");
  auto session = dataplane.session(static_cast<uint32_t>(id));
  if (!session) {
    out.error = "no session " + std::to_string(id);
    return;
  }
  out.text = args.has("json") ? sessionJson(*session) : sessionText(*session);
}

void addShowCommands(CommandTable& table, Dataplane& dataplane) {
  table.addOrDie({"show sessions [(1-4294967295)$id] [json]",
                  {kShowHelp, "Media sessions, one line per leg", kSessionIdHelp, kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    if (args.has("id")) return showSession(dataplane, args, out);
                    out.text = args.has("json") ? sessionsJson(dataplane.sessions())
                                                : sessionsText(dataplane.sessions());
                  }});
  table.addOrDie({"show session (1-4294967295)$id [json]",
                  {kShowHelp, "One media session in detail", kSessionIdHelp, kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    showSession(dataplane, args, out);
                  }});
  table.addOrDie({"show drops [all] [json]",
                  {kShowHelp, "Dropped packets by reason, and the packet totals",
                   "List every reason, also those at zero", kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    const bool all = args.has("all");
                    out.text = args.has("json") ? dropsJson(dataplane.totals(), all)
                                                : dropsText(dataplane.totals(), all);
                  }});
  table.addOrDie({"show interfaces [json]",
                  {kShowHelp, "Interfaces, their addresses and counters", kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    out.text = args.has("json") ? interfacesJson(dataplane.interfaces())
                                                : interfacesText(dataplane.interfaces());
                  }});
  table.addOrDie({"show neighbors [json]",
                  {kShowHelp, "Next hops learned by ARP and neighbour discovery", kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    out.text = args.has("json") ? neighborsJson(dataplane.neighbors())
                                                : neighborsText(dataplane.neighbors());
                  }});
  table.addOrDie({"show workers [json]",
                  {kShowHelp, "Worker lcores: how busy each is and what it moved", kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    out.text = args.has("json") ? workersJson(dataplane.workers())
                                                : workersText(dataplane.workers());
                  }});
}

void addMediaSessionCommands(CommandTable& table, Dataplane& dataplane) {
  table.addOrDie({std::string("media session add ") + kSessionSpecPattern,
                  sessionSpecHelp("Create a session"),
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    out.error = dataplane.createSession(sessionSpecFrom(args)).error;
                  }});
  table.addOrDie({std::string("media session update ") + kSessionSpecPattern,
                  sessionSpecHelp("Change a session's peers and options"),
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    out.error = dataplane.updateSession(sessionSpecFrom(args)).error;
                  }});
  table.addOrDie({"media session del (1-4294967295)$id",
                  {kMediaHelp, kSessionHelp, "Delete a session", kSessionIdHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    out.error =
                        dataplane.deleteSession(static_cast<uint32_t>(*args.number("id"))).error;
                  }});
}

}  // namespace

void addDataplaneCommands(CommandTable& table, Dataplane& dataplane) {
  addShowCommands(table, dataplane);
  addMediaSessionCommands(table, dataplane);
}

}  // namespace sbc::control
