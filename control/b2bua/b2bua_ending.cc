// How calls end (BYE both ways, CANCEL, the record) and move: the media watchdog, and the
// failover of INVITEs waiting on a contact center host that went down.

#include "control/b2bua/b2bua.h"

#include <algorithm>

#include "control/b2bua/b2bua_messages.h"
#include "control/b2bua/call_classifier.h"
#include "control/b2bua/sip_builders.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

using sip::HeaderId;

void B2bua::hangUp(Call& call, const std::string& cause, std::optional<LegSide> alreadyGone) {
  if (call.state == CallState::kEnded) return;
  for (LegSide side : {LegSide::kA, LegSide::kB}) {
    if (alreadyGone && *alreadyGone == side) continue;
    Dialog& dialog = call.legs[index(side)];
    if (dialog.remoteTag.empty()) continue;  // no dialog on that leg
    if (side == LegSide::kB && call.state != CallState::kConfirmed) continue;  // CANCEL, below
    if (side == LegSide::kA && call.state != CallState::kConfirmed) {
      // The caller has no confirmed dialog: its INVITE is still open.
      if (!call.cancelled && call.inviteServer != 0 && serverInvites_.count(call.inviteServer)) {
        serverInvites_.erase(call.inviteServer);
        respond(call.inviteServer, responseTo(call.originalInvite, 487, dialog.localTag), &call, side);
      }
      continue;
    }
    sip::Message bye = makeInDialogRequest(dialog, "BYE");
    if (cause == "media-timeout") bye.add(HeaderId::Reason, "SIP;cause=408;text=\"media timeout\"");
    if (cause == "session-expired") bye.add(HeaderId::Reason, "SIP;cause=408;text=\"session timer expired\"");
    sendRequest(call, side, std::move(bye), byeContext());
  }
  if ((call.state == CallState::kTrying || call.state == CallState::kEarly) && call.inviteClient != 0)
    transactions_->cancel(call.inviteClient);
  finish(call, cause);
}

void B2bua::finish(Call& call, const std::string& cause) {
  if (call.state == CallState::kEnded) return;
  call.state = CallState::kEnded;
  if (call.endCause.empty() || call.endCause == "cancelled") call.endCause = cause;
  call.endMs = wallClock_();
  media_.refresh(call);
  media_.release(call);
  for (auto* timers : {&call.retransmitTimer, &call.sessionTimer})
    for (TimerId& timer : *timers)
      if (timer) {
        timers_.cancel(timer);
        timer = 0;
      }
  stopRinging(call);
  if (!call.trunk.empty())
    if (TrunkState* trunk = trunks_.byName(call.trunk)) trunks_.release(*trunk);
  records_.write(call);
  ++counters_.callsEnded;
  for (const Dialog& dialog : call.legs) dialogs_.erase(dialogKey(dialog.callId, dialog.localTag));
  serverInvites_.erase(call.inviteServer);
  // A later INVITE with the same Call-ID, From tag and CSeq may have made a call of its own.
  if (const auto origin = inviteOrigins_.find(originKey(call.originalInvite));
      origin != inviteOrigins_.end() && origin->second == call.inviteServer)
    inviteOrigins_.erase(origin);
  // Transactions still running (a BYE, a 2xx being ACKed) find no call and stop quietly.
  calls_.erase(call.id);
}

void B2bua::endAllCalls(const std::string& cause) {
  std::vector<std::uint64_t> ids;
  for (const auto& [id, call] : calls_) ids.push_back(id);
  for (std::uint64_t id : ids)
    if (Call* call = findCall(id)) hangUp(*call, cause, std::nullopt);
}

void B2bua::checkMedia() {
  std::vector<std::uint64_t> silent;
  for (auto& [id, call] : calls_) {
    if (call->state != CallState::kConfirmed) continue;
    const auto idle = media_.refresh(*call);
    if (idle && *idle >= static_cast<Millis>(config_.mediaTimeoutMs)) silent.push_back(id);
  }
  for (std::uint64_t id : silent)
    if (Call* call = findCall(id)) {
      ++counters_.mediaTimeouts;
      hangUp(*call, "media-timeout", std::nullopt);
    }
  mediaTimer_ = timers_.schedule(std::min<Millis>(1000, config_.mediaTimeoutMs), [this] { checkMedia(); });
}

void B2bua::restartRingTimer(Call& call) {
  stopRinging(call);
  if (config_.ringTimeoutS == 0) return;
  call.ringTimer = timers_.schedule(static_cast<Millis>(config_.ringTimeoutS) * 1000,
                                    [this, id = call.id] { ringTimedOut(id); });
}

void B2bua::stopRinging(Call& call) {
  if (call.ringTimer) timers_.cancel(call.ringTimer);
  call.ringTimer = 0;
}

void B2bua::ringTimedOut(std::uint64_t callId) {
  // As a caller's CANCEL would, but the caller hears 408: leg B is cancelled, and the call ends
  // with leg B's final response (a 2xx that beat the CANCEL is ACKed and hung up) or 64*T1
  // after the CANCEL. Without this a callee that rings and never answers, or dies ringing,
  // holds the call, its media ports and its trunk's capacity for as long as the caller waits.
  Call* call = findCall(callId);
  if (!call) return;
  call->ringTimer = 0;
  if (call->state != CallState::kEarly || call->cancelled) return;
  ++counters_.ringTimeouts;
  call->cancelled = true;
  call->finalStatus = 408;
  call->endCause = "no-answer";
  if (serverInvites_.erase(call->inviteServer))
    respond(call->inviteServer, responseTo(call->originalInvite, 408, call->legs[0].localTag), call,
            LegSide::kA);
  if (call->inviteClient != 0) transactions_->cancel(call->inviteClient);
  call->state = CallState::kTerminating;
}

bool B2bua::tryAnotherHost(Call& call) {
  if (call.type == CallType::kOutbound || call.state != CallState::kTrying ||
      call.failoverAttempts >= 2)
    return false;
  const dataplane::SocketAddress current = call.legs[1].peer.address;
  std::optional<dataplane::SocketAddress> next = vip_.target();
  if (!next || *next == current) {
    // The monitor has not switched yet; the backup, if any, is the other candidate.
    const auto& backup = vip_.backup();
    const auto& vip = vip_.vip();
    if (!backup || !vip) return false;
    next = current == vip->address ? backup->address : vip->address;
    if (*next == current) return false;
  }
  ++call.failoverAttempts;
  ++counters_.failovers;
  abandonInvite(call);
  sendInviteOnLegB(call, *next);
  return true;
}

void B2bua::abandonInvite(Call& call) {
  // The abandoned INVITE is cancelled: should the host it went to answer it after all (it was
  // slow, not dead, or the VIP came up elsewhere), the CANCEL follows its first provisional
  // response instead of leaving the call ringing there (RFC 3261 9.1). Its context stays, with
  // the dialog it was sent in, until its final response: a 2xx that beat the CANCEL is ACKed
  // and hung up at once (onAbandonedResponse).
  const auto found = clients_.find(call.inviteClient);
  if (found == clients_.end()) return;
  transactions_->cancel(call.inviteClient);
  found->second.kind = ClientKind::kAbandonedInvite;
  found->second.abandonedDialog = call.legs[1];
}

void B2bua::failOver(const dataplane::SocketAddress& from, const dataplane::SocketAddress& to) {
  // Calls still waiting for an answer from the host that went away are re-sent to the one
  // that is up now, ringing ones too: a host that dies between its 180 and its 200 would
  // otherwise leave the caller hearing ringback until it gives up. Calls already up keep their
  // dialogs and media. A switch back to the VIP because it answers again leaves the backup
  // up: what waits on the backup stays there.
  auto isDown = [&from](const std::optional<ProbedAddress>& host) {
    return host && host->address == from && !host->up;
  };
  if (!isDown(vip_.vip()) && !isDown(vip_.backup())) return;
  resendInvites(from, to, Resend::kFailover);
}

void B2bua::onVipMoved(const dataplane::SocketAddress& vip, const dataplane::MacAddress& holder) {
  // Another host holds the VIP now. An INVITE still unanswered there reaches it by its own
  // retransmissions, but one that rang is retransmitted no more (RFC 3261 17.1.1.2): its
  // transaction left with the old host, and the caller would ring until it gave up. It is
  // cancelled (a holder that shares the old host's calls ends that branch) and offered anew,
  // as a new leg-B call: a new Call-ID keeps the CANCEL of the old one from reaching it.
  // Calls the new holder rang itself (the move is seen at the next probe round, up to an
  // interval late) stay: each call knows where it rang.
  resendInvites(vip, vip, Resend::kVipMoved, holder);
}

void B2bua::resendInvites(const dataplane::SocketAddress& from, const dataplane::SocketAddress& to,
                          Resend kind, const dataplane::MacAddress& holder) {
  std::vector<std::uint64_t> waiting;
  for (auto& [id, call] : calls_) {
    const bool waits =
        kind == Resend::kFailover
            ? call->state == CallState::kEarly || call->state == CallState::kTrying
            : call->state == CallState::kEarly && call->rangAtVipHolder && *call->rangAtVipHolder != holder;
    if (waits && !call->cancelled && call->legs[1].peer.address == from &&
        call->type != CallType::kOutbound)
      waiting.push_back(id);
  }
  for (std::uint64_t id : waiting)
    if (Call* call = findCall(id)) {
      ++counters_.failovers;
      abandonInvite(*call);
      if (kind == Resend::kVipMoved) {
        Dialog& b = call->legs[1];
        dialogs_.erase(dialogKey(b.callId, b.localTag));
        b.callId = randomToken() + randomToken();
        b.localTag = randomToken();
        indexLeg(*call, LegSide::kB);
      }
      sendInviteOnLegB(*call, to);
    }
}

}  // namespace sbc::control
