#pragma once
// The control socket of sbcd: a unix-domain stream socket that takes command lines and sends
// back their output (protocol in ctl_protocol.h). It never blocks: the owner adds pollFd() to
// its own epoll set and calls handleEvents() when it is readable. Inside, the server keeps
// its own epoll set of the listening socket and the clients, so the owner sees one fd.
//
// Each client gets its answers in order; while an answer has not been fully written (a slow
// reader), the server reads nothing more from that client, so memory stays bounded by one
// answer and one line per client. A line over the limit gets an error and the connection
// closes.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "control/cli/ctl_protocol.h"

namespace sbc::control {

struct CtlReply {
  std::string text;
  int rc = 0;
};

using CtlLineHandler = std::function<CtlReply(std::string_view line)>;
// Makes the handler of one new connection: a shell keeps its mode and candidate configuration
// per connection (shell_session.h), dropped when the connection closes.
using CtlSessionFactory = std::function<CtlLineHandler()>;

class CtlServer {
 public:
  struct Limits {
    size_t maxClients = 64;
    size_t maxLineBytes = kMaxCommandLineBytes;
  };

  // Binds `path` (mode 0660). A stale socket file left by a dead server is replaced; a live
  // one, or a file that is not a socket, is an error.
  static std::unique_ptr<CtlServer> open(const std::string& path, CtlLineHandler handler,
                                         std::string& error);
  static std::unique_ptr<CtlServer> open(const std::string& path, CtlLineHandler handler,
                                         Limits limits, std::string& error);
  static std::unique_ptr<CtlServer> openWithSessions(const std::string& path,
                                                     CtlSessionFactory sessions,
                                                     std::string& error);
  // Closes every connection and removes the socket file.
  ~CtlServer();
  CtlServer(const CtlServer&) = delete;
  CtlServer& operator=(const CtlServer&) = delete;

  // Readable whenever there is work for handleEvents().
  int pollFd() const { return epollFd_; }
  // Accepts, reads, runs and writes whatever is ready now; returns without waiting.
  void handleEvents();

  size_t clientCount() const { return clients_.size(); }
  const std::string& path() const { return path_; }

 private:
  struct Client {
    int fd = -1;
    CtlLineHandler handler;
    std::string input;
    std::string output;
    size_t outputSent = 0;
    bool inputClosed = false;   // the peer will send nothing more
    bool closeWhenFlushed = false;
    bool waitingToWrite = false;  // registered for EPOLLOUT instead of EPOLLIN
    bool broken = false;          // a read or write failed: close it
  };

  CtlServer(std::string path, CtlSessionFactory sessions, Limits limits)
      : path_(std::move(path)), sessions_(std::move(sessions)), limits_(limits) {}

  static std::unique_ptr<CtlServer> open(const std::string& path, CtlLineHandler handler,
                                         Limits limits, std::string& error,
                                         CtlSessionFactory sessions);
  void acceptClients();
  void serviceClient(Client& client, uint32_t events);
  bool readInput(Client& client);         // false: connection failed
  void runCompleteLines(Client& client);
  void refuseLongLine(Client& client);
  bool flushOutput(Client& client);       // false: connection failed
  void watch(Client& client, bool forWrite);
  void closeClient(int fd);

  std::string path_;
  CtlSessionFactory sessions_;
  Limits limits_;
  int listenFd_ = -1;
  int epollFd_ = -1;
  unsigned long socketInode_ = 0;  // so the destructor removes only the file it created
  std::map<int, std::unique_ptr<Client>> clients_;
};

}  // namespace sbc::control
