#pragma once
// Bringing up the EAL and the ports: the EAL argument list derived from the configuration,
// finding each interface's DPDK port, configuring its queues (RSS where the device has it),
// and creating the kernel TAP of the exception path. Runs once at start-up, never per packet.

#include <rte_mempool.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/config.h"
#include "dataplane/dataplane.h"

namespace sbc::dataplane {

// argv for rte_eal_init (argv[0] included). Adds --no-huge/-m where no hugepages are free,
// --no-pci where no device is a PCI address, one --vdev per virtual device, the lcores, and a
// SIMD width of 512 bits; each unless `config` or `extra` says otherwise.
std::vector<std::string> buildEalArgs(const DataplaneConfig& config,
                                      const std::vector<std::string>& extra,
                                      const std::string& programName);

bool isPciAddress(const std::string& device);
bool isAfPacket(const std::string& device);
unsigned freeHugepages();

// The mmap ring of an af_packet port whose slots hold frames of `maxFrame` bytes whole, as the
// PMD's framesz/blocksz/framecnt devargs. The kernel's rules (packet_set_ring): a slot is a
// multiple of 16 and starts with the TPACKET_V2 header, the frame 66 bytes in; a block is a
// multiple of the page size and holds whole slots; frame count = slots per block × blocks. The
// PMD's: it finds slot i at i × framesz, so blocks hold no gap, and the kernel allocates each
// block as a power of two of pages; hence a slot is a power of two. 512 slots as the PMD's
// default ring, at most 8 MiB of them (256 slots of 32 KiB).
struct AfPacketRing {
  uint32_t frameSize = 0;
  uint32_t blockSize = 0;
  uint32_t frameCount = 0;
};
AfPacketRing afPacketRingFor(uint32_t maxFrame, uint32_t pageSize);

// The device string the EAL gets for an interface: an af_packet port with `max-frame` above the
// standard gets its ring's devargs, unless the operator gave framesz himself.
std::string deviceArgs(const InterfaceConfig& iface);

// Bytes one received frame may need in an mbuf (data room less headroom): the configured
// max-frame, or for an af_packet port what its ring frame may hand over (the PMD refuses an rx
// pool whose mbufs are smaller, even when the kernel would never fill the frame).
uint32_t rxFrameBytes(const InterfaceConfig& iface);

// The port a configured device became: the vdev name (before the first ',') or the PCI address.
std::optional<uint16_t> findPort(const std::string& device);

struct PortQueues {
  uint16_t rx = 1;
  uint16_t tx = 1;  // on return: what the device granted (may be fewer than asked)
};

Status startPort(uint16_t portId, PortQueues& queues, uint16_t rxDescriptors,
                 uint16_t txDescriptors, rte_mempool* pool, const std::optional<MacAddress>& mac);

// Creates the TAP for `iface` (kernel side: same MAC, same addresses, up) and starts it as a
// DPDK port with one queue pair.
Status startExceptionTap(const InterfaceConfig& iface, const MacAddress& mac, rte_mempool* pool,
                         uint16_t& tapPortId);

// An af_packet port shares its kernel interface with the kernel's own IP stack, which would
// answer (ping, ARP, ICMP port unreachable) for the SBC's addresses a second time, beside the
// exception path, because Linux answers for any local address on any interface. This keeps
// the kernel out of that interface: no ARP, no IPv6, and strict reverse-path filtering (the
// interface has no routes, so every IPv4 packet arriving on it fails the check). A tc ingress
// drop would be neater, but kernels without cls_matchall/act_gact (this lab's) cannot do it.
// Returns the kernel interface name it claimed, or empty when `device` is no af_packet port.
std::string claimKernelInterface(const std::string& device);

// Runs a command (no shell) and returns its exit status; output goes to stderr.
int runCommand(const std::vector<std::string>& argv);

}  // namespace sbc::dataplane
