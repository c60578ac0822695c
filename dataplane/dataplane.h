#pragma once
// The only door between the control side and the fast path: create, update and delete media
// sessions, read counters and neighbours, learn which sessions went idle. Everything here runs
// on the control lcore (single writer); workers see the results through the flow table.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/config.h"
#include "dataplane/drop_reasons.h"
#include "dataplane/firewall_config.h"
#include "dataplane/ip_address.h"

namespace sbc::dataplane {

// An error that names what is wrong; empty message means success.
struct Status {
  std::string error;
  bool ok() const { return error.empty(); }
  static Status success() { return {}; }
  static Status failure(std::string message) { return {std::move(message)}; }
};

struct MediaLegSpec {
  std::string interfaceName;   // where this leg's peer is reached
  SocketAddress local;         // the SBC's address and RTP port on this leg
  SocketAddress remote;        // the peer the SDP names; unspecified address or port 0: unknown
  bool latchAnySource = false; // peer is behind NAT: latch the first source that speaks
  bool rtcpMux = false;        // RTCP shares the RTP port; otherwise it uses port + 1
};

struct MediaSessionSpec {
  uint32_t id = 0;
  MediaLegSpec legs[2];
  uint32_t relatchSilenceMs = 0;  // 0: a latched leg never moves to another source
};

struct FlowCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t sourceDrops = 0;
  // RTP packets lost on the way in (RFC 3550 A.3: expected from the sequence numbers less
  // received, never below 0), over every source the leg latched; 0 for the RTCP port.
  uint64_t lost = 0;
};

struct LegView {
  bool latched = false;
  SocketAddress latchedPeer;
  SocketAddress sendingTo;  // where packets toward this leg's peer go now
  FlowCounters rtp;         // received from this leg's peer
  FlowCounters rtcp;        // received on the RTCP port (zero with rtcp-mux)
};

struct SessionView {
  MediaSessionSpec spec;
  LegView legs[2];
  uint64_t ageMs = 0;
  uint64_t idleMs = 0;  // since the last packet either way (or since creation)
};

struct InterfaceView {
  std::string name;
  std::string realm;
  std::string device;
  uint16_t portId = 0;
  MacAddress mac{};
  uint16_t vlan = 0;
  std::vector<IpPrefix> addresses;
  bool linkUp = false;
  std::string tapName;  // empty without an exception path
  uint64_t rxPackets = 0, rxBytes = 0, txPackets = 0, txBytes = 0;
  uint64_t toKernel = 0, fromKernel = 0;
  uint64_t fragmentsToKernel = 0;  // of toKernel: IP fragments for the kernel to reassemble
  uint64_t splitForKernel = 0;     // of toKernel: larger than the TAP's MTU, sent as fragments
};

struct NeighborView {
  std::string interfaceName;
  IpAddress address;
  bool resolved = false;
  MacAddress mac{};
  uint32_t updates = 0;
};

// One worker lcore's share, as VPP's `show runtime` gives it: how busy it is and what it moved.
struct WorkerView {
  unsigned index = 0;
  unsigned lcore = 0;
  uint64_t polls = 0;      // passes of its loop
  uint64_t busyPolls = 0;  // passes that received or sent something
  uint64_t rxPackets = 0;
  uint64_t mediaPackets = 0;
  uint64_t exceptionPackets = 0;
  uint64_t drops = 0;
  const char* fastPath = "scalar";  // the build of classify's and the relay's fast paths it runs
};

struct DataplaneTotals {
  uint64_t drops[kDropReasonCount] = {};
  uint64_t mediaPackets = 0, rtcpPackets = 0, exceptionPackets = 0;
  uint64_t latches = 0, relatches = 0, neighborUpdates = 0;
  uint32_t sessions = 0, flowsInUse = 0, flowCapacity = 0;
};

class Dataplane {
 public:
  // Starts the EAL, the ports and the exception path; the workers wait for run(). Sessions
  // made in between are in place before the first packet is read (pcap golden tests need
  // that). `ealArgs` are extra EAL arguments; the rest is derived from `config`.
  static std::unique_ptr<Dataplane> start(const DataplaneConfig& config,
                                          const std::vector<std::string>& ealArgs,
                                          std::string& error);
  virtual ~Dataplane() = default;

  // Launches the workers on their lcores. A fake dataplane in a test has nothing to launch.
  virtual Status run() { return Status::success(); }

  virtual Status createSession(const MediaSessionSpec& spec) = 0;
  virtual Status updateSession(const MediaSessionSpec& spec) = 0;
  virtual Status deleteSession(uint32_t id) = 0;
  virtual std::optional<SessionView> session(uint32_t id) const = 0;
  virtual std::vector<SessionView> sessions() const = 0;

  virtual std::vector<InterfaceView> interfaces() const = 0;
  virtual std::vector<NeighborView> neighbors() const = 0;
  virtual DataplaneTotals totals() const = 0;
  virtual std::vector<WorkerView> workers() const = 0;

  // The firewall (firewall_config.h): the whole configuration compiled and swapped in at once
  // (packets of permitted flows keep flowing through the swap), or refused with the faults
  // and the running firewall kept as it was.
  virtual Status applyFirewall(const FirewallConfig& config) {
    (void)config;
    return Status::failure("this dataplane has no firewall");
  }
  virtual FirewallView firewall() const { return {}; }
  virtual void clearFirewallCounters() {}
  virtual std::vector<BlockedSourceView> blockedSources() const { return {}; }
  // The last lines of the access-list log (rules with `log`), oldest first. poll() prints new
  // ones on standard error as they come.
  virtual std::vector<AclLogEntry> aclLog() const { return {}; }
  // `monitor capture`: one capture at a time.
  virtual Status startCapture(const CaptureSpec& spec) {
    (void)spec;
    return Status::failure("this dataplane cannot capture");
  }
  virtual Status stopCapture() { return Status::failure("no capture is running"); }
  virtual CaptureView capture() const { return {}; }

  // Control-lcore housekeeping; call often (every millisecond or so). Moves exception-path
  // packets, asks for unresolved neighbours, frees retired flows. Returns the ids of sessions
  // that went idle past the configured timeout since the last call (each reported once).
  virtual std::vector<uint32_t> poll() = 0;

  // Stops the workers and the ports; the destructor does this too.
  virtual void stop() = 0;
};

}  // namespace sbc::dataplane
