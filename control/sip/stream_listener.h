#pragma once
// A listening TCP socket (for TCP or TLS) on one of the SBC's addresses.

#include <memory>
#include <optional>
#include <string>

#include "dataplane/ip_address.h"

namespace sbc::sip {

class StreamListener {
 public:
  struct Accepted {
    int fd;  // non-blocking; the caller owns it
    dataplane::SocketAddress remote;
    dataplane::SocketAddress local;
  };

  static std::unique_ptr<StreamListener> open(const dataplane::SocketAddress& local,
                                              std::string& error);
  ~StreamListener();
  StreamListener(const StreamListener&) = delete;
  StreamListener& operator=(const StreamListener&) = delete;

  // The next connection waiting, or nullopt when there is none now.
  std::optional<Accepted> accept();

  int fd() const { return fd_; }
  const dataplane::SocketAddress& local() const { return local_; }

 private:
  StreamListener(int fd, dataplane::SocketAddress local) : fd_(fd), local_(local) {}

  int fd_;
  dataplane::SocketAddress local_;
};

// Starts a non-blocking connect to `remote` from `local`'s address (any port; an unspecified
// address lets the kernel choose). Returns the socket, or -1 with `error` set.
int startConnect(const dataplane::SocketAddress& local, const dataplane::SocketAddress& remote,
                 std::string& error);

}  // namespace sbc::sip
