#include "dataplane/sip_flood_guard.h"

#include <rte_branch_prediction.h>
#include <rte_hash_crc.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace sbc::dataplane {
namespace {

// A packet's cost in ticks, and a bucket of `burst` packets. pps 0 is refused by the
// validation; it would mean "nothing passes", so it is treated as one packet a second.
uint64_t costOf(uint64_t hz, uint32_t pps) { return hz / std::max<uint32_t>(pps, 1); }

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
  s->untrustedCost = costOf(tscHz, config.untrustedPps);
  s->untrustedCapacity = s->untrustedCost * std::max<uint32_t>(config.untrustedBurst, 1);
  s->trustedCost = costOf(tscHz, config.trustedPps);
  s->trustedCapacity = s->trustedCost * std::max<uint32_t>(config.trustedBurst, 1);
  const uint64_t aggregatePps = uint64_t{std::max<uint32_t>(config.untrustedPps, 1)} * kUntrustedAggregateFactor;
  s->aggregateCost = tscHz / aggregatePps;
  s->aggregateCapacity = s->aggregateCost * aggregatePps / 10;  // a tenth of a second's worth
  s->denyTicks = tscHz * config.denyPeriodSeconds;
  // Long enough to refill an untrusted bucket: an entry idle that long holds nothing.
  s->idleTicks = std::max<uint64_t>(s->untrustedCapacity, tscHz);
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
    aggregateCredit_ = s.aggregateCapacity;
    aggregateLastTsc_ = nowTsc;
  }
  aggregateCredit_ = std::min(s.aggregateCapacity, aggregateCredit_ + (nowTsc - aggregateLastTsc_));
  aggregateLastTsc_ = nowTsc;
  if (aggregateCredit_ < s.aggregateCost) {
    ++stats_.aggregateDrops;
    return false;
  }
  aggregateCredit_ -= s.aggregateCost;
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
  e.credit = trusted ? s.trustedCapacity : s.untrustedCapacity;
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
    e->credit = std::min(e->credit, e->trusted ? s.trustedCapacity : s.untrustedCapacity);
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

  const uint64_t capacity = e->trusted ? s.trustedCapacity : s.untrustedCapacity;
  const uint64_t cost = e->trusted ? s.trustedCost : s.untrustedCost;
  e->credit = std::min(capacity, e->credit + (nowTsc - e->lastTsc));
  e->lastTsc = nowTsc;
  if (nowTsc - e->windowStartTsc >= s.tscHz) {
    e->windowStartTsc = nowTsc;
    e->windowPackets = 0;
  }
  ++e->windowPackets;
  if (unlikely(e->credit < cost)) {
    block(*e, s, nowTsc);
    return FloodVerdict::kFlood;
  }
  e->credit -= cost;
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
