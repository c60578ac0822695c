#pragma once
// Which transaction a message belongs to (RFC 3261 17.1.3 and 17.2.3). A request is identified
// by the fields that matching reads, extracted once; the layer keeps its transactions in maps
// keyed by the strings built here, so a match is one lookup.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "control/sip/sip_message.h"

namespace sbc::sip {

// Branches that start with it were made by RFC 3261 elements and are unique (8.1.1.7).
inline constexpr std::string_view kMagicCookie = "z9hG4bK";

struct RequestIdentity {
  std::string method;
  std::string branch;          // "" when the top Via has none
  bool rfc3261Branch = false;  // the branch starts with the magic cookie
  std::string sentBy;          // "host:port" of the top Via, host lower case, port 0 if absent
  std::string topVia;          // the top Via value as received (for RFC 2543 matching)
  std::string callId;
  std::uint32_t cseqNumber = 0;
  std::string fromTag;
  std::string toTag;
  std::string requestUri;
};

// Nullopt, with `fault` saying which field, when the request lacks a well-formed top Via,
// From, To, Call-ID or CSeq, or its CSeq method is not its method (RFC 3261 8.1.1.5).
std::optional<RequestIdentity> identifyRequest(const Message& request, std::string& fault);

struct ResponseIdentity {
  std::string branch;
  std::string sentBy;
  std::string cseqMethod;
};

// Nullopt, with `fault` set, when the response has no well-formed top Via or CSeq.
std::optional<ResponseIdentity> identifyResponse(const Message& response, std::string& fault);

// A client transaction: the branch it put in its Via and its method (17.1.3). CANCEL shares
// the INVITE's branch, so the method keeps them apart.
std::string clientKey(std::string_view branch, std::string_view method);
// A server transaction by RFC 3261 rules: branch, sent-by and method, where `method` is the
// method of the request that created the transaction (an ACK looks up its INVITE).
std::string serverKey(const RequestIdentity& request, std::string_view method);
// A server transaction by RFC 2543 rules: the fields every candidate shares (Call-ID, CSeq
// number, From tag); the rest is compared by the functions below.
std::string legacyKey(const RequestIdentity& request);

// RFC 2543 matching (17.2.3, last paragraphs), `original` being the request that created the
// transaction:
// - a retransmission has the same Request-URI, To tag, From tag, Call-ID, CSeq, top Via;
bool legacyRetransmissionMatches(const RequestIdentity& original, const RequestIdentity& request);
// - an ACK the same, but its To tag is the one of the response the server sent;
bool legacyAckMatches(const RequestIdentity& original, const RequestIdentity& ack,
                      std::string_view responseToTag);
// - a CANCEL for an INVITE the same, but with no To tag compared (and method CANCEL).
bool legacyCancelMatches(const RequestIdentity& original, const RequestIdentity& cancel);

}  // namespace sbc::sip
