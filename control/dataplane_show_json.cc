#include "control/common/json_writer.h"
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

void peerField(JsonWriter& json, std::string_view key, const SocketAddress& address) {
  json.key(key);
  if (isKnownPeer(address)) json.value(address.toString());
  else json.null();
}

// RTP counts the packets lost on the way in (from its sequence numbers); RTCP has none to count.
void countersObject(JsonWriter& json, std::string_view key, const dataplane::FlowCounters& c,
                    bool withLost) {
  json.key(key).beginObject();
  json.field("packets", c.packets).field("bytes", c.bytes).field("source_drops", c.sourceDrops);
  if (withLost) json.field("lost", c.lost);
  json.endObject();
}

void legObject(JsonWriter& json, char name, const MediaLegSpec& spec, const LegView& leg) {
  json.beginObject();
  json.field("leg", std::string(1, name));
  json.field("interface", spec.interfaceName);
  json.field("local", spec.local.toString());
  peerField(json, "remote", spec.remote);
  json.field("latch_any", spec.latchAnySource).field("rtcp_mux", spec.rtcpMux);
  json.field("latched", leg.latched);
  peerField(json, "latched_peer", leg.latched ? leg.latchedPeer : SocketAddress{});
  peerField(json, "sending_to", leg.sendingTo);
  countersObject(json, "rtp", leg.rtp, true);
  countersObject(json, "rtcp", leg.rtcp, false);
  json.endObject();
}

void sessionObject(JsonWriter& json, const SessionView& session) {
  json.beginObject();
  json.field("id", session.spec.id);
  json.field("age_ms", session.ageMs).field("idle_ms", session.idleMs);
  json.field("relatch_after_ms", session.spec.relatchSilenceMs);
  json.key("legs").beginArray();
  legObject(json, 'a', session.spec.legs[0], session.legs[0]);
  legObject(json, 'b', session.spec.legs[1], session.legs[1]);
  json.endArray();
  json.endObject();
}

void interfaceObject(JsonWriter& json, const InterfaceView& i) {
  json.beginObject();
  json.field("name", i.name).field("realm", i.realm).field("device", i.device);
  json.field("port_id", i.portId).field("link_up", i.linkUp);
  json.field("mac", dataplane::formatMac(i.mac)).field("vlan", i.vlan);
  json.key("addresses").beginArray();
  for (const auto& prefix : i.addresses) json.value(prefix.toString());
  json.endArray();
  json.key("tap");
  if (i.tapName.empty()) json.null();
  else json.value(i.tapName);
  json.field("rx_packets", i.rxPackets).field("rx_bytes", i.rxBytes);
  json.field("tx_packets", i.txPackets).field("tx_bytes", i.txBytes);
  json.field("to_kernel", i.toKernel).field("from_kernel", i.fromKernel);
  json.field("fragments_to_kernel", i.fragmentsToKernel).field("split_for_kernel", i.splitForKernel);
  json.endObject();
}

std::string finish(const JsonWriter& json) { return json.text() + "\n"; }

}  // namespace

std::string interfacesJson(const std::vector<InterfaceView>& interfaces) {
  JsonWriter json;
  json.beginObject().key("interfaces").beginArray();
  for (const auto& i : interfaces) interfaceObject(json, i);
  json.endArray().endObject();
  return finish(json);
}

std::string dropsJson(const DataplaneTotals& totals, bool allReasons) {
  JsonWriter json;
  json.beginObject().key("drops").beginObject();
  for (unsigned r = 0; r < kDropReasonCount; ++r)
    if (allReasons || totals.drops[r] != 0) json.field(kDropReasonInfo[r].name, totals.drops[r]);
  json.endObject();
  json.field("dropped", totalDrops(totals));
  json.field("media_packets", totals.mediaPackets).field("rtcp_packets", totals.rtcpPackets);
  json.field("exception_packets", totals.exceptionPackets);
  json.field("latches", totals.latches).field("relatches", totals.relatches);
  json.field("neighbor_updates", totals.neighborUpdates);
  json.field("sessions", totals.sessions).field("flows_in_use", totals.flowsInUse);
  json.field("flow_capacity", totals.flowCapacity);
  json.endObject();
  return finish(json);
}

std::string sessionsJson(std::vector<SessionView> sessions) {
  sortSessions(sessions);
  JsonWriter json;
  json.beginObject().key("sessions").beginArray();
  for (const auto& session : sessions) sessionObject(json, session);
  json.endArray().endObject();
  return finish(json);
}

std::string sessionJson(const SessionView& session) {
  JsonWriter json;
  sessionObject(json, session);
  return finish(json);
}

std::string neighborsJson(std::vector<NeighborView> neighbors) {
  sortNeighbors(neighbors);
  JsonWriter json;
  json.beginObject().key("neighbors").beginArray();
  for (const auto& n : neighbors) {
    json.beginObject();
    json.field("interface", n.interfaceName).field("address", n.address.toString());
    json.field("resolved", n.resolved);
    json.key("mac");
    if (n.resolved) json.value(dataplane::formatMac(n.mac));
    else json.null();
    json.field("updates", n.updates);
    json.endObject();
  }
  json.endArray().endObject();
  return finish(json);
}

std::string workersJson(const std::vector<dataplane::WorkerView>& workers) {
  JsonWriter json;
  json.beginObject().key("workers").beginArray();
  for (const auto& w : workers) {
    json.beginObject();
    json.field("worker", uint64_t{w.index}).field("lcore", uint64_t{w.lcore});
    json.field("polls", w.polls).field("busy_polls", w.busyPolls);
    json.field("rx_packets", w.rxPackets).field("media_packets", w.mediaPackets);
    json.field("exception_packets", w.exceptionPackets).field("drops", w.drops).field("fast_path", w.fastPath);
    json.endObject();
  }
  json.endArray().endObject();
  return finish(json);
}

}  // namespace sbc::control
