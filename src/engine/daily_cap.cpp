// compliance.max_calls_per_number_24h (SPEC §10): dials to one number are counted across every
// session and manual call over the last 24 h; at the cap an item waits until the dial that would
// bring the count back under it is 24 h old.
#include "engine_impl.hpp"

namespace dialer::engine {

namespace {
constexpr std::int64_t day_ms = 24LL * 60 * 60 * 1000;
}

std::optional<std::int64_t> engine::impl::daily_cap_reopens_at(const std::string& phone) {
  if (!cfg_.compliance || !cfg_.compliance->max_calls_per_number_24h) return std::nullopt;
  const std::int64_t cap = *cfg_.compliance->max_calls_per_number_24h;
  const auto since = now_ms() - day_ms;
  const auto dials = db_.count_dials_since(phone, since);
  if (dials < cap) return std::nullopt;
  // With `dials` in the window, the (dials - cap)-th oldest (0-based) leaving it makes room for one.
  auto release = db_.nth_dial_since(phone, since, dials - cap);
  if (!release) return std::nullopt;
  return *release + day_ms;
}

std::optional<engine::impl::dispatch_hold> engine::impl::daily_cap_hold(const store::queue_item_record& item) {
  auto reopens = daily_cap_reopens_at(item.phone);
  if (!reopens) return std::nullopt;
  return dispatch_hold{domain::hold_reason::daily_cap, *reopens};
}

}  // namespace dialer::engine
