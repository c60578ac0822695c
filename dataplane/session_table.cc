#include "dataplane/session_table.h"

#include <algorithm>

#include "dataplane/media_relay.h"

namespace sbc::dataplane {
namespace {
const char* legName(unsigned leg) { return leg == 0 ? "leg-a" : "leg-b"; }
}  // namespace

SessionTable::SessionTable(const InterfaceTable& interfaces,
                           std::vector<InterfaceConfig> interfaceConfigs, FlowTable& flows,
                           NeighborTable& neighbors, std::vector<const FlowStats*> workerStats,
                           uint64_t tscHz)
    : interfaces_(interfaces),
      configs_(std::move(interfaceConfigs)),
      flows_(flows),
      neighbors_(neighbors),
      workerStats_(std::move(workerStats)),
      tscHz_(tscHz) {}

Status SessionTable::resolveLeg(const MediaSessionSpec& spec, unsigned leg, ResolvedLeg& out) {
  const MediaLegSpec& l = spec.legs[leg];
  const std::string where = std::string(legName(leg)) + ": ";
  auto it = std::find_if(configs_.begin(), configs_.end(),
                         [&](const InterfaceConfig& c) { return c.name == l.interfaceName; });
  if (it == configs_.end()) return Status::failure(where + "no interface '" + l.interfaceName + "'");
  const InterfaceConfig& cfg = *it;
  out.interfaceIndex = static_cast<uint8_t>(it - configs_.begin());
  out.portId = interfaces_.interfaces[out.interfaceIndex].portId;
  bool owned = std::any_of(cfg.addresses.begin(), cfg.addresses.end(),
                           [&](const IpPrefix& p) { return p.address == l.local.ip; });
  if (!owned)
    return Status::failure(where + "local " + l.local.ip.toString() + " is not an address of " +
                           cfg.name);
  const InterfaceRuntime& rt = interfaces_.interfaces[out.interfaceIndex];
  unsigned lastPort = l.rtcpMux ? l.local.port : l.local.port + 1u;
  if (!rt.isMediaPort(l.local.port) || lastPort > rt.mediaPortMax)
    return Status::failure(where + "local port " + std::to_string(l.local.port) +
                           " is outside the media range " + std::to_string(rt.mediaPortMin) + "-" +
                           std::to_string(rt.mediaPortMax));
  if (!l.rtcpMux && (l.local.port % 2) != 0)
    return Status::failure(where + "local RTP port " + std::to_string(l.local.port) +
                           " must be even when RTCP uses port + 1");
  out.remote = l.remote;
  bool remoteKnown = !l.remote.ip.isUnspecified() && l.remote.ip.family != IpFamily::kNone;
  if (!remoteKnown) {
    if (!l.latchAnySource)
      return Status::failure(where + "remote is unknown, so the leg must latch any source (latch-any)");
    out.remote.ip = IpAddress{};
    out.remote.ip.family = l.local.ip.family;
    out.neighborIndex = kNoNeighbor;
    return Status::success();
  }
  if (l.remote.ip.family != l.local.ip.family)
    return Status::failure(where + "remote " + l.remote.ip.toString() + " and local " +
                           l.local.ip.toString() + " are of different IP versions");
  // The next hop: the peer itself when it is on one of the interface's links, else the gateway.
  IpAddress nextHop = l.remote.ip;
  bool onLink = std::any_of(cfg.addresses.begin(), cfg.addresses.end(),
                            [&](const IpPrefix& p) { return p.contains(l.remote.ip); });
  if (!onLink) {
    const auto& gw = l.remote.ip.isV4() ? cfg.gatewayV4 : cfg.gatewayV6;
    if (!gw)
      return Status::failure(where + "no route to " + l.remote.ip.toString() + ": not on a link of " +
                             cfg.name + " and no gateway");
    nextHop = *gw;
  }
  int32_t n = neighbors_.ensure(out.interfaceIndex, nextHop);
  if (n < 0) return Status::failure(where + "neighbour table full");
  out.neighborIndex = static_cast<uint16_t>(n);
  return Status::success();
}

Status SessionTable::checkKeysFree(const MediaSessionSpec& spec, const ResolvedLeg* legs,
                                   uint32_t selfId) const {
  for (unsigned leg = 0; leg < 2; ++leg) {
    const MediaLegSpec& l = spec.legs[leg];
    for (unsigned rtcp = 0; rtcp < (l.rtcpMux ? 1u : 2u); ++rtcp) {
      SocketAddress local = l.local;
      local.port = static_cast<uint16_t>(local.port + rtcp);
      const Flow* f = flows_.lookup(FlowKey::make(legs[leg].portId, local));
      if (f == nullptr) continue;
      if (const uint32_t owner = flows_.coldOf(f).sessionId; owner != selfId)
        return Status::failure(std::string(legName(leg)) + ": " + local.toString() + " is already used by session " +
                               std::to_string(owner));
    }
  }
  if (spec.legs[0].interfaceName == spec.legs[1].interfaceName &&
      spec.legs[0].local == spec.legs[1].local)
    return Status::failure("leg-a and leg-b use the same local address and port");
  return Status::success();
}

void SessionTable::fillFlow(Flow& f, const MediaSessionSpec& spec, const ResolvedLeg* legs,
                            unsigned leg, bool rtcp) {
  const unsigned other = 1 - leg;
  const MediaLegSpec& in = spec.legs[leg];
  const MediaLegSpec& out = spec.legs[other];
  uint16_t offset = rtcp ? 1 : 0;
  FlowCold& cold = flows_.coldOf(&f);
  cold.sessionId = spec.id;
  f.flags = (in.latchAnySource ? flow_flags::kLatchAnySource : 0) |
            (spec.relatchSilenceMs ? flow_flags::kRelatchAllowed : 0) |
            (rtcp ? flow_flags::kRtcp : 0) | (legs[leg].remote.port == 0 ? flow_flags::kAnyPeerPort : 0) |
            (interfaces_.interfaces[legs[other].interfaceIndex].vlan != 0 ? flow_flags::kTaggedEgress : 0);
  f.egressInterface = legs[other].interfaceIndex;
  SocketAddress expected = legs[leg].remote;
  if (expected.port != 0) expected.port = static_cast<uint16_t>(expected.port + offset);
  cold.expected = WireAddress::from(expected);
  SocketAddress source = out.local;
  source.port = static_cast<uint16_t>(source.port + offset);
  cold.egressSource = WireAddress::from(source);
  f.egressPortBe = cold.egressSource.portBe;
  if (source.ip.isV4()) std::memcpy(&f.egressV4, cold.egressSource.address, 4);
  SocketAddress to = legs[other].remote;
  if (to.port != 0) to.port = static_cast<uint16_t>(to.port + offset);
  bool toKnown = !to.ip.isUnspecified() && to.port != 0;
  DestinationSnapshot destination;
  destination.peer = toKnown ? WireAddress::from(to) : WireAddress{};
  destination.neighborIndex = toKnown ? legs[other].neighborIndex : kNoNeighbor;
  writeDestination(f, cold, destination);
  uint64_t silenceTicks = (static_cast<uint64_t>(spec.relatchSilenceMs) * tscHz_ / 1000) >> kCoarseShift;
  cold.relatchSilenceCoarse = static_cast<uint32_t>(std::min<uint64_t>(silenceTicks, INT32_MAX));
}

Status SessionTable::buildFlows(const MediaSessionSpec& spec, const ResolvedLeg* legs,
                                const Session* previous, uint64_t nowTsc, Session& out) {
  const bool rtcpPort = !spec.legs[0].rtcpMux;
  out.flowCount = rtcpPort ? 4 : 2;
  for (unsigned i = 0; i < out.flowCount; ++i) {
    unsigned leg = i % 2;
    bool rtcp = i >= 2;
    SocketAddress local = spec.legs[leg].local;
    local.port = static_cast<uint16_t>(local.port + (rtcp ? 1 : 0));
    out.flows[i].key = FlowKey::make(legs[leg].portId, local);
    Flow* f = flows_.allocate(out.flows[i].key);
    if (f == nullptr) {
      releaseUnpublished(out);
      return Status::failure("flow table full (" + std::to_string(flows_.capacity()) + " flows)");
    }
    fillFlow(*f, spec, legs, leg, rtcp);
    f->lastSeenCoarse.store(coarseTime(nowTsc), std::memory_order_relaxed);
    out.flows[i].flow = f;
    out.flows[i].baseline.resize(workerStats_.size());
    for (size_t w = 0; w < workerStats_.size(); ++w)
      out.flows[i].baseline[w] = workerStats_[w][flows_.slotOf(f)];
  }
  for (unsigned i = 0; i < out.flowCount; ++i)
    flows_.coldOf(out.flows[i].flow).opposite = out.flows[i ^ 1].flow;

  if (previous != nullptr) {
    for (unsigned i = 0; i < out.flowCount && i < previous->flowCount; ++i) {
      const FlowSlot& before = previous->flows[i];
      FlowSlot& now = out.flows[i];
      // A flow that keeps its key keeps its counters and its last-seen time: a re-INVITE
      // must neither zero the call's statistics nor look like silence to the relatch rule.
      if (std::memcmp(&before.key, &now.key, sizeof(FlowKey)) == 0) {
        FlowCounters c = sumCounters(before);
        now.carried = c;
        now.flow->lastSeenCoarse.store(before.flow->lastSeenCoarse.load(std::memory_order_relaxed),
                                       std::memory_order_relaxed);
      }
    }
    // An update that keeps a leg where it was (same interface, local address, peer and latch
    // mode) keeps what that leg latched; anything else makes it latch afresh.
    for (unsigned i = 0; i < out.flowCount && i < previous->flowCount; ++i) {
      unsigned leg = i % 2;
      const MediaLegSpec& before = previous->spec.legs[leg];
      const MediaLegSpec& now = spec.legs[leg];
      const FlowCold& old = flows_.coldOf(previous->flows[i].flow);
      if (!(before.remote == now.remote) || before.latchAnySource != now.latchAnySource ||
          before.interfaceName != now.interfaceName || !(before.local == now.local) ||
          old.latchState.load(std::memory_order_acquire) != static_cast<uint32_t>(LatchState::kLatched))
        continue;
      FlowCold& fresh = flows_.coldOf(out.flows[i].flow);
      fresh.latched = old.latched;
      // latchedV4 stays 0: the peer's next packet takes the general path, which opens the fast
      // path and starts the fresh flow's loss count (the old flow's loss is in `carried`).
      fresh.latchState.store(static_cast<uint32_t>(LatchState::kLatched), std::memory_order_relaxed);
      const Flow* oldOpposite = previous->flows[i ^ 1].flow;
      Flow* freshOpposite = out.flows[i ^ 1].flow;
      writeDestination(*freshOpposite, flows_.coldOf(freshOpposite),
                       readDestination(*oldOpposite, flows_.coldOf(oldOpposite)));
    }
  }
  return Status::success();
}

void SessionTable::releaseUnpublished(Session& s) {
  for (unsigned i = 0; i < kMaxFlows; ++i)
    if (s.flows[i].flow != nullptr) {
      flows_.release(s.flows[i].flow);
      s.flows[i].flow = nullptr;
    }
  s.flowCount = 0;
}

Status SessionTable::create(const MediaSessionSpec& spec, uint64_t nowTsc) {
  if (sessions_.count(spec.id)) return Status::failure("session " + std::to_string(spec.id) + " already exists");
  return update(spec, nowTsc);
}

Status SessionTable::update(const MediaSessionSpec& spec, uint64_t nowTsc) {
  if (spec.legs[0].rtcpMux != spec.legs[1].rtcpMux)
    return Status::failure("rtcp-mux must be the same on both legs");
  ResolvedLeg legs[2];
  for (unsigned leg = 0; leg < 2; ++leg)
    if (Status s = resolveLeg(spec, leg, legs[leg]); !s.ok()) return s;
  if (Status s = checkKeysFree(spec, legs, spec.id); !s.ok()) return s;

  auto existing = sessions_.find(spec.id);
  const Session* previous = existing == sessions_.end() ? nullptr : &existing->second;
  Session fresh;
  fresh.spec = spec;
  fresh.createdTsc = previous ? previous->createdTsc : nowTsc;
  if (Status s = buildFlows(spec, legs, previous, nowTsc, fresh); !s.ok()) return s;

  for (unsigned i = 0; i < fresh.flowCount; ++i) {
    if (!flows_.publish(fresh.flows[i].key, fresh.flows[i].flow)) {
      // Cannot happen with an extendable table; undo what was published so far.
      for (unsigned j = 0; j < i; ++j) flows_.remove(fresh.flows[j].key);
      for (unsigned j = i; j < fresh.flowCount; ++j) flows_.release(fresh.flows[j].flow);
      return Status::failure("flow table refused a key");
    }
  }
  if (previous != nullptr) {
    // Keys the new version no longer uses; those it reuses were replaced (and retired) above.
    for (unsigned i = 0; i < previous->flowCount; ++i) {
      bool kept = false;
      for (unsigned j = 0; j < fresh.flowCount; ++j)
        kept |= std::memcmp(&previous->flows[i].key, &fresh.flows[j].key, sizeof(FlowKey)) == 0;
      if (!kept) flows_.remove(previous->flows[i].key);
    }
  }
  Session& stored = sessions_[spec.id] = std::move(fresh);
  if (anyFlowAway(stored)) away_.push_back(spec.id);
  return Status::success();
}

bool SessionTable::anyFlowAway(const Session& s) const {
  for (unsigned i = 0; i < s.flowCount; ++i)
    if (!flows_.inHomeSlot(s.flows[i].flow)) return true;
  return false;
}

bool SessionTable::allFlowsAway(const Session& s) const {
  for (unsigned i = 0; i < s.flowCount; ++i)
    if (flows_.inHomeSlot(s.flows[i].flow)) return false;
  return true;
}

bool SessionTable::homesFree(const Session& s) const {
  for (unsigned i = 0; i < s.flowCount; ++i)
    if (!flows_.homeFree(s.flows[i].key)) return false;
  return true;
}

unsigned SessionTable::rehome(uint64_t nowTsc, unsigned budget) {
  unsigned moved = 0;
  while (!away_.empty() && budget > 0) {
    const auto it = sessions_.find(away_.front());
    // Removed, home already, or home in part: republished, a flow at home would leave it (its home
    // holds it). Such a session (an update that gave one leg a new local port) is left as it is.
    if (it == sessions_.end() || !allFlowsAway(it->second)) {
      away_.pop_front();
      continue;
    }
    // Grace periods end in the order they began: a later session's homes are not free before this one's.
    if (!homesFree(it->second)) break;
    away_.pop_front();
    --budget;
    // The session as it is: its flows are built afresh in their homes, with the latch, counters
    // and loss carried as for any update.
    const MediaSessionSpec spec = it->second.spec;
    if (update(spec, nowTsc).ok()) ++moved;
  }
  return moved;
}

Status SessionTable::remove(uint32_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return Status::failure("no session " + std::to_string(id));
  for (unsigned i = 0; i < it->second.flowCount; ++i) flows_.remove(it->second.flows[i].key);
  sessions_.erase(it);
  return Status::success();
}

FlowCounters SessionTable::sumCounters(const FlowSlot& slot) const {
  FlowCounters c = slot.carried;
  c.packets += slot.flow->packets.load(std::memory_order_relaxed);
  c.bytes += slot.flow->bytes.load(std::memory_order_relaxed);
  c.lost += rtpLost(*slot.flow, flows_.coldOf(slot.flow));
  for (size_t w = 0; w < workerStats_.size(); ++w)
    c.sourceDrops += workerStats_[w][flows_.slotOf(slot.flow)].sourceDrops - slot.baseline[w].sourceDrops;
  return c;
}

uint32_t SessionTable::idleTicks(const Session& s, uint64_t nowTsc) const {
  const uint32_t now = coarseTime(nowTsc);
  int32_t idle = INT32_MAX;
  for (unsigned i = 0; i < s.flowCount; ++i)
    idle = std::min(idle, elapsedCoarse(now, s.flows[i].flow->lastSeenCoarse.load(std::memory_order_relaxed)));
  // A worker's reading may be newer than ours: that flow is active right now.
  return static_cast<uint32_t>(std::max(idle, 0));
}

std::optional<SessionView> SessionTable::view(uint32_t id, uint64_t nowTsc) const {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  const Session& s = it->second;
  SessionView v;
  v.spec = s.spec;
  for (unsigned leg = 0; leg < 2; ++leg) {
    const FlowCold& cold = flows_.coldOf(s.flows[leg].flow);
    LegView& lv = v.legs[leg];
    lv.latched = cold.latchState.load(std::memory_order_acquire) == static_cast<uint32_t>(LatchState::kLatched);
    if (lv.latched) lv.latchedPeer = cold.latched.toSocketAddress();
    const Flow* opposite = s.flows[leg ^ 1].flow;
    lv.sendingTo = readDestination(*opposite, flows_.coldOf(opposite)).peer.toSocketAddress();
    lv.rtp = sumCounters(s.flows[leg]);
    if (s.flowCount == 4) lv.rtcp = sumCounters(s.flows[2 + leg]);
  }
  v.ageMs = (nowTsc - s.createdTsc) * 1000 / tscHz_;
  v.idleMs = (static_cast<uint64_t>(idleTicks(s, nowTsc)) << kCoarseShift) * 1000 / tscHz_;
  return v;
}

std::vector<SessionView> SessionTable::views(uint64_t nowTsc) const {
  std::vector<SessionView> out;
  out.reserve(sessions_.size());
  for (const auto& [id, s] : sessions_) out.push_back(*view(id, nowTsc));
  std::sort(out.begin(), out.end(), [](const SessionView& a, const SessionView& b) { return a.spec.id < b.spec.id; });
  return out;
}

std::vector<uint32_t> SessionTable::collectIdle(uint64_t nowTsc, uint64_t timeoutTsc) {
  std::vector<uint32_t> idle;
  for (auto& [id, s] : sessions_) {
    bool isIdle = (static_cast<uint64_t>(idleTicks(s, nowTsc)) << kCoarseShift) > timeoutTsc;
    if (isIdle && !s.idleReported) idle.push_back(id);
    s.idleReported = isIdle;
  }
  return idle;
}

}  // namespace sbc::dataplane
