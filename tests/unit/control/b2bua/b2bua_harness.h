#pragma once
// A B2BUA on a fake clock, with fake transports that record every message sent and a fake media
// anchor that stands for the SDP code and the dataplane. Tests speak SIP text to it as the
// carrier or the contact center would, and read what it sent.

#include <optional>
#include <string>
#include <vector>

#include "control/b2bua/b2bua.h"
#include "control/common/clock.h"
#include "control/sip/sip_parser.h"
#include <gtest/gtest.h>

namespace sbc::control::test {

struct SentMessage {
  sip::Message message;
  sip::Peer to;
  std::string wire;
};

class FakeTransports final : public sip::TransportSet {
 public:
  void setHandlers(ReceiveHandler, MalformedHandler) override {}
  bool send(const sip::Message& message, const sip::Peer& to, std::string&) override;
  dataplane::SocketAddress localAddressFor(const sip::Peer& to) const override;
  std::vector<SentMessage> sent;
};

class FakeMediaAnchor final : public MediaAnchor {
 public:
  AnchorOutcome offer(Call& call, LegSide from, std::string_view sdp) override;
  AnchorOutcome answer(Call& call, LegSide from, std::string_view sdp) override;
  void release(Call& call) override;
  std::optional<Millis> refresh(Call& call) override;

  int offers = 0, answers = 0, releases = 0;
  bool rejectOffers = false;
  Millis idleMs = 0;
};

// An SDP body whose c= line names `address`.
std::string sdpFor(const std::string& address, int port);

class B2buaHarness {
 public:
  explicit B2buaHarness(SipConfig config);
  ~B2buaHarness();

  static SipConfig defaultConfig();

  // Delivers `text` (a SIP message, lines joined with \r\n by the caller) as if from `from`;
  // over a stream, on connection `connectionId`.
  void receive(const std::string& text, const std::string& from,
               sip::TransportKind transport = sip::TransportKind::Udp,
               std::uint64_t connectionId = 0);
  void advance(Millis ms);

  // The messages sent to `address` (ip or ip:port), oldest first.
  std::vector<SentMessage> sentTo(const std::string& address) const;
  // The last message sent that is a request with this method / a response with this status.
  std::optional<SentMessage> lastRequest(const std::string& method) const;
  std::optional<SentMessage> lastResponse(int status) const;
  // Requests of this method sent, retransmissions not counted.
  std::size_t countRequests(const std::string& method) const;

  FakeClock clock;
  TimerQueue timers{clock};
  FakeTransports transports;
  FakeMediaAnchor media;
  std::string recordsPath;
  std::unique_ptr<CallRecordWriter> records;
  std::unique_ptr<B2bua> b2bua;
  Millis wallMs = 1'790'000'000'000;
};

// A carrier's INVITE (from 198.18.1.10) for DNIS `dnis` with Call-ID `callId`.
std::string carrierInvite(const std::string& callId, const std::string& dnis = "8005551234",
                          const std::string& branch = "z9hG4bKcarrier1", bool withSdp = true);
// A response to `request` (a message the SBC sent) with a to-tag, as the far end answers.
std::string answerTo(const sip::Message& request, int status, const std::string& toTag,
                     const std::string& body = {}, const std::string& contact = {});
// A request in the dialog the SBC set up on a leg, from the far end of it: `request` is any
// message of that dialog the SBC sent (its INVITE), `toTag` the far end's tag.
std::string requestInDialog(const sip::Message& inviteFromSbc, const std::string& method,
                            std::uint32_t cseq, const std::string& farTag,
                            const std::string& farAddress, const std::string& body = {});

// A request from the carrier inside a call's leg A, built from a response the SBC sent it
// there (its To tag and Contact).
std::string carrierInDialog(const sip::Message& responseFromSbc, const std::string& method,
                            std::uint32_t cseq, const std::string& body = {});

}  // namespace sbc::control::test
