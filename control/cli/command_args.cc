#include "control/cli/command_args.h"

#include <charconv>

namespace sbc::control {

void CommandArgs::set(std::string name, std::string value) {
  values_.emplace_back(std::move(name), std::move(value));
}

const std::string* CommandArgs::find(std::string_view name) const {
  for (const auto& [key, value] : values_)
    if (key == name) return &value;
  return nullptr;
}

bool CommandArgs::has(std::string_view name) const { return find(name) != nullptr; }

std::string_view CommandArgs::get(std::string_view name) const {
  const std::string* value = find(name);
  return value ? std::string_view(*value) : std::string_view();
}

std::optional<uint64_t> CommandArgs::number(std::string_view name) const {
  const std::string* text = find(name);
  if (!text || text->empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::optional<dataplane::IpAddress> CommandArgs::ipAddress(std::string_view name) const {
  const std::string* text = find(name);
  return text ? dataplane::IpAddress::parse(*text) : std::nullopt;
}

std::optional<dataplane::IpPrefix> CommandArgs::prefix(std::string_view name) const {
  const std::string* text = find(name);
  return text ? dataplane::IpPrefix::parse(*text) : std::nullopt;
}

std::optional<dataplane::SocketAddress> CommandArgs::socketAddress(std::string_view name) const {
  const std::string* text = find(name);
  return text ? dataplane::SocketAddress::parse(*text) : std::nullopt;
}

std::optional<dataplane::MacAddress> CommandArgs::mac(std::string_view name) const {
  const std::string* text = find(name);
  return text ? dataplane::parseMac(*text) : std::nullopt;
}

}  // namespace sbc::control
