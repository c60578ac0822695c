#pragma once
// What a worker needs to know about each interface, frozen at start-up: no lock, no change
// while workers run. Built by the Dataplane from InterfaceConfig once its ports are up.

#include <rte_config.h>
#include <rte_ring.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dataplane/config.h"
#include "dataplane/ip_address.h"

namespace sbc::dataplane {

inline constexpr unsigned kMaxInterfaces = kMaxInterfacesConfigurable;
inline constexpr unsigned kMaxAddressesPerInterface = kMaxAddressesPerFamily;
inline constexpr uint16_t kNoPort = 0xffff;

struct InterfaceRuntime {
  uint16_t portId = kNoPort;
  uint16_t tapPortId = kNoPort;  // exception path; kNoPort when disabled
  // Frames the control lcore sends out of this port (the kernel's replies on the exception
  // path, ARP requests). Worker 0 transmits them on its own tx queue, so the control lcore
  // needs no queue of its own: af_packet spreads received frames over all of its queue pairs
  // (PACKET_FANOUT), and a queue nobody polls would swallow a share of the traffic.
  rte_ring* controlTx = nullptr;
  uint16_t vlan = 0;
  uint8_t index = 0;
  MacAddress mac{};
  uint16_t mediaPortMin = 0;
  uint16_t mediaPortMax = 0;
  uint8_t v4Count = 0;
  uint8_t v6Count = 0;
  uint32_t v4[kMaxAddressesPerInterface]{};  // network order
  uint8_t v6[kMaxAddressesPerInterface][16]{};
  // Solicited-node multicast groups (ff02::1:ffXX:XXXX) of the IPv6 addresses, low 24 bits.
  uint32_t v6SolicitedLow24[kMaxAddressesPerInterface]{};

  bool ownsV4(uint32_t addressBe) const {
    for (unsigned i = 0; i < v4Count; ++i)
      if (v4[i] == addressBe) return true;
    return false;
  }
  bool ownsV6(const uint8_t* address) const {
    for (unsigned i = 0; i < v6Count; ++i)
      if (std::memcmp(v6[i], address, 16) == 0) return true;
    return false;
  }
  bool isMediaPort(uint16_t portHostOrder) const {
    return portHostOrder >= mediaPortMin && portHostOrder <= mediaPortMax;
  }
};

struct InterfaceTable {
  InterfaceRuntime interfaces[kMaxInterfaces];
  uint8_t count = 0;
  uint8_t byPort[RTE_MAX_ETHPORTS];  // port id → interface index, 0xff when none
};

}  // namespace sbc::dataplane
