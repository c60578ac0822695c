// Session timers (RFC 4028) of the B2BUA: each leg of a call keeps its own, since each is a
// dialog of its own. See B2bua::sessionTimersOn() in b2bua.h.

#include <algorithm>

#include "control/b2bua/b2bua.h"
#include "control/b2bua/sip_builders.h"
#include "control/sip/sip_headers.h"

namespace sbc::control {

namespace {

using sip::HeaderId;

bool supportsTimer(const sip::Message& message) {
  for (HeaderId id : {HeaderId::Supported, HeaderId::Require})
    for (const std::string& value : message.values(id))
      for (const std::string& tag : sip::parseTokenList(value))
        if (sip::equalsIgnoreCase(tag, "timer")) return true;
  return false;
}

}  // namespace

void B2bua::addSessionTimerToInvite(sip::Message& invite) const {
  invite.set(HeaderId::SessionExpires, std::to_string(config_.sessionExpiresS) + ";refresher=uac");
  invite.set(HeaderId::MinSE, std::to_string(config_.minSessionExpiresS));
}

void B2bua::startSessionTimerOnLegB(Call& call, const sip::Message& response) {
  const auto granted = sip::parseSessionExpires(response.value(HeaderId::SessionExpires));
  if (!granted) return;  // the callee runs no session timer: media timeouts still guard the call
  call.sessionIntervalS[1] = std::max(granted->seconds, config_.minSessionExpiresS);
  // The SBC asked to refresh (refresher=uac); the callee may have taken it on itself.
  call.sbcRefreshes[1] = granted->refresher != "uas";
  armSessionTimer(call, LegSide::kB);
}

void B2bua::grantSessionTimerOnLegA(Call& call, sip::Message& answer) {
  const sip::Message& invite = call.originalInvite;
  if (!supportsTimer(invite)) return;  // a caller without timers has none on its leg
  std::uint32_t interval = config_.sessionExpiresS;
  if (const auto asked = sip::parseSessionExpires(invite.value(HeaderId::SessionExpires)))
    interval = std::max(asked->seconds, config_.minSessionExpiresS);
  call.sessionIntervalS[0] = interval;
  call.sbcRefreshes[0] = false;  // the caller, which supports timers, refreshes its own leg
  answer.set(HeaderId::SessionExpires, std::to_string(interval) + ";refresher=uac");
  answer.set(HeaderId::Require, "timer");
  armSessionTimer(call, LegSide::kA);
}

void B2bua::armSessionTimer(Call& call, LegSide side) {
  const std::uint32_t interval = call.sessionIntervalS[index(side)];
  if (interval == 0) return;
  TimerId& timer = call.sessionTimer[index(side)];
  if (timer) timers_.cancel(timer);
  // The refresher refreshes at half the interval; the other end gives up a little before the
  // interval ends, to allow for the refresh's own transaction (RFC 4028 10).
  const Millis after = call.sbcRefreshes[index(side)]
                           ? Millis{interval} * 500
                           : (Millis{interval} - std::min<Millis>(32, interval / 3)) * 1000;
  timer = timers_.schedule(after, [this, id = call.id, side] { onSessionTimer(id, side); });
}

void B2bua::onSessionTimer(std::uint64_t callId, LegSide side) {
  Call* call = findCall(callId);
  if (!call || call->state != CallState::kConfirmed) return;
  call->sessionTimer[index(side)] = 0;
  if (!call->sbcRefreshes[index(side)]) {
    hangUp(*call, "session-expired", std::nullopt);
    return;
  }
  // An UPDATE without a body refreshes the session and leaves the media alone (RFC 4028 9).
  sip::Message update = makeInDialogRequest(call->legs[index(side)], "UPDATE");
  update.add(HeaderId::SessionExpires,
             std::to_string(call->sessionIntervalS[index(side)]) + ";refresher=uac");
  update.add(HeaderId::Supported, "timer");
  ClientContext context;
  context.kind = ClientKind::kRefresh;
  sendRequest(*call, side, std::move(update), std::move(context));
}

void B2bua::onRefreshResponse(Call& call, LegSide side, int status) {
  if (status >= 200 && status < 300) {
    armSessionTimer(call, side);
    return;
  }
  // 408 and 481 say the dialog is gone (RFC 4028 10); 491 and the like only that this refresh
  // lost: try again at the next half interval.
  if (status == 408 || status == 481 || status == 503 || status == 0) {
    hangUp(call, "session-refresh-failed", std::nullopt);
    return;
  }
  armSessionTimer(call, side);
}

}  // namespace sbc::control
