// The calling-hours gate of dispatch_hold_for (SPEC §10): an item is dialed only inside its contact's
// local calling window.
#pragma once
#include <cstdint>
#include <optional>

#include "dialer/config/config.hpp"
#include "dialer/store/records.hpp"

namespace dialer::engine {

// When `item` may not be called at `now_ms` (UTC ms), the UTC ms its window opens; nullopt when it may
// be called, or when cfg has no compliance.calling_hours. The zones are the item's timezone, else its
// number's (libphonenumber), else compliance.default_region's; the window is calling_hours.window or
// the override for the number's state. Zones whose windows never overlap hold the item for a day at a time.
std::optional<std::int64_t> calling_hours_hold_until(const config::config& cfg, const store::queue_item_record& item,
                                                     std::int64_t now_ms);

}  // namespace dialer::engine
