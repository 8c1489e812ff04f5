// Strict parsing of query parameters: digits only for numbers, ISO 8601 for times.
#include "dialer/api/query_params.hpp"

#include <charconv>

#include "dialer/common/time_format.hpp"

namespace dialer::api {

engine::result<int> limit_param(const query_map& q, int fallback, int max) {
  auto it = q.find("limit");
  if (it == q.end()) return fallback;
  const auto& text = it->second;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > max)
    return engine::error{engine::errc::invalid_input, "must be an integer between 1 and " + std::to_string(max), "limit"};
  return value;
}

engine::result<std::optional<std::int64_t>> time_param(const query_map& q, const std::string& name) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return std::optional<std::int64_t>{};
  auto t = parse_iso8601(it->second);
  if (!t)
    return engine::error{engine::errc::invalid_input, "must be an ISO 8601 time such as 2026-12-01T09:00:00Z", name};
  return std::optional<std::int64_t>{to_unix_ms(*t)};
}

}  // namespace dialer::api
