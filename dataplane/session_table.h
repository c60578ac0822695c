#pragma once
// The control side's book of media sessions: it checks a session against the interfaces,
// builds its flows (two, or four with RTCP on port + 1), resolves their next hops, publishes
// them in the FlowTable, and reads their counters back from the workers. Single-threaded: it
// runs on the control lcore only.

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "dataplane/dataplane.h"
#include "dataplane/flow_table.h"
#include "dataplane/interface_table.h"
#include "dataplane/neighbor_table.h"

namespace sbc::dataplane {

class SessionTable {
 public:
  SessionTable(const InterfaceTable& interfaces, std::vector<InterfaceConfig> interfaceConfigs,
               FlowTable& flows, NeighborTable& neighbors, std::vector<const FlowStats*> workerStats,
               uint64_t tscHz);

  Status create(const MediaSessionSpec& spec, uint64_t nowTsc);
  Status update(const MediaSessionSpec& spec, uint64_t nowTsc);
  Status remove(uint32_t id);

  // Brings the flows of sessions back to their keys' home slots (FlowTable) once those are free.
  // An update leaves a session's flows in the overflow region while its old flows wait out their
  // grace period at home (a create may too, on a key freed a moment before), and a packet whose
  // flow is away from home costs the worker the key's table entry and a flow line it did not ask
  // for ahead: with 10% of 100k sessions updated once, `sbcbench relay --sessions 100000
  // --updated 10 --no-rehome` ran at 0.508-0.517 of the baseline, against 0.565-0.574 with no
  // update and 0.570-0.576 with the flows moved home. The control side calls this after
  // FlowTable::reclaim; it republishes (update) up to `budget` sessions whose homes are free,
  // oldest first, and returns how many. Only sessions whose flows are all away: an update that
  // gives one leg a new local port leaves that leg's flow at home and the other's away, and
  // republishing would swap them.
  unsigned rehome(uint64_t nowTsc, unsigned budget = 64);
  // Sessions with a flow away from home, waiting for rehome.
  size_t awayFromHome() const { return away_.size(); }

  std::optional<SessionView> view(uint32_t id, uint64_t nowTsc) const;
  std::vector<SessionView> views(uint64_t nowTsc) const;
  size_t size() const { return sessions_.size(); }

  // Sessions with no packet either way for `timeoutTsc`; each is returned once (until it
  // carries packets again).
  std::vector<uint32_t> collectIdle(uint64_t nowTsc, uint64_t timeoutTsc);

 private:
  static constexpr unsigned kMaxFlows = 4;  // rtp a, rtp b, rtcp a, rtcp b

  struct FlowSlot {
    FlowKey key{};
    Flow* flow = nullptr;
    std::vector<FlowStats> baseline;  // per worker, what the slot's counters held at creation
    FlowCounters carried;             // what earlier versions of this flow (before updates) counted
  };
  struct Session {
    MediaSessionSpec spec;
    FlowSlot flows[kMaxFlows];
    unsigned flowCount = 0;
    uint64_t createdTsc = 0;
    bool idleReported = false;
  };
  struct ResolvedLeg {
    uint8_t interfaceIndex;
    uint16_t portId;
    uint16_t neighborIndex;
    SocketAddress remote;  // with the family filled in when unknown
  };

  Status resolveLeg(const MediaSessionSpec& spec, unsigned leg, ResolvedLeg& out);
  Status checkKeysFree(const MediaSessionSpec& spec, const ResolvedLeg* legs, uint32_t selfId) const;
  Status buildFlows(const MediaSessionSpec& spec, const ResolvedLeg* legs, const Session* previous,
                    uint64_t nowTsc, Session& out);
  void fillFlow(Flow& f, const MediaSessionSpec& spec, const ResolvedLeg* legs, unsigned leg,
                bool rtcp);
  FlowCounters sumCounters(const FlowSlot& slot) const;
  // Coarse ticks since the session's most recent packet (or its creation); never negative.
  uint32_t idleTicks(const Session& s, uint64_t nowTsc) const;
  void releaseUnpublished(Session& s);
  bool anyFlowAway(const Session& s) const;
  bool allFlowsAway(const Session& s) const;
  bool homesFree(const Session& s) const;  // of every flow's key

  const InterfaceTable& interfaces_;
  std::vector<InterfaceConfig> configs_;
  FlowTable& flows_;
  NeighborTable& neighbors_;
  std::vector<const FlowStats*> workerStats_;
  uint64_t tscHz_;
  std::unordered_map<uint32_t, Session> sessions_;
  // Ids of sessions an update left with a flow away from home, in the order of those updates
  // (and so of their grace periods); an id may be there twice, or be of a session since removed.
  std::deque<uint32_t> away_;
};

}  // namespace sbc::dataplane
