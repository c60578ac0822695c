#pragma once
// Views with every kind of value the show commands print: a latched and an unlatched leg, an
// unknown peer, IPv6, a VLAN, an interface without exception path, an unresolved neighbour.

#include "dataplane/dataplane.h"

namespace sbc::control::testing {

inline dataplane::SocketAddress socketAddress(const char* text) {
  return *dataplane::SocketAddress::parse(text);
}

inline std::vector<dataplane::SessionView> sampleSessions() {
  dataplane::SessionView seven;
  seven.spec.id = 7;
  seven.spec.legs[0] = {"access0", socketAddress("198.18.1.1:20000"),
                        socketAddress("0.0.0.0:0"), true, false};
  seven.spec.legs[1] = {"core0", socketAddress("198.18.2.1:20002"),
                        socketAddress("198.18.2.10:5000"), false, true};
  seven.legs[0].latched = true;
  seven.legs[0].latchedPeer = socketAddress("198.18.1.10:4000");
  seven.legs[0].sendingTo = socketAddress("198.18.1.10:4000");
  seven.legs[0].rtp = {10, 1720, 1, 2};  // 2 lost: sequence numbers that never came
  seven.legs[0].rtcp = {2, 160, 0};
  seven.legs[1].sendingTo = socketAddress("198.18.2.10:5000");
  seven.legs[1].rtp = {12, 2064, 0};
  seven.ageMs = 1500;
  seven.idleMs = 20;

  dataplane::SessionView three;
  three.spec.id = 3;
  three.spec.relatchSilenceMs = 200;
  three.spec.legs[0] = {"access0", socketAddress("198.18.1.1:20004"),
                        socketAddress("198.18.1.20:4002"), false, false};
  three.spec.legs[1] = {"core0", socketAddress("[2001:db8:2::1]:20006"),
                        socketAddress("[2001:db8:2::10]:6000"), false, false};
  three.ageMs = 60000;
  three.idleMs = 59000;
  return {seven, three};
}

inline std::vector<dataplane::InterfaceView> sampleInterfaces() {
  dataplane::InterfaceView access;
  access.name = "access0";
  access.realm = "access";
  access.device = "net_af_packet0,iface=sbc-acc";
  access.portId = 0;
  access.mac = {0x02, 0x5b, 0xc0, 0x00, 0x01, 0x01};
  access.addresses = {*dataplane::IpPrefix::parse("198.18.1.1/24")};
  access.linkUp = true;
  access.tapName = "sbc-access0";
  access.rxPackets = 10;
  access.rxBytes = 1200;
  access.txPackets = 8;
  access.txBytes = 960;
  access.toKernel = 3;
  access.fromKernel = 2;
  access.fragmentsToKernel = 2;
  access.splitForKernel = 1;
  dataplane::InterfaceView core;
  core.name = "core0";
  core.realm = "core";
  core.device = "net_af_packet1,iface=sbc-core";
  core.portId = 1;
  core.mac = {0x02, 0x5b, 0xc0, 0x00, 0x02, 0x01};
  core.vlan = 200;
  core.addresses = {*dataplane::IpPrefix::parse("198.18.2.1/24"),
                    *dataplane::IpPrefix::parse("2001:db8:2::1/64")};
  return {access, core};
}

inline std::vector<dataplane::NeighborView> sampleNeighbors() {
  dataplane::NeighborView gateway{"core0", *dataplane::IpAddress::parse("198.18.2.254"), false,
                                  {}, 0};
  dataplane::NeighborView phone{"access0", *dataplane::IpAddress::parse("198.18.1.10"), true,
                                {0x02, 0, 0, 0, 0, 0x10}, 1};
  dataplane::NeighborView v6{"core0", *dataplane::IpAddress::parse("2001:db8:2::10"), true,
                             {0x02, 0, 0, 0, 0, 0x20}, 3};
  return {v6, gateway, phone};
}

inline dataplane::DataplaneTotals sampleTotals() {
  dataplane::DataplaneTotals totals;
  totals.drops[static_cast<unsigned>(dataplane::DropReason::kMediaNoSession)] = 3;
  totals.drops[static_cast<unsigned>(dataplane::DropReason::kNoNeighbor)] = 1;
  totals.mediaPackets = 100;
  totals.rtcpPackets = 10;
  totals.exceptionPackets = 5;
  totals.latches = 2;
  totals.neighborUpdates = 4;
  totals.sessions = 2;
  totals.flowsInUse = 8;
  totals.flowCapacity = 65536;
  return totals;
}

}  // namespace sbc::control::testing
