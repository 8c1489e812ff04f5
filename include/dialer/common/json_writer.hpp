// Small helpers for writing JSON with RapidJSON's Writer (strings always escaped): the shapes every API
// view and event payload uses (a string, a string or null, an ISO 8601 UTC time or null, a percentage).
#pragma once
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dialer/common/clock.hpp"
#include "dialer/common/json.hpp"
#include "dialer/common/time_format.hpp"

namespace dialer::json {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void str(writer& w, const char* key, std::string_view v) {
  w.Key(key);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
// An empty string is written as null (unknown).
inline void str_or_null(writer& w, const char* key, std::string_view v) {
  w.Key(key);
  if (v.empty()) w.Null(); else w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
// Unix milliseconds as ISO 8601 UTC, or null.
inline void time_or_null(writer& w, const char* key, const std::optional<std::int64_t>& ms) {
  w.Key(key);
  if (ms) w.String(format_iso8601(from_unix_ms(*ms))); else w.Null();
}
// part / whole x 100 rounded to one decimal; 0 when whole is 0.
inline double percent(std::int64_t part, std::int64_t whole) {
  return whole ? std::round(1000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 10.0 : 0.0;
}

}  // namespace dialer::json
