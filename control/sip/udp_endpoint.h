#pragma once
// One UDP socket of the SIP transport (RFC 3261 18.1.1/18.2.1), bound to a listener address.
// It both receives and sends: requests and responses leave from the port the peers know.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "dataplane/ip_address.h"

namespace sbc::sip {

class UdpEndpoint {
 public:
  using DatagramHandler =
      std::function<void(std::string_view datagram, const dataplane::SocketAddress& from)>;

  static std::unique_ptr<UdpEndpoint> open(const dataplane::SocketAddress& local,
                                           std::string& error);
  ~UdpEndpoint();
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  // Reads up to `maxDatagrams` datagrams that are waiting now; returns how many.
  int receive(int maxDatagrams, const DatagramHandler& handle);
  // A full socket buffer drops the datagram, as the network might: true all the same, since
  // the transaction layer's retransmissions are the remedy. False on a real error.
  bool sendTo(std::string_view bytes, const dataplane::SocketAddress& to, std::string& error);

  int fd() const { return fd_; }
  const dataplane::SocketAddress& local() const { return local_; }

 private:
  UdpEndpoint(int fd, dataplane::SocketAddress local) : fd_(fd), local_(local) {}

  int fd_;
  dataplane::SocketAddress local_;  // as bound: the real port where the spec asked for 0
};

}  // namespace sbc::sip
