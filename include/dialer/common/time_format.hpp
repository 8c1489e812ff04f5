// ISO 8601 UTC formatting and parsing for API output and webhook timestamps.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "dialer/common/clock.hpp"

namespace dialer {

// "2026-11-24T10:15:30.123Z" (millisecond precision, always UTC).
std::string format_iso8601(sys_time t);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM)"; nullopt when the text is not such a time.
std::optional<sys_time> parse_iso8601(std::string_view text);

}  // namespace dialer
