#include "control/routing/vip_monitor.h"

#include <memory>

namespace sbc::control {

VipMonitor::VipMonitor(const ContactCenterConfig& config, TimerQueue& timers,
                       HealthProber& prober)
    : config_(config), timers_(timers), prober_(prober) {
  if (config.vip) vip_ = ProbedAddress{*config.vip};
  if (config.backup) backup_ = ProbedAddress{*config.backup};
}

VipMonitor::~VipMonitor() {
  *alive_ = false;  // probes still in flight must not call back into a dead monitor
  if (timer_) timers_.cancel(timer_);
}

void VipMonitor::start() {
  if (!vip_) return;
  probeAll();
}

void VipMonitor::probeAll() {
  watchHolder();
  probe(vip_);
  probe(backup_);
  timer_ = timers_.schedule(config_.optionsIntervalMs, [this] { probeAll(); });
}

void VipMonitor::watchHolder() {
  const std::optional<dataplane::MacAddress> now = holderNow();
  if (!now) return;  // unresolved for now: the last known holder stands
  const bool moved = holder_ && *holder_ != *now;
  holder_ = now;
  if (moved) {
    ++moves_;
    if (onMove) onMove(vip_->address, *now);
  }
}

void VipMonitor::probe(std::optional<ProbedAddress>& slot) {
  if (!slot || slot->probeInFlight) return;
  slot->probeInFlight = true;
  ++slot->probes;
  std::weak_ptr<bool> alive = alive_;
  prober_.probe(slot->address, config_.optionsTimeoutMs, [this, alive, &slot](int status) {
    if (alive.expired()) return;
    slot->probeInFlight = false;
    record(slot, status);
  });
}

void VipMonitor::record(std::optional<ProbedAddress>& slot, int status) {
  const auto before = target();
  const bool answered = status != 0 && status != 503;
  if (answered) {
    ++slot->answered;
    slot->consecutiveFailures = 0;
    if (!slot->up) {
      slot->up = true;
      slot->lastChangeMs = timers_.clock().now();
    }
  } else if (++slot->consecutiveFailures >= config_.failuresToDown && slot->up) {
    slot->up = false;
    slot->lastChangeMs = timers_.clock().now();
  }
  const auto after = target();
  if (before && after && !(*before == *after)) {
    ++switches_;
    if (onSwitch) onSwitch(*before, *after);
  }
}

std::optional<dataplane::SocketAddress> VipMonitor::target() const {
  if (!vip_) return std::nullopt;
  if (vip_->up || !backup_ || !backup_->up) return vip_->address;
  return backup_->address;
}

bool VipMonitor::isContactCenterAddress(const dataplane::SocketAddress& address) const {
  return (vip_ && vip_->address == address) || (backup_ && backup_->address == address);
}

bool VipMonitor::isContactCenterHost(const dataplane::IpAddress& address) const {
  if ((vip_ && vip_->address.ip == address) || (backup_ && backup_->address.ip == address))
    return true;
  for (const dataplane::IpPrefix& prefix : config_.match)
    if (prefix.contains(address)) return true;
  return false;
}

}  // namespace sbc::control
