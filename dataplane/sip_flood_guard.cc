#include "dataplane/sip_flood_guard.h"

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_hash_crc.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace sbc::dataplane {
namespace {

// A bucket of `burst` packets filled at `pps`. rte_meter counts time in rte_get_tsc_hz() ticks;
// the guard is handed times on a clock of `tscHz` (the TSC itself in sbcd, a fake clock in
// tests), so the rate is scaled to that clock. pps 0 is refused by the validation; it would mean
// "nothing passes", so it is treated as one packet a second.
rte_meter_srtcm_profile meterProfile(uint64_t tscHz, uint64_t pps, uint64_t burst) {
  rte_meter_srtcm_params params{};
  const unsigned __int128 scaled = static_cast<unsigned __int128>(std::max<uint64_t>(pps, 1)) * rte_get_tsc_hz() / tscHz;
  params.cir = std::max<uint64_t>(static_cast<uint64_t>(std::min<unsigned __int128>(scaled, UINT64_MAX)), 1);
  params.cbs = std::max<uint64_t>(burst, 1);
  params.ebs = 0;
  rte_meter_srtcm_profile profile{};
  rte_meter_srtcm_profile_config(&profile, &params);  // refuses only cir 0 or cbs and ebs 0
  return profile;
}

// DPDK 22.11 takes profiles by pointer to non-const; it only reads them.
rte_meter_srtcm_profile* readOnly(const rte_meter_srtcm_profile& profile) {
  return const_cast<rte_meter_srtcm_profile*>(&profile);
}

// A full bucket, its clock at `nowTsc` (rte_meter_srtcm_config starts it at the TSC).
void fill(rte_meter_srtcm& meter, const rte_meter_srtcm_profile& profile, uint64_t nowTsc) {
  rte_meter_srtcm_config(&meter, readOnly(profile));
  meter.time = nowTsc;
}

// One packet (a "byte" to rte_meter): green, or not.
bool admits(rte_meter_srtcm& meter, const rte_meter_srtcm_profile& profile, uint64_t nowTsc) {
  return rte_meter_srtcm_color_blind_check(&meter, readOnly(profile), nowTsc, 1) == RTE_COLOR_GREEN;
}

}  // namespace

std::shared_ptr<const SipFloodGuardSettings> SipFloodGuardSettings::compile(
    const SipFloodGuardConfig& config, std::vector<IpPrefix> trusted, uint64_t tscHz,
    uint32_t generation) {
  auto s = std::make_shared<SipFloodGuardSettings>();
  s->enabled = config.enabled;
  s->generation = generation;
  s->config = config;
  s->trusted = std::move(trusted);
  s->tscHz = tscHz;
  s->untrustedMeter = meterProfile(tscHz, config.untrustedPps, config.untrustedBurst);
  s->trustedMeter = meterProfile(tscHz, config.trustedPps, config.trustedBurst);
  const uint64_t aggregatePps = uint64_t{std::max<uint32_t>(config.untrustedPps, 1)} * kUntrustedAggregateFactor;
  s->aggregateMeter = meterProfile(tscHz, aggregatePps, aggregatePps / 10);  // a tenth of a second's worth
  s->denyTicks = tscHz * config.denyPeriodSeconds;
  // Long enough to refill an untrusted bucket: an entry idle that long holds nothing.
  const uint64_t refillTicks = tscHz / std::max<uint32_t>(config.untrustedPps, 1) * std::max<uint32_t>(config.untrustedBurst, 1);
  s->idleTicks = std::max<uint64_t>(refillTicks, tscHz);
  return s;
}

bool SipFloodGuardSettings::isTrusted(uint8_t family, const uint8_t* address) const {
  for (const IpPrefix& p : trusted)
    if (p.contains(static_cast<IpFamily>(family), address)) return true;
  return false;
}

SipFloodGuard::SipFloodGuard()
    : sets_(new Set[kSets]()), entries_(new Entry[kSets * kWays]()), seed_(std::random_device{}()) {}

SipFloodGuard::~SipFloodGuard() = default;

uint32_t SipFloodGuard::hash(uint8_t family, const uint8_t* address, uint32_t seed) {
  uint32_t h = family == 4 ? rte_hash_crc(address, 4, seed) : rte_hash_crc(address, 16, seed);
  return h | 1;  // a tag is never 0 (free)
}

bool SipFloodGuard::aggregateAdmits(const SipFloodGuardSettings& s, uint64_t nowTsc) {
  if (unlikely(aggregateGeneration_ != s.generation)) {
    aggregateGeneration_ = s.generation;
    fill(aggregate_, s.aggregateMeter, nowTsc);
  }
  if (!admits(aggregate_, s.aggregateMeter, nowTsc)) {
    ++stats_.aggregateDrops;
    return false;
  }
  return true;
}

void SipFloodGuard::assign(Entry& e, const SipFloodGuardSettings& s, uint8_t interfaceIndex,
                           uint8_t family, const uint8_t* address, bool trusted, uint64_t nowTsc) {
  const uint32_t v = e.version.load(std::memory_order_relaxed);
  e.version.store(v + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  std::memset(e.address, 0, sizeof e.address);
  std::memcpy(e.address, address, family == 4 ? 4 : 16);
  e.family = family;
  e.trusted = trusted;
  e.interfaceIndex = interfaceIndex;
  e.generation = s.generation;
  e.lastTsc = nowTsc;
  fill(e.meter, trusted ? s.trustedMeter : s.untrustedMeter, nowTsc);
  e.windowStartTsc = nowTsc;
  e.windowPackets = 0;
  e.blockedUntilTsc = 0;
  e.blockedAtTsc = 0;
  e.dropped = 0;
  e.version.store(v + 2, std::memory_order_release);
}

void SipFloodGuard::block(Entry& e, const SipFloodGuardSettings& s, uint64_t nowTsc) {
  const uint32_t v = e.version.load(std::memory_order_relaxed);
  e.version.store(v + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  // The rate over the current window (at least a millisecond, so a burst reads as a rate).
  const uint64_t elapsed = std::max<uint64_t>(nowTsc - e.windowStartTsc, s.tscHz / 1000 + 1);
  e.ratePps = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{e.windowPackets} * s.tscHz / elapsed, UINT32_MAX));
  e.limitPps = e.trusted ? s.config.trustedPps : s.config.untrustedPps;
  e.blockedAtTsc = nowTsc;
  e.blockedUntilTsc = nowTsc + s.denyTicks + 1;  // never 0
  e.dropped = 0;
  e.version.store(v + 2, std::memory_order_release);
}

SipFloodGuard::Entry* SipFloodGuard::insert(const SipFloodGuardSettings& s, Set& set, Entry* ways,
                                            uint32_t tag, bool trusted, uint64_t nowTsc) {
  // A free way; else the way idle longest among those that may go (not blocked, or blocked no
  // more, and idle past idleTicks, unless the newcomer is trusted).
  unsigned victim = kWays;
  uint64_t oldest = UINT64_MAX;
  for (unsigned w = 0; w < kWays; ++w) {
    if (set.tag[w] == 0) {
      set.tag[w] = tag;
      ++stats_.tracked;
      return &ways[w];
    }
    const Entry& e = ways[w];
    const bool stillBlocked = e.blockedUntilTsc != 0 && nowTsc < e.blockedUntilTsc;
    if (stillBlocked && !(trusted && !e.trusted)) continue;
    const bool idle = nowTsc - e.lastTsc >= s.idleTicks;
    if (!idle && !trusted) continue;
    if (e.lastTsc < oldest) {
      oldest = e.lastTsc;
      victim = w;
    }
  }
  if (victim == kWays) {
    if (!trusted) return nullptr;
    // Every way holds a trusted source blocked right now: the one idle longest goes.
    for (unsigned w = 0; w < kWays; ++w)
      if (ways[w].lastTsc < oldest) oldest = ways[w].lastTsc, victim = w;
  }
  if (nowTsc - ways[victim].lastTsc < s.idleTicks) ++stats_.evictions;
  set.tag[victim] = tag;
  return &ways[victim];
}

FloodVerdict SipFloodGuard::check(const SipFloodGuardSettings& s, uint8_t interfaceIndex,
                                  uint8_t family, const uint8_t* address, uint64_t nowTsc) {
  const uint32_t tag = hash(family, address, seed_);
  Set& set = sets_[tag % kSets];
  Entry* ways = &entries_[(tag % kSets) * kWays];
  const unsigned addressBytes = family == 4 ? 4 : 16;
  Entry* e = nullptr;
  for (unsigned w = 0; w < kWays; ++w) {
    if (set.tag[w] == tag && ways[w].family == family &&
        std::memcmp(ways[w].address, address, addressBytes) == 0) {
      e = &ways[w];
      break;
    }
  }
  if (unlikely(e == nullptr)) {
    const bool trusted = s.isTrusted(family, address);
    e = insert(s, set, ways, tag, trusted, nowTsc);
    if (e == nullptr) {
      ++stats_.untracked;
      return aggregateAdmits(s, nowTsc) ? FloodVerdict::kAdmit : FloodVerdict::kFlood;
    }
    assign(*e, s, interfaceIndex, family, address, trusted, nowTsc);
  } else if (unlikely(e->generation != s.generation)) {
    // A new configuration: trust and bucket size follow it; a block in force stays.
    e->trusted = s.isTrusted(family, address);
    e->generation = s.generation;
    e->meter.tc = std::min<uint64_t>(e->meter.tc, (e->trusted ? s.trustedMeter : s.untrustedMeter).cbs);
  }

  if (unlikely(e->blockedUntilTsc != 0)) {
    if (nowTsc < e->blockedUntilTsc) {
      ++e->dropped;
      e->lastTsc = nowTsc;
      return FloodVerdict::kBlocked;
    }
    // The deny period is over: released with a full bucket.
    assign(*e, s, e->interfaceIndex, family, address, e->trusted, nowTsc);
  }

  e->lastTsc = nowTsc;
  if (nowTsc - e->windowStartTsc >= s.tscHz) {
    e->windowStartTsc = nowTsc;
    e->windowPackets = 0;
  }
  ++e->windowPackets;
  if (unlikely(!admits(e->meter, e->trusted ? s.trustedMeter : s.untrustedMeter, nowTsc))) {
    block(*e, s, nowTsc);
    return FloodVerdict::kFlood;
  }
  if (!e->trusted && !aggregateAdmits(s, nowTsc)) return FloodVerdict::kFlood;
  return FloodVerdict::kAdmit;
}

std::vector<FloodEntrySnapshot> SipFloodGuard::blocked(uint64_t nowTsc) const {
  std::vector<FloodEntrySnapshot> out;
  for (unsigned i = 0; i < kSets * kWays; ++i) {
    const Entry& e = entries_[i];
    for (int attempt = 0; attempt < 4; ++attempt) {
      const uint32_t before = e.version.load(std::memory_order_acquire);
      if (before & 1) continue;
      FloodEntrySnapshot snap;
      const uint8_t family = e.family;
      const uint64_t until = e.blockedUntilTsc;
      snap.source = family == 4 ? IpAddress::v4FromNetwork(e.address) : IpAddress::v6FromNetwork(e.address);
      snap.interfaceIndex = e.interfaceIndex;
      snap.trusted = e.trusted;
      snap.blockedAtTsc = e.blockedAtTsc;
      snap.untilTsc = until;
      snap.ratePps = e.ratePps;
      snap.limitPps = e.limitPps;
      snap.dropped = e.dropped;
      std::atomic_thread_fence(std::memory_order_acquire);
      if (e.version.load(std::memory_order_relaxed) != before) continue;
      if (family != 0 && until != 0 && nowTsc < until) out.push_back(snap);
      break;
    }
  }
  return out;
}

FloodGuardStats SipFloodGuard::stats() const { return stats_; }

}  // namespace sbc::dataplane
