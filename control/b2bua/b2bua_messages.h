#pragma once
// What the B2BUA reads from and copies between the messages of its two legs: the SDP test, tags,
// the Contact URI, the CSeq number, the fields that may cross from one leg to the other, and
// the extensions it understands end to end.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "control/config/sip_config.h"
#include "control/sip/sip_message.h"
#include "control/sip/sip_transport.h"
#include "control/sip/transaction_messages.h"

namespace sbc::control {

inline constexpr std::string_view kAllow =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER, NOTIFY, MESSAGE";
// The option tags the SBC understands end to end (RFC 3262 reliable provisionals, RFC 4028).
inline constexpr std::string_view kSupported = "100rel, timer";
bool isSupportedOption(std::string_view tag);

// A body that is SDP (no Content-Type counts as SDP, as RFC 3261 expects of INVITE bodies).
bool hasSdp(const sip::Message& message);
using sip::tagOf;
std::string withoutTag(std::string_view nameAddr);
// The URI of the first Contact, "" when there is none.
std::string contactUri(const sip::Message& message);
std::uint32_t cseqNumber(const sip::Message& message);

// Copies the fields of these ids (in order) from one leg's message to the other's.
void copyFields(const sip::Message& from, sip::Message& to, std::initializer_list<sip::HeaderId> ids);
// Extension headers (X-...) that carry nothing of the topology and that a contact center uses.
void copyExtensionFields(const sip::Message& from, sip::Message& to);

// The SIP stack's transport for a configured `sip listen ... <udp|tcp|tls>`.
sip::TransportKind transportKindOf(SipTransport transport);

// The call record's end cause for a final failure status.
std::string endCauseFor(int status);

}  // namespace sbc::control
