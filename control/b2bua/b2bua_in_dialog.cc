// The B2BUA inside a call: ACK, BYE and CANCEL, and the requests it carries from one leg
// to the other (re-INVITE, UPDATE, PRACK, INFO, REFER, NOTIFY, MESSAGE) with their SDP anchored.

#include "control/b2bua/b2bua.h"

#include <algorithm>

#include "control/b2bua/b2bua_messages.h"
#include "control/b2bua/call_classifier.h"
#include "control/b2bua/sip_builders.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

using sip::HeaderId;

void B2bua::onInDialog(sip::TransactionId server, const sip::Message& request, Call& call,
                       LegSide side) {
  Dialog& dialog = call.legs[index(side)];
  const std::uint32_t cseq = cseqNumber(request);
  if (request.method == "ACK") {
    onAck(request, call, side);
    return;
  }
  // RFC 3261 12.2.2: a lower CSeq than one seen is out of order.
  if (cseq < dialog.remoteCseq && request.method != "CANCEL") {
    reject(server, request, 500, "399 sbc \"CSeq out of order\"");
    return;
  }
  dialog.remoteCseq = std::max(dialog.remoteCseq, cseq);
  if (request.method == "BYE") {
    onBye(server, request, call, side);
    return;
  }
  if (call.state == CallState::kTerminating || call.state == CallState::kEnded) {
    reject(server, request, 481);
    return;
  }
  // A re-INVITE or UPDATE refreshes the session on the leg it came from; carried across, it
  // refreshes the other leg too.
  if (sessionTimersOn() && (request.method == "INVITE" || request.method == "UPDATE") &&
      call.state == CallState::kConfirmed) {
    armSessionTimer(call, side);
    armSessionTimer(call, otherSide(side));
  }
  forwardInDialog(server, request, call, side);
}

void B2bua::onAck(const sip::Message& ack, Call& call, LegSide side) {
  if (side == LegSide::kA && !call.ackedByA && call.state == CallState::kConfirmed) {
    call.ackedByA = true;
    call.pendingAck[0] = false;
    if (!call.ackSentToB) {
      // Delayed offer: leg B's 2xx carried the offer, this ACK the answer.
      std::string body;
      if (hasSdp(ack)) {
        AnchorOutcome anchored = media_.answer(call, LegSide::kA, ack.body);
        if (anchored.ok()) body = std::move(anchored.body);
      }
      sendAck(call, LegSide::kB, call.inviteCseq[1], std::move(body));
    }
    return;
  }
  // ACK for a re-INVITE's 2xx: the other leg has been ACKed already, unless the 2xx carried an
  // offer and this ACK holds the answer.
  if (call.pendingAck[index(side)]) {
    call.pendingAck[index(side)] = false;
    const LegSide other = otherSide(side);
    if (call.ackOwed[index(other)] != 0) {
      std::string body;
      if (hasSdp(ack)) {
        AnchorOutcome anchored = media_.answer(call, side, ack.body);
        if (anchored.ok()) body = std::move(anchored.body);
      }
      sendAck(call, other, call.ackOwed[index(other)], std::move(body));
      call.ackOwed[index(other)] = 0;
    }
  }
}

void B2bua::onBye(sip::TransactionId server, const sip::Message& bye, Call& call, LegSide side) {
  respond(server, responseTo(bye, 200), &call, side);
  if (call.state == CallState::kEnded) return;
  hangUp(call, side == LegSide::kA ? "hangup-caller" : "hangup-callee", side);
}

void B2bua::forwardInDialog(sip::TransactionId server, const sip::Message& request, Call& call,
                            LegSide from) {
  const LegSide to = otherSide(from);
  Dialog& target = call.legs[index(to)];
  if (target.remoteTag.empty()) {
    // Leg B has no dialog yet (nothing but 100 came back): nothing to carry the request.
    reject(server, request, request.method == "INVITE" ? 491 : 481);
    return;
  }
  const bool isOfferMethod = request.method == "INVITE" || request.method == "UPDATE";
  if (request.method == "INVITE" && call.reinviteInProgress) {
    reject(server, request, 491);
    return;
  }
  sip::Message out = makeInDialogRequest(target, request.method);
  copyFields(request, out, {HeaderId::Event, HeaderId::SubscriptionState, HeaderId::ReferTo,
                            HeaderId::ReferredBy, HeaderId::Reason, HeaderId::Require,
                            HeaderId::Supported, HeaderId::SessionExpires, HeaderId::MinSE,
                            HeaderId::Accept, HeaderId::Expires, HeaderId::PAssertedIdentity,
                            HeaderId::AllowEvents});
  copyExtensionFields(request, out);
  for (const sip::HeaderField& field : request.headers)
    if (field.id == HeaderId::Other && sip::equalsIgnoreCase(field.name, "Info-Package"))
      out.headers.push_back(field);
  if (request.method == "PRACK") {
    // RAck names the INVITE's CSeq on this leg; on the other leg that INVITE has its own.
    if (const auto rack = sip::parseRAck(request.value(HeaderId::RAck)))
      out.set(HeaderId::RAck, std::to_string(rack->rseq) + " " +
                                  std::to_string(call.inviteCseq[index(to)]) + " INVITE");
  }
  bool carriedOffer = false;
  if (!request.body.empty()) {
    if (isOfferMethod && hasSdp(request)) {
      AnchorOutcome anchored = media_.offer(call, from, request.body);
      if (!anchored.ok()) {
        reject(server, request, anchored.rejectStatus, anchored.warning);
        return;
      }
      out.add(HeaderId::ContentType, "application/sdp");
      out.body = std::move(anchored.body);
      carriedOffer = true;
    } else if (request.method == "PRACK" && hasSdp(request)) {
      AnchorOutcome anchored = media_.answer(call, from, request.body);
      if (anchored.ok()) {
        out.add(HeaderId::ContentType, "application/sdp");
        out.body = std::move(anchored.body);
      }
    } else {
      copyFields(request, out, {HeaderId::ContentType});
      out.body = request.body;
    }
  }
  if (request.method == "INVITE") {
    call.reinviteInProgress = true;
    call.inviteCseq[index(to)] = cseqNumber(out);
  }
  ClientContext context;
  context.kind = ClientKind::kForwarded;
  context.side = to;
  context.server = server;
  context.request = request;
  context.carriedOffer = carriedOffer;
  sendRequest(call, to, std::move(out), std::move(context));
}

void B2bua::onCancel(sip::TransactionId invite, const sip::Message&) {
  const auto found = serverInvites_.find(invite);
  if (found == serverInvites_.end()) return;
  Call* call = findCall(found->second);
  if (!call || call->state == CallState::kConfirmed || call->cancelled) return;
  call->cancelled = true;
  call->finalStatus = 487;
  respond(invite, responseTo(call->originalInvite, 487, call->legs[0].localTag), call, LegSide::kA);
  serverInvites_.erase(found);
  if (call->inviteClient != 0) transactions_->cancel(call->inviteClient);
  call->state = CallState::kTerminating;
  call->endCause = "cancelled";
  // The call ends when leg B's INVITE gets its final response (487, or a 2xx that is ACKed
  // and hung up at once).
}

}  // namespace sbc::control
