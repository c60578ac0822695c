#pragma once
// Wall-clock times as operators read them: RFC 3339 in UTC with milliseconds,
// "2024-05-01T12:00:00.250Z" (call records, `show blocked`, `show acl log`).

#include <cstdint>
#include <string>

namespace sbc::control {

std::string utcTimeText(std::int64_t epochMs);

}  // namespace sbc::control
