#pragma once
// The SBC's media ports: even RTP ports (RTCP on the odd one above) from the dataplane's media
// range, handed out per address. Released ports go to the back of the queue, so a port is
// reused as late as possible and stray packets of an old call do not land in a new one.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "dataplane/ip_address.h"

namespace sbc::control {

class MediaPortPool {
 public:
  MediaPortPool(std::uint16_t first, std::uint16_t last);

  std::optional<std::uint16_t> take(const dataplane::IpAddress& address);
  void give(const dataplane::IpAddress& address, std::uint16_t port);
  std::size_t available(const dataplane::IpAddress& address);

 private:
  std::deque<std::uint16_t>& poolOf(const dataplane::IpAddress& address);

  std::uint16_t first_;
  std::uint16_t last_;
  std::map<std::string, std::deque<std::uint16_t>> pools_;
};

}  // namespace sbc::control
