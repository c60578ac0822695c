#pragma once
// Small pieces the B2BUA builds messages from: responses to a request (RFC 3261 8.2.6), requests
// inside a dialog (12.2.1.1), tags and Call-IDs, reason phrases.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "control/b2bua/call.h"
#include "control/sip/sip_message.h"
#include "control/sip/sip_transport.h"

namespace sbc::control {

std::string_view reasonPhrase(int status);

// A response to `request`: its Vias, From, Call-ID and CSeq, its To with `toTag` added when the
// To has no tag yet (and toTag is not empty).
sip::Message responseTo(const sip::Message& request, int status, std::string_view toTag = {},
                        std::string_view reason = {});

// Random tokens for tags and Call-IDs: 16 hex digits (64 bits) from a per-process generator.
std::string randomToken();

// A request on `dialog` (Request-URI, Route, From, To, Call-ID, CSeq, Max-Forwards, Contact
// for target-refreshing methods). CSeq advances except for ACK and CANCEL, which reuse `cseq`.
// The caller adds the Via (with a branch) and the body.
sip::Message makeInDialogRequest(Dialog& dialog, std::string_view method,
                                 std::optional<std::uint32_t> cseq = std::nullopt);

// Where a request on `dialog` goes: the first Route (loose routing), else the remote target; an
// address the URI does not give as a literal falls back to the dialog's peer.
sip::Peer nextHop(const Dialog& dialog);
// The address a sip: URI names (host literal and port, 5060 by default), if it is a literal.
std::optional<dataplane::SocketAddress> uriAddress(std::string_view uri);

// "SIP/2.0/UDP 198.18.2.1:5060;branch=z9hG4bK...;rport"
std::string viaValue(const sip::Peer& to, const dataplane::SocketAddress& local,
                     std::string_view branch);
// "<sip:198.18.2.1:5060>"; over TCP "<sip:198.18.2.1:5060;transport=tcp>", over TLS
// "<sips:198.18.2.1:5061>" (RFC 3261 26.2.2 deprecates transport=tls for the sips: scheme).
std::string contactValue(const sip::Peer& to, const dataplane::SocketAddress& local);
// A Request-URI toward `to` under the same rules: "sip:8005551234@198.18.2.10:5060",
// "sip:...;transport=tcp", "sips:8005551234@198.18.2.10:5061". `user` may be empty.
std::string requestUriFor(std::string_view user, const dataplane::SocketAddress& to,
                          sip::TransportKind transport);
// "198.18.2.1", "[2001:db8::1]"
std::string hostText(const dataplane::IpAddress& address);
std::string hostPortText(const dataplane::SocketAddress& address);

}  // namespace sbc::control
