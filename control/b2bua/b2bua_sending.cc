// How the B2BUA sends: requests in a leg's dialog (with its Via and the topology hider on
// the access side), ACKs, responses, refusals, 2xx retransmission, and the OPTIONS probes of
// the contact center's health check.

#include "control/b2bua/b2bua.h"

#include <algorithm>

#include "control/b2bua/b2bua_messages.h"
#include "control/b2bua/call_classifier.h"
#include "control/b2bua/sip_builders.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

using sip::HeaderId;

sip::TransactionId B2bua::sendRequest(Call& call, LegSide side, sip::Message request,
                                      ClientContext context) {
  Dialog& dialog = call.legs[index(side)];
  const sip::Peer hop = nextHop(dialog);
  request.prepend(HeaderId::Via, viaValue(hop, dialog.local, transactions_->newBranch()));
  if (request.method == "INVITE") call.inviteCseq[index(side)] = cseqNumber(request);
  addCommonHeaders(request);
  if (dialog.interfaceName != config_.contactCenter.interfaceName)
    hider_.scrub(request, hostText(dialog.local.ip));
  context.callId = call.id;
  context.side = side;
  const sip::TransactionId id = transactions_->sendRequest(std::move(request), hop);
  clients_[id] = std::move(context);
  return id;
}

void B2bua::sendAck(Call& call, LegSide side, std::uint32_t cseq, std::string body) {
  Dialog& dialog = call.legs[index(side)];
  sip::Message ack = makeInDialogRequest(dialog, "ACK", cseq);
  const sip::Peer hop = nextHop(dialog);
  ack.prepend(HeaderId::Via, viaValue(hop, dialog.local, transactions_->newBranch()));
  if (!body.empty()) {
    ack.add(HeaderId::ContentType, "application/sdp");
    ack.body = std::move(body);
  }
  if (dialog.interfaceName != config_.contactCenter.interfaceName)
    hider_.scrub(ack, hostText(dialog.local.ip));
  transactions_->sendStateless(ack, hop);
  if (side == LegSide::kB) {
    call.ackToB = std::move(ack);
    call.ackSentToB = true;
  }
}

void B2bua::respond(sip::TransactionId server, sip::Message response, const Call* call,
                    LegSide side) {
  if (server == 0) return;
  addCommonHeaders(response);
  // Responses to the access side pass the topology hider too.
  if (call && call->legs[index(side)].interfaceName != config_.contactCenter.interfaceName)
    hider_.scrub(response, hostText(call->legs[index(side)].local.ip));
  transactions_->respond(server, std::move(response));
}

void B2bua::reject(sip::TransactionId server, const sip::Message& request, int status,
                   std::string_view warning, std::uint32_t retryAfter) {
  sip::Message answer = responseTo(request, status, randomToken());
  if (!warning.empty()) answer.add(HeaderId::Warning, std::string(warning));
  if (retryAfter != 0) answer.add(HeaderId::RetryAfter, std::to_string(retryAfter));
  if (status >= 300) ++counters_.rejected;
  respond(server, std::move(answer), nullptr, LegSide::kA);
}

void B2bua::retransmit2xx(std::uint64_t callId, LegSide side, Millis interval, Millis elapsed) {
  Call* call = findCall(callId);
  if (!call) return;
  call->retransmitTimer[index(side)] = 0;
  if (!call->pendingAck[index(side)]) return;
  if (elapsed >= 64 * timerSettings_.t1) {
    // No ACK for 64*T1: the dialog is dead on that side (RFC 3261 13.3.1.4).
    hangUp(*call, "no-ack", std::nullopt);
    return;
  }
  const Dialog& dialog = call->legs[index(side)];
  transactions_->sendStateless(call->last2xx[index(side)], dialog.peer);
  const Millis next = std::min(interval * 2, timerSettings_.t2);
  call->retransmitTimer[index(side)] = timers_.schedule(
      next, [this, callId, side, next, elapsed] { retransmit2xx(callId, side, next, elapsed + next); });
}

void B2bua::addCommonHeaders(sip::Message& message) const {
  if (message.isRequest()) {
    if (!message.find(HeaderId::UserAgent)) message.add(HeaderId::UserAgent, config_.userAgent);
  } else if (!message.find(HeaderId::Server)) {
    message.add(HeaderId::Server, config_.userAgent);
  }
}

void B2bua::probe(const dataplane::SocketAddress& target, Millis timeoutMs,
                  std::function<void(int status)> done) {
  // Over the contact center's transport: a connection that cannot be set up fails the probe
  // at once (the transaction ends with a transport error), as an unanswered one does.
  sip::Peer peer;
  peer.transport = contactCenterTransport();
  peer.address = target;
  peer.local = listenAddress(config_.contactCenter.interfaceName, peer);
  const dataplane::SocketAddress local = localFor(peer);
  sip::Message options;
  options.method = "OPTIONS";
  options.requestUri = requestUriFor({}, target, peer.transport);
  options.add(HeaderId::Via, viaValue(peer, local, transactions_->newBranch()));
  options.add(HeaderId::MaxForwards, "70");
  options.add(HeaderId::From, "<sip:sbc@" + hostText(local.ip) + ">;tag=" + randomToken());
  options.add(HeaderId::To, "<" + options.requestUri + ">");
  options.add(HeaderId::CallId, randomToken() + randomToken());
  options.add(HeaderId::CSeq, "1 OPTIONS");
  options.add(HeaderId::Accept, "application/sdp");
  addCommonHeaders(options);
  const sip::TransactionId id = transactions_->sendRequest(std::move(options), peer);
  ClientContext context;
  context.kind = ClientKind::kProbe;
  context.probeDone = std::move(done);
  // The transaction's own timeout (timer F, 32 s) is far too slow for a health check.
  context.probeTimer = timers_.schedule(timeoutMs, [this, id] {
    const auto found = clients_.find(id);
    if (found == clients_.end()) return;
    auto finished = std::move(found->second.probeDone);
    clients_.erase(found);
    if (finished) finished(0);
  });
  clients_.emplace(id, std::move(context));
}

}  // namespace sbc::control
