#pragma once
// The B2BUA: every call through the SBC is two dialogs, one on each side, that the SBC joins.
// It is the transaction user of the SIP stack: new INVITEs are checked, classified (trunk,
// inbound/outbound/internal, ANI, DNIS), admitted against trunk limits, and re-originated on
// the other side with their SDP anchored at the SBC; responses and in-dialog requests (PRACK,
// re-INVITE, UPDATE, INFO, REFER, NOTIFY, BYE) are carried across with the same rewriting;
// CANCEL, failover to the contact center's backup, media timeouts and call records live here.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/b2bua/call.h"
#include "control/b2bua/digest_auth.h"
#include "control/b2bua/media_anchor.h"
#include "control/b2bua/topology_hider.h"
#include "control/common/timer_queue.h"
#include "control/config/sip_config.h"
#include "control/records/call_record.h"
#include "control/routing/trunk_table.h"
#include "control/routing/vip_monitor.h"
#include "control/sip/transaction_layer.h"

namespace sbc::control {

struct B2buaCounters {
  std::uint64_t invites = 0;          // new INVITEs received
  std::uint64_t callsAnswered = 0;
  std::uint64_t callsEnded = 0;
  std::uint64_t rejected = 0;         // new INVITEs answered with a final failure by the SBC
  std::uint64_t rejectedUnknownSource = 0;
  std::uint64_t rejectedLimits = 0;
  std::uint64_t rejectedCodecs = 0;
  std::uint64_t challenged = 0;       // INVITEs of an authenticated trunk answered 407 or 400
  std::uint64_t failovers = 0;        // leg B INVITEs re-sent to another contact center host
  std::uint64_t abandonedAnswers = 0; // 2xx to an INVITE given up by a failover: ACKed, hung up
  std::uint64_t mediaTimeouts = 0;
  std::uint64_t ringTimeouts = 0;     // calls given up after ringing the ring timeout (408)
  std::uint64_t strayRequests = 0;    // in-dialog requests for no known dialog (481)
  std::uint64_t mergedRequests = 0;   // new INVITEs that merged with one still open (482)
  std::uint64_t strayResponses = 0;
};

class B2bua final : public sip::TransactionUser, public HealthProber {
 public:
  // `wallClock` gives ms since the epoch for call records.
  B2bua(const SipConfig& config, sip::TransportSet& transports, TimerQueue& timers,
        MediaAnchor& media, CallRecordWriter& records, std::function<Millis()> wallClock,
        sip::TimerSettings timerSettings = {});
  ~B2bua() override;

  // Starts the health checks and the media watchdog.
  void start();
  sip::TransactionLayer& transactions() { return *transactions_; }
  const sip::TransactionLayer& transactions() const { return *transactions_; }

  const std::unordered_map<std::uint64_t, std::unique_ptr<Call>>& calls() const { return calls_; }
  const B2buaCounters& counters() const { return counters_; }
  const TrunkTable& trunks() const { return trunks_; }
  const VipMonitor& contactCenter() const { return vip_; }
  // The wall clock the call records use (ms since the epoch).
  Millis wallNow() const { return wallClock_(); }

  // Lets the contact-center monitor see which host holds the VIP (the dataplane's neighbour
  // for it): ringing calls follow the VIP to its new holder (onVipMoved).
  void watchVipHolder(
      std::function<std::optional<dataplane::MacAddress>(const dataplane::IpAddress&)> holder) {
    vip_.vipHolder = std::move(holder);
  }

  // Ends every call (BYE both ways), e.g. at shutdown.
  void endAllCalls(const std::string& cause);

  // sip::TransactionUser
  void onRequest(sip::TransactionId server, const sip::Message& request,
                 const sip::Peer& from) override;
  void onCancel(sip::TransactionId invite, const sip::Message& cancel) override;
  void onResponse(sip::TransactionId client, const sip::Message& response) override;
  void onClientTimeout(sip::TransactionId client, bool transportError) override;
  void onServerTimeout(sip::TransactionId server) override;

  // HealthProber
  void probe(const dataplane::SocketAddress& target, Millis timeoutMs,
             std::function<void(int status)> done) override;

 private:
  enum class ClientKind : std::uint8_t { kInvite, kForwarded, kBye, kProbe, kRefresh, kAbandonedInvite };
  struct ClientContext {
    ClientKind kind = ClientKind::kInvite;
    std::uint64_t callId = 0;
    LegSide side = LegSide::kB;       // the leg the request went out on
    sip::TransactionId server = 0;    // kForwarded: the transaction on the other leg
    sip::Message request;             // kForwarded: the request as it arrived on the other leg
    bool carriedOffer = false;
    std::function<void(int)> probeDone;
    TimerId probeTimer = 0;
    Dialog abandonedDialog;  // kAbandonedInvite: leg B as that INVITE was sent
  };

  static ClientContext byeContext();

  // New dialogs.
  void onNewInvite(sip::TransactionId server, const sip::Message& invite, const sip::Peer& from);
  void onOutOfDialog(sip::TransactionId server, const sip::Message& request, const sip::Peer& from);
  bool checkRequest(sip::TransactionId server, const sip::Message& request);
  bool checkInvite(sip::TransactionId server, const sip::Message& invite);
  // RFC 3261 8.2.2.2: a new INVITE whose Call-ID, From tag and CSeq are those of a caller's
  // INVITE still waiting for its final response here, but that its transaction did not absorb
  // (another branch, or another transport): the same request reached the SBC twice.
  bool isMergedRequest(const sip::Message& invite) const;
  static std::string originKey(const sip::Message& invite);
  void sendInviteOnLegB(Call& call, const dataplane::SocketAddress& to);

  // Inside dialogs.
  void onInDialog(sip::TransactionId server, const sip::Message& request, Call& call, LegSide side);
  void onAck(const sip::Message& ack, Call& call, LegSide side);
  void onBye(sip::TransactionId server, const sip::Message& bye, Call& call, LegSide side);
  void forwardInDialog(sip::TransactionId server, const sip::Message& request, Call& call,
                       LegSide from);

  // Responses.
  void onInviteResponse(Call& call, const sip::Message& response);
  void onForwardedResponse(ClientContext& context, Call& call, const sip::Message& response);
  void learnRemote(Dialog& dialog, const sip::Message& response);

  // Sending.
  sip::TransactionId sendRequest(Call& call, LegSide side, sip::Message request,
                                 ClientContext context);
  void sendAck(Call& call, LegSide side, std::uint32_t cseq, std::string body);
  void respond(sip::TransactionId server, sip::Message response, const Call* call, LegSide side);
  void reject(sip::TransactionId server, const sip::Message& request, int status,
              std::string_view warning = {}, std::uint32_t retryAfter = 0);
  void retransmit2xx(std::uint64_t callId, LegSide side, Millis interval, Millis elapsed);
  void addCommonHeaders(sip::Message& message) const;

  // Session timers (RFC 4028; b2bua_session_timer.cc). With `sip session-expires` set, each leg
  // has its own: leg B's INVITE asks for the configured interval with the SBC refreshing; leg
  // A's 2xx grants the caller's (bounded below by Min-SE) with the caller refreshing where it
  // supports timers. A refresh that fails, or one a peer owes and does not send, ends the call.
  bool sessionTimersOn() const { return config_.sessionExpiresS != 0; }
  void addSessionTimerToInvite(sip::Message& invite) const;
  void startSessionTimerOnLegB(Call& call, const sip::Message& response);
  void grantSessionTimerOnLegA(Call& call, sip::Message& answer);
  void armSessionTimer(Call& call, LegSide side);
  void onSessionTimer(std::uint64_t callId, LegSide side);
  void onRefreshResponse(Call& call, LegSide side, int status);

  // Ending.
  void hangUp(Call& call, const std::string& cause, std::optional<LegSide> alreadyGone);
  void finish(Call& call, const std::string& cause);
  void checkMedia();
  void failOver(const dataplane::SocketAddress& from, const dataplane::SocketAddress& to);
  void onVipMoved(const dataplane::SocketAddress& vip, const dataplane::MacAddress& holder);
  // Leg B rang (again): the ring timeout starts over. stopRinging when it stops.
  void restartRingTimer(Call& call);
  void stopRinging(Call& call);
  void ringTimedOut(std::uint64_t callId);
  enum class Resend : std::uint8_t {
    kFailover,  // unanswered and ringing INVITEs, in the same leg-B dialog, to another host
    kVipMoved,  // ringing INVITEs only, as a new leg-B call (new Call-ID and tag)
  };
  // Leg B INVITEs waiting at `from`, cancelled there and sent to `to`; kVipMoved: those that
  // rang at another holder than `holder`.
  void resendInvites(const dataplane::SocketAddress& from, const dataplane::SocketAddress& to,
                     Resend kind, const dataplane::MacAddress& holder = {});
  bool tryAnotherHost(Call& call);
  void abandonInvite(Call& call);
  void onAbandonedResponse(ClientContext& context, const sip::Message& response);
  // ACKs a 2xx that leg B's INVITE (as sent in `sentIn`) got from a dialog the call does not
  // use, and hangs that dialog up.
  void hangUpUnwantedAnswer(Dialog sentIn, const sip::Message& response);

  Call* findCall(std::uint64_t id);
  std::string dialogKey(std::string_view callId, std::string_view localTag) const;
  void indexLeg(Call& call, LegSide side);
  dataplane::SocketAddress localFor(const sip::Peer& peer) const;
  // How requests to the contact center's hosts go (`transport` of its configuration).
  sip::TransportKind contactCenterTransport() const;
  // The configured SIP address on `interfaceName` for a message to `to` (none: unspecified).
  dataplane::SocketAddress listenAddress(const std::string& interfaceName, const sip::Peer& to) const;

  SipConfig config_;
  sip::TransportSet& transports_;
  TimerQueue& timers_;
  MediaAnchor& media_;
  CallRecordWriter& records_;
  std::function<Millis()> wallClock_;
  sip::TimerSettings timerSettings_;
  std::unique_ptr<sip::TransactionLayer> transactions_;
  TrunkTable trunks_;
  VipMonitor vip_;
  TopologyHider hider_;
  DigestAuthenticator authenticator_;

  std::uint64_t nextCallId_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Call>> calls_;
  std::unordered_map<std::string, std::pair<std::uint64_t, LegSide>> dialogs_;
  std::unordered_map<sip::TransactionId, ClientContext> clients_;
  std::unordered_map<sip::TransactionId, std::uint64_t> serverInvites_;
  // Leg A's INVITE by originKey() (Call-ID, From tag, CSeq) -> its server transaction, for as
  // long as its call lasts; it is open while serverInvites_ holds that transaction.
  std::unordered_map<std::string, sip::TransactionId> inviteOrigins_;
  TimerId mediaTimer_ = 0;
  B2buaCounters counters_;
};

}  // namespace sbc::control
