#include "control/cli/ctl_server.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace sbc::control {

namespace {

constexpr size_t kReadChunk = 16 * 1024;
// Reads per client and wake-up: a client that writes without pause cannot starve the others.
constexpr int kMaxReadsPerWakeup = 8;
// Rounds of epoll_wait per handleEvents(): enough to accept a client and read its first line
// in one call, few enough to hand the loop back to the dataplane quickly.
constexpr int kMaxRoundsPerCall = 4;

std::string systemError(const std::string& what) { return what + ": " + std::strerror(errno); }

bool fillAddress(const std::string& path, sockaddr_un& address, std::string& error) {
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    error = "socket path '" + path + "' must be 1 to " +
            std::to_string(sizeof address.sun_path - 1) + " bytes";
    return false;
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return true;
}

// Removes a socket file nobody listens on any more; refuses to touch anything else.
bool removeStaleSocket(const std::string& path, const sockaddr_un& address, std::string& error) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    error = systemError(path);
    return false;
  }
  if (!S_ISSOCK(st.st_mode)) {
    error = path + ": exists and is not a socket";
    return false;
  }
  const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) {
    error = systemError("socket");
    return false;
  }
  const int rc = connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int connectErrno = errno;
  close(probe);
  if (rc == 0) {
    error = path + ": another server is listening there";
    return false;
  }
  if (connectErrno != ECONNREFUSED) {
    errno = connectErrno;
    error = systemError(path);
    return false;
  }
  if (unlink(path.c_str()) != 0) {
    error = systemError("unlink " + path);
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<CtlServer> CtlServer::open(const std::string& path, CtlLineHandler handler,
                                           std::string& error) {
  return open(path, std::move(handler), Limits{}, error);
}

std::unique_ptr<CtlServer> CtlServer::openWithSessions(const std::string& path,
                                                       CtlSessionFactory sessions,
                                                       std::string& error) {
  return open(path, nullptr, Limits{}, error, std::move(sessions));
}

std::unique_ptr<CtlServer> CtlServer::open(const std::string& path, CtlLineHandler handler,
                                           Limits limits, std::string& error) {
  return open(path, std::move(handler), limits, error, nullptr);
}

std::unique_ptr<CtlServer> CtlServer::open(const std::string& path, CtlLineHandler handler,
                                           Limits limits, std::string& error,
                                           CtlSessionFactory sessions) {
  sockaddr_un address;
  if (!fillAddress(path, address, error) || !removeStaleSocket(path, address, error))
    return nullptr;
  if (!sessions) sessions = [handler = std::move(handler)] { return handler; };
  std::unique_ptr<CtlServer> server(new CtlServer(path, std::move(sessions), limits));
  server->listenFd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (server->listenFd_ < 0) {
    error = systemError("socket");
    return nullptr;
  }
  if (bind(server->listenFd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    error = systemError("bind " + path);
    return nullptr;
  }
  struct stat st;
  if (stat(path.c_str(), &st) == 0) server->socketInode_ = st.st_ino;
  if (chmod(path.c_str(), 0660) != 0) {
    error = systemError("chmod " + path);
    return nullptr;
  }
  if (listen(server->listenFd_, 64) != 0) {
    error = systemError("listen " + path);
    return nullptr;
  }
  server->epollFd_ = epoll_create1(EPOLL_CLOEXEC);
  if (server->epollFd_ < 0) {
    error = systemError("epoll_create1");
    return nullptr;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = server->listenFd_;
  if (epoll_ctl(server->epollFd_, EPOLL_CTL_ADD, server->listenFd_, &event) != 0) {
    error = systemError("epoll_ctl");
    return nullptr;
  }
  return server;
}

CtlServer::~CtlServer() {
  while (!clients_.empty()) closeClient(clients_.begin()->first);
  if (epollFd_ >= 0) close(epollFd_);
  if (listenFd_ >= 0) {
    close(listenFd_);
    struct stat st;
    if (socketInode_ != 0 && lstat(path_.c_str(), &st) == 0 && st.st_ino == socketInode_)
      unlink(path_.c_str());
  }
}

void CtlServer::handleEvents() {
  for (int round = 0; round < kMaxRoundsPerCall; ++round) {
    epoll_event events[32];
    const int count = epoll_wait(epollFd_, events, 32, 0);
    if (count <= 0) return;
    for (int i = 0; i < count; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listenFd_) {
        acceptClients();
        continue;
      }
      auto it = clients_.find(fd);
      if (it != clients_.end()) serviceClient(*it->second, events[i].events);
    }
  }
}

void CtlServer::acceptClients() {
  while (true) {
    const int fd = accept4(listenFd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a client that gave up before we got to it
    if (clients_.size() >= limits_.maxClients) {
      const std::string refusal = encodeReply("% too many control connections", 1);
      // Best effort: a client too slow to take these few bytes learns nothing anyway.
      (void)send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    auto client = std::make_unique<Client>();
    client->fd = fd;
    client->handler = sessions_();
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      close(fd);
      continue;
    }
    clients_.emplace(fd, std::move(client));
  }
}

void CtlServer::serviceClient(Client& client, uint32_t events) {
  if (client.waitingToWrite) {
    if (!flushOutput(client)) client.broken = true;
  } else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    if (!readInput(client)) client.broken = true;
  }
  if (!client.broken) runCompleteLines(client);
  const bool finished =
      !client.waitingToWrite && (client.closeWhenFlushed || client.inputClosed);
  if (client.broken || finished) closeClient(client.fd);
}

bool CtlServer::readInput(Client& client) {
  for (int i = 0; i < kMaxReadsPerWakeup && !client.inputClosed; ++i) {
    char buffer[kReadChunk];
    const ssize_t n = recv(client.fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      client.input.append(buffer, static_cast<size_t>(n));
      // Past the limit with no end of line: stop reading; runCompleteLines refuses the line.
      if (client.input.size() > limits_.maxLineBytes &&
          client.input.find('\n') == std::string::npos)
        break;
    } else if (n == 0) {
      client.inputClosed = true;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      break;
    } else {
      return false;
    }
  }
  return true;
}

// Runs buffered lines one at a time, until one answer cannot be written in full.
void CtlServer::runCompleteLines(Client& client) {
  while (!client.waitingToWrite && !client.closeWhenFlushed && !client.broken) {
    size_t end = client.input.find('\n');
    if (end == std::string::npos) {
      if (client.input.size() > limits_.maxLineBytes) return refuseLongLine(client);
      if (!client.inputClosed || client.input.empty()) return;
      end = client.input.size();  // the peer closed after an unterminated line: run it anyway
    }
    if (end > limits_.maxLineBytes) return refuseLongLine(client);
    std::string_view line(client.input.data(), end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const CtlReply reply = client.handler(line);
    client.input.erase(0, std::min(end + 1, client.input.size()));
    client.output += encodeReply(reply.text, reply.rc);
    if (!flushOutput(client)) client.broken = true;
  }
}

// A client over the line limit has lost the line framing; answer once and hang up.
void CtlServer::refuseLongLine(Client& client) {
  client.input.clear();
  client.output +=
      encodeReply("% line too long (more than " + std::to_string(limits_.maxLineBytes) +
                      " bytes)",
                  1);
  client.closeWhenFlushed = true;
  if (!flushOutput(client)) client.broken = true;
}

bool CtlServer::flushOutput(Client& client) {
  while (client.outputSent < client.output.size()) {
    const ssize_t n = send(client.fd, client.output.data() + client.outputSent,
                           client.output.size() - client.outputSent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      client.outputSent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch(client, true);
      return true;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  client.output.clear();
  client.outputSent = 0;
  watch(client, false);
  return true;
}

void CtlServer::watch(Client& client, bool forWrite) {
  if (client.waitingToWrite == forWrite) return;
  client.waitingToWrite = forWrite;
  epoll_event event{};
  event.events = forWrite ? EPOLLOUT : EPOLLIN;
  event.data.fd = client.fd;
  epoll_ctl(epollFd_, EPOLL_CTL_MOD, client.fd, &event);
}

void CtlServer::closeClient(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  clients_.erase(it);
}

}  // namespace sbc::control
