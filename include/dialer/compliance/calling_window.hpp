// The calling-hours decision (SPEC §10): may a contact be called now, in the local time of every zone
// it may be in, and if not, the next UTC instant its window opens. Pure: time comes in as a parameter.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/common/clock.hpp"
#include "dialer/config/compliance.hpp"

namespace dialer::compliance {

// The answer for one contact at one instant.
struct window_decision {
  bool may_call = false;           // now is inside the window in every zone
  std::optional<sys_time> opens;   // when !may_call: the first instant inside the window in every zone;
                                   // nullopt when the zones' windows never overlap within 8 days
};

// Checks `window` ([start, end) local wall-clock minutes) at `now` in each of `zone_names` (IANA): a
// contact whose number spans several zones is called only when it is inside the window in all of them
// (the most restrictive reading). DST comes from the tzdb (a window opening inside a skipped hour opens
// at the transition). Unknown zone names are ignored; no known zone at all: may_call.
window_decision check_window(sys_time now, const std::vector<std::string>& zone_names, config::time_window window);

// The window that applies to `e164`: the region override of calling_hours.regions for its ISO 3166-2
// subdivision (phone_subdivision: "US-FL" -> 08:00-20:00), else calling_hours.window.
config::time_window window_for(const config::calling_hours_settings& hours, std::string_view e164);

}  // namespace dialer::compliance
