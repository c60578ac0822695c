#include "control/dataplane_show.h"

#include <gtest/gtest.h>

#include "tests/unit/control/sample_views.h"

namespace sbc::control {
namespace {

using testing::sampleInterfaces;
using testing::sampleNeighbors;
using testing::sampleSessions;
using testing::sampleTotals;

TEST(DataplaneShowTest, InterfacesAsText) {
  EXPECT_EQ(interfacesText(sampleInterfaces()),
            "access0: realm access, port 0, link up\n"
            "  device net_af_packet0,iface=sbc-acc\n"
            "  mac 02:5b:c0:00:01:01, untagged\n"
            "  address 198.18.1.1/24\n"
            "  exception path tap sbc-access0\n"
            "  rx 10 packets, 1200 bytes; tx 8 packets, 960 bytes\n"
            "  to kernel 3 packets, from kernel 2 packets\n"
            "  fragments to kernel 2, datagrams cut to the TAP's MTU 1\n"
            "\n"
            "core0: realm core, port 1, link down\n"
            "  device net_af_packet1,iface=sbc-core\n"
            "  mac 02:5b:c0:00:02:01, vlan 200\n"
            "  address 198.18.2.1/24\n"
            "  address 2001:db8:2::1/64\n"
            "  exception path off\n"
            "  rx 0 packets, 0 bytes; tx 0 packets, 0 bytes\n"
            "  to kernel 0 packets, from kernel 0 packets\n"
            "  fragments to kernel 0, datagrams cut to the TAP's MTU 0\n");
  EXPECT_EQ(interfacesText({}), "no interfaces\n");
}

TEST(DataplaneShowTest, InterfacesAsJson) {
  EXPECT_EQ(interfacesJson(sampleInterfaces()),
            R"({"interfaces":[{"name":"access0","realm":"access",)"
            R"("device":"net_af_packet0,iface=sbc-acc","port_id":0,"link_up":true,)"
            R"("mac":"02:5b:c0:00:01:01","vlan":0,"addresses":["198.18.1.1/24"],)"
            R"("tap":"sbc-access0","rx_packets":10,"rx_bytes":1200,"tx_packets":8,)"
            R"("tx_bytes":960,"to_kernel":3,"from_kernel":2,"fragments_to_kernel":2,)"
            R"("split_for_kernel":1},)"
            R"({"name":"core0","realm":"core","device":"net_af_packet1,iface=sbc-core",)"
            R"("port_id":1,"link_up":false,"mac":"02:5b:c0:00:02:01","vlan":200,)"
            R"("addresses":["198.18.2.1/24","2001:db8:2::1/64"],"tap":null,"rx_packets":0,)"
            R"("rx_bytes":0,"tx_packets":0,"tx_bytes":0,"to_kernel":0,"from_kernel":0,)"
            R"("fragments_to_kernel":0,"split_for_kernel":0}]})"
            "\n");
}

TEST(DataplaneShowTest, DropsListOnlyReasonsThatCountedThenTheTotals) {
  EXPECT_EQ(dropsText(sampleTotals(), false),
            "Reason            Packets  Meaning\n"
            "media-no-session        3  UDP to a media port no session owns\n"
            "no-neighbor             1  next hop MAC not resolved yet\n"
            "total                   4\n"
            "\n"
            "Counter            Value\n"
            "media-packets        100\n"
            "rtcp-packets          10\n"
            "exception-packets      5\n"
            "latches                2\n"
            "relatches              0\n"
            "neighbor-updates       4\n"
            "sessions               2\n"
            "flows-in-use           8\n"
            "flow-capacity      65536\n");
  EXPECT_EQ(dropsJson(sampleTotals(), false),
            R"({"drops":{"media-no-session":3,"no-neighbor":1},"dropped":4,)"
            R"("media_packets":100,"rtcp_packets":10,"exception_packets":5,"latches":2,)"
            R"("relatches":0,"neighbor_updates":4,"sessions":2,"flows_in_use":8,)"
            R"("flow_capacity":65536})"
            "\n");
}

// The line of `text` that starts with `name` and a blank, with the run of blanks after the name
// squeezed to one: the column widths depend on the longest reason name.
std::string squeezedLine(const std::string& text, const std::string& name) {
  const size_t start = text.find("\n" + name + " ");
  if (start == std::string::npos) return "";
  const size_t end = text.find('\n', start + 1);
  std::string line = text.substr(start + 1, end - start - 1);
  const size_t first = name.size();
  const size_t last = line.find_first_not_of(' ', first);
  return line.replace(first, last - first, " ");
}

TEST(DataplaneShowTest, DropsAllListsEveryReason) {
  // The list of reasons grows with the dataplane, so this walks it instead of spelling it out.
  const std::string text = dropsText(sampleTotals(), true);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 1 + dataplane::kDropReasonCount + 1 + 1 + 10);
  for (const auto& info : dataplane::kDropReasonInfo)
    EXPECT_NE(text.find("\n" + std::string(info.name) + " "), std::string::npos) << info.name;
  EXPECT_EQ(squeezedLine(text, "truncated-frame"),
            "truncated-frame 0  frame shorter than its headers");
  EXPECT_EQ(squeezedLine(text, "media-no-session"),
            "media-no-session 3  UDP to a media port no session owns");
  const std::string json = dropsJson(sampleTotals(), true);
  EXPECT_TRUE(json.starts_with(R"({"drops":{"truncated-frame":0,"unknown-ethertype":0,)"));
  EXPECT_NE(json.find(R"("media-no-session":3,)"), std::string::npos);
  EXPECT_NE(json.find(R"(:0},"dropped":4,)"), std::string::npos);
}

TEST(DataplaneShowTest, SessionsTableSortsByIdWithOneLinePerLeg) {
  EXPECT_EQ(sessionsText(sampleSessions()),
            "ID  Leg  Interface  Local                  Peer                   State     "
            "Packets  Lost  Bytes  Idle ms\n"
            " 3  a    access0    198.18.1.1:20004       198.18.1.20:4002       expected  "
            "      0     0      0    59000\n"
            "    b    core0      [2001:db8:2::1]:20006  [2001:db8:2::10]:6000  expected  "
            "      0     0      0\n"
            " 7  a    access0    198.18.1.1:20000       198.18.1.10:4000       latched   "
            "     10     2   1720       20\n"
            "    b    core0      198.18.2.1:20002       198.18.2.10:5000       expected  "
            "     12     0   2064\n"
            "2 sessions\n");
  EXPECT_EQ(sessionsText({}),
            "ID  Leg  Interface  Local  Peer  State  Packets  Lost  Bytes  Idle ms\n"
            "0 sessions\n");
}

TEST(DataplaneShowTest, AnUnlatchedLegWithoutRemoteIsWaiting) {
  auto sessions = sampleSessions();
  sessions.resize(1);
  sessions[0].legs[0].latched = false;
  EXPECT_NE(sessionsText(sessions).find(" 7  a    access0    198.18.1.1:20000  unknown           "
                                        "waiting"),
            std::string::npos)
      << sessionsText(sessions);
}

TEST(DataplaneShowTest, SessionDetailShowsLatchStateAndCountersPerLeg) {
  EXPECT_EQ(sessionText(sampleSessions()[0]),
            "session 7\n"
            "  age 1500 ms, idle 20 ms, relatch never\n"
            "  leg a\n"
            "    interface access0, local 198.18.1.1:20000, remote unknown\n"
            "    latch-any yes, rtcp-mux no\n"
            "    latched yes, peer 198.18.1.10:4000\n"
            "    sending to 198.18.1.10:4000\n"
            "    rtp 10 packets, 1720 bytes, 1 source drops, 2 lost\n"
            "    rtcp 2 packets, 160 bytes, 0 source drops\n"
            "  leg b\n"
            "    interface core0, local 198.18.2.1:20002, remote 198.18.2.10:5000\n"
            "    latch-any no, rtcp-mux yes\n"
            "    latched no\n"
            "    sending to 198.18.2.10:5000\n"
            "    rtp 12 packets, 2064 bytes, 0 source drops, 0 lost\n"
            "    rtcp 0 packets, 0 bytes, 0 source drops\n");
  EXPECT_TRUE(sessionText(sampleSessions()[1])
                  .starts_with("session 3\n"
                               "  age 60000 ms, idle 59000 ms, relatch after 200 ms of silence\n"));
}

TEST(DataplaneShowTest, SessionAsJsonUsesNullForUnknownPeers) {
  EXPECT_EQ(sessionJson(sampleSessions()[0]),
            R"({"id":7,"age_ms":1500,"idle_ms":20,"relatch_after_ms":0,"legs":[)"
            R"({"leg":"a","interface":"access0","local":"198.18.1.1:20000","remote":null,)"
            R"("latch_any":true,"rtcp_mux":false,"latched":true,)"
            R"("latched_peer":"198.18.1.10:4000","sending_to":"198.18.1.10:4000",)"
            R"("rtp":{"packets":10,"bytes":1720,"source_drops":1,"lost":2},)"
            R"("rtcp":{"packets":2,"bytes":160,"source_drops":0}},)"
            R"({"leg":"b","interface":"core0","local":"198.18.2.1:20002",)"
            R"("remote":"198.18.2.10:5000","latch_any":false,"rtcp_mux":true,"latched":false,)"
            R"("latched_peer":null,"sending_to":"198.18.2.10:5000",)"
            R"("rtp":{"packets":12,"bytes":2064,"source_drops":0,"lost":0},)"
            R"("rtcp":{"packets":0,"bytes":0,"source_drops":0}}]})"
            "\n");
  const std::string all = sessionsJson(sampleSessions());
  EXPECT_TRUE(all.starts_with(R"({"sessions":[{"id":3,)")) << all;
  EXPECT_NE(all.find(R"(}}]},{"id":7,)"), std::string::npos);
  EXPECT_EQ(sessionsJson({}), "{\"sessions\":[]}\n");
}

TEST(DataplaneShowTest, NeighborsSortedByInterfaceThenAddress) {
  EXPECT_EQ(neighborsText(sampleNeighbors()),
            "Interface  Address         State       MAC                Updates\n"
            "access0    198.18.1.10     resolved    02:00:00:00:00:10        1\n"
            "core0      198.18.2.254    incomplete  -                        0\n"
            "core0      2001:db8:2::10  resolved    02:00:00:00:00:20        3\n");
  EXPECT_EQ(neighborsJson(sampleNeighbors()),
            R"({"neighbors":[{"interface":"access0","address":"198.18.1.10","resolved":true,)"
            R"("mac":"02:00:00:00:00:10","updates":1},{"interface":"core0",)"
            R"("address":"198.18.2.254","resolved":false,"mac":null,"updates":0},)"
            R"({"interface":"core0","address":"2001:db8:2::10","resolved":true,)"
            R"("mac":"02:00:00:00:00:20","updates":3}]})"
            "\n");
}

TEST(DataplaneShowTest, WorkersShowBusyShareAndCounts) {
  dataplane::WorkerView busy;
  busy.index = 0;
  busy.lcore = 1;
  busy.polls = 800;
  busy.busyPolls = 300;
  busy.rxPackets = 9600;
  busy.mediaPackets = 9500;
  busy.exceptionPackets = 60;
  busy.drops = 40;
  busy.fastPath = "avx512";
  dataplane::WorkerView fresh;  // launched, no pass yet
  fresh.index = 1;
  fresh.lcore = 2;
  const std::vector<dataplane::WorkerView> workers{busy, fresh};
  EXPECT_EQ(workersText(workers),
            "Worker  Lcore  Busy %    Rx  Media  Exception  Drops  Fast path\n"
            "     0      1    37.5  9600   9500         60     40  avx512\n"
            "     1      2       -     0      0          0      0  scalar\n");
  EXPECT_EQ(workersJson(workers),
            R"({"workers":[{"worker":0,"lcore":1,"polls":800,"busy_polls":300,"rx_packets":9600,)"
            R"("media_packets":9500,"exception_packets":60,"drops":40,"fast_path":"avx512"},)"
            R"({"worker":1,"lcore":2,"polls":0,"busy_polls":0,"rx_packets":0,"media_packets":0,)"
            R"("exception_packets":0,"drops":0,"fast_path":"scalar"}]})"
            "\n");
}

TEST(DataplaneShowTest, NamesWithQuotesStayValidJson) {
  auto interfaces = sampleInterfaces();
  interfaces.resize(1);
  interfaces[0].name = "a\"b\\c\n";
  EXPECT_NE(interfacesJson(interfaces).find(R"("name":"a\"b\\c\n")"), std::string::npos);
}

}  // namespace
}  // namespace sbc::control
