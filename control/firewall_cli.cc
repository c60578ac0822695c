#include "control/firewall_cli.h"

#include "control/cli/shared_help.h"
#include "control/common/json_writer.h"
#include "control/common/text_table.h"
#include "control/common/utc_time.h"
#include "control/config/config_render.h"

namespace sbc::control {

namespace {

using dataplane::AclDirection;
using dataplane::AclListCounters;
using dataplane::AclRuleCounters;
using dataplane::FirewallConfig;
using dataplane::FirewallView;


const AclRuleCounters* countersOf(const FirewallView& view, const std::string& list,
                                  uint32_t sequence) {
  for (const AclListCounters& l : view.lists)
    if (l.name == list)
      for (const AclRuleCounters& r : l.rules)
        if (r.sequence == sequence) return &r;
  return nullptr;
}

std::string bindingsOf(const FirewallConfig& running, const std::string& list) {
  std::string text;
  for (const auto& b : running.bindings)
    if (b.list == list)
      text += (text.empty() ? "" : ", ") + b.realm +
              (b.direction == AclDirection::kIn ? " in" : " out");
  return text;
}

bool selected(const std::string& list, const std::string& name) {
  return name.empty() || list == name;
}

}  // namespace

std::string aclText(const FirewallConfig& running, const FirewallView& view,
                    const std::string& name, bool counters) {
  std::string out;
  for (const auto& list : running.lists) {
    if (!selected(list.name, name)) continue;
    const std::string bound = bindingsOf(running, list.name);
    out += "acl " + list.name + (bound.empty() ? " (not bound)" : " (bound: " + bound + ")") + "\n";
    if (!counters) {
      for (const auto& rule : list.rules) out += " " + renderAclRule(rule) + "\n";
      continue;
    }
    TextTable table({{"rule", TextTable::Align::kLeft},
                     {"packets", TextTable::Align::kRight},
                     {"bytes", TextTable::Align::kRight},
                     {"over-rate", TextTable::Align::kRight}});
    for (const auto& rule : list.rules) {
      const AclRuleCounters* c = countersOf(view, list.name, rule.sequence);
      table.addRow({renderAclRule(rule), std::to_string(c ? c->packets : 0),
                    std::to_string(c ? c->bytes : 0), std::to_string(c ? c->rateDrops : 0)});
    }
    out += table.render();
  }
  if (!name.empty() && out.empty()) return {};
  if (counters) {
    for (const auto& [realm, packets] : view.defaultDenied)
      out += "denied by default in " + realm + ": " + std::to_string(packets) + "\n";
    out += "admitted by trunk pinholes: " + std::to_string(view.pinholePackets) + "\n";
    out += "rules installed: " + std::to_string(view.rulesInstalled) +
           ", commits: " + std::to_string(view.commits) + "\n";
  }
  return out;
}

std::string aclJson(const FirewallConfig& running, const FirewallView& view,
                    const std::string& name, bool counters) {
  JsonWriter json;
  json.beginObject().key("acls").beginArray();
  for (const auto& list : running.lists) {
    if (!selected(list.name, name)) continue;
    json.beginObject().field("name", list.name).key("bindings").beginArray();
    for (const auto& b : running.bindings)
      if (b.list == list.name)
        json.beginObject()
            .field("realm", b.realm)
            .field("direction", b.direction == AclDirection::kIn ? "in" : "out")
            .endObject();
    json.endArray().key("rules").beginArray();
    for (const auto& rule : list.rules) {
      json.beginObject().field("sequence", rule.sequence).field("line", renderAclRule(rule));
      if (counters) {
        const AclRuleCounters* c = countersOf(view, list.name, rule.sequence);
        json.field("packets", c ? c->packets : 0)
            .field("bytes", c ? c->bytes : 0)
            .field("rate_drops", c ? c->rateDrops : 0);
      }
      json.endObject();
    }
    json.endArray().endObject();
  }
  json.endArray();
  if (counters) {
    json.key("default_denied").beginObject();
    for (const auto& [realm, packets] : view.defaultDenied) json.field(realm, packets);
    json.endObject()
        .field("pinhole_packets", view.pinholePackets)
        .field("rules_installed", view.rulesInstalled)
        .field("commits", view.commits);
  }
  json.endObject();
  return json.text() + "\n";
}

std::string blockedText(const std::vector<dataplane::BlockedSourceView>& blocked) {
  if (blocked.empty()) return "no source is blocked\n";
  TextTable table({{"source", TextTable::Align::kLeft},
                   {"realm", TextTable::Align::kLeft},
                   {"until", TextTable::Align::kLeft},
                   {"dropped", TextTable::Align::kRight},
                   {"reason", TextTable::Align::kLeft}});
  for (const auto& b : blocked)
    table.addRow({b.source.toString(), b.realm, utcTimeText(static_cast<std::int64_t>(b.untilMs)),
                  std::to_string(b.droppedPackets), b.reason});
  return table.render();
}

std::string blockedJson(const std::vector<dataplane::BlockedSourceView>& blocked) {
  JsonWriter json;
  json.beginObject().key("blocked").beginArray();
  for (const auto& b : blocked)
    json.beginObject()
        .field("source", b.source.toString())
        .field("realm", b.realm)
        .field("reason", b.reason)
        .field("blocked_at_ms", b.blockedAtMs)
        .field("until_ms", b.untilMs)
        .field("until", utcTimeText(static_cast<std::int64_t>(b.untilMs)))
        .field("dropped_packets", b.droppedPackets)
        .endObject();
  json.endArray().endObject();
  return json.text() + "\n";
}

std::string aclLogText(const std::vector<dataplane::AclLogEntry>& lines, uint64_t lost) {
  std::string out;
  if (lines.empty()) out = "no access-list log lines (rules log only with 'log')\n";
  for (const auto& line : lines) out += utcTimeText(static_cast<std::int64_t>(line.unixMs)) + " " + line.toString() + "\n";
  if (lost != 0) out += "lines lost (log ring full): " + std::to_string(lost) + "\n";
  return out;
}

std::string aclLogJson(const std::vector<dataplane::AclLogEntry>& lines, uint64_t lost) {
  JsonWriter json;
  json.beginObject().key("lines").beginArray();
  for (const auto& line : lines)
    json.beginObject()
        .field("time_ms", line.unixMs)
        .field("time", utcTimeText(static_cast<std::int64_t>(line.unixMs)))
        .field("acl", line.list)
        .field("sequence", line.sequence)
        .field("action", line.action == dataplane::AclAction::kPermit ? "permit" : "deny")
        .field("protocol", line.protocol)
        .field("source", line.source.ip.toString())
        .field("source_port", line.source.port)
        .field("destination", line.destination.ip.toString())
        .field("destination_port", line.destination.port)
        .field("packets", line.packets)
        .field("worker", line.worker)
        .field("text", line.toString())
        .endObject();
  json.endArray().field("lost", lost).endObject();
  return json.text() + "\n";
}

std::string captureText(const dataplane::CaptureView& capture) {
  if (!capture.running && capture.spec.file.empty()) return "no capture\n";
  const auto& spec = capture.spec;
  std::string out = std::string("capture ") + (capture.running ? "running" : "stopped") +
                    " into " + spec.file + "\n";
  out += " filter: interface " + (spec.interface.empty() ? std::string("any") : spec.interface) +
         ", host " + (spec.address ? spec.address->toString() : std::string("any")) + ", port " +
         (spec.port ? std::to_string(spec.port) : std::string("any")) + ", at most " +
         std::to_string(spec.maxPackets) + " packets\n";
  out += " captured " + std::to_string(capture.captured) + ", dropped " +
         std::to_string(capture.dropped) + "\n";
  return out;
}

std::string captureJson(const dataplane::CaptureView& capture) {
  const auto& spec = capture.spec;
  JsonWriter json;
  json.beginObject()
      .field("running", capture.running)
      .field("file", spec.file)
      .field("interface", spec.interface)
      .field("host", spec.address ? spec.address->toString() : std::string())
      .field("port", spec.port)
      .field("max_packets", spec.maxPackets)
      .field("captured", capture.captured)
      .field("dropped", capture.dropped)
      .endObject();
  return json.text() + "\n";
}

void addFirewallCommands(CommandTable& table, dataplane::Dataplane& dataplane,
                         const FirewallConfig& running) {
  table.addOrDie({"show acl [NAME] [counters] [json]",
                  {kShowHelp, "Access lists of the running configuration", "One list by name",
                   "With each rule's hit counters", kJsonHelp},
                  [&dataplane, &running](const CommandArgs& args, CommandOutput& out) {
                    const std::string name(args.get("NAME"));
                    if (!name.empty() && !running.findList(name)) {
                      out.error = "'" + name + "': no acl of that name";
                      return;
                    }
                    const bool counters = args.has("counters");
                    const FirewallView view = counters ? dataplane.firewall() : FirewallView{};
                    out.text = args.has("json") ? aclJson(running, view, name, counters)
                                                : aclText(running, view, name, counters);
                  }});
  table.addOrDie({"show acl log [json]",
                  {kShowHelp, "Access lists of the running configuration",
                   "The last lines written by rules with 'log' (oldest first)", kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    const auto lines = dataplane.aclLog();
                    const uint64_t lost = dataplane.firewall().logLinesLost;
                    out.text = args.has("json") ? aclLogJson(lines, lost) : aclLogText(lines, lost);
                  }});
  table.addOrDie({"show blocked [json]",
                  {kShowHelp, "Sources the SIP flood guard blocks, why and until when", kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    const auto blocked = dataplane.blockedSources();
                    out.text = args.has("json") ? blockedJson(blocked) : blockedText(blocked);
                  }});
  table.addOrDie({"clear counters",
                  {"Reset counters", "The firewall's hit counters"},
                  [&dataplane](const CommandArgs&, CommandOutput& out) {
                    dataplane.clearFirewallCounters();
                    out.text = "firewall counters cleared\n";
                  }});
  table.addOrDie(
      {"monitor capture start FILE [interface IFACE] [host <A.B.C.D$hostAddr|X:X::X:X$hostAddr|"
       "A.B.C.D/M$prefix|X:X::X:X/M$prefix>] [port (1-65535)] [count (1-100000000)]",
       {"Watch traffic", "Copy packets of the fast path into a pcap file", "Start a capture",
        "The pcap file to write", "Only packets of one interface", "Interface name",
        "Only packets from or to an address or prefix", "IPv4 address", "IPv6 address",
        "IPv4 prefix", "IPv6 prefix", "Only packets from or to a UDP/TCP port", "Port",
        "Stop after this many packets (default 100000)", "Packets"},
       [&dataplane](const CommandArgs& args, CommandOutput& out) {
         dataplane::CaptureSpec spec;
         spec.file = std::string(args.get("FILE"));
         spec.interface = std::string(args.get("IFACE"));
         if (args.has("hostAddr")) {
           const auto address = *args.ipAddress("hostAddr");
           spec.address = dataplane::IpPrefix{address, static_cast<uint8_t>(address.isV4() ? 32 : 128)};
         } else if (args.has("prefix")) {
           spec.address = *args.prefix("prefix");
         }
         if (args.has("(1-65535)")) spec.port = static_cast<uint16_t>(*args.number("(1-65535)"));
         if (args.has("(1-100000000)")) spec.maxPackets = *args.number("(1-100000000)");
         const dataplane::Status started = dataplane.startCapture(spec);
         if (!started.ok()) out.error = started.error;
         else out.text = "capturing into " + spec.file + "\n";
       }});
  table.addOrDie({"monitor capture stop",
                  {"Watch traffic", "Copy packets of the fast path into a pcap file",
                   "Stop the capture and close its file"},
                  [&dataplane](const CommandArgs&, CommandOutput& out) {
                    const dataplane::Status stopped = dataplane.stopCapture();
                    if (!stopped.ok()) {
                      out.error = stopped.error;
                      return;
                    }
                    const auto view = dataplane.capture();
                    out.text = "capture stopped: " + std::to_string(view.captured) +
                               " packets in " + view.spec.file + "\n";
                  }});
  table.addOrDie({"show capture [json]",
                  {kShowHelp, "The packet capture: filter, file, packets", kJsonHelp},
                  [&dataplane](const CommandArgs& args, CommandOutput& out) {
                    const auto view = dataplane.capture();
                    out.text = args.has("json") ? captureJson(view) : captureText(view);
                  }});
}

}  // namespace sbc::control
