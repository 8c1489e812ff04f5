// The compliance gates an item passes when its turn comes (SPEC §10), checked at dispatch time and not
// only when queued, since the clock and the other sessions move on: a held item keeps its place and
// attempts, waits with nextAttemptAt and blockedReason, and the retry timer brings it back.
#include "calling_hours_gate.hpp"
#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {

std::optional<engine::impl::dispatch_hold> engine::impl::dispatch_hold_for(const store::session_record& s,
                                                                           const store::queue_item_record& item) {
  // Gates, in order (each returns the hold it imposes): calling hours, then the per-number daily cap.
  if (auto until = calling_hours_hold_until(cfg_, item, now_ms()))
    return dispatch_hold{domain::hold_reason::calling_hours, *until};
  if (auto h = daily_cap_hold(item)) return h;
  return std::nullopt;
}

void engine::impl::commit_item(const store::queue_item_record& item) {
  effects fx;
  auto tx = db_.begin();
  save_item(item, fx);
  tx.commit();
  run(std::move(fx));
}

bool engine::impl::hold_if_blocked(const store::session_record& s, store::queue_item_record& item) {
  auto hold = dispatch_hold_for(s, item);
  if (!hold || hold->until_ms <= now_ms()) return false;  // a hold in the past would loop: dial instead
  auto t = domain::hold(item.state, hold->reason, hold->until_ms);
  if (!t.changed) return false;
  item.state = t.next;
  commit_item(item);
  log::info("engine", "item held", {{"session", s.id}, {"item", item.id},
                                    {"reason", std::string(domain::to_string(hold->reason))},
                                    {"until_ms", std::to_string(hold->until_ms)}});
  return true;
}

}  // namespace dialer::engine
