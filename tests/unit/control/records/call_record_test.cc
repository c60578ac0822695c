// The call record (control/records/call_record.cc): one JSON line per ended call, exactly as the
// contact center's CDR importer reads it; loss each way is a number once media was anchored and
// null when it never was.

#include "control/records/call_record.h"

#include <gtest/gtest.h>

namespace sbc::control {
namespace {

Call answeredCall() {
  Call call;
  call.type = CallType::kInbound;
  call.trunk = "carrier1";
  call.ani = "+15551230001";
  call.dnis = "8005551234";
  call.legs[0].callId = "a@carrier";
  call.legs[1].callId = "b@sbc";
  call.startMs = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z
  call.answerMs = call.startMs + 2'500;
  call.endMs = call.answerMs + 61'042;
  call.endCause = "hangup-caller";
  call.finalStatus = 200;
  call.media[0].codecs = "PCMA,telephone-event";
  call.media[1].codecs = "PCMA,telephone-event";
  return call;
}

TEST(CallRecordTest, LossEachWayIsANumberOnceMediaWasAnchored) {
  Call call = answeredCall();
  call.media[0].packetsIn = 3050;
  call.media[0].lostIn = 7;
  call.media[1].packetsIn = 3052;
  call.media[1].lostIn = 0;  // a clean direction is 0, not null
  EXPECT_EQ(callRecordJson(call),
            R"({"call_id":"a@carrier","call_id_b":"b@sbc","trunk":"carrier1","type":"inbound",)"
            R"("call_type":2,"ani":"+15551230001","dnis":"8005551234",)"
            R"("start":"2023-11-14T22:13:20.000Z","answer":"2023-11-14T22:13:22.500Z",)"
            R"("end":"2023-11-14T22:14:23.542Z","duration_ms":61042,"end_cause":"hangup-caller",)"
            R"("final_status":200,)"
            R"("leg_a":{"codecs":"PCMA,telephone-event","packets_in":3050,"lost_in":7},)"
            R"("leg_b":{"codecs":"PCMA,telephone-event","packets_in":3052,"lost_in":0}})");
}

TEST(CallRecordTest, LossIsNullWhenNoMediaWasAnchored) {
  Call call = answeredCall();
  call.answerMs = 0;
  call.endCause = "busy";
  call.finalStatus = 486;
  call.media[0].codecs.clear();
  call.media[1].codecs.clear();
  const std::string json = callRecordJson(call);
  EXPECT_NE(json.find(R"("answer":null,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("leg_a":{"codecs":"","packets_in":0,"lost_in":null},)"
                      R"("leg_b":{"codecs":"","packets_in":0,"lost_in":null}})"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace sbc::control
