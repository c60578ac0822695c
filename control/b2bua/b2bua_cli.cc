#include "control/b2bua/b2bua_cli.h"

#include <algorithm>

#include "control/b2bua/sip_builders.h"
#include "control/cli/shared_help.h"
#include "control/common/json_writer.h"
#include "control/common/text_table.h"

namespace sbc::control {

namespace {


std::vector<const Call*> sortedCalls(const B2bua& b2bua) {
  std::vector<const Call*> calls;
  for (const auto& [id, call] : b2bua.calls()) calls.push_back(call.get());
  std::sort(calls.begin(), calls.end(), [](const Call* a, const Call* b) { return a->id < b->id; });
  return calls;
}

std::string seconds(Millis ms) { return std::to_string(ms / 1000); }

}  // namespace

std::string callsText(const B2bua& b2bua, Millis nowWallMs) {
  TextTable table({{"ID", TextTable::Align::kRight},
                   {"STATE"},
                   {"TYPE"},
                   {"TRUNK"},
                   {"ANI"},
                   {"DNIS"},
                   {"AGE(s)", TextTable::Align::kRight},
                   {"MEDIA", TextTable::Align::kRight},
                   {"CALL-ID"}});
  for (const Call* call : sortedCalls(b2bua))
    table.addRow({std::to_string(call->id), std::string(callStateName(call->state)),
                  std::string(callTypeName(call->type)), call->trunk.empty() ? "-" : call->trunk,
                  call->ani, call->dnis, seconds(nowWallMs - call->startMs),
                  call->mediaSessionId ? std::to_string(call->mediaSessionId) : "-",
                  call->legs[0].callId});
  return table.render() + std::to_string(b2bua.calls().size()) + " calls\n";
}

std::string callsJson(const B2bua& b2bua, Millis nowWallMs) {
  JsonWriter json;
  json.beginObject().key("calls").beginArray();
  for (const Call* call : sortedCalls(b2bua)) {
    json.beginObject();
    json.field("id", call->id);
    json.field("state", callStateName(call->state));
    json.field("type", callTypeName(call->type));
    json.field("call_type", static_cast<int>(call->type));
    json.field("trunk", call->trunk);
    json.field("ani", call->ani);
    json.field("dnis", call->dnis);
    json.field("age_ms", nowWallMs - call->startMs);
    json.field("media_session", call->mediaSessionId);
    json.field("call_id_a", call->legs[0].callId);
    json.field("call_id_b", call->legs[1].callId);
    json.field("peer_a", call->legs[0].peer.address.toString());
    json.field("peer_b", call->legs[1].peer.address.toString());
    json.endObject();
  }
  json.endArray().endObject();
  return json.text();
}

std::string sipText(const B2bua& b2bua) {
  const B2buaCounters& c = b2bua.counters();
  std::string out;
  out += "invites " + std::to_string(c.invites) + ", answered " + std::to_string(c.callsAnswered) +
         ", ended " + std::to_string(c.callsEnded) + ", up " + std::to_string(b2bua.calls().size()) +
         "\n";
  out += "rejected " + std::to_string(c.rejected) + " (unknown source " +
         std::to_string(c.rejectedUnknownSource) + ", limits " + std::to_string(c.rejectedLimits) +
         ", codecs " + std::to_string(c.rejectedCodecs) + ", challenged " +
         std::to_string(c.challenged) + ")\n";
  out += "failovers " + std::to_string(c.failovers) + " (late answers hung up " +
         std::to_string(c.abandonedAnswers) + "), media timeouts " +
         std::to_string(c.mediaTimeouts) + ", ring timeouts " + std::to_string(c.ringTimeouts) +
         ", stray requests " + std::to_string(c.strayRequests) +
         ", stray responses " + std::to_string(c.strayResponses) + ", merged requests " +
         std::to_string(c.mergedRequests) + "\n";
  const sip::TransactionCounters& t = b2bua.transactions().counters();
  out += "malformed requests " + std::to_string(t.malformedRequests) + ", malformed responses " +
         std::to_string(t.malformedResponses) + "\n";
  TextTable trunks({{"TRUNK"},
                    {"ACTIVE", TextTable::Align::kRight},
                    {"MAX-CALLS", TextTable::Align::kRight},
                    {"MAX-CPS", TextTable::Align::kRight},
                    {"ACCEPTED", TextTable::Align::kRight},
                    {"LIMITED", TextTable::Align::kRight}});
  for (const TrunkState& trunk : b2bua.trunks().trunks())
    trunks.addRow({trunk.config.name, std::to_string(trunk.activeCalls),
                   std::to_string(trunk.config.maxCalls), std::to_string(trunk.config.maxCps),
                   std::to_string(trunk.callsAccepted), std::to_string(trunk.callsRejectedLimit)});
  out += trunks.render();
  const VipMonitor& center = b2bua.contactCenter();
  TextTable hosts({{"CONTACT-CENTER"},
                   {"ADDRESS"},
                   {"STATE"},
                   {"PROBES", TextTable::Align::kRight},
                   {"ANSWERED", TextTable::Align::kRight}});
  auto row = [&](const char* role, const std::optional<ProbedAddress>& host) {
    if (!host) return;
    hosts.addRow({role, hostPortText(host->address), host->up ? "up" : "down",
                  std::to_string(host->probes), std::to_string(host->answered)});
  };
  row("vip", center.vip());
  row("backup", center.backup());
  out += hosts.render();
  if (const auto target = center.target())
    out += "new calls go to " + hostPortText(*target) + " over " +
           std::string(sipTransportName(center.transport())) + "\n";
  out += "health-check switches " + std::to_string(center.switches()) + ", VIP moved to another host " +
         std::to_string(center.moves()) + " times\n";
  return out;
}

std::string sipJson(const B2bua& b2bua) {
  const B2buaCounters& c = b2bua.counters();
  JsonWriter json;
  json.beginObject();
  json.field("invites", c.invites).field("answered", c.callsAnswered).field("ended", c.callsEnded);
  json.field("up", static_cast<std::uint64_t>(b2bua.calls().size()));
  json.field("rejected", c.rejected).field("rejected_unknown_source", c.rejectedUnknownSource);
  json.field("rejected_limits", c.rejectedLimits).field("rejected_codecs", c.rejectedCodecs);
  json.field("challenged", c.challenged);
  json.field("failovers", c.failovers).field("abandoned_answers", c.abandonedAnswers);
  json.field("media_timeouts", c.mediaTimeouts).field("ring_timeouts", c.ringTimeouts);
  json.field("stray_requests", c.strayRequests).field("stray_responses", c.strayResponses);
  json.field("merged_requests", c.mergedRequests);
  const sip::TransactionCounters& t = b2bua.transactions().counters();
  json.field("malformed_requests", t.malformedRequests);
  json.field("malformed_responses", t.malformedResponses);
  json.field("retransmissions_absorbed", t.requestRetransmissionsAbsorbed);
  json.key("trunks").beginArray();
  for (const TrunkState& trunk : b2bua.trunks().trunks()) {
    json.beginObject();
    json.field("name", trunk.config.name).field("active", trunk.activeCalls);
    json.field("max_calls", trunk.config.maxCalls).field("max_cps", trunk.config.maxCps);
    json.field("accepted", trunk.callsAccepted).field("limited", trunk.callsRejectedLimit);
    json.endObject();
  }
  json.endArray();
  const VipMonitor& center = b2bua.contactCenter();
  json.key("contact_center").beginObject();
  auto host = [&](const char* role, const std::optional<ProbedAddress>& probed) {
    json.key(role);
    if (!probed) {
      json.null();
      return;
    }
    json.beginObject();
    json.field("address", hostPortText(probed->address)).field("up", probed->up);
    json.field("probes", probed->probes).field("answered", probed->answered);
    json.endObject();
  };
  host("vip", center.vip());
  host("backup", center.backup());
  json.key("target");
  if (const auto target = center.target()) json.value(hostPortText(*target));
  else json.null();
  json.field("switches", center.switches()).field("moves", center.moves());
  json.field("transport", sipTransportName(center.transport()));
  json.endObject();
  json.endObject();
  return json.text();
}

void addB2buaCommands(CommandTable& table, const B2bua& b2bua) {
  table.addOrDie({"show calls [json]",
                  {kShowHelp, "Calls that are up or being set up", kJsonHelp},
                  [&b2bua](const CommandArgs& args, CommandOutput& out) {
                    out.text = args.has("json") ? callsJson(b2bua, b2bua.wallNow())
                                                : callsText(b2bua, b2bua.wallNow());
                  }});
  table.addOrDie({"show sip [json]",
                  {kShowHelp, "Signalling counters, trunks and the contact center's health",
                   kJsonHelp},
                  [&b2bua](const CommandArgs& args, CommandOutput& out) {
                    out.text = args.has("json") ? sipJson(b2bua) : sipText(b2bua);
                  }});
}

}  // namespace sbc::control
