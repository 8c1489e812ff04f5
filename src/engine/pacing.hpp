// The engine's per-campaign abandon tallies (SPEC §10), engine-internal: counted by SQL at first use
// and every campaign_reload_ms (so calls older than 30 days leave the window), and between two loads
// by the calls the engine settles, after their transaction commits.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "dialer/domain/pacing.hpp"
#include "dialer/engine/event_payloads.hpp"

namespace dialer::engine {

inline constexpr std::int64_t abandon_window_ms = 30LL * 24 * 60 * 60 * 1000;  // the rolling 30 days
inline constexpr std::int64_t campaign_reload_ms = 10LL * 60 * 1000;

// One campaign as the engine keeps it.
struct campaign_entry {
  domain::campaign_tally tally;  // the last SQL count plus the calls settled since
  std::int64_t loaded_at_ms = 0; // when SQL last counted it
  bool warned = false;           // the rate is at or over the warning threshold and the warning was sent
};
using campaign_cache = std::map<std::string, campaign_entry>;

}  // namespace dialer::engine
