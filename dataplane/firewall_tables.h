#pragma once
// The compiled firewall: what acl_compiler.cc builds from a FirewallConfig and the workers read.
// Immutable once published, except the per-worker counter and rate-limit slices, each written
// by its own worker only. Workers find it through Firewall::tables() (firewall.h); a commit
// publishes a new one and frees the old after an RCU grace period.

#include <rte_acl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/firewall_config.h"
#include "dataplane/interface_table.h"

namespace sbc::dataplane {

// What rte_acl reads for one packet, copied out of the headers (network order), so that the
// layout is the same whatever the headers held before the addresses: an 802.1Q tag, a packet
// the relay rewrote. rte_acl wants a one-byte first field and then groups of four bytes.
// The ports are those of TCP and UDP; every other packet, and every IPv4 fragment but the
// first, is matched as if its ports were 0 (so a rule of a protocol alone still matches it,
// and one on ports above 0 never does). IPv6 fragments carry next header 44, not their
// transport's: their ports are not in the first header, and the kernel reassembles them.
struct AclKeyV4 {
  uint8_t protocol;
  uint8_t pad[3];
  uint32_t source;
  uint32_t destination;
  uint16_t sourcePort;
  uint16_t destinationPort;
};
static_assert(sizeof(AclKeyV4) == 16);

struct AclKeyV6 {
  uint8_t protocol;
  uint8_t pad[3];
  uint8_t source[16];
  uint8_t destination[16];
  uint16_t sourcePort;
  uint16_t destinationPort;
};
static_assert(sizeof(AclKeyV6) == 40);

// One compiled rule (a list's rule, or a trunk's pinhole); its id is its index in
// FirewallTables::rules and, plus one, its rte_acl userdata (0 is rte_acl's "no match").
struct AclRuleInfo {
  AclAction action = AclAction::kDeny;
  bool pinhole = false;
  uint32_t list = 0;             // index into FirewallTables::listNames (lists' rules only)
  uint32_t sequence = 0;
  uint64_t rateIntervalTsc = 0;  // one worker's share: TSC ticks per packet; 0: no limit
  uint64_t rateToleranceTsc = 0; // the burst that share may send at once, in ticks
  bool log = false;
};

// One worker's counts for one rule, and its token bucket (GCRA: the theoretical arrival time
// of the next packet that keeps within the rate).
struct AclRuleCounter {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t rateDrops = 0;
  uint64_t nextAllowedTsc = 0;
  // A `log` rule's: when it may write its next log record, and `packets` at its last one.
  uint64_t nextLogTsc = 0;
  uint64_t packetsAtLog = 0;
};

// What a worker hands the control side when a `log` rule matches: the packet's addresses as
// the rule saw them and the matches since the rule's previous record from this worker. The
// control side names the rule from the tables of `generation` (firewall.cc).
struct AclLogRecord {
  uint64_t tsc;
  uint32_t generation;
  uint32_t rule;
  uint32_t packets;
  uint8_t family;  // 4 or 6
  uint8_t protocol;
  uint16_t sourcePort;  // host order; 0 where the protocol has none
  uint16_t destinationPort;
  uint8_t worker;
  uint8_t pad[3];
  uint8_t source[16];  // network order; 4 bytes for IPv4
  uint8_t destination[16];
};
static_assert(sizeof(AclLogRecord) == 64);

// The 'in' verdict a worker found for the last packet of a media flow, kept in the worker's
// array indexed by flow slot (filterFlows). Valid for a packet whose key, arriving interface and
// tables' generation are the ones stored: the memo is a cache of rte_acl's answer for one exact
// key, so it cannot go stale when a slot is reused or a peer relatches, only miss.
struct alignas(32) AclVerdictMemo {
  AclKeyV4 key;             // pad[0]: the arriving interface's index + 1
  uint32_t generation = 0;  // FirewallTables::generation; 0 matches none
  uint32_t userdata = 0;    // rte_acl's result: rule id + 1, or 0 for no rule
  uint64_t reserved = 0;
};
static_assert(sizeof(AclVerdictMemo) == 32);

// A worker's memos of one flow slot, both directions in one cache line.
struct alignas(64) AclFlowMemos {
  AclVerdictMemo in;   // the packets the flow receives, as they arrive
  AclVerdictMemo out;  // the same packets as the relay sends them on
};

struct alignas(64) FirewallWorkerCounters {
  uint64_t defaultDenied[kMaxInterfaces];  // indexed by realm (FirewallTables::realms)
  uint64_t logRecordsLost;                 // the log ring was full
};

// The rules of one realm and direction, as rte_acl contexts (null where no rule of the
// family exists: every packet of it then takes the default action).
struct AclSet {
  rte_acl_ctx* v4 = nullptr;
  rte_acl_ctx* v6 = nullptr;
  AclAction defaultAction = AclAction::kPermit;
  uint8_t realm = 0;
  uint32_t rules = 0;  // compiled into the two contexts together
};

struct FirewallTables {
  FirewallTables();
  FirewallTables(const FirewallTables&) = delete;
  FirewallTables& operator=(const FirewallTables&) = delete;
  ~FirewallTables();

  // Per interface index: the set its packets go through, null when none.
  const AclSet* in[kMaxInterfaces] = {};   // arriving on the interface
  const AclSet* out[kMaxInterfaces] = {};  // relayed out of it
  std::vector<AclSet> sets;

  std::vector<AclRuleInfo> rules;
  std::vector<std::string> listNames;
  std::vector<uint32_t> listFirstRule;  // list i's rules are ids [listFirstRule[i], listFirstRule[i+1])
  std::vector<std::string> realms;
  uint64_t rulesInstalled = 0;
  // Unique to this object among every FirewallTables of the process (never 0): a verdict a
  // worker remembers (AclVerdictMemo) holds only under the tables it was found in.
  uint32_t generation;

  unsigned workers = 0;
  // Where workers put log records: one single-producer ring each (owned by the Firewall, which
  // outlives every tables object), or null where nothing drains them.
  struct rte_ring* const* logRings = nullptr;
  uint64_t logIntervalTsc = 0;
  size_t stride = 0;  // rule counters per worker, rounded to a cache line
  AclRuleCounter* ruleCounters = nullptr;       // workers × stride
  FirewallWorkerCounters* workerCounters = nullptr;  // workers

  // Control side only: added to the workers' sums when shown. Counts carried over from the
  // previous commit, less what `clear counters` took away (unsigned arithmetic wraps).
  std::vector<AclRuleCounters> ruleBase;       // indexed by rule id
  std::vector<uint64_t> defaultDeniedBase;     // indexed by realm
  uint64_t pinholeBase = 0;
  uint64_t logLinesLostBase = 0;

  AclRuleCounter* countersOf(unsigned worker) const { return ruleCounters + worker * stride; }
  // Sums over workers plus the base.
  AclRuleCounters totalOf(uint32_t rule) const;
  uint64_t defaultDeniedOf(uint8_t realm) const;
  uint64_t pinholePackets() const;
  uint64_t logLinesLost() const;
};

}  // namespace sbc::dataplane
