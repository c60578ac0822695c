#pragma once
// The values a matched line binds, by token name. The grammar has already checked every typed
// value, so the typed getters only fail when the name was not on the matched path.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/config.h"
#include "dataplane/ip_address.h"

namespace sbc::control {

class CommandArgs {
 public:
  void set(std::string name, std::string value);

  bool has(std::string_view name) const;
  // The word as typed (a keyword in full, even when abbreviated); empty when absent.
  std::string_view get(std::string_view name) const;

  std::optional<uint64_t> number(std::string_view name) const;
  std::optional<dataplane::IpAddress> ipAddress(std::string_view name) const;
  std::optional<dataplane::IpPrefix> prefix(std::string_view name) const;
  std::optional<dataplane::SocketAddress> socketAddress(std::string_view name) const;
  std::optional<dataplane::MacAddress> mac(std::string_view name) const;

  const std::vector<std::pair<std::string, std::string>>& all() const { return values_; }

 private:
  const std::string* find(std::string_view name) const;

  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace sbc::control
