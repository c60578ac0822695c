#include "control/sip/socket_transports.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <unordered_map>
#include <utility>

#include "control/sip/sip_parser.h"
#include "control/sip/socket_addresses.h"
#include "control/sip/stream_connection.h"
#include "control/sip/stream_listener.h"
#include "control/sip/tls_context.h"
#include "control/sip/udp_endpoint.h"
#include "control/sip/via_received.h"

namespace sbc::sip {

namespace {

// Rounds of epoll_wait per handleEvents(): enough to accept a connection and read its first
// message in one call, few enough to hand the loop back quickly (as CtlServer does).
constexpr int kMaxRoundsPerCall = 4;
constexpr int kEventsPerRound = 64;

// What an epoll event's 64-bit tag points at: the kind in the top byte, an index or a
// connection id below.
enum class Source : std::uint64_t { Wake = 0, Udp = 1, Listener = 2, Connection = 3 };
constexpr int kSourceShift = 56;
constexpr std::uint64_t kIndexMask = (std::uint64_t{1} << kSourceShift) - 1;

std::uint64_t tag(Source source, std::uint64_t index) {
  return (static_cast<std::uint64_t>(source) << kSourceShift) | index;
}

bool onlyLineBreaks(std::string_view bytes) {
  for (char c : bytes)
    if (c != '\r' && c != '\n') return false;
  return true;
}

std::string peerKey(TransportKind transport, const dataplane::SocketAddress& address) {
  return std::string(transportName(transport)) + " " + address.toString();
}

// The source address the kernel would pick towards `to` (connecting a UDP socket sends
// nothing and does not block).
std::optional<dataplane::IpAddress> routeSourceTowards(const dataplane::SocketAddress& to) {
  const std::optional<NativeAddress> native = toNative(to);
  if (!native) return std::nullopt;
  const int fd = socket(socketFamily(to), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  std::optional<dataplane::IpAddress> source;
  if (connect(fd, native->get(), native->length) == 0)
    if (std::optional<dataplane::SocketAddress> local = localAddressOf(fd)) source = local->ip;
  close(fd);
  return source;
}

}  // namespace

struct SocketTransports::Impl {
  struct Listener {
    TransportKind transport;
    dataplane::SocketAddress local;
    std::unique_ptr<UdpEndpoint> udp;
    std::unique_ptr<StreamListener> stream;
    std::unique_ptr<TlsContext> tls;
  };

  struct Slot {
    std::unique_ptr<StreamConnection> connection;
    std::size_t listener = 0;  // whose TLS context and address it uses
    control::Millis openedAt = 0;
    control::TimerId idleTimer = 0;
    std::uint32_t watching = 0;  // the epoll events registered now
  };

  // Marks a call into the transports; the outermost one destroys the connections closed
  // meanwhile (one of their member functions may still be on the stack).
  class Entry {
   public:
    explicit Entry(Impl& impl) : impl_(impl) { ++impl_.depth; }
    ~Entry() {
      if (--impl_.depth == 0) impl_.closed.clear();
    }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

   private:
    Impl& impl_;
  };

  Impl(control::TimerQueue& timers, SocketTransportLimits limits)
      : timers(timers), limits(limits) {}

  ~Impl() {
    for (auto& [id, slot] : connections) timers.cancel(slot.idleTimer);
    connections.clear();
    closed.clear();
    listeners.clear();
    if (wakeFd >= 0) close(wakeFd);
    if (epollFd >= 0) close(epollFd);
  }

  control::Millis now() const { return timers.clock().now(); }

  // --- setup ---------------------------------------------------------------------------------
  bool openListener(const ListenerSpec& spec, std::string& error) {
    Listener listener{spec.transport, spec.local, nullptr, nullptr, nullptr};
    const std::size_t index = listeners.size();
    int fd = -1;
    if (spec.transport == TransportKind::Udp) {
      listener.udp = UdpEndpoint::open(spec.local, error);
      if (!listener.udp) return false;
      listener.local = listener.udp->local();
      fd = listener.udp->fd();
    } else {
      if (spec.transport == TransportKind::Tls) {
        listener.tls = TlsContext::create(spec, error);
        if (!listener.tls) return false;
      }
      listener.stream = StreamListener::open(spec.local, error);
      if (!listener.stream) return false;
      listener.local = listener.stream->local();
      fd = listener.stream->fd();
    }
    const Source source = spec.transport == TransportKind::Udp ? Source::Udp : Source::Listener;
    if (!watch(fd, tag(source, index), EPOLLIN, EPOLL_CTL_ADD, error)) return false;
    listeners.push_back(std::move(listener));
    return true;
  }

  bool watch(int fd, std::uint64_t what, std::uint32_t events, int operation,
             std::string& error) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = what;
    if (epoll_ctl(epollFd, operation, fd, &event) == 0) return true;
    error = systemError("epoll_ctl");
    return false;
  }

  // --- the event loop ------------------------------------------------------------------------
  void handleEvents() {
    Entry entry(*this);
    for (int round = 0; round < kMaxRoundsPerCall; ++round) {
      epoll_event events[kEventsPerRound];
      const int count = epoll_wait(epollFd, events, kEventsPerRound, 0);
      if (count <= 0) break;
      for (int i = 0; i < count; ++i) dispatch(events[i]);
    }
    reportFailures();
  }

  void dispatch(const epoll_event& event) {
    const auto source = static_cast<Source>(event.data.u64 >> kSourceShift);
    const std::uint64_t index = event.data.u64 & kIndexMask;
    switch (source) {
      case Source::Wake: {
        std::uint64_t value;
        (void)!read(wakeFd, &value, sizeof value);  // reportFailures() does the work
        return;
      }
      case Source::Udp:
        return receiveDatagrams(listeners[index]);
      case Source::Listener:
        return acceptConnections(index);
      case Source::Connection:
        return serviceConnection(index, event.events);
    }
  }

  void receiveDatagrams(Listener& listener) {
    const Peer from{TransportKind::Udp, {}, 0, listener.local};
    listener.udp->receive(
        limits.maxDatagramsPerSocket,
        [&](std::string_view datagram, const dataplane::SocketAddress& source) {
          Peer peer = from;
          peer.address = source;
          if (onlyLineBreaks(datagram)) {
            ++stats.keepalivesReceived;
            return;
          }
          deliver(parseDatagram(datagram), datagram, peer);
        });
  }

  void deliver(ParseResult&& parsed, std::string_view bytes, const Peer& from) {
    if (!parsed.ok()) {
      ++stats.malformedMessages;
      if (onMalformed) onMalformed(bytes, parsed.error, from);
      return;
    }
    Message& message = *parsed.message;
    if (message.isRequest()) stampReceived(message, from.address);
    ++stats.messagesReceived;
    if (onMessage) onMessage(message, from);
  }

  void acceptConnections(std::size_t index) {
    Listener& listener = listeners[index];
    while (std::optional<StreamListener::Accepted> accepted = listener.stream->accept()) {
      if (connections.size() >= limits.maxConnections) {
        ++stats.connectionsRefused;
        close(accepted->fd);
        continue;
      }
      std::string error;
      std::unique_ptr<TlsSession> tls;
      if (listener.tls && !(tls = listener.tls->acceptSession(error))) {
        ++stats.connectionFailures;
        close(accepted->fd);
        continue;
      }
      const Peer peer{listener.transport, accepted->remote, 0, accepted->local};
      ++stats.connectionsAccepted;
      addConnection(accepted->fd, peer, std::move(tls), /*outbound=*/false, index);
    }
  }

  StreamConnection* addConnection(int fd, const Peer& peer, std::unique_ptr<TlsSession> tls,
                                  bool outbound, std::size_t listener) {
    const std::uint64_t id = ++lastConnectionId;
    Slot& slot = connections[id];
    slot.connection =
        std::make_unique<StreamConnection>(id, fd, peer, std::move(tls), outbound, now());
    slot.listener = listener;
    slot.openedAt = now();
    byPeer[peerKey(peer.transport, peer.address)] = id;
    std::string error;
    if (!watch(fd, tag(Source::Connection, id), EPOLLIN, EPOLL_CTL_ADD, error)) {
      closeConnection(id, error);
      return nullptr;
    }
    slot.watching = EPOLLIN;
    updateWatch(slot);
    scheduleIdleCheck(id, slot, limits.connectTimeout);
    return slot.connection.get();
  }

  void serviceConnection(std::uint64_t id, std::uint32_t events) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    StreamConnection& connection = *it->second.connection;
    std::string error;
    if (connection.state() == StreamConnection::State::Connecting) {
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      if (!connection.finishConnect(error)) return failConnection(id, error);
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      if (!readConnection(connection)) return;
    }
    if (!connection.flush(now(), error)) return failConnection(id, error);
    updateWatch(connections.at(id));
  }

  // False when the connection was closed.
  bool readConnection(StreamConnection& connection) {
    const std::uint64_t id = connection.id();
    std::string error;
    const StreamConnection::ReadOutcome outcome = connection.read(
        limits.maxReadsPerConnection,
        [&](ParseResult&& parsed, std::string_view refused) {
          // A message that framed but did not parse comes with its octets: the layer answers
          // it (400 with a Warning) on this connection, which stays usable.
          deliver(std::move(parsed), refused, connection.peer());
          return connections.contains(id);
        },
        now(), error);
    if (!connections.contains(id)) return false;
    switch (outcome) {
      case StreamConnection::ReadOutcome::Open:
        return true;
      case StreamConnection::ReadOutcome::PeerClosed:
        closeConnection(id, "closed by the peer");
        return false;
      case StreamConnection::ReadOutcome::FramingFault:
        ++stats.framingFaults;
        refuseUnframed(connection);
        closeConnection(id, error);
        return false;
      case StreamConnection::ReadOutcome::IoError:
        failConnection(id, error);
        return false;
    }
    return false;
  }

  // A framing fault ends the stream (RFC 3261 18.3; RFC 4475 3.1.2.3 ncl, 3.3.9 mcl01), but
  // where the header section of the message at fault is whole, the sender still hears why:
  // the malformed handler answers it (400 with a Warning) on the connection before it closes.
  void refuseUnframed(StreamConnection& connection) {
    const std::string_view header = connection.framingFaultBytes();
    if (header.empty() || !onMalformed) return;
    const std::string bytes(header);  // the view lives in the connection's framer
    const std::uint64_t id = connection.id();
    onMalformed(bytes, connection.framingError(), connection.peer());
    if (auto it = connections.find(id); it != connections.end()) {
      std::string error;
      it->second.connection->flush(now(), error);
    }
  }

  void failConnection(std::uint64_t id, const std::string& error) {
    ++stats.connectionFailures;
    closeConnection(id, error);
  }

  // Unlinks the connection now; the object is destroyed by the outermost Entry. Messages that
  // never left (or a connection that never came up) are reported as a failure of its peer.
  void closeConnection(std::uint64_t id, const std::string& reason) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    Slot& slot = it->second;
    StreamConnection& connection = *slot.connection;
    timers.cancel(slot.idleTimer);
    epoll_ctl(epollFd, EPOLL_CTL_DEL, connection.fd(), nullptr);
    const std::string key = peerKey(connection.peer().transport, connection.peer().address);
    if (auto byPeerIt = byPeer.find(key); byPeerIt != byPeer.end() && byPeerIt->second == id)
      byPeer.erase(byPeerIt);
    const bool lostMessages =
        connection.unsentBytes() > 0 || (connection.outbound() && !connection.everOpened());
    if (lostMessages) {
      failures.emplace_back(connection.peer(), reason);
      const std::uint64_t one = 1;
      (void)!write(wakeFd, &one, sizeof one);  // so the owner calls handleEvents()
    }
    closed.push_back(std::move(slot.connection));
    connections.erase(it);
  }

  void updateWatch(Slot& slot) {
    const std::uint32_t wanted = EPOLLIN | (slot.connection->wantsWrite() ? EPOLLOUT : 0u);
    if (wanted == slot.watching) return;
    std::string error;
    if (watch(slot.connection->fd(), tag(Source::Connection, slot.connection->id()), wanted,
              EPOLL_CTL_MOD, error))
      slot.watching = wanted;
  }

  void scheduleIdleCheck(std::uint64_t id, Slot& slot, control::Millis after) {
    slot.idleTimer = timers.schedule(after, [this, id] {
      Entry entry(*this);
      checkIdle(id);
    });
  }

  // One timer per connection, moved on only when it fires: activity itself costs nothing.
  void checkIdle(std::uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    Slot& slot = it->second;
    StreamConnection& connection = *slot.connection;
    slot.idleTimer = 0;
    const control::Millis at = now();
    if (connection.state() != StreamConnection::State::Open) {
      const control::Millis deadline = slot.openedAt + limits.connectTimeout;
      if (at >= deadline) return failConnection(id, "timed out setting up the connection");
      return scheduleIdleCheck(id, slot, deadline - at);
    }
    const control::Millis idleUntil = connection.lastActivity() + limits.idleTimeout;
    if (at >= idleUntil) {
      ++stats.connectionsIdleClosed;
      return closeConnection(id, "idle");
    }
    scheduleIdleCheck(id, slot, idleUntil - at);
  }

  void reportFailures() {
    while (!failures.empty()) {
      std::vector<std::pair<Peer, std::string>> batch = std::move(failures);
      failures.clear();
      if (onFailure)
        for (const auto& [peer, reason] : batch) onFailure(peer, reason);
    }
  }

  // --- sending -------------------------------------------------------------------------------
  const Listener* pickListener(TransportKind transport, dataplane::IpFamily family,
                               const dataplane::SocketAddress& local) const {
    const bool anyLocal = local.ip.family == dataplane::IpFamily::kNone;
    for (const Listener& listener : listeners) {
      if (listener.transport != transport || listener.local.ip.family != family) continue;
      if (anyLocal || listener.local.ip.isUnspecified() || listener.local.ip == local.ip)
        return &listener;
    }
    return nullptr;
  }

  bool send(const Message& message, const Peer& to, std::string& error) {
    Entry entry(*this);
    const bool sent = to.transport == TransportKind::Udp ? sendDatagram(message, to, error)
                                                          : sendOnStream(message, to, error);
    if (sent)
      ++stats.messagesSent;
    else
      ++stats.sendFailures;
    return sent;
  }

  bool sendDatagram(const Message& message, const Peer& to, std::string& error) {
    const Listener* listener = pickListener(TransportKind::Udp, to.address.ip.family, to.local);
    if (!listener) {
      error = "no UDP listener for " + to.address.toString();
      return false;
    }
    return listener->udp->sendTo(message.serialize(), to.address, error);
  }

  bool sendOnStream(const Message& message, const Peer& to, std::string& error) {
    StreamConnection* connection = connectionFor(to, error);
    if (!connection) return false;
    const std::uint64_t id = connection->id();
    if (!connection->queue(message.serialize(), limits.maxUnsentBytesPerConnection, error))
      return false;
    if (!connection->flush(now(), error)) {
      failConnection(id, error);
      return false;
    }
    updateWatch(connections.at(id));
    return true;
  }

  StreamConnection* connectionFor(const Peer& to, std::string& error) {
    if (to.connectionId != 0) {
      auto it = connections.find(to.connectionId);
      if (it != connections.end() && it->second.connection->peer().transport == to.transport)
        return it->second.connection.get();
      error = "connection " + std::to_string(to.connectionId) + " is closed";
      return nullptr;
    }
    if (auto it = byPeer.find(peerKey(to.transport, to.address)); it != byPeer.end())
      return connections.at(it->second).connection.get();
    return openConnection(to, error);
  }

  StreamConnection* openConnection(const Peer& to, std::string& error) {
    const Listener* listener = pickListener(to.transport, to.address.ip.family, to.local);
    if (!listener) {
      error = "no " + std::string(transportName(to.transport)) + " listener for " +
              to.address.toString();
      return nullptr;
    }
    if (connections.size() >= limits.maxConnections) {
      ++stats.connectionsRefused;
      error = "too many connections";
      return nullptr;
    }
    std::unique_ptr<TlsSession> tls;
    if (listener->tls && !(tls = listener->tls->connectSession(to.address.ip, error)))
      return nullptr;
    const int fd = startConnect(listener->local, to.address, error);
    if (fd < 0) return nullptr;
    Peer peer{to.transport, to.address, 0, localAddressOf(fd).value_or(listener->local)};
    ++stats.connectionsOpened;
    return addConnection(fd, peer, std::move(tls), /*outbound=*/true,
                         static_cast<std::size_t>(listener - listeners.data()));
  }

  dataplane::SocketAddress localAddressFor(const Peer& to) const {
    // The listener's port, not the connection's: an outbound connection leaves from an
    // ephemeral port, and Via/Contact must name where the peer can reach us again (18.2.2).
    if (to.connectionId != 0)
      if (auto it = connections.find(to.connectionId); it != connections.end()) {
        dataplane::SocketAddress local = listeners[it->second.listener].local;
        if (local.ip.isUnspecified()) local.ip = it->second.connection->peer().local.ip;
        return local;
      }
    const Listener* listener = pickListener(to.transport, to.address.ip.family, to.local);
    if (!listener) return {};
    dataplane::SocketAddress local = listener->local;
    if (local.ip.isUnspecified())
      if (std::optional<dataplane::IpAddress> source = routeSourceTowards(to.address))
        local.ip = *source;
    return local;
  }

  control::TimerQueue& timers;
  const SocketTransportLimits limits;
  int epollFd = -1;
  int wakeFd = -1;  // eventfd: failures wait to be reported
  int depth = 0;
  std::vector<Listener> listeners;
  std::unordered_map<std::uint64_t, Slot> connections;
  std::unordered_map<std::string, std::uint64_t> byPeer;  // transport + remote → connection
  std::vector<std::unique_ptr<StreamConnection>> closed;
  std::vector<std::pair<Peer, std::string>> failures;
  std::uint64_t lastConnectionId = 0;
  ReceiveHandler onMessage;
  MalformedHandler onMalformed;
  FailureHandler onFailure;
  TransportCounters stats;
};

std::unique_ptr<SocketTransports> SocketTransports::open(const std::vector<ListenerSpec>& listeners,
                                                         control::TimerQueue& timers,
                                                         std::string& error,
                                                         SocketTransportLimits limits) {
  auto impl = std::make_unique<Impl>(timers, limits);
  impl->epollFd = epoll_create1(EPOLL_CLOEXEC);
  if (impl->epollFd < 0) {
    error = systemError("epoll_create1");
    return nullptr;
  }
  impl->wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl->wakeFd < 0) {
    error = systemError("eventfd");
    return nullptr;
  }
  if (!impl->watch(impl->wakeFd, tag(Source::Wake, 0), EPOLLIN, EPOLL_CTL_ADD, error))
    return nullptr;
  for (const ListenerSpec& spec : listeners)
    if (!impl->openListener(spec, error)) return nullptr;
  return std::unique_ptr<SocketTransports>(new SocketTransports(std::move(impl)));
}

SocketTransports::SocketTransports(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SocketTransports::~SocketTransports() = default;

int SocketTransports::pollFd() const { return impl_->epollFd; }
void SocketTransports::handleEvents() { impl_->handleEvents(); }

void SocketTransports::setHandlers(ReceiveHandler onMessage, MalformedHandler onMalformed) {
  impl_->onMessage = std::move(onMessage);
  impl_->onMalformed = std::move(onMalformed);
}

void SocketTransports::setFailureHandler(FailureHandler onFailure) {
  impl_->onFailure = std::move(onFailure);
}

bool SocketTransports::send(const Message& message, const Peer& to, std::string& error) {
  return impl_->send(message, to, error);
}

dataplane::SocketAddress SocketTransports::localAddressFor(const Peer& to) const {
  return impl_->localAddressFor(to);
}

dataplane::SocketAddress SocketTransports::listenerAddress(std::size_t index) const {
  return index < impl_->listeners.size() ? impl_->listeners[index].local
                                         : dataplane::SocketAddress{};
}

std::size_t SocketTransports::connectionCount() const { return impl_->connections.size(); }
const TransportCounters& SocketTransports::counters() const { return impl_->stats; }

}  // namespace sbc::sip
