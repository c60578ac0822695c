#include "control/b2bua/media_port_pool.h"

namespace sbc::control {

MediaPortPool::MediaPortPool(std::uint16_t first, std::uint16_t last)
    : first_(static_cast<std::uint16_t>(first + (first % 2))), last_(last) {}

std::deque<std::uint16_t>& MediaPortPool::poolOf(const dataplane::IpAddress& address) {
  const std::string key = address.toString();
  auto found = pools_.find(key);
  if (found != pools_.end()) return found->second;
  std::deque<std::uint16_t>& pool = pools_[key];
  for (std::uint32_t port = first_; port + 1 <= last_; port += 2)
    pool.push_back(static_cast<std::uint16_t>(port));
  return pool;
}

std::optional<std::uint16_t> MediaPortPool::take(const dataplane::IpAddress& address) {
  std::deque<std::uint16_t>& pool = poolOf(address);
  if (pool.empty()) return std::nullopt;
  const std::uint16_t port = pool.front();
  pool.pop_front();
  return port;
}

void MediaPortPool::give(const dataplane::IpAddress& address, std::uint16_t port) {
  poolOf(address).push_back(port);
}

std::size_t MediaPortPool::available(const dataplane::IpAddress& address) {
  return poolOf(address).size();
}

}  // namespace sbc::control
