// The B2BUA: construction, the dispatch of requests, and new calls (classification, limits,
// authentication, leg B's INVITE).

#include "control/b2bua/b2bua.h"
#include <algorithm>

#include "control/b2bua/b2bua_messages.h"
#include "control/b2bua/call_classifier.h"
#include "control/b2bua/sip_builders.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

using sip::HeaderId;

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
  vip_.onMove = [this](const dataplane::SocketAddress& vip, const dataplane::MacAddress& holder) {
    onVipMoved(vip, holder);
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
  if (!checkRequest(server, request)) return;
  if (request.method == "OPTIONS") {
    sip::Message answer = responseTo(request, 200, randomToken());
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
  sip::Message answer = responseTo(request, 405, randomToken());
  answer.add(HeaderId::Allow, std::string(kAllow));
  respond(server, std::move(answer), nullptr, LegSide::kA);
}

bool B2bua::checkRequest(sip::TransactionId server, const sip::Message& request) {
  // RFC 3261 8.2.2: a UAS refuses a Request-URI scheme it does not know (416) and option tags
  // in Require it does not support (420), whatever the method.
  const auto uri = sip::parseUri(request.requestUri);
  if (!uri || (!uri->isSip() && uri->scheme != "tel")) {
    reject(server, request, 416);
    return false;
  }
  std::string unsupported;
  for (const std::string& value : request.values(HeaderId::Require))
    for (const std::string& tag : sip::parseTokenList(value))
      if (!isSupportedOption(tag)) unsupported += (unsupported.empty() ? "" : ", ") + tag;
  if (!unsupported.empty()) {
    sip::Message answer = responseTo(request, 420, randomToken());
    answer.add(HeaderId::Unsupported, unsupported);
    respond(server, std::move(answer), nullptr, LegSide::kA);
    return false;
  }
  return true;
}

bool B2bua::checkInvite(sip::TransactionId server, const sip::Message& invite) {
  const auto maxForwards = sip::parseUnsigned(invite.value(HeaderId::MaxForwards));
  if (maxForwards && *maxForwards == 0) {
    reject(server, invite, 483);
    return false;
  }
  if (!checkRequest(server, invite)) return false;
  if (!invite.body.empty() && !hasSdp(invite)) {
    sip::Message answer = responseTo(invite, 415, randomToken());
    answer.add(HeaderId::Accept, "application/sdp");
    respond(server, std::move(answer), nullptr, LegSide::kA);
    return false;
  }
  const std::string_view encoding = invite.value(HeaderId::ContentEncoding);
  if (!encoding.empty() && !sip::equalsIgnoreCase(encoding, "identity")) {
    sip::Message answer = responseTo(invite, 415, randomToken());
    answer.add("Accept-Encoding", "identity");
    respond(server, std::move(answer), nullptr, LegSide::kA);
    return false;
  }
  return true;
}

void B2bua::onNewInvite(sip::TransactionId server, const sip::Message& invite,
                        const sip::Peer& from) {
  ++counters_.invites;
  // RFC 3261 8.2.2.2: the same INVITE again by another path while the first still waits.
  if (isMergedRequest(invite)) {
    ++counters_.mergedRequests;
    reject(server, invite, 482,
           "399 sbc \"merged request: an INVITE with this Call-ID, From tag and CSeq is "
           "in progress\"");
    return;
  }
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
      sip::Message answer = responseTo(invite, status, randomToken());
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
  const CallParties parties = callParties(invite);
  call->ani = parties.ani;
  call->dnis = parties.dnis;

  TrunkState* chargedTrunk = nullptr;
  std::optional<dataplane::SocketAddress> destination;
  std::string legBInterface;
  sip::TransportKind legBTransport = contactCenterTransport();
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
    legBTransport = sip::TransportKind::Udp;
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
  b.peer.transport = legBTransport;
  b.peer.address = *destination;
  b.peer.local = listenAddress(legBInterface, b.peer);
  b.local = localFor(b.peer);
  b.interfaceName = legBInterface;
  b.remoteTarget = requestUriFor(uriUser(call->dnis), *destination, b.peer.transport);
  b.remoteUri = "<" + b.remoteTarget + ">";
  const std::string display = displayNameOf(invite.value(HeaderId::From));
  b.localUri = (display.empty() ? std::string() : display + " ") + "<sip:" +
               (call->ani.empty() ? std::string("anonymous") : uriUser(call->ani)) + "@" +
               hostText(b.local.ip) + ">";

  call->originalInvite = invite;
  call->inviteServer = server;
  serverInvites_[server] = call->id;
  inviteOrigins_[originKey(invite)] = server;
  Call& placed = *call;
  calls_.emplace(call->id, std::move(call));
  indexLeg(placed, LegSide::kA);
  indexLeg(placed, LegSide::kB);

  // Quench the caller's retransmissions at once.
  respond(server, responseTo(invite, 100), &placed, LegSide::kA);

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
  // A failover starts a new early dialog: nothing the old host said (its tag, its route set)
  // belongs to it. The caller keeps its own dialog with the SBC, ringing or not.
  b.remoteTag.clear();
  b.routeSet.clear();
  if (call.state == CallState::kEarly) call.state = CallState::kTrying;
  call.rangAtVipHolder.reset();
  stopRinging(call);  // Timer B guards the new INVITE until it rings
  b.remoteTarget = requestUriFor(uriUser(call.dnis), to, b.peer.transport);
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

bool B2bua::isMergedRequest(const sip::Message& invite) const {
  const auto found = inviteOrigins_.find(originKey(invite));
  return found != inviteOrigins_.end() && serverInvites_.contains(found->second);
}

std::string B2bua::originKey(const sip::Message& invite) {
  // '\n' cannot occur in a header value: the parts stay apart. Only INVITEs are indexed, so
  // the CSeq number stands for the whole CSeq.
  std::string key(invite.value(HeaderId::CallId));
  key.push_back('\n');
  key.append(tagOf(invite.value(HeaderId::From))).push_back('\n');
  key.append(std::to_string(cseqNumber(invite)));
  return key;
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
    if (listen.interfaceName == interfaceName && transportKindOf(listen.transport) == to.transport &&
        listen.address.family == to.address.ip.family)
      return {listen.address, listen.port};
  }
  return {};
}

dataplane::SocketAddress B2bua::localFor(const sip::Peer& peer) const {
  return transports_.localAddressFor(peer);
}

sip::TransportKind B2bua::contactCenterTransport() const {
  return transportKindOf(config_.contactCenter.transport);
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
