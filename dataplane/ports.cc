#include "dataplane/ports.h"

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <thread>

extern char** environ;

namespace sbc::dataplane {

bool isPciAddress(const std::string& device) {
  static const std::regex pci("^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7](,.*)?$");
  return std::regex_match(device, pci);
}

bool isAfPacket(const std::string& device) {
  return device.rfind("net_af_packet", 0) == 0 || device.rfind("eth_af_packet", 0) == 0;
}

unsigned freeHugepages() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  unsigned long value;
  while (in >> key >> value) {
    if (key == "HugePages_Free:") return static_cast<unsigned>(value);
    in.ignore(256, '\n');
  }
  return 0;
}

namespace {
bool hasArg(const std::vector<std::string>& args, std::initializer_list<const char*> names) {
  for (const auto& a : args)
    for (const char* n : names)
      if (a == n || a.rfind(std::string(n) + "=", 0) == 0) return true;
  return false;
}

// The af_packet PMD's ring (drivers/net/af_packet, DPDK 22.11): framesz 2048 by default, and an
// rx mbuf must hold framesz less the 32 bytes of the TPACKET_V2 header it copies from.
constexpr uint32_t kAfPacketDefaultFrameSize = 2048;
constexpr uint32_t kAfPacketDefaultFrameCount = 512;
constexpr uint32_t kAfPacketMaxRingBytes = 8u << 20;
constexpr uint32_t kAfPacketHeaderBytes = 32;
// Where the kernel puts an untagged frame in its slot: TPACKET_ALIGN(TPACKET2_HDRLEN (52) +
// max(16, MAC header)) less the MAC header (tpacket_rcv); 62 for a frame with its tag in line.
constexpr uint32_t kAfPacketFrameOffset = 66;
constexpr uint32_t kMbufMaxData = UINT16_MAX - RTE_PKTMBUF_HEADROOM;
static_assert(std::has_single_bit(kLargestMaxFrame + kAfPacketFrameOffset) &&
                  kLargestMaxFrame + kAfPacketFrameOffset - kAfPacketHeaderBytes <= kMbufMaxData &&
                  2 * (kLargestMaxFrame + kAfPacketFrameOffset) - kAfPacketHeaderBytes > kMbufMaxData,
              "the largest max-frame fills the largest af_packet slot whose data fits one mbuf");

// The value of `key=` in a device string, if given.
std::optional<uint32_t> deviceArg(const std::string& device, const std::string& key) {
  for (size_t at = device.find(',' + key + '='); at != std::string::npos;
       at = device.find(',' + key + '=', at + 1)) {
    const char* begin = device.c_str() + at + key.size() + 2;
    char* end = nullptr;
    const unsigned long value = std::strtoul(begin, &end, 0);
    if (end != begin && (*end == ',' || *end == '\0') && value <= UINT32_MAX)
      return static_cast<uint32_t>(value);
  }
  return std::nullopt;
}

uint32_t defaultMemoryMb(const DataplaneConfig& c) {
  // mbufs and rings (~64 MB) plus the flow hash: about 160 bytes per flow, four flows per session.
  uint64_t hashMb = static_cast<uint64_t>(c.maxSessions) * 4 * 160 / (1 << 20);
  return static_cast<uint32_t>(256 + hashMb);
}
}  // namespace

AfPacketRing afPacketRingFor(uint32_t maxFrame, uint32_t pageSize) {
  AfPacketRing ring;
  ring.frameSize = std::bit_ceil(maxFrame + kAfPacketFrameOffset);
  ring.blockSize = std::max(ring.frameSize, pageSize);
  const uint32_t perBlock = ring.blockSize / ring.frameSize;
  const uint32_t frames = std::min(kAfPacketDefaultFrameCount, kAfPacketMaxRingBytes / ring.frameSize);
  ring.frameCount = std::max(frames / perBlock, 1u) * perBlock;
  return ring;
}

std::string deviceArgs(const InterfaceConfig& iface) {
  if (!isAfPacket(iface.device) || iface.maxFrame <= kStandardMaxFrame ||
      deviceArg(iface.device, "framesz"))
    return iface.device;
  const AfPacketRing ring = afPacketRingFor(iface.maxFrame, static_cast<uint32_t>(getpagesize()));
  return iface.device + ",framesz=" + std::to_string(ring.frameSize) + ",blocksz=" +
         std::to_string(ring.blockSize) + ",framecnt=" + std::to_string(ring.frameCount);
}

uint32_t rxFrameBytes(const InterfaceConfig& iface) {
  const uint32_t maxFrame = std::max(iface.maxFrame, kStandardMaxFrame);
  if (!isAfPacket(iface.device)) return maxFrame;
  uint32_t frameSize = kAfPacketDefaultFrameSize;
  if (auto given = deviceArg(iface.device, "framesz")) frameSize = *given;
  else if (iface.maxFrame > kStandardMaxFrame)
    frameSize = afPacketRingFor(iface.maxFrame, static_cast<uint32_t>(getpagesize())).frameSize;
  return frameSize > kAfPacketHeaderBytes ? frameSize - kAfPacketHeaderBytes : 0;
}

std::vector<std::string> buildEalArgs(const DataplaneConfig& config,
                                      const std::vector<std::string>& extra,
                                      const std::string& programName) {
  std::vector<std::string> args{programName};
  std::vector<std::string> user = config.extraEalArgs;
  user.insert(user.end(), extra.begin(), extra.end());
  if (!hasArg(user, {"-l", "-c", "--lcores"})) {
    unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    std::string lcores;
    for (unsigned i = 0; i <= config.workers; ++i) {
      if (i) lcores += ",";
      lcores += std::to_string(i) + "@" + std::to_string(i % cpus);
    }
    args.push_back("--lcores");
    args.push_back(lcores);
  }
  bool anyPci = false;
  for (const auto& i : config.interfaces) anyPci |= isPciAddress(i.device);
  if (!anyPci && !hasArg(user, {"--no-pci", "-a", "--allow"})) args.push_back("--no-pci");
  for (const auto& i : config.interfaces) {
    if (isPciAddress(i.device)) {
      args.push_back("-a");
      args.push_back(i.device);
    } else {
      std::string device = deviceArgs(i);
      // af_packet gives one socket per queue pair and fans received frames out over all of
      // them, so it gets exactly one pair per worker: a pair nobody polls would lose frames.
      if (isAfPacket(device) && device.find("qpairs=") == std::string::npos)
        device += ",qpairs=" + std::to_string(config.workers);
      args.push_back("--vdev");
      args.push_back(device);
    }
  }
  if (!hasArg(user, {"--no-huge", "-m", "--socket-mem"})) {
    uint32_t memoryMb = config.memoryMb != 0 ? config.memoryMb : defaultMemoryMb(config);
    if (freeHugepages() * 2 < memoryMb) args.push_back("--no-huge");
    args.push_back("-m");
    args.push_back(std::to_string(memoryMb));
  }
  // --in-memory cannot go with --no-huge (legacy memory); a per-process prefix keeps two
  // instances (tests run several) from sharing a runtime directory.
  if (!hasArg(user, {"--file-prefix", "--in-memory"})) {
    args.push_back("--file-prefix");
    args.push_back("sbcd" + std::to_string(getpid()));
  }
  // DPDK caps its SIMD paths at 256 bits on x86 by default, for CPUs that lower their clock for
  // 512-bit work; rte_acl's AVX-512 path follows that cap (classify's and the relay's, 256 bits
  // wide, need 256: fast_path.h). 512 here: an operator whose CPU throttles gives
  // --force-max-simd-bitwidth=256.
  if (!hasArg(user, {"--force-max-simd-bitwidth"})) args.push_back("--force-max-simd-bitwidth=512");
  args.insert(args.end(), user.begin(), user.end());
  return args;
}

std::optional<uint16_t> findPort(const std::string& device) {
  std::string name = device.substr(0, device.find(','));
  uint16_t port;
  if (rte_eth_dev_get_port_by_name(name.c_str(), &port) == 0) return port;
  return std::nullopt;
}

Status startPort(uint16_t portId, PortQueues& queues, uint16_t rxDescriptors,
                 uint16_t txDescriptors, rte_mempool* pool, const std::optional<MacAddress>& mac) {
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(portId, &info) != 0) return Status::failure("cannot read device info");
  if (queues.rx > info.max_rx_queues)
    return Status::failure("device has " + std::to_string(info.max_rx_queues) +
                           " rx queues, " + std::to_string(queues.rx) + " workers need one each");
  queues.tx = std::min<uint16_t>(queues.tx, info.max_tx_queues);
  if (queues.tx < queues.rx) return Status::failure("device has too few tx queues for the workers");

  rte_eth_conf conf{};
  uint64_t wantedRss = RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP;
  uint64_t rss = wantedRss & info.flow_type_rss_offloads;
  if (queues.rx > 1 && rss != 0) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = rss;
  }
  if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM)
    conf.rxmode.offloads |= info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM;
  if (int rc = rte_eth_dev_configure(portId, queues.rx, queues.tx, &conf); rc != 0)
    return Status::failure("configure failed: " + std::string(rte_strerror(-rc)));
  uint16_t rxd = rxDescriptors, txd = txDescriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(portId, &rxd, &txd);
  int socket = rte_eth_dev_socket_id(portId);
  if (socket < 0) socket = 0;
  for (uint16_t q = 0; q < queues.rx; ++q)
    if (int rc = rte_eth_rx_queue_setup(portId, q, rxd, socket, nullptr, pool); rc != 0)
      return Status::failure("rx queue " + std::to_string(q) + ": " + rte_strerror(-rc));
  for (uint16_t q = 0; q < queues.tx; ++q)
    if (int rc = rte_eth_tx_queue_setup(portId, q, txd, socket, nullptr); rc != 0)
      return Status::failure("tx queue " + std::to_string(q) + ": " + rte_strerror(-rc));
  if (mac) {
    rte_ether_addr addr;
    std::memcpy(addr.addr_bytes, mac->data(), 6);
    if (int rc = rte_eth_dev_default_mac_addr_set(portId, &addr); rc != 0 && rc != -ENOTSUP)
      return Status::failure("cannot set MAC: " + std::string(rte_strerror(-rc)));
  }
  if (int rc = rte_eth_dev_start(portId); rc != 0)
    return Status::failure("start failed: " + std::string(rte_strerror(-rc)));
  // Broadcast and multicast (ARP, neighbour discovery) must reach us.
  rte_eth_allmulticast_enable(portId);
  return Status::success();
}

int runCommand(const std::vector<std::string>& argv) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {
void writeSysctl(const std::string& path, const char* value) {
  std::ofstream out(path);
  if (out) out << value;
}
}  // namespace

std::string claimKernelInterface(const std::string& device) {
  if (device.rfind("net_af_packet", 0) != 0) return "";
  auto at = device.find("iface=");
  if (at == std::string::npos) return "";
  std::string name = device.substr(at + 6, device.find(',', at) - at - 6);
  writeSysctl("/proc/sys/net/ipv6/conf/" + name + "/disable_ipv6", "1");
  writeSysctl("/proc/sys/net/ipv4/conf/" + name + "/rp_filter", "1");
  writeSysctl("/proc/sys/net/ipv4/conf/" + name + "/arp_ignore", "8");
  runCommand({"ip", "link", "set", "dev", name, "arp", "off"});
  return name;
}

Status startExceptionTap(const InterfaceConfig& iface, const MacAddress& mac, rte_mempool* pool,
                         uint16_t& tapPortId) {
  static unsigned tapCount = 0;
  std::string tapName = iface.tapName.empty() ? "sbc-" + iface.name : iface.tapName;
  std::string vdevName = "net_tap_sbc" + std::to_string(tapCount++);
  std::string args = "iface=" + tapName + ",mac=" + formatMac(mac);
  if (int rc = rte_eal_hotplug_add("vdev", vdevName.c_str(), args.c_str()); rc != 0)
    return Status::failure("cannot create TAP " + tapName + ": " + rte_strerror(-rc));
  if (rte_eth_dev_get_port_by_name(vdevName.c_str(), &tapPortId) != 0)
    return Status::failure("TAP " + tapName + " has no port");
  PortQueues q{1, 1};
  if (Status s = startPort(tapPortId, q, 512, 512, pool, std::nullopt); !s.ok())
    return Status::failure("TAP " + tapName + ": " + s.error);

  // The kernel side: the interface's MAC and addresses, so that it answers ARP, ping and SIP
  // exactly as the interface would. Router advertisements are not the kernel's to act on.
  writeSysctl("/proc/sys/net/ipv6/conf/" + tapName + "/accept_ra", "0");
  writeSysctl("/proc/sys/net/ipv6/conf/" + tapName + "/autoconf", "0");
  // A VIP that moves announces itself with gratuitous ARP; the kernel must take it at once.
  writeSysctl("/proc/sys/net/ipv4/neigh/" + tapName + "/locktime", "0");
  if (runCommand({"ip", "link", "set", "dev", tapName, "address", formatMac(mac), "up"}) != 0)
    return Status::failure("cannot bring up TAP " + tapName);
  for (const IpPrefix& p : iface.addresses) {
    std::vector<std::string> cmd{"ip", "addr", "replace", p.toString(), "dev", tapName};
    if (p.address.isV6()) cmd.push_back("nodad");
    if (runCommand(cmd) != 0)
      return Status::failure("cannot add " + p.toString() + " to TAP " + tapName);
  }
  return Status::success();
}

}  // namespace sbc::dataplane
