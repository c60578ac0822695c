#pragma once
// The real SIP transports: UDP sockets, TCP and TLS listeners and connections on the SBC's
// addresses (RFC 3261 section 18), IPv4 and IPv6, every socket non-blocking.
//
// Like CtlServer, it keeps one epoll set of its own: the owner adds pollFd() to its loop and
// calls handleEvents() when it is readable. Idle connections are closed from the TimerQueue.
//
// - Streams are cut into messages by StreamFramer. A framing fault closes that connection
//   only; a message that frames but does not parse goes to the malformed handler.
// - A response goes back on the connection its request came on (Peer::connectionId, 18.2.2);
//   a request to a peer reuses any open connection to that address, or opens one.
// - Memory is bounded: a connection's unsent bytes (a peer that stops reading makes send()
//   fail), the framer's message limits, the number of connections.
// - Failures of connections that held unsent messages (refused, reset, TLS handshake) are
//   reported through the failure handler from handleEvents(), never from inside send().
// The TimerQueue given to open() must outlive the transports.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "control/common/timer_queue.h"
#include "control/sip/sip_transport.h"

namespace sbc::sip {

struct SocketTransportLimits {
  std::size_t maxConnections = 1024;
  std::size_t maxUnsentBytesPerConnection = 1024 * 1024;
  control::Millis idleTimeout = 300'000;   // no byte either way for this long: closed
  control::Millis connectTimeout = 10'000;  // TCP connect plus TLS handshake
  int maxReadsPerConnection = 8;            // per wake-up, so no peer starves the others
  int maxDatagramsPerSocket = 64;           // per wake-up
};

struct TransportCounters {
  std::uint64_t messagesReceived = 0;
  std::uint64_t messagesSent = 0;
  std::uint64_t malformedMessages = 0;   // framed or datagram, but did not parse
  std::uint64_t keepalivesReceived = 0;  // CRLF-only datagrams (RFC 5626 3.5.1)
  std::uint64_t framingFaults = 0;       // connections closed for broken framing
  std::uint64_t connectionsAccepted = 0;
  std::uint64_t connectionsOpened = 0;   // outbound
  std::uint64_t connectionsRefused = 0;  // over maxConnections
  std::uint64_t connectionsIdleClosed = 0;
  std::uint64_t connectionFailures = 0;  // connect, handshake, read or write errors
  std::uint64_t sendFailures = 0;        // send() returned false
};

class SocketTransports final : public TransportSet {
 public:
  // Opens every listener (UDP socket, or TCP/TLS listening socket). Port 0 picks a free port;
  // listenerAddress() tells which.
  static std::unique_ptr<SocketTransports> open(const std::vector<ListenerSpec>& listeners,
                                                control::TimerQueue& timers,
                                                std::string& error,
                                                SocketTransportLimits limits = {});
  ~SocketTransports() override;
  SocketTransports(const SocketTransports&) = delete;
  SocketTransports& operator=(const SocketTransports&) = delete;

  int pollFd() const;
  // Accepts, reads, writes and delivers whatever is ready now; never waits.
  void handleEvents();

  // --- TransportSet ---
  void setHandlers(ReceiveHandler onMessage, MalformedHandler onMalformed) override;
  void setFailureHandler(FailureHandler onFailure) override;
  bool send(const Message& message, const Peer& to, std::string& error) override;
  dataplane::SocketAddress localAddressFor(const Peer& to) const override;

  // The address listener `index` (in the order given to open()) is bound to.
  dataplane::SocketAddress listenerAddress(std::size_t index) const;
  std::size_t connectionCount() const;
  const TransportCounters& counters() const;

 private:
  struct Impl;
  explicit SocketTransports(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sbc::sip
