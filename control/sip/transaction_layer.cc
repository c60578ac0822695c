#include "control/sip/transaction_layer.h"

#include <cstdio>
#include <random>
#include <unordered_map>
#include <vector>

#include "control/sip/client_transaction.h"
#include "control/sip/malformed_request.h"
#include "control/sip/server_transaction.h"
#include "control/sip/sip_field_rules.h"
#include "control/sip/sip_headers.h"
#include "control/sip/transaction_context.h"
#include "control/sip/transaction_matching.h"
#include "control/sip/transaction_messages.h"

namespace sbc::sip {

namespace {

// The default port of a transport, for a Via without one (RFC 3261 18.2.2, 19.1.2).
std::uint16_t defaultPort(TransportKind transport) {
  return transport == TransportKind::Tls ? 5061 : 5060;
}

// Where a response goes when the connection its request came on has closed (18.2.2): the
// top Via's received address (or its sent-by host, when that is an address) and sent-by port.
// Nullopt when the Via names a host: resolving it would block.
std::optional<dataplane::SocketAddress> viaReturnAddress(const Message& response,
                                                         TransportKind transport) {
  const std::vector<std::string> vias = response.values(HeaderId::Via);
  if (vias.empty()) return std::nullopt;
  const std::optional<Via> via = parseVia(vias.front());
  if (!via) return std::nullopt;
  std::string host = via->host;
  if (std::optional<std::string_view> received = findParam(via->params, "received"))
    host = std::string(*received);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::optional<dataplane::IpAddress> ip = dataplane::IpAddress::parse(host);
  if (!ip) return std::nullopt;
  return dataplane::SocketAddress{*ip, via->port != 0 ? via->port : defaultPort(transport)};
}

}  // namespace

// The layer's state: the transactions, the indexes that find them, and the guard that defers
// their destruction. A transaction that ends (terminate()) leaves the indexes at once but is
// destroyed only when the outermost call into the layer returns: the state machine that ended
// itself, and the user callbacks it made, may still be on the stack.
struct TransactionLayer::Impl final : TransactionContext {
  struct ClientEntry {
    std::unique_ptr<ClientTransaction> transaction;
    std::string key;
    std::string sentBy;  // of our top Via: a response must carry it back (18.1.2)
  };
  struct ServerEntry {
    std::unique_ptr<ServerTransaction> transaction;
    std::string key;        // RFC 3261 index, "" for an RFC 2543 request
    std::string legacyKey;  // RFC 2543 index, "" for an RFC 3261 request
  };

  // Marks a call into the layer; the outermost one destroys what ended meanwhile.
  class Entry {
   public:
    explicit Entry(Impl& impl) : impl_(impl) { ++impl_.depth; }
    ~Entry() {
      if (--impl_.depth == 0) impl_.destroyEnded();
    }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

   private:
    Impl& impl_;
  };

  // How a request looks for the server transaction it belongs to (17.2.3).
  enum class Lookup { SameRequest, AckForInvite, CancelForInvite };

  Impl(TransportSet& transports, control::TimerQueue& timers, TransactionUser& user,
       TimerSettings settings)
      : transports(transports),
        timers(timers),
        transactionUser(user),
        timerSettings(settings),
        random(std::random_device{}()) {}

  ~Impl() override {
    // Transactions stop their timers as they go; do it while every member is still alive.
    clients.clear();
    servers.clear();
    endedClients.clear();
    endedServers.clear();
  }

  // --- TransactionContext ---------------------------------------------------------------------
  const TimerSettings& settings() const override { return timerSettings; }
  TransactionUser& user() override { return transactionUser; }
  TransactionCounters& counters() override { return stats; }

  bool sendRequest(const Message& request, const Peer& to) override {
    std::string error;
    if (transports.send(request, to, error)) return true;
    ++stats.transportErrors;
    return false;
  }

  bool sendResponse(const Message& response, const Peer& to) override {
    std::string error;
    if (transports.send(response, to, error)) return true;
    if (to.reliable() && to.connectionId != 0) {
      if (std::optional<dataplane::SocketAddress> address =
              viaReturnAddress(response, to.transport)) {
        Peer fresh = to;
        fresh.connectionId = 0;
        fresh.address = *address;
        if (transports.send(response, fresh, error)) return true;
      }
    }
    ++stats.transportErrors;
    return false;
  }

  control::TimerId startTimer(control::Millis after, std::function<void()> fire) override {
    return timers.schedule(after, [this, fire = std::move(fire)] {
      Entry entry(*this);
      fire();
    });
  }

  void stopTimer(control::TimerId id) override { timers.cancel(id); }

  void terminate(TransactionId id) override {
    if (auto it = clients.find(id); it != clients.end()) {
      clientIndex.erase(it->second.key);
      endedClients.push_back(std::move(it->second.transaction));
      clients.erase(it);
      return;
    }
    if (auto it = servers.find(id); it != servers.end()) {
      if (!it->second.key.empty()) serverIndex.erase(it->second.key);
      if (!it->second.legacyKey.empty()) eraseLegacy(it->second.legacyKey, id);
      endedServers.push_back(std::move(it->second.transaction));
      servers.erase(it);
    }
  }

  void startCancel(Message cancel, const Peer& to) override {
    startClient(std::move(cancel), to, /*reportToUser=*/false);
  }

  std::string newTag() override { return hex(random()) ; }

  // --- client side ----------------------------------------------------------------------------
  TransactionId startClient(Message request, const Peer& to, bool reportToUser) {
    std::string fault;
    const std::optional<RequestIdentity> identity = identifyRequest(request, fault);
    if (!identity || request.method == "ACK" || !identity->rfc3261Branch) {
      ++stats.refusedRequests;
      return 0;
    }
    std::string key = clientKey(identity->branch, identity->method);
    if (clientIndex.contains(key)) {  // a branch used twice would make responses ambiguous
      ++stats.refusedRequests;
      return 0;
    }
    const TransactionId id = ++lastId;
    ClientEntry& entry = clients[id];
    entry.transaction = makeClientTransaction(*this, id, std::move(request), to, reportToUser);
    entry.key = key;
    entry.sentBy = identity->sentBy;
    clientIndex.emplace(std::move(key), id);
    entry.transaction->start();
    return id;
  }

  void onResponse(const Message& response) {
    ++stats.responsesReceived;
    std::string fault;
    const std::optional<ResponseIdentity> identity = identifyResponse(response, fault);
    if (!identity || response.statusCode < 100 || response.statusCode > 699) {
      ++stats.malformedResponses;
      return;
    }
    const auto indexed = clientIndex.find(clientKey(identity->branch, identity->cseqMethod));
    if (indexed == clientIndex.end()) {
      ++stats.strayResponses;
      return;
    }
    ClientEntry& entry = clients.at(indexed->second);
    if (entry.sentBy != identity->sentBy) {
      ++stats.strayResponses;
      return;
    }
    entry.transaction->onResponse(response);
  }

  // --- server side ----------------------------------------------------------------------------
  void onRequest(const Message& request, const Peer& from) {
    ++stats.requestsReceived;
    std::string fault;
    std::optional<RequestIdentity> identity = identifyRequest(request, fault);
    if (!identity) return refuseMalformed(request, fault, from);
    // Two To, two CSeq, Content-Length values that disagree (RFC 4475 3.3.8, 3.3.9): nothing
    // above may guess which one counts.
    if (fault = headerSetFaultToRefuse(request); !fault.empty())
      return refuseMalformed(request, fault, from);
    if (request.method == "ACK") return onAck(request, *identity, from);
    if (request.method == "CANCEL") return onCancel(request, *identity, from);
    if (ServerTransaction* existing = findServer(*identity, Lookup::SameRequest, from))
      return existing->onRetransmission();
    const TransactionId id = startServer(request, from, std::move(*identity));
    transactionUser.onRequest(id, request, from);
  }

  TransactionId startServer(const Message& request, const Peer& from, RequestIdentity identity) {
    const TransactionId id = ++lastId;
    ServerEntry& entry = servers[id];
    if (identity.rfc3261Branch) {
      entry.key = serverKey(identity, identity.method);
      serverIndex.emplace(entry.key, id);
    } else {
      entry.legacyKey = legacyKey(identity);
      legacyIndex.emplace(entry.legacyKey, id);
    }
    entry.transaction = makeServerTransaction(*this, id, request, from, std::move(identity));
    entry.transaction->start();
    return id;
  }

  // An RFC 2543 request matches only a transaction whose request came over the same kind of
  // transport. Its fields may all be those of a copy that came another way (the same request
  // sent over UDP and then over TCP: RFC 4475's longreq has no branch), and what belongs to a
  // transaction comes over the transport of its request (17.1.1.3, 9.1): such a copy is a
  // request of its own, for the user to answer (482 while the first is open, 8.2.2.2). Taken
  // for a retransmission, it would get nothing: the answers go back the way the first came.
  ServerTransaction* findServer(const RequestIdentity& request, Lookup lookup, const Peer& from) {
    if (request.rfc3261Branch) {
      // ACK and CANCEL look for the INVITE; anything else for its own method (17.2.3).
      const std::string_view method =
          lookup == Lookup::SameRequest ? std::string_view(request.method) : "INVITE";
      const auto indexed = serverIndex.find(serverKey(request, method));
      return indexed == serverIndex.end() ? nullptr : servers.at(indexed->second).transaction.get();
    }
    const auto [first, last] = legacyIndex.equal_range(legacyKey(request));
    for (auto it = first; it != last; ++it) {
      ServerTransaction& candidate = *servers.at(it->second).transaction;
      if (candidate.peer().transport != from.transport) continue;
      const RequestIdentity& original = candidate.identity();
      const bool matches =
          lookup == Lookup::SameRequest ? legacyRetransmissionMatches(original, request)
          : lookup == Lookup::AckForInvite
              ? legacyAckMatches(original, request, candidate.responseToTag())
              : legacyCancelMatches(original, request);
      if (matches) return &candidate;
    }
    return nullptr;
  }

  void onAck(const Message& ack, const RequestIdentity& identity, const Peer& from) {
    if (ServerTransaction* invite = findServer(identity, Lookup::AckForInvite, from))
      return invite->onAck(ack, from);
    // An ACK for a 2xx has a branch of its own (17.1.1.3 is for non-2xx only): the user's.
    transactionUser.onRequest(0, ack, from);
  }

  // RFC 3261 9.2: the CANCEL gets its own transaction and its 200 from the layer; the user
  // hears of it only when it found an INVITE still waiting for its final response.
  void onCancel(const Message& cancel, RequestIdentity identity, const Peer& from) {
    if (ServerTransaction* again = findServer(identity, Lookup::SameRequest, from))
      return again->onRetransmission();
    ServerTransaction* invite = findServer(identity, Lookup::CancelForInvite, from);
    const TransactionId inviteId = invite ? invite->id() : 0;
    const bool inviteWaiting = invite && !invite->hasFinalResponse();
    std::string tag = invite && !invite->responseToTag().empty() ? invite->responseToTag()
                                                                  : newTag();
    const TransactionId id = startServer(cancel, from, std::move(identity));
    ServerTransaction& cancelTransaction = *servers.at(id).transaction;
    if (invite) {
      ++stats.cancelsMatched;
      cancelTransaction.respond(makeResponse(cancel, 200, "OK", tag));
      if (inviteWaiting) transactionUser.onCancel(inviteId, cancel);
    } else {
      ++stats.cancelsUnmatched;
      cancelTransaction.respond(
          makeResponse(cancel, 481, "Call/Transaction Does Not Exist", tag));
    }
  }

  // 8.2 and 21.4.1: a request we cannot process is answered 400 (505 for a SIP version other
  // than 2.0, RFC 3261 8.2.2), never an ACK, with a Warning naming the fault. The answer goes
  // back where the request came from (its source address and port, or its connection), so a
  // top Via that does not parse is no reason for silence: it is copied as it came (RFC 4475
  // 3.1.2.1 badinv01, 3.1.2.16 badvers). Without any Via the answer could not be matched by
  // the sender: the request is only counted.
  void refuseMalformed(const Message& request, std::string_view fault, const Peer& from,
                       int status = 400) {
    ++stats.malformedRequests;
    if (request.method == "ACK" || request.values(HeaderId::Via).empty()) return;
    if (status != 505) status = 400;
    Message response = makeResponse(request, status,
                                     status == 505 ? "Version Not Supported" : "Bad Request",
                                     newTag());
    response.add(HeaderId::Warning, miscWarning(warningAgent(from), fault));
    sendResponse(response, from);
  }

  std::string warningAgent(const Peer& from) const {
    const dataplane::SocketAddress local =
        from.local.ip.family != dataplane::IpFamily::kNone ? from.local
                                                           : transports.localAddressFor(from);
    return local.toString();
  }

  void eraseLegacy(const std::string& key, TransactionId id) {
    const auto [first, last] = legacyIndex.equal_range(key);
    for (auto it = first; it != last; ++it)
      if (it->second == id) {
        legacyIndex.erase(it);
        return;
      }
  }

  void destroyEnded() {
    // Destroying a transaction may stop timers but never ends another one; loop anyway, so
    // that the lists are empty whatever a destructor does.
    while (!endedClients.empty() || !endedServers.empty()) {
      auto clientsToFree = std::move(endedClients);
      auto serversToFree = std::move(endedServers);
      endedClients.clear();
      endedServers.clear();
    }
  }

  static std::string hex(std::uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
  }

  TransportSet& transports;
  control::TimerQueue& timers;
  TransactionUser& transactionUser;
  const TimerSettings timerSettings;
  TransactionCounters stats;
  std::mt19937_64 random;
  std::uint64_t branchCount = 0;
  TransactionId lastId = 0;
  int depth = 0;
  bool attached = false;  // attachToTransports() was called: detach on destruction

  std::unordered_map<TransactionId, ClientEntry> clients;
  std::unordered_map<std::string, TransactionId> clientIndex;
  std::unordered_map<TransactionId, ServerEntry> servers;
  std::unordered_map<std::string, TransactionId> serverIndex;
  std::unordered_multimap<std::string, TransactionId> legacyIndex;
  std::vector<std::unique_ptr<ClientTransaction>> endedClients;
  std::vector<std::unique_ptr<ServerTransaction>> endedServers;
};

TransactionLayer::TransactionLayer(TransportSet& transports, control::TimerQueue& timers,
                                   TransactionUser& user, TimerSettings settings)
    : impl_(std::make_unique<Impl>(transports, timers, user, settings)) {}

TransactionLayer::~TransactionLayer() {
  // The transports may outlive the layer: leave them no callback into a dead object.
  if (impl_->attached) {
    impl_->transports.setHandlers(nullptr, nullptr);
    impl_->transports.setFailureHandler(nullptr);
  }
}

TransactionId TransactionLayer::sendRequest(Message request, const Peer& to) {
  Impl::Entry entry(*impl_);
  return impl_->startClient(std::move(request), to, /*reportToUser=*/true);
}

void TransactionLayer::respond(TransactionId server, Message response) {
  Impl::Entry entry(*impl_);
  const auto it = impl_->servers.find(server);
  if (it == impl_->servers.end() || response.isRequest()) return;
  it->second.transaction->respond(std::move(response));
}

void TransactionLayer::cancel(TransactionId inviteClient) {
  Impl::Entry entry(*impl_);
  const auto it = impl_->clients.find(inviteClient);
  if (it != impl_->clients.end()) it->second.transaction->cancel();
}

void TransactionLayer::sendStateless(const Message& message, const Peer& to) {
  Impl::Entry entry(*impl_);
  impl_->sendRequest(message, to);
}

void TransactionLayer::onMessage(const Message& message, const Peer& from) {
  Impl::Entry entry(*impl_);
  if (message.isRequest())
    impl_->onRequest(message, from);
  else
    impl_->onResponse(message);
}

void TransactionLayer::onMalformed(std::string_view bytes, const ParseError& error,
                                   const Peer& from) {
  Impl::Entry entry(*impl_);
  const std::optional<Message> request = salvageRequestForError(bytes);
  if (!request) {
    if (bytes.starts_with("SIP/"))
      ++impl_->stats.malformedResponses;
    else
      ++impl_->stats.malformedRequests;
    return;
  }
  std::string fault = error.reason;
  if (!error.header.empty()) fault = error.header + ": " + fault;
  impl_->refuseMalformed(*request, fault, from, error.responseCode);
}

void TransactionLayer::onTransportFailure(const Peer& to) {
  Impl::Entry entry(*impl_);
  ++impl_->stats.transportErrors;
  std::vector<TransactionId> affected;
  for (const auto& [id, client] : impl_->clients) {
    const Peer& peer = client.transaction->peer();
    if (peer.transport == to.transport && peer.address == to.address) affected.push_back(id);
  }
  // Each failure may end transactions; look each one up again.
  for (TransactionId id : affected)
    if (const auto it = impl_->clients.find(id); it != impl_->clients.end())
      it->second.transaction->onTransportFailure();
}

void TransactionLayer::attachToTransports() {
  impl_->attached = true;
  impl_->transports.setHandlers(
      [this](const Message& message, const Peer& from) { onMessage(message, from); },
      [this](std::string_view bytes, const ParseError& error, const Peer& from) {
        onMalformed(bytes, error, from);
      });
  impl_->transports.setFailureHandler(
      [this](const Peer& to, const std::string&) { onTransportFailure(to); });
}

std::size_t TransactionLayer::clientCount() const { return impl_->clients.size(); }
std::size_t TransactionLayer::serverCount() const { return impl_->servers.size(); }
const TransactionCounters& TransactionLayer::counters() const { return impl_->stats; }

std::string TransactionLayer::newBranch() {
  // Unique across restarts (the random half) and within this run (the counter half).
  return std::string(kMagicCookie) + Impl::hex(impl_->random()) +
         Impl::hex(++impl_->branchCount);
}

std::string TransactionLayer::newTag() { return impl_->newTag(); }

}  // namespace sbc::sip
