// check_window over the tzdb (Howard Hinnant's date/tz, built on the OS zoneinfo from tzdata).
#include "dialer/compliance/calling_window.hpp"

#include <date/tz.h>

#include "dialer/compliance/phone.hpp"
#include "dialer/compliance/time_zones.hpp"

namespace dialer::compliance {
namespace {
using std::chrono::minutes;

int local_minute_of_day(const date::time_zone& z, sys_time t) {
  auto local = z.to_local(std::chrono::floor<minutes>(t));  // local_time<seconds>
  return static_cast<int>(std::chrono::floor<minutes>(local - std::chrono::floor<date::days>(local)).count());
}

bool inside(const date::time_zone& z, sys_time t, config::time_window w) {
  int m = local_minute_of_day(z, t);
  return m >= w.start_min && m < w.end_min;
}

// The first instant after `t` (which is outside the window in `z`) at which the window opens in `z`:
// today's start if it is still ahead, else tomorrow's. A start inside a skipped DST hour maps to the
// transition (choose::earliest), one inside a repeated hour to its first occurrence.
sys_time next_opening(const date::time_zone& z, sys_time t, config::time_window w) {
  auto local = z.to_local(std::chrono::floor<minutes>(t));
  auto day = std::chrono::floor<date::days>(local);
  if (local_minute_of_day(z, t) >= w.start_min) day += date::days{1};
  auto opens = z.to_sys(day + minutes{w.start_min}, date::choose::earliest);
  return opens > t ? sys_time{opens} : t + minutes{1};
}
}  // namespace

window_decision check_window(sys_time now, const std::vector<std::string>& zone_names, config::time_window window) {
  std::vector<const date::time_zone*> zones;
  for (const auto& name : zone_names)
    if (is_known_time_zone(name)) zones.push_back(date::locate_zone(name));
  if (zones.empty()) return {true, std::nullopt};
  // Move t to the next opening of the first zone it is outside of, until every zone accepts it. Each
  // step moves forward to some zone's opening, so the search ends; beyond 8 days the windows never meet.
  const sys_time horizon = now + date::days{8};
  sys_time t = now;
  while (t < horizon) {
    const date::time_zone* outside = nullptr;
    for (const auto* z : zones)
      if (!inside(*z, t, window)) {
        outside = z;
        break;
      }
    if (!outside) return t == now ? window_decision{true, std::nullopt} : window_decision{false, t};
    t = next_opening(*outside, t, window);
  }
  return {false, std::nullopt};
}

config::time_window window_for(const config::calling_hours_settings& hours, std::string_view e164) {
  if (hours.regions.empty()) return hours.window;
  auto it = hours.regions.find(phone_subdivision(e164));
  return it != hours.regions.end() ? it->second : hours.window;
}

}  // namespace dialer::compliance
