#pragma once
// The firewall stage and its owner. A worker passes each burst's IP packets through
// filterBurst() with the AclSet of the realm they arrive from ('in', after classify) or are
// relayed toward ('out', as the tx buffers are flushed); denied packets are freed and counted
// per rule and per reason. The control side commits a new configuration with
// Firewall::apply(): compiled off the workers, published with one pointer store, the old
// tables freed after an RCU grace period. Workers never wait and never lose a packet of a
// permitted flow to a commit.
//
// Counters: a rule keeps its counts across a commit when its list keeps a rule of the same
// sequence (an engineer who edits rule 20 of a list still sees rule 10's hits); the counts of
// rules that went away go with them. A realm's default-denied count and the pinhole count are
// kept too. `clear counters` zeroes them all without writing anything a worker writes.

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "dataplane/dataplane.h"
#include "dataplane/firewall_tables.h"
#include "dataplane/worker_counters.h"

namespace sbc::dataplane {

inline constexpr uint16_t kMaxFilterBurst = 64;  // a tx buffer's worth

// Filters `count` (≤ kMaxFilterBurst) IP packets through `set`: bit i of the result is set
// when packets[i] passes; the others are freed and counted (acl-deny, acl-rate, default-deny)
// in `counters` and in `worker`'s slice of the tables' rule counters.
uint64_t filterBurst(const FirewallTables& tables, const AclSet& set, rte_mbuf* const* packets, uint16_t count,
                     unsigned worker, uint64_t nowTsc, WorkerCounters& counters);

// filterBurst for media whose flows are known: `slots[i]` is packets[i]'s flow slot and `memos`
// the worker's array of remembered verdicts indexed by slot; `direction` says which of a slot's
// two is meant ('in': as the packets arrive on `interfaceIndex`; 'out': as the relay sends them
// out of it). An IPv4 packet whose key, interface and tables match the memo takes the verdict
// from it (rule counters, rate limits and drops as if rte_acl had answered); the others go
// through rte_acl and their answers are remembered. So a media flow costs rte_acl one lookup
// per commit, and per change of its source, instead of one per packet.
uint64_t filterFlows(const FirewallTables& tables, const AclSet& set, rte_mbuf* const* packets,
                     const uint32_t* slots, uint16_t count, AclFlowMemos* memos, AclDirection direction,
                     uint8_t interfaceIndex, unsigned worker, uint64_t nowTsc, WorkerCounters& counters);

class Firewall {
 public:
  // `interfaceRealms[i]`: the realm of interface i. `rcu`: the QSBR variable the workers
  // report on (null when no worker runs concurrently, as in single-threaded tests).
  Firewall(std::vector<std::string> interfaceRealms, unsigned workers, uint64_t tscHz, rte_rcu_qsbr* rcu);
  ~Firewall();
  Firewall(const Firewall&) = delete;
  Firewall& operator=(const Firewall&) = delete;

  // Validates, compiles, publishes, waits for the workers to let go of the old tables and
  // frees them. A refused configuration (every fault, one per line) leaves the running one.
  Status apply(const FirewallConfig& config);
  FirewallView view() const;
  void clearCounters();
  // How long the last successful apply() took, validation to the old tables' release.
  uint64_t lastCommitMicros() const { return lastCommitMicros_; }

  // The access-list log: the lines `log` rules made since the last call (sbcd prints them),
  // read from the workers' rings; and the last kLogHistory lines (`show acl log`).
  std::vector<AclLogEntry> drainLog();
  std::vector<AclLogEntry> logHistory() const;
  static constexpr size_t kLogHistory = 1000;
  static constexpr unsigned kLogRingSize = 1024;  // records per worker between two drains

  // For the workers: the tables now in force, or null before the first commit.
  const FirewallTables* tables() const { return current_.load(std::memory_order_acquire); }

 private:
  std::vector<std::string> interfaceRealms_;
  unsigned workers_;
  uint64_t tscHz_;
  rte_rcu_qsbr* rcu_;
  std::atomic<const FirewallTables*> current_{nullptr};
  FirewallTables* owned_ = nullptr;  // the same object, writable by the control side
  uint64_t commits_ = 0;
  uint64_t lastCommitMicros_ = 0;
  std::vector<rte_ring*> logRings_;  // one per worker, single producer, drained here
  uint64_t clockTsc_ = 0, clockUnixMs_ = 0;
  std::vector<AclLogEntry> fresh_;
  std::deque<AclLogEntry> history_;
  // Reads every ring; records are named from owned_, or from `previous` when they came from it.
  void drainLogLocked(const FirewallTables* previous);
  mutable std::mutex mutex_;  // apply, view and clear from more than one control thread
};

}  // namespace sbc::dataplane
