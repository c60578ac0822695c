#pragma once
// The SIP flood guard (Kamailio's pike, Acme Packet's deny period), in the fast path, before the
// exception ring: a flood never reaches the kernel or the SIP stack behind it.
//
// What it meters: every IP packet for the SBC itself that would go to the exception path (UDP
// that no media flow owns and that is outside the media range, TCP, ICMP, fragments for us),
// ARP and IPv6 neighbour discovery excepted. The dataplane does not know which ports the SIP
// stack listens on (5060, 5061, whatever `sip listen` says), and SIP over TCP/TLS or in IP
// fragments is SIP too; a ping or SYN flood costs the kernel the same. So: everything for the
// SBC, per source address.
//
// Per source: a token bucket, DPDK's rte_meter single-rate three-colour marker used colour-blind
// with packets for bytes (CIR = the rate in packets a second, CBS = the burst, no excess bucket:
// green passes, anything else overflows). Sources inside a trusted prefix (the trunks'
// pinholes) get trustedPps/trustedBurst, the others untrustedPps/Burst. A
// source that empties its bucket is blocked for denyPeriodSeconds: its packets are dropped
// (the one that overflowed counted sip-flood, the rest blocked-source) until the period ends,
// and it is released by its next packet after that.
//
// Bounded memory: a fixed set-associative table (kSets sets of kWays), allocated once; a new
// source takes a free way, else the way idle longest whose block (if any) is over. When every
// way of its set holds a live source (a flood from very many, spoofed, addresses), an untrusted
// newcomer is not tracked; it is admitted only through the aggregate bucket that every
// untrusted packet passes (untrustedPps × kUntrustedAggregateFactor for all untrusted sources
// of this worker together: Acme's "max untrusted bandwidth"), so the trunks keep their share
// whatever the strangers do. A trusted newcomer evicts the way idle longest.
//
// One guard per worker, written by that worker only (no locks, no atomics per packet). RSS
// keeps a source's flow on one worker; a source whose flows land on several workers gets the
// rate once per worker (an approximation the lab, with one worker, does not see).
// The control lcore reads blocked entries through a per-entry version (seqlock).

#include <rte_meter.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataplane/firewall_config.h"
#include "dataplane/ip_address.h"

namespace sbc::dataplane {

// The compiled configuration, immutable once published; workers read it through one atomic
// pointer per burst. Old ones are kept by the dataplane until it stops (commits are rare).
struct SipFloodGuardSettings {
  bool enabled = false;
  uint32_t generation = 0;  // entries re-derive their trust when it changes
  SipFloodGuardConfig config;
  std::vector<IpPrefix> trusted;
  // The buckets' rates and depths, for rte_meter (on the guard's clock: see compile()).
  rte_meter_srtcm_profile untrustedMeter{}, trustedMeter{}, aggregateMeter{};
  uint64_t denyTicks = 0;
  uint64_t idleTicks = 0;  // an unblocked entry idle this long is free for another source
  uint64_t tscHz = 1;

  static std::shared_ptr<const SipFloodGuardSettings> compile(const SipFloodGuardConfig& config,
                                                              std::vector<IpPrefix> trusted,
                                                              uint64_t tscHz, uint32_t generation);
  bool isTrusted(uint8_t family, const uint8_t* address) const;
};

inline constexpr uint32_t kUntrustedAggregateFactor = 100;

enum class FloodVerdict : uint8_t { kAdmit, kFlood, kBlocked };

// One entry as the control side sees it.
struct FloodEntrySnapshot {
  IpAddress source;
  uint8_t interfaceIndex = 0;
  bool trusted = false;
  uint64_t blockedAtTsc = 0, untilTsc = 0;
  uint32_t ratePps = 0;   // seen when it was blocked
  uint32_t limitPps = 0;  // its bucket's rate then
  uint64_t dropped = 0;   // since it was blocked
};

struct FloodGuardStats {
  uint64_t tracked = 0;       // sources in the table
  uint64_t untracked = 0;     // untrusted newcomers that found their set full
  uint64_t evictions = 0;     // live entries replaced
  uint64_t aggregateDrops = 0;
};

class SipFloodGuard {
 public:
  static constexpr unsigned kWays = 8;
  static constexpr unsigned kSets = 1024;  // 8,192 sources per worker, 1 MiB

  SipFloodGuard();
  ~SipFloodGuard();
  SipFloodGuard(const SipFloodGuard&) = delete;
  SipFloodGuard& operator=(const SipFloodGuard&) = delete;

  // `family` 4 or 6; `address` 4 or 16 bytes, network order.
  FloodVerdict check(const SipFloodGuardSettings& s, uint8_t interfaceIndex, uint8_t family,
                     const uint8_t* address, uint64_t nowTsc);

  // Control side: every entry blocked at `nowTsc`. Entries being rewritten are skipped.
  std::vector<FloodEntrySnapshot> blocked(uint64_t nowTsc) const;
  FloodGuardStats stats() const;

 private:
  struct alignas(64) Entry {
    std::atomic<uint32_t> version{0};  // odd while the worker rewrites the identity or block
    uint32_t generation = 0;
    uint8_t address[16];
    uint8_t family = 0;  // 0: free
    uint8_t trusted = 0;
    uint8_t interfaceIndex = 0;
    uint64_t lastTsc = 0;
    rte_meter_srtcm meter{};
    uint64_t windowStartTsc = 0;
    uint32_t windowPackets = 0;
    uint32_t ratePps = 0;
    uint32_t limitPps = 0;
    uint64_t blockedAtTsc = 0;
    uint64_t blockedUntilTsc = 0;  // 0: not blocked
    uint64_t dropped = 0;
  };
  struct alignas(64) Set {
    uint32_t tag[kWays];  // a hash of the way's source, 0 when free
  };

  static uint32_t hash(uint8_t family, const uint8_t* address, uint32_t seed);
  Entry* insert(const SipFloodGuardSettings& s, Set& set, Entry* ways, uint32_t tag, bool trusted,
                uint64_t nowTsc);
  void assign(Entry& e, const SipFloodGuardSettings& s, uint8_t interfaceIndex, uint8_t family,
              const uint8_t* address, bool trusted, uint64_t nowTsc);
  void block(Entry& e, const SipFloodGuardSettings& s, uint64_t nowTsc);
  bool aggregateAdmits(const SipFloodGuardSettings& s, uint64_t nowTsc);

  std::unique_ptr<Set[]> sets_;
  std::unique_ptr<Entry[]> entries_;
  uint32_t seed_;
  rte_meter_srtcm aggregate_{};
  uint32_t aggregateGeneration_ = UINT32_MAX;
  FloodGuardStats stats_{};
};

}  // namespace sbc::dataplane
