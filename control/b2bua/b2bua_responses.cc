// The B2BUA's answers from the far legs: leg B's INVITE responses carried to leg A, the
// responses to carried requests, timeouts, and late answers to INVITEs a failover gave up.

#include "control/b2bua/b2bua.h"

#include <algorithm>

#include "control/b2bua/b2bua_messages.h"
#include "control/b2bua/call_classifier.h"
#include "control/b2bua/sip_builders.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

using sip::HeaderId;

void B2bua::onResponse(sip::TransactionId client, const sip::Message& response) {
  const auto found = clients_.find(client);
  if (found == clients_.end()) {
    ++counters_.strayResponses;
    return;
  }
  ClientContext& context = found->second;
  const bool final = response.statusCode >= 200;
  if (context.kind == ClientKind::kProbe) {
    if (!final && response.statusCode != 100) return;
    if (response.statusCode == 100) return;
    auto done = std::move(context.probeDone);
    if (context.probeTimer) timers_.cancel(context.probeTimer);
    clients_.erase(found);
    if (done) done(response.statusCode);
    return;
  }
  if (context.kind == ClientKind::kAbandonedInvite) {
    onAbandonedResponse(context, response);
    if (final) clients_.erase(found);
    return;
  }
  Call* call = findCall(context.callId);
  if (!call) {
    if (final) clients_.erase(found);
    return;
  }
  const ClientKind kind = context.kind;
  switch (kind) {
    case ClientKind::kInvite:
      onInviteResponse(*call, response);  // may drop `context` (failover)
      break;
    case ClientKind::kForwarded:
      onForwardedResponse(context, *call, response);
      break;
    case ClientKind::kRefresh:
      if (final) onRefreshResponse(*call, context.side, response.statusCode);
      break;
    default:
      break;
  }
  // A 2xx to an INVITE may be retransmitted; the context stays until the call goes.
  if (final && !(kind == ClientKind::kInvite && response.statusCode < 300)) clients_.erase(client);
}

void B2bua::learnRemote(Dialog& dialog, const sip::Message& response) {
  if (!dialog.remoteTag.empty()) return;
  dialog.remoteTag = tagOf(response.value(HeaderId::To));
  if (const std::string target = contactUri(response); !target.empty()) dialog.remoteTarget = target;
  // A UAC's route set is the Record-Route of the response, reversed (RFC 3261 12.1.2).
  std::vector<std::string> routes = response.values(HeaderId::RecordRoute);
  dialog.routeSet.assign(routes.rbegin(), routes.rend());
}

void B2bua::onInviteResponse(Call& call, const sip::Message& response) {
  const int status = response.statusCode;
  if (status == 100) return;
  Dialog& b = call.legs[1];
  const std::string tag = tagOf(response.value(HeaderId::To));
  // Forking: the first dialog wins; a 2xx from another one is ACKed and hung up.
  if (status < 300 && !b.remoteTag.empty() && !tag.empty() && tag != b.remoteTag) {
    if (status >= 200) hangUpUnwantedAnswer(b, response);
    return;
  }
  if (status < 300 && !tag.empty()) learnRemote(b, response);

  if (call.cancelled || call.state == CallState::kEnded) {
    if (status >= 200 && status < 300) {
      // CANCEL lost the race with the answer: take the call and end it at once (RFC 3261 9.1).
      sendAck(call, LegSide::kB, cseqNumber(response), {});
      sip::Message bye = makeInDialogRequest(b, "BYE");
      sendRequest(call, LegSide::kB, std::move(bye), byeContext());
    }
    if (status >= 200) finish(call, call.endCause.empty() ? "cancelled" : call.endCause);
    return;
  }

  if (status >= 300) {
    if ((status == 503 || status == 408) && tryAnotherHost(call)) return;
    sip::Message answer = responseTo(call.originalInvite, status, call.legs[0].localTag,
                                       response.reasonPhrase);
    copyFields(response, answer, {HeaderId::RetryAfter, HeaderId::Reason, HeaderId::Unsupported,
                                  HeaderId::Allow, HeaderId::Accept, HeaderId::MinSE});
    call.finalStatus = status;
    serverInvites_.erase(call.inviteServer);
    respond(call.inviteServer, std::move(answer), &call, LegSide::kA);
    finish(call, endCauseFor(status));
    return;
  }

  // 1xx with a tag, or 2xx: carry it to leg A, SDP anchored.
  sip::Message answer = responseTo(call.originalInvite, status, call.legs[0].localTag,
                                     response.reasonPhrase);
  answer.add(HeaderId::Contact, contactValue(call.legs[0].peer, call.legs[0].local));
  copyFields(response, answer, {HeaderId::RSeq, HeaderId::Supported, HeaderId::PAssertedIdentity});
  if (!sessionTimersOn()) copyFields(response, answer, {HeaderId::Require, HeaderId::SessionExpires});
  else copyFields(response, answer, {HeaderId::Require});
  copyExtensionFields(response, answer);
  answer.add(HeaderId::Allow, std::string(kAllow));
  if (hasSdp(response)) {
    // With an offer in the INVITE this is the answer; without one (delayed offer) the 2xx is
    // the offer and leg A's ACK brings the answer.
    const bool isAnswer = !call.originalInvite.body.empty();
    AnchorOutcome anchored = isAnswer ? media_.answer(call, LegSide::kB, response.body)
                                      : media_.offer(call, LegSide::kB, response.body);
    if (anchored.ok()) {
      answer.add(HeaderId::ContentType, "application/sdp");
      answer.body = std::move(anchored.body);
    } else if (status >= 200) {
      // The callee answered with media the SBC cannot carry: end it on both sides.
      sendAck(call, LegSide::kB, cseqNumber(response), {});
      sip::Message bye = makeInDialogRequest(b, "BYE");
      sendRequest(call, LegSide::kB, std::move(bye), byeContext());
      reject(call.inviteServer, call.originalInvite, 488, anchored.warning);
      call.finalStatus = 488;
      finish(call, "no-common-codec");
      return;
    }
  }
  if (status < 200) {
    call.state = CallState::kEarly;
    restartRingTimer(call);
    if (!call.rangAtVipHolder && vip_.vip() && b.peer.address == vip_.vip()->address)
      call.rangAtVipHolder = vip_.holderNow();
    respond(call.inviteServer, std::move(answer), &call, LegSide::kA);
    return;
  }
  if (call.state == CallState::kConfirmed) {
    // A retransmitted 2xx: leg B lost our ACK.
    if (call.ackSentToB) transactions_->sendStateless(call.ackToB, nextHop(b));
    return;
  }
  call.state = CallState::kConfirmed;
  stopRinging(call);
  call.answerMs = wallClock_();
  call.finalStatus = status;
  ++counters_.callsAnswered;
  serverInvites_.erase(call.inviteServer);
  if (!call.originalInvite.body.empty() || !hasSdp(response))
    sendAck(call, LegSide::kB, cseqNumber(response), {});
  if (sessionTimersOn()) {
    startSessionTimerOnLegB(call, response);
    grantSessionTimerOnLegA(call, answer);
  }
  call.last2xx[0] = answer;
  call.pendingAck[0] = true;
  respond(call.inviteServer, std::move(answer), &call, LegSide::kA);
  // The UAS core retransmits its 2xx until the ACK comes (RFC 3261 13.3.1.4).
  if (!call.legs[0].peer.reliable())
    call.retransmitTimer[0] = timers_.schedule(
        timerSettings_.t1, [this, id = call.id] { retransmit2xx(id, LegSide::kA, timerSettings_.t1, timerSettings_.t1); });
}

void B2bua::onForwardedResponse(ClientContext& context, Call& call, const sip::Message& response) {
  const int status = response.statusCode;
  if (status == 100) return;
  const LegSide to = context.side;          // where the request went
  const LegSide back = otherSide(to);       // where it came from
  const bool isInvite = context.request.method == "INVITE";
  sip::Message answer = responseTo(context.request, status, {}, response.reasonPhrase);
  copyFields(response, answer, {HeaderId::Require, HeaderId::Supported, HeaderId::RSeq,
                                HeaderId::SessionExpires, HeaderId::MinSE, HeaderId::RetryAfter,
                                HeaderId::Reason, HeaderId::Allow, HeaderId::Accept,
                                HeaderId::Unsupported, HeaderId::Event, HeaderId::Expires});
  copyExtensionFields(response, answer);
  if (status < 300 && (isInvite || context.request.method == "UPDATE"))
    answer.add(HeaderId::Contact, contactValue(call.legs[index(back)].peer, call.legs[index(back)].local));
  if (!response.body.empty()) {
    if (hasSdp(response) && (isInvite || context.request.method == "UPDATE")) {
      AnchorOutcome anchored = context.carriedOffer ? media_.answer(call, to, response.body)
                                                    : media_.offer(call, to, response.body);
      if (anchored.ok()) {
        answer.add(HeaderId::ContentType, "application/sdp");
        answer.body = std::move(anchored.body);
      }
    } else {
      copyFields(response, answer, {HeaderId::ContentType});
      answer.body = response.body;
    }
  }
  if (isInvite && status >= 200) {
    call.reinviteInProgress = false;
    if (status < 300) {
      if (context.carriedOffer) sendAck(call, to, cseqNumber(response), {});
      else call.ackOwed[index(to)] = cseqNumber(response);
      call.pendingAck[index(back)] = true;
      call.last2xx[index(back)] = answer;
      if (!call.legs[index(back)].peer.reliable()) {
        if (call.retransmitTimer[index(back)]) timers_.cancel(call.retransmitTimer[index(back)]);
        call.retransmitTimer[index(back)] = timers_.schedule(
            timerSettings_.t1, [this, id = call.id, back] { retransmit2xx(id, back, timerSettings_.t1, timerSettings_.t1); });
      }
    }
  }
  respond(context.server, std::move(answer), &call, back);
}

void B2bua::onClientTimeout(sip::TransactionId client, bool transportError) {
  const auto found = clients_.find(client);
  if (found == clients_.end()) return;
  ClientContext context = std::move(found->second);
  clients_.erase(found);
  if (context.kind == ClientKind::kProbe) {
    if (context.probeTimer) timers_.cancel(context.probeTimer);
    if (context.probeDone) context.probeDone(0);
    return;
  }
  Call* call = findCall(context.callId);
  if (!call) return;
  const int status = transportError ? 503 : 408;
  if (context.kind == ClientKind::kInvite) {
    if (call->cancelled || call->state == CallState::kEnded) {
      finish(*call, "cancelled");
      return;
    }
    if (call->inviteClient != client) return;  // an INVITE abandoned by a failover
    if (tryAnotherHost(*call)) return;
    call->finalStatus = status;
    reject(call->inviteServer, call->originalInvite, status);
    finish(*call, transportError ? "unreachable" : "no-answer");
    return;
  }
  if (context.kind == ClientKind::kRefresh) {
    onRefreshResponse(*call, context.side, status);
    return;
  }
  if (context.kind == ClientKind::kForwarded) {
    if (context.request.method == "INVITE") call->reinviteInProgress = false;
    respond(context.server, responseTo(context.request, status), call, otherSide(context.side));
    // RFC 3261 12.2.1.2: a 408 or 481 to a mid-dialog request ends the dialog... for BYE-able
    // methods only a timeout of the session itself; keep the call, let media decide.
  }
}

void B2bua::onServerTimeout(sip::TransactionId server) {
  // Leg A never ACKed a failure response: nothing to undo, the call is already finished.
  serverInvites_.erase(server);
}

void B2bua::onAbandonedResponse(ClientContext& context, const sip::Message& response) {
  if (response.statusCode < 200 || response.statusCode >= 300) return;
  hangUpUnwantedAnswer(context.abandonedDialog, response);
  ++counters_.abandonedAnswers;
}

void B2bua::hangUpUnwantedAnswer(Dialog sentIn, const sip::Message& response) {
  // The 2xx made a dialog of its own (another fork, or a host the INVITE was taken from):
  // learn it as any UAC would, ACK it, and end it at once.
  sentIn.remoteTag.clear();
  learnRemote(sentIn, response);
  const sip::Peer hop = nextHop(sentIn);
  sip::Message ack = makeInDialogRequest(sentIn, "ACK", cseqNumber(response));
  ack.prepend(HeaderId::Via, viaValue(hop, sentIn.local, transactions_->newBranch()));
  transactions_->sendStateless(ack, hop);
  sip::Message bye = makeInDialogRequest(sentIn, "BYE");
  bye.prepend(HeaderId::Via, viaValue(hop, sentIn.local, transactions_->newBranch()));
  bye.add(HeaderId::Reason, "SIP;cause=200;text=\"call completed elsewhere\"");
  addCommonHeaders(bye);
  transactions_->sendRequest(std::move(bye), hop);
}

}  // namespace sbc::control
