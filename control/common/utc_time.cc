#include "control/common/utc_time.h"

#include <cstdio>
#include <ctime>

namespace sbc::control {

std::string utcTimeText(std::int64_t epochMs) {
  const std::time_t seconds = static_cast<std::time_t>(epochMs / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(epochMs % 1000));
  return text;
}

}  // namespace sbc::control
