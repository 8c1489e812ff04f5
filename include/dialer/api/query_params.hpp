// Query-string parameters of the CRM API's listing routes, checked like body fields: a bad value is a
// 400 naming the parameter, never a silent default.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dialer/engine/errors.hpp"

namespace dialer::api {

using query_map = std::map<std::string, std::string>;

// `limit`: `fallback` when absent; otherwise a decimal integer in [1, max], else 400 naming "limit".
engine::result<int> limit_param(const query_map& q, int fallback, int max);

// An ISO 8601 time parameter (`from`, `to`) as Unix ms: nullopt when absent or empty, 400 naming it
// when it is not an ISO 8601 time.
engine::result<std::optional<std::int64_t>> time_param(const query_map& q, const std::string& name);

}  // namespace dialer::api
