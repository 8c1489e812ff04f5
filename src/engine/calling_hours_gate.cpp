// calling_hours_hold_until: the item's zones and window, then compliance::check_window.
#include "calling_hours_gate.hpp"

#include "dialer/compliance/calling_window.hpp"
#include "dialer/compliance/time_zones.hpp"

namespace dialer::engine {

std::optional<std::int64_t> calling_hours_hold_until(const config::config& cfg, const store::queue_item_record& item,
                                                     std::int64_t now_ms) {
  if (!cfg.compliance || !cfg.compliance->calling_hours) return std::nullopt;
  const auto& hours = *cfg.compliance->calling_hours;
  auto zones = compliance::contact_zones(item.timezone, item.phone, cfg.compliance->default_region);
  auto decision = compliance::check_window(from_unix_ms(now_ms), zones, compliance::window_for(hours, item.phone));
  if (decision.may_call) return std::nullopt;
  constexpr std::int64_t day_ms = 24 * 3600 * 1000;
  return decision.opens ? to_unix_ms(*decision.opens) : now_ms + day_ms;  // never overlapping: look again tomorrow
}

}  // namespace dialer::engine
