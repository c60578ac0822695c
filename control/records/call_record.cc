#include "control/records/call_record.h"

#include <cerrno>
#include <cstring>

#include "control/common/json_writer.h"
#include "control/common/utc_time.h"

namespace sbc::control {

namespace {

// null for 0: the call never got there.
void timeField(JsonWriter& json, std::string_view name, Millis epochMs) {
  json.key(name);
  if (epochMs <= 0) json.null();
  else json.value(utcTimeText(epochMs));
}

void legFields(JsonWriter& json, const Call& call, LegSide side, std::string_view name) {
  const LegMedia& media = call.media[index(side)];
  json.key(name).beginObject();
  json.field("codecs", media.codecs);
  json.field("packets_in", media.packetsIn);
  json.key("lost_in");
  if (media.lostIn) json.value(*media.lostIn);
  else json.null();
  json.endObject();
}

}  // namespace

std::string callRecordJson(const Call& call) {
  JsonWriter json;
  json.beginObject();
  json.field("call_id", call.legs[0].callId);
  json.field("call_id_b", call.legs[1].callId);
  json.field("trunk", call.trunk);
  json.field("type", callTypeName(call.type));
  json.field("call_type", static_cast<int>(call.type));
  json.field("ani", call.ani);
  json.field("dnis", call.dnis);
  timeField(json, "start", call.startMs);
  timeField(json, "answer", call.answerMs);
  timeField(json, "end", call.endMs);
  json.field("duration_ms", call.answerMs > 0 ? call.endMs - call.answerMs : Millis{0});
  json.field("end_cause", call.endCause);
  json.field("final_status", call.finalStatus);
  legFields(json, call, LegSide::kA, "leg_a");
  legFields(json, call, LegSide::kB, "leg_b");
  json.endObject();
  return json.text();
}

CallRecordWriter::CallRecordWriter(const std::string& path) : path_(path) {
  if (path.empty()) return;
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) error_ = "cannot open " + path + ": " + std::strerror(errno);
}

CallRecordWriter::~CallRecordWriter() {
  if (file_) std::fclose(file_);
}

void CallRecordWriter::write(const Call& call) {
  if (!file_) {
    if (!path_.empty()) ++failed_;
    return;
  }
  const std::string line = callRecordJson(call) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    ++failed_;
    return;
  }
  ++written_;
}

}  // namespace sbc::control
