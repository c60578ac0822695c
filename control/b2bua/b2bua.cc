#include "control/b2bua/b2bua.h"

#include <algorithm>

#include "control/b2bua/call_classifier.h"
#include "control/b2bua/sip_builders.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

namespace {

using sip::HeaderId;

constexpr std::string_view kAllow =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER, NOTIFY, MESSAGE";
// The option tags the SBC understands end to end (RFC 3262 reliable provisionals, RFC 4028).
constexpr std::string_view kSupported = "100rel, timer";

bool isSupportedOption(std::string_view tag) {
  return sip::equalsIgnoreCase(tag, "100rel") || sip::equalsIgnoreCase(tag, "timer");
}

bool hasSdp(const sip::Message& message) {
  if (message.body.empty()) return false;
  const std::string_view type = message.value(HeaderId::ContentType);
  return type.empty() || sip::equalsIgnoreCase(type.substr(0, type.find(';')), "application/sdp");
}

std::string withoutTag(std::string_view nameAddr) {
  auto parsed = sip::parseNameAddr(nameAddr);
  if (!parsed) return std::string(nameAddr);
  sip::removeParam(parsed->params, "tag");
  return parsed->str();
}

std::string tagOf(std::string_view nameAddr) {
  const auto parsed = sip::parseNameAddr(nameAddr);
  if (!parsed) return {};
  const auto tag = parsed->tag();
  return tag ? std::string(*tag) : std::string();
}

std::string contactUri(const sip::Message& message) {
  const auto contacts = message.values(HeaderId::Contact);
  if (contacts.empty()) return {};
  const auto parsed = sip::parseNameAddr(contacts.front());
  return parsed ? parsed->uri.str() : std::string();
}

std::uint32_t cseqNumber(const sip::Message& message) {
  const auto cseq = sip::parseCSeq(message.value(HeaderId::CSeq));
  return cseq ? cseq->number : 0;
}

// Copies the fields of these ids (in order) from one leg's message to the other's.
void copyFields(const sip::Message& from, sip::Message& to, std::initializer_list<HeaderId> ids) {
  for (const sip::HeaderField& field : from.headers)
    if (std::find(ids.begin(), ids.end(), field.id) != ids.end()) to.headers.push_back(field);
}

// Extension headers that carry nothing of the topology and that a contact center uses.
void copyExtensionFields(const sip::Message& from, sip::Message& to) {
  for (const sip::HeaderField& field : from.headers)
    if (field.id == HeaderId::Other &&
        (field.name.size() > 2 && (field.name[0] == 'X' || field.name[0] == 'x') &&
         field.name[1] == '-'))
      to.headers.push_back(field);
}

std::string endCauseFor(int status) {
  if (status == 486 || status == 600) return "busy";
  if (status == 408 || status == 480) return "no-answer";
  if (status == 487) return "cancelled";
  if (status == 503) return "unavailable";
  return "rejected-" + std::to_string(status);
}

}  // namespace

B2bua::ClientContext B2bua::byeContext() {
  ClientContext context;
  context.kind = ClientKind::kBye;
  return context;
}

B2bua::B2bua(const SipConfig& config, sip::TransportSet& transports, TimerQueue& timers,
             MediaAnchor& media, CallRecordWriter& records, std::function<Millis()> wallClock,
             sip::TimerSettings timerSettings)
    : config_(config),
      transports_(transports),
      timers_(timers),
      media_(media),
      records_(records),
      wallClock_(std::move(wallClock)),
      timerSettings_(timerSettings),
      transactions_(std::make_unique<sip::TransactionLayer>(transports, timers, *this, timerSettings)),
      trunks_(config.trunks, timers.clock()),
      vip_(config.contactCenter, timers, *this),
      authenticator_(config.userAgent, timers.clock()) {
  auto hideAddress = [this](const dataplane::IpAddress& address) {
    hider_.hide(address.toString());
    if (address.isV6()) hider_.hide("[" + address.toString() + "]");
  };
  for (const SipListenConfig& listen : config.listens)
    if (listen.interfaceName == config.contactCenter.interfaceName) hideAddress(listen.address);
  if (config.contactCenter.vip) hideAddress(config.contactCenter.vip->ip);
  if (config.contactCenter.backup) hideAddress(config.contactCenter.backup->ip);
  vip_.onSwitch = [this](const dataplane::SocketAddress& from, const dataplane::SocketAddress& to) {
    failOver(from, to);
  };
}

B2bua::~B2bua() {
  if (mediaTimer_) timers_.cancel(mediaTimer_);
  for (auto& [id, context] : clients_)
    if (context.probeTimer) timers_.cancel(context.probeTimer);
}

void B2bua::start() {
  vip_.start();
  if (config_.mediaTimeoutMs != 0)
    mediaTimer_ = timers_.schedule(std::min<Millis>(1000, config_.mediaTimeoutMs), [this] { checkMedia(); });
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

void B2bua::onRequest(sip::TransactionId server, const sip::Message& request,
                      const sip::Peer& from) {
  const std::string toTag = tagOf(request.value(HeaderId::To));
  if (!toTag.empty()) {
    const auto found = dialogs_.find(dialogKey(request.value(HeaderId::CallId), toTag));
    Call* call = found == dialogs_.end() ? nullptr : findCall(found->second.first);
    if (!call) {
      ++counters_.strayRequests;
      if (request.method != "ACK" && server != 0) reject(server, request, 481);
      return;
    }
    const LegSide side = found->second.second;
    Dialog& dialog = call->legs[index(side)];
    // A UDP peer behind NAT answers from where it sent; keep following it for responses.
    if (dialog.peer.transport == from.transport && from.connectionId != 0)
      dialog.peer.connectionId = from.connectionId;
    onInDialog(server, request, *call, side);
    return;
  }
  if (request.method == "ACK") return;  // an ACK for a response the layer already absorbed
  if (request.method == "INVITE") {
    onNewInvite(server, request, from);
    return;
  }
  onOutOfDialog(server, request, from);
}

void B2bua::onOutOfDialog(sip::TransactionId server, const sip::Message& request,
                          const sip::Peer& from) {
  if (request.method == "OPTIONS") {
    sip::Message answer = makeResponse(request, 200, randomToken());
    answer.add(HeaderId::Allow, std::string(kAllow));
    answer.add(HeaderId::Accept, "application/sdp");
    answer.add(HeaderId::Supported, std::string(kSupported));
    respond(server, std::move(answer), nullptr, LegSide::kA);
    return;
  }
  if (request.method == "BYE" || request.method == "PRACK" || request.method == "UPDATE" ||
      request.method == "INFO" || request.method == "NOTIFY" || request.method == "REFER") {
    ++counters_.strayRequests;
    reject(server, request, 481);
    return;
  }
  sip::Message answer = makeResponse(request, 405, randomToken());
  answer.add(HeaderId::Allow, std::string(kAllow));
  respond(server, std::move(answer), nullptr, LegSide::kA);
}

bool B2bua::checkInvite(sip::TransactionId server, const sip::Message& invite) {
  const auto maxForwards = sip::parseUnsigned(invite.value(HeaderId::MaxForwards));
  if (maxForwards && *maxForwards == 0) {
    reject(server, invite, 483);
    return false;
  }
  const auto uri = sip::parseUri(invite.requestUri);
  if (!uri || (!uri->isSip() && uri->scheme != "tel")) {
    reject(server, invite, 416);
    return false;
  }
  std::string unsupported;
  for (const std::string& value : invite.values(HeaderId::Require))
    for (const std::string& tag : sip::parseTokenList(value))
      if (!isSupportedOption(tag)) unsupported += (unsupported.empty() ? "" : ", ") + tag;
  if (!unsupported.empty()) {
    sip::Message answer = makeResponse(invite, 420, randomToken());
    answer.add(HeaderId::Unsupported, unsupported);
    respond(server, std::move(answer), nullptr, LegSide::kA);
    return false;
  }
  if (!invite.body.empty() && !hasSdp(invite)) {
    sip::Message answer = makeResponse(invite, 415, randomToken());
    answer.add(HeaderId::Accept, "application/sdp");
    respond(server, std::move(answer), nullptr, LegSide::kA);
    return false;
  }
  const std::string_view encoding = invite.value(HeaderId::ContentEncoding);
  if (!encoding.empty() && !sip::equalsIgnoreCase(encoding, "identity")) {
    sip::Message answer = makeResponse(invite, 415, randomToken());
    answer.add("Accept-Encoding", "identity");
    respond(server, std::move(answer), nullptr, LegSide::kA);
    return false;
  }
  return true;
}

void B2bua::onNewInvite(sip::TransactionId server, const sip::Message& invite,
                        const sip::Peer& from) {
  ++counters_.invites;
  if (!checkInvite(server, invite)) return;

  // Who is calling, and where the call goes.
  TrunkState* sourceTrunk = trunks_.bySource(from.address.ip);
  const bool fromContactCenter = !sourceTrunk && vip_.isContactCenterHost(from.address.ip);
  if (!sourceTrunk && !fromContactCenter) {
    ++counters_.rejectedUnknownSource;
    reject(server, invite, 403, "399 sbc \"source is no trunk and not the contact center\"");
    return;
  }
  // A trunk with credentials proves itself on every new INVITE (RFC 3261 22.3); the ACK of the
  // 407 stays in the INVITE server transaction.
  if (sourceTrunk && !sourceTrunk->config.authUser.empty()) {
    const DigestAuthenticator::Verdict verdict = authenticator_.check(
        invite, {sourceTrunk->config.authUser, sourceTrunk->config.authPassword});
    if (verdict != DigestAuthenticator::Verdict::kAccepted) {
      ++counters_.challenged;
      const int status = rejectStatus(verdict);
      sip::Message answer = makeResponse(invite, status, randomToken());
      if (status == 407)
        answer.add(HeaderId::ProxyAuthenticate,
                   authenticator_.challenge(verdict == DigestAuthenticator::Verdict::kStaleNonce));
      else
        answer.add(HeaderId::Warning, "399 sbc \"credentials: " +
                                          std::string(verdictName(verdict)) + "\"");
      respond(server, std::move(answer), nullptr, LegSide::kA);
      return;
    }
  }
  auto call = std::make_unique<Call>();
  call->id = nextCallId_++;
  call->startMs = wallClock_();
  call->lastMediaActivityMs = timers_.clock().now();
  const CallParties parties = callParties(invite);
  call->ani = parties.ani;
  call->dnis = parties.dnis;

  TrunkState* chargedTrunk = nullptr;
  std::optional<dataplane::SocketAddress> destination;
  std::string legBInterface;
  if (sourceTrunk) {
    call->type = CallType::kInbound;
    call->trunk = sourceTrunk->config.name;
    chargedTrunk = sourceTrunk;
    destination = vip_.target();
    legBInterface = config_.contactCenter.interfaceName;
  } else if (TrunkState* outbound = trunks_.byNumber(call->dnis)) {
    call->type = CallType::kOutbound;
    call->trunk = outbound->config.name;
    chargedTrunk = outbound;
    destination = outbound->config.destination;
    legBInterface = outbound->config.interfaceName;
  } else {
    call->type = CallType::kInternal;
    destination = vip_.target();
    legBInterface = config_.contactCenter.interfaceName;
  }
  if (!destination) {
    ++counters_.rejected;
    reject(server, invite, 404, "399 sbc \"no route for the called number\"");
    return;
  }
  if (chargedTrunk) {
    const Admission admission = trunks_.admit(*chargedTrunk);
    if (admission != Admission::kAccepted) {
      ++counters_.rejectedLimits;
      reject(server, invite, 503,
             admission == Admission::kTooManyCalls ? "399 sbc \"trunk call limit reached\""
                                                   : "399 sbc \"trunk call rate limit reached\"",
             TrunkTable::retryAfterSeconds(admission));
      return;
    }
  }

  // Leg A: the SBC is the UAS of the caller's dialog.
  Dialog& a = call->legs[0];
  a.callId = std::string(invite.value(HeaderId::CallId));
  a.remoteTag = tagOf(invite.value(HeaderId::From));
  a.localTag = randomToken();
  a.remoteUri = withoutTag(invite.value(HeaderId::From));
  a.localUri = withoutTag(invite.value(HeaderId::To));
  a.remoteCseq = cseqNumber(invite);
  a.remoteTarget = contactUri(invite);
  if (a.remoteTarget.empty()) a.remoteTarget = "sip:" + hostPortText(from.address);
  for (const std::string& route : invite.values(HeaderId::RecordRoute)) a.routeSet.push_back(route);
  a.peer = from;
  a.local = localFor(from);
  a.interfaceName = sourceTrunk ? sourceTrunk->config.interfaceName : config_.contactCenter.interfaceName;

  // Leg B: the SBC is the UAC of a dialog of its own; nothing of leg A's dialog goes into it.
  Dialog& b = call->legs[1];
  b.isUac = true;
  b.callId = randomToken() + randomToken();
  b.localTag = randomToken();
  b.peer.transport = sip::TransportKind::Udp;
  b.peer.address = *destination;
  b.peer.local = listenAddress(legBInterface, b.peer);
  b.local = localFor(b.peer);
  b.interfaceName = legBInterface;
  const std::string user = uriUser(call->dnis);
  b.remoteTarget = "sip:" + (user.empty() ? std::string() : user + "@") + hostPortText(*destination);
  b.remoteUri = "<" + b.remoteTarget + ">";
  const std::string display = displayNameOf(invite.value(HeaderId::From));
  b.localUri = (display.empty() ? std::string() : display + " ") + "<sip:" +
               (call->ani.empty() ? std::string("anonymous") : uriUser(call->ani)) + "@" +
               hostText(b.local.ip) + ">";

  call->originalInvite = invite;
  call->inviteServer = server;
  serverInvites_[server] = call->id;
  Call& placed = *call;
  calls_.emplace(call->id, std::move(call));
  indexLeg(placed, LegSide::kA);
  indexLeg(placed, LegSide::kB);

  // Quench the caller's retransmissions at once.
  respond(server, makeResponse(invite, 100), &placed, LegSide::kA);

  if (hasSdp(invite)) {
    AnchorOutcome anchored = media_.offer(placed, LegSide::kA, invite.body);
    if (!anchored.ok()) {
      ++counters_.rejectedCodecs;
      placed.finalStatus = anchored.rejectStatus;
      reject(server, invite, anchored.rejectStatus, anchored.warning);
      finish(placed, "no-common-codec");
      return;
    }
    placed.originalInvite.body = std::move(anchored.body);
  }
  sendInviteOnLegB(placed, *destination);
}

void B2bua::sendInviteOnLegB(Call& call, const dataplane::SocketAddress& to) {
  Dialog& b = call.legs[1];
  b.peer.address = to;
  b.peer.connectionId = 0;
  const std::string user = uriUser(call.dnis);
  b.remoteTarget = "sip:" + (user.empty() ? std::string() : user + "@") + hostPortText(to);
  const sip::Message& a = call.originalInvite;
  sip::Message invite = makeInDialogRequest(b, "INVITE");
  const auto maxForwards = sip::parseUnsigned(a.value(HeaderId::MaxForwards));
  invite.set(HeaderId::MaxForwards, std::to_string(maxForwards ? *maxForwards - 1 : 69));
  // Credentials for the SBC (Proxy-Authorization) end here, like everything of leg A's dialog.
  copyFields(a, invite, {HeaderId::PAssertedIdentity, HeaderId::Require, HeaderId::Expires,
                         HeaderId::Accept});
  // Session timers: either each leg gets its own (configured), or the caller's pass through.
  if (sessionTimersOn()) addSessionTimerToInvite(invite);
  else copyFields(a, invite, {HeaderId::SessionExpires, HeaderId::MinSE});
  copyExtensionFields(a, invite);
  invite.add(HeaderId::Allow, std::string(kAllow));
  // Offer to the callee only the extensions both the caller and the SBC support.
  std::string supported = sessionTimersOn() ? "timer" : "";
  for (const std::string& value : a.values(HeaderId::Supported))
    for (const std::string& tag : sip::parseTokenList(value))
      if (isSupportedOption(tag) && !(sessionTimersOn() && sip::equalsIgnoreCase(tag, "timer")))
        supported += (supported.empty() ? "" : ", ") + tag;
  if (!supported.empty()) invite.add(HeaderId::Supported, supported);
  if (!a.body.empty()) {
    invite.add(HeaderId::ContentType, "application/sdp");
    invite.body = a.body;
  }
  ClientContext context;
  context.kind = ClientKind::kInvite;
  context.carriedOffer = !invite.body.empty();
  call.inviteClient = sendRequest(call, LegSide::kB, std::move(invite), std::move(context));
}

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
  respond(server, makeResponse(bye, 200), &call, side);
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
  respond(invite, makeResponse(call->originalInvite, 487, call->legs[0].localTag), call, LegSide::kA);
  serverInvites_.erase(found);
  if (call->inviteClient != 0) transactions_->cancel(call->inviteClient);
  call->state = CallState::kTerminating;
  call->endCause = "cancelled";
  // The call ends when leg B's INVITE gets its final response (487, or a 2xx that is ACKed
  // and hung up at once).
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

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
    if (status >= 200) {
      Dialog stray = b;
      stray.remoteTag = tag;
      stray.remoteTarget = contactUri(response);
      stray.routeSet.clear();
      sip::Message ack = makeInDialogRequest(stray, "ACK", cseqNumber(response));
      ack.prepend(HeaderId::Via, viaValue(nextHop(stray), stray.local, transactions_->newBranch()));
      transactions_->sendStateless(ack, nextHop(stray));
      sip::Message bye = makeInDialogRequest(stray, "BYE");
      bye.prepend(HeaderId::Via, viaValue(nextHop(stray), stray.local, transactions_->newBranch()));
      transactions_->sendRequest(std::move(bye), nextHop(stray));
    }
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
    sip::Message answer = makeResponse(call.originalInvite, status, call.legs[0].localTag,
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
  sip::Message answer = makeResponse(call.originalInvite, status, call.legs[0].localTag,
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
    respond(call.inviteServer, std::move(answer), &call, LegSide::kA);
    return;
  }
  if (call.state == CallState::kConfirmed) {
    // A retransmitted 2xx: leg B lost our ACK.
    if (call.ackSentToB) transactions_->sendStateless(call.ackToB, nextHop(b));
    return;
  }
  call.state = CallState::kConfirmed;
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
  sip::Message answer = makeResponse(context.request, status, {}, response.reasonPhrase);
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
    respond(context.server, makeResponse(context.request, status), call, otherSide(context.side));
    // RFC 3261 12.2.1.2: a 408 or 481 to a mid-dialog request ends the dialog... for BYE-able
    // methods only a timeout of the session itself; keep the call, let media decide.
  }
}

void B2bua::onServerTimeout(sip::TransactionId server) {
  // Leg A never ACKed a failure response: nothing to undo, the call is already finished.
  serverInvites_.erase(server);
}

void B2bua::probe(const dataplane::SocketAddress& target, Millis timeoutMs,
                  std::function<void(int status)> done) {
  sip::Peer peer;
  peer.address = target;
  peer.local = listenAddress(config_.contactCenter.interfaceName, peer);
  const dataplane::SocketAddress local = localFor(peer);
  sip::Message options;
  options.method = "OPTIONS";
  options.requestUri = "sip:" + hostPortText(target);
  options.add(HeaderId::Via, viaValue(peer, local, transactions_->newBranch()));
  options.add(HeaderId::MaxForwards, "70");
  options.add(HeaderId::From, "<sip:sbc@" + hostText(local.ip) + ">;tag=" + randomToken());
  options.add(HeaderId::To, "<sip:" + hostPortText(target) + ">");
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

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

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
  sip::Message answer = makeResponse(request, status, randomToken());
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

// ---------------------------------------------------------------------------------------------
// Ending
// ---------------------------------------------------------------------------------------------

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
        respond(call.inviteServer, makeResponse(call.originalInvite, 487, dialog.localTag), &call, side);
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
  if (!call.trunk.empty())
    if (TrunkState* trunk = trunks_.byName(call.trunk)) trunks_.release(*trunk);
  records_.write(call);
  ++counters_.callsEnded;
  for (const Dialog& dialog : call.legs) dialogs_.erase(dialogKey(dialog.callId, dialog.localTag));
  serverInvites_.erase(call.inviteServer);
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
  const Millis now = timers_.clock().now();
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
  (void)now;
  mediaTimer_ = timers_.schedule(std::min<Millis>(1000, config_.mediaTimeoutMs), [this] { checkMedia(); });
}

bool B2bua::tryAnotherHost(Call& call) {
  if (call.type == CallType::kOutbound || call.state != CallState::kTrying) return false;
  const auto target = vip_.target();
  if (!target || *target == call.legs[1].peer.address || call.failoverAttempts >= 2) {
    // The monitor has not switched yet; the backup, if any, is the other candidate.
    const auto& backup = vip_.backup();
    const auto& vip = vip_.vip();
    if (!backup || !vip || call.failoverAttempts >= 2) return false;
    const dataplane::SocketAddress other =
        call.legs[1].peer.address == vip->address ? backup->address : vip->address;
    if (other == call.legs[1].peer.address) return false;
    ++call.failoverAttempts;
    ++counters_.failovers;
    abandonInvite(call);
    sendInviteOnLegB(call, other);
    return true;
  }
  ++call.failoverAttempts;
  ++counters_.failovers;
  abandonInvite(call);
  sendInviteOnLegB(call, *target);
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

void B2bua::onAbandonedResponse(ClientContext& context, const sip::Message& response) {
  if (response.statusCode < 200 || response.statusCode >= 300) return;
  Dialog stray = context.abandonedDialog;
  stray.remoteTag = tagOf(response.value(HeaderId::To));
  if (const std::string target = contactUri(response); !target.empty()) stray.remoteTarget = target;
  std::vector<std::string> routes = response.values(HeaderId::RecordRoute);
  stray.routeSet.assign(routes.rbegin(), routes.rend());
  const sip::Peer hop = nextHop(stray);
  sip::Message ack = makeInDialogRequest(stray, "ACK", cseqNumber(response));
  ack.prepend(HeaderId::Via, viaValue(hop, stray.local, transactions_->newBranch()));
  transactions_->sendStateless(ack, hop);
  sip::Message bye = makeInDialogRequest(stray, "BYE");
  bye.prepend(HeaderId::Via, viaValue(hop, stray.local, transactions_->newBranch()));
  bye.add(HeaderId::Reason, "SIP;cause=200;text=\"call completed elsewhere\"");
  addCommonHeaders(bye);
  transactions_->sendRequest(std::move(bye), hop);
  ++counters_.abandonedAnswers;
}

void B2bua::failOver(const dataplane::SocketAddress& from, const dataplane::SocketAddress& to) {
  // Calls still waiting for the first answer from the host that went away are re-sent to the
  // one that is up now; calls already up keep their dialogs and media. A switch back to the
  // VIP because it answers again leaves the backup up: what waits on the backup stays there.
  auto isDown = [&from](const std::optional<ProbedAddress>& host) {
    return host && host->address == from && !host->up;
  };
  if (!isDown(vip_.vip()) && !isDown(vip_.backup())) return;
  std::vector<std::uint64_t> waiting;
  for (auto& [id, call] : calls_)
    if (call->state == CallState::kTrying && !call->cancelled && call->legs[1].peer.address == from &&
        call->type != CallType::kOutbound)
      waiting.push_back(id);
  for (std::uint64_t id : waiting)
    if (Call* call = findCall(id)) {
      ++counters_.failovers;
      abandonInvite(*call);
      sendInviteOnLegB(*call, to);
    }
}

Call* B2bua::findCall(std::uint64_t id) {
  const auto found = calls_.find(id);
  return found == calls_.end() ? nullptr : found->second.get();
}

std::string B2bua::dialogKey(std::string_view callId, std::string_view localTag) const {
  std::string key;
  key.reserve(callId.size() + localTag.size() + 1);
  key.append(callId).push_back('\n');
  key.append(localTag);
  return key;
}

void B2bua::indexLeg(Call& call, LegSide side) {
  const Dialog& dialog = call.legs[index(side)];
  dialogs_[dialogKey(dialog.callId, dialog.localTag)] = {call.id, side};
}

dataplane::SocketAddress B2bua::listenAddress(const std::string& interfaceName,
                                              const sip::Peer& to) const {
  for (const SipListenConfig& listen : config_.listens) {
    const bool sameKind =
        (listen.transport == SipTransport::Udp && to.transport == sip::TransportKind::Udp) ||
        (listen.transport == SipTransport::Tcp && to.transport == sip::TransportKind::Tcp) ||
        (listen.transport == SipTransport::Tls && to.transport == sip::TransportKind::Tls);
    if (listen.interfaceName == interfaceName && sameKind &&
        listen.address.family == to.address.ip.family)
      return {listen.address, listen.port};
  }
  return {};
}

dataplane::SocketAddress B2bua::localFor(const sip::Peer& peer) const {
  return transports_.localAddressFor(peer);
}

std::string_view callTypeName(CallType type) {
  switch (type) {
    case CallType::kInternal: return "internal";
    case CallType::kInbound: return "inbound";
    case CallType::kOutbound: return "outbound";
  }
  return "inbound";
}

std::string_view callStateName(CallState state) {
  switch (state) {
    case CallState::kTrying: return "trying";
    case CallState::kEarly: return "early";
    case CallState::kConfirmed: return "confirmed";
    case CallState::kTerminating: return "terminating";
    case CallState::kEnded: return "ended";
  }
  return "trying";
}

}  // namespace sbc::control
