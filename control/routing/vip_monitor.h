#pragma once
// Health of the contact center's SIP server: an OPTIONS probe to the VIP (and to the backup
// host, where one is configured) every interval. A probe that gets any answer but 503 within
// the timeout counts as alive; `failuresToDown` failed probes in a row mark the address down,
// one answered probe marks it up again. New calls go to the VIP while it is up, else to the
// backup while that is up, else still to the VIP. Probes go over the contact center's
// `transport`; over TCP or TLS a connection that cannot be set up fails the probe at once.
// Each round also asks which host holds the VIP (its link-layer address): a cluster that moves
// the VIP fast enough never misses a probe, yet the transactions pending at the old host are
// gone with it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "control/common/timer_queue.h"
#include "control/config/sip_config.h"
#include "dataplane/config.h"

namespace sbc::control {

// Sends one OPTIONS probe; calls `done` exactly once: with the status code of the answer, or
// with 0 when none came within `timeoutMs`.
class HealthProber {
 public:
  virtual ~HealthProber() = default;
  virtual void probe(const dataplane::SocketAddress& target, Millis timeoutMs,
                     std::function<void(int status)> done) = 0;
};

struct ProbedAddress {
  dataplane::SocketAddress address;
  bool up = true;  // optimistic until a probe says otherwise
  std::uint32_t consecutiveFailures = 0;
  std::uint64_t probes = 0;
  std::uint64_t answered = 0;
  Millis lastChangeMs = 0;
  bool probeInFlight = false;
};

class VipMonitor {
 public:
  VipMonitor(const ContactCenterConfig& config, TimerQueue& timers, HealthProber& prober);
  ~VipMonitor();

  void start();
  bool configured() const { return vip_.has_value(); }
  // How the probes and the calls reach the hosts.
  SipTransport transport() const { return config_.transport; }
  // Where a new request for the contact center goes now.
  std::optional<dataplane::SocketAddress> target() const;
  bool isContactCenterAddress(const dataplane::SocketAddress& address) const;
  bool isContactCenterHost(const dataplane::IpAddress& address) const;

  const std::optional<ProbedAddress>& vip() const { return vip_; }
  const std::optional<ProbedAddress>& backup() const { return backup_; }
  std::uint64_t switches() const { return switches_; }
  // Times the VIP was seen to change hosts.
  std::uint64_t moves() const { return moves_; }

  // Called when target() changes: (from, to).
  std::function<void(const dataplane::SocketAddress&, const dataplane::SocketAddress&)> onSwitch;
  // Where the VIP lives now: the MAC the dataplane's neighbour table has for it, if resolved.
  // Left unset, moves are not watched.
  std::function<std::optional<dataplane::MacAddress>(const dataplane::IpAddress&)> vipHolder;
  // Called when the VIP's holder changes from one known MAC to another: (VIP, new holder).
  std::function<void(const dataplane::SocketAddress&, const dataplane::MacAddress&)> onMove;
  // The VIP's holder now, as vipHolder says.
  std::optional<dataplane::MacAddress> holderNow() const {
    return vipHolder && vip_ ? vipHolder(vip_->address.ip) : std::nullopt;
  }

 private:
  void probeAll();
  void probe(std::optional<ProbedAddress>& slot);
  void record(std::optional<ProbedAddress>& slot, int status);
  void watchHolder();

  ContactCenterConfig config_;
  TimerQueue& timers_;
  HealthProber& prober_;
  std::optional<ProbedAddress> vip_;
  std::optional<ProbedAddress> backup_;
  TimerId timer_ = 0;
  std::uint64_t switches_ = 0;
  std::uint64_t moves_ = 0;
  std::optional<dataplane::MacAddress> holder_;  // the VIP's MAC at the last round
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sbc::control
