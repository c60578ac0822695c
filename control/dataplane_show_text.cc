#include <algorithm>

#include "control/common/text_table.h"
#include "control/dataplane_show.h"

namespace sbc::control {

namespace {

using dataplane::DataplaneTotals;
using dataplane::InterfaceView;
using dataplane::kDropReasonCount;
using dataplane::kDropReasonInfo;
using dataplane::LegView;
using dataplane::MediaLegSpec;
using dataplane::NeighborView;
using dataplane::SessionView;
using dataplane::SocketAddress;
using Align = TextTable::Align;

std::string peerText(const SocketAddress& address) {
  return isKnownPeer(address) ? address.toString() : "unknown";
}

std::string yesNo(bool flag) { return flag ? "yes" : "no"; }

void appendInterface(const InterfaceView& i, std::string& out) {
  out += i.name + ": realm " + i.realm + ", port " + std::to_string(i.portId) + ", link " +
         (i.linkUp ? "up" : "down") + "\n";
  out += "  device " + i.device + "\n";
  out += "  mac " + dataplane::formatMac(i.mac) + ", " +
         (i.vlan == 0 ? std::string("untagged") : "vlan " + std::to_string(i.vlan)) + "\n";
  for (const auto& prefix : i.addresses) out += "  address " + prefix.toString() + "\n";
  out += i.tapName.empty() ? std::string("  exception path off\n")
                           : "  exception path tap " + i.tapName + "\n";
  out += "  rx " + std::to_string(i.rxPackets) + " packets, " + std::to_string(i.rxBytes) +
         " bytes; tx " + std::to_string(i.txPackets) + " packets, " + std::to_string(i.txBytes) +
         " bytes\n";
  out += "  to kernel " + std::to_string(i.toKernel) + " packets, from kernel " +
         std::to_string(i.fromKernel) + " packets\n";
  out += "  fragments to kernel " + std::to_string(i.fragmentsToKernel) +
         ", datagrams cut to the TAP's MTU " + std::to_string(i.splitForKernel) + "\n";
}

// Where the leg's peer is, as the session table shows it, and how the SBC knows.
std::pair<std::string, std::string> legPeerAndState(const MediaLegSpec& spec,
                                                    const LegView& leg) {
  if (leg.latched) return {peerText(leg.latchedPeer), "latched"};
  if (isKnownPeer(spec.remote)) return {spec.remote.toString(), "expected"};
  return {"unknown", "waiting"};
}

void appendLegDetail(char name, const MediaLegSpec& spec, const LegView& leg, std::string& out) {
  out += std::string("  leg ") + name + "\n";
  out += "    interface " + spec.interfaceName + ", local " + spec.local.toString() +
         ", remote " + peerText(spec.remote) + "\n";
  out += "    latch-any " + yesNo(spec.latchAnySource) + ", rtcp-mux " + yesNo(spec.rtcpMux) +
         "\n";
  out += leg.latched ? "    latched yes, peer " + peerText(leg.latchedPeer) + "\n"
                     : std::string("    latched no\n");
  out += "    sending to " + peerText(leg.sendingTo) + "\n";
  auto counters = [&](const char* what, const dataplane::FlowCounters& c, bool withLost) {
    out += std::string("    ") + what + " " + std::to_string(c.packets) + " packets, " +
           std::to_string(c.bytes) + " bytes, " + std::to_string(c.sourceDrops) + " source drops" +
           (withLost ? ", " + std::to_string(c.lost) + " lost" : std::string()) + "\n";
  };
  counters("rtp", leg.rtp, true);  // RTCP has no sequence numbers to count loss by
  counters("rtcp", leg.rtcp, false);
}

}  // namespace

std::string interfacesText(const std::vector<InterfaceView>& interfaces) {
  std::string out;
  for (size_t k = 0; k < interfaces.size(); ++k) {
    if (k > 0) out += "\n";
    appendInterface(interfaces[k], out);
  }
  if (interfaces.empty()) out = "no interfaces\n";
  return out;
}

std::string dropsText(const DataplaneTotals& totals, bool allReasons) {
  TextTable drops({{"Reason"}, {"Packets", Align::kRight}, {"Meaning"}});
  for (unsigned r = 0; r < kDropReasonCount; ++r)
    if (allReasons || totals.drops[r] != 0)
      drops.addRow({std::string(kDropReasonInfo[r].name), std::to_string(totals.drops[r]),
                    std::string(kDropReasonInfo[r].help)});
  drops.addRow({"total", std::to_string(totalDrops(totals))});

  TextTable counters({{"Counter"}, {"Value", Align::kRight}});
  counters.addRow({"media-packets", std::to_string(totals.mediaPackets)});
  counters.addRow({"rtcp-packets", std::to_string(totals.rtcpPackets)});
  counters.addRow({"exception-packets", std::to_string(totals.exceptionPackets)});
  counters.addRow({"latches", std::to_string(totals.latches)});
  counters.addRow({"relatches", std::to_string(totals.relatches)});
  counters.addRow({"neighbor-updates", std::to_string(totals.neighborUpdates)});
  counters.addRow({"sessions", std::to_string(totals.sessions)});
  counters.addRow({"flows-in-use", std::to_string(totals.flowsInUse)});
  counters.addRow({"flow-capacity", std::to_string(totals.flowCapacity)});
  return drops.render() + "\n" + counters.render();
}

std::string sessionsText(std::vector<SessionView> sessions) {
  sortSessions(sessions);
  TextTable table({{"ID", Align::kRight},
                   {"Leg"},
                   {"Interface"},
                   {"Local"},
                   {"Peer"},
                   {"State"},
                   {"Packets", Align::kRight},
                   {"Lost", Align::kRight},
                   {"Bytes", Align::kRight},
                   {"Idle ms", Align::kRight}});
  for (const auto& session : sessions) {
    for (int leg = 0; leg < 2; ++leg) {
      const MediaLegSpec& spec = session.spec.legs[leg];
      const LegView& view = session.legs[leg];
      auto [peer, state] = legPeerAndState(spec, view);
      table.addRow({leg == 0 ? std::to_string(session.spec.id) : "", leg == 0 ? "a" : "b",
                    spec.interfaceName, spec.local.toString(), peer, state,
                    std::to_string(view.rtp.packets), std::to_string(view.rtp.lost),
                    std::to_string(view.rtp.bytes),
                    leg == 0 ? std::to_string(session.idleMs) : ""});
    }
  }
  const size_t count = sessions.size();
  return table.render() + std::to_string(count) + (count == 1 ? " session\n" : " sessions\n");
}

std::string sessionText(const SessionView& session) {
  std::string out = "session " + std::to_string(session.spec.id) + "\n";
  out += "  age " + std::to_string(session.ageMs) + " ms, idle " +
         std::to_string(session.idleMs) + " ms, relatch " +
         (session.spec.relatchSilenceMs == 0
              ? std::string("never")
              : "after " + std::to_string(session.spec.relatchSilenceMs) + " ms of silence") +
         "\n";
  appendLegDetail('a', session.spec.legs[0], session.legs[0], out);
  appendLegDetail('b', session.spec.legs[1], session.legs[1], out);
  return out;
}

std::string neighborsText(std::vector<NeighborView> neighbors) {
  sortNeighbors(neighbors);
  TextTable table({{"Interface"}, {"Address"}, {"State"}, {"MAC"}, {"Updates", Align::kRight}});
  for (const auto& n : neighbors)
    table.addRow({n.interfaceName, n.address.toString(), n.resolved ? "resolved" : "incomplete",
                  n.resolved ? dataplane::formatMac(n.mac) : "-", std::to_string(n.updates)});
  return table.render();
}

std::string workersText(const std::vector<dataplane::WorkerView>& workers) {
  TextTable table({{"Worker", Align::kRight}, {"Lcore", Align::kRight}, {"Busy %", Align::kRight},
                   {"Rx", Align::kRight}, {"Media", Align::kRight}, {"Exception", Align::kRight},
                   {"Drops", Align::kRight}, {"Fast path"}});
  for (const auto& w : workers)
    table.addRow({std::to_string(w.index), std::to_string(w.lcore), busyPercent(w),
                  std::to_string(w.rxPackets), std::to_string(w.mediaPackets),
                  std::to_string(w.exceptionPackets), std::to_string(w.drops), w.fastPath});
  return table.render();
}

}  // namespace sbc::control
