#pragma once
// A call as the B2BUA holds it: two legs, each a dialog of its own (RFC 3261 section 12), joined
// by the SBC. Leg A faces the caller, leg B the callee. Nothing of one leg's dialog (Call-ID,
// tags, Via, Contact, route set) is ever copied into the other: that is the topology hiding.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "control/common/clock.h"
#include "control/common/timer_queue.h"
#include "control/sip/sip_message.h"
#include "control/sip/sip_transport.h"
#include "control/sip/transaction_layer.h"
#include "dataplane/config.h"

namespace sbc::control {

// The contact center's CallType numbers.
enum class CallType : std::uint8_t { kInternal = 1, kInbound = 2, kOutbound = 3 };
std::string_view callTypeName(CallType type);  // "internal", "inbound", "outbound"

enum class LegSide : std::uint8_t { kA = 0, kB = 1 };
inline LegSide otherSide(LegSide side) { return side == LegSide::kA ? LegSide::kB : LegSide::kA; }
inline std::size_t index(LegSide side) { return static_cast<std::size_t>(side); }

enum class CallState : std::uint8_t {
  kTrying,       // INVITE sent on leg B, no answer yet
  kEarly,        // a provisional answer with a to-tag came back
  kConfirmed,    // 2xx forwarded to leg A
  kTerminating,  // BYE or CANCEL sent, waiting for the other side
  kEnded,
};
std::string_view callStateName(CallState state);

// One leg's dialog as the SBC holds it.
struct Dialog {
  std::string callId;
  std::string localTag;
  std::string remoteTag;
  std::string localUri;    // the From (as UAC) or To (as UAS) name-addr of the SBC, without tag
  std::string remoteUri;   // the peer's name-addr, without tag
  std::uint32_t localCseq = 0;
  std::uint32_t remoteCseq = 0;
  std::string remoteTarget;            // the peer's Contact URI
  std::vector<std::string> routeSet;   // Record-Route values, in the order requests use them
  sip::Peer peer;                      // where requests on this leg go when no route says otherwise
  std::string interfaceName;           // the SBC interface the leg lives on
  dataplane::SocketAddress local;      // the SBC's SIP address on that interface
  bool isUac = false;                  // the SBC sent the INVITE of this leg
};

struct LegMedia {
  std::string codecs;           // negotiated encoding names, e.g. "PCMA,telephone-event"
  std::uint64_t packetsIn = 0;  // RTP the SBC received from this leg's peer
  // RTP from this leg's peer that never arrived, by its sequence numbers (RFC 3550 A.3, counted
  // by the dataplane); unknown (null in the record) while no media is anchored.
  std::optional<std::uint64_t> lostIn;
};

struct Call {
  std::uint64_t id = 0;
  CallState state = CallState::kTrying;
  CallType type = CallType::kInbound;
  std::string trunk;  // the carrier trunk (inbound: where it came from; outbound: where it goes)
  std::string ani;
  std::string dnis;
  std::array<Dialog, 2> legs;
  std::array<LegMedia, 2> media;
  std::uint32_t mediaSessionId = 0;  // 0: no media anchored

  sip::TransactionId inviteServer = 0;  // leg A's INVITE
  sip::TransactionId inviteClient = 0;  // leg B's INVITE
  sip::Message originalInvite;          // as leg A sent it: used to build leg B's retries
  sip::Message ackToB;                  // leg B's ACK, re-sent when its 2xx is retransmitted
  bool ackedByA = false;
  bool ackSentToB = false;
  bool cancelled = false;
  bool reinviteInProgress = false;
  std::array<std::uint32_t, 2> inviteCseq{};  // CSeq of the last INVITE the SBC sent per leg
  std::array<bool, 2> pendingAck{};           // the leg owes an ACK for a 2xx the SBC sent it
  std::array<std::uint32_t, 2> ackOwed{};     // the SBC owes the leg an ACK for this CSeq
  std::array<sip::Message, 2> last2xx;        // 2xx the SBC retransmits until the leg ACKs
  std::array<TimerId, 2> retransmitTimer{};
  // RFC 4028 session timers, per leg: the interval agreed there (0: none), whether the SBC is
  // the refresher, and the timer that refreshes (SBC) or ends the call (peer silent).
  std::array<std::uint32_t, 2> sessionIntervalS{};
  std::array<bool, 2> sbcRefreshes{};
  std::array<TimerId, 2> sessionTimer{};
  TimerId ringTimer = 0;  // leg B rings: gives the call up at the ring timeout
  int failoverAttempts = 0;
  // The host that held the contact center's VIP (its MAC) when leg B rang there: should the VIP
  // move to another host, this call rang at one that is gone.
  std::optional<dataplane::MacAddress> rangAtVipHolder;

  Millis startMs = 0;   // wall clock (ms since the epoch), for the record
  Millis answerMs = 0;
  Millis endMs = 0;
  std::string endCause;  // "normal", "cancelled", "busy", "no-answer", "media-timeout", ...
  int finalStatus = 0;   // the final response leg A got
};

}  // namespace sbc::control
