// Lost webhooks: a call that has heard nothing for too long is asked about with GET /calls/{id} and
// closed (event `gone`) when Telnyx says it is no longer alive, so its line is freed (SPEC §4). One
// Telnyx says is alive though its hangup was decided is hung up again: that hangup failed or was lost.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {
namespace {
constexpr std::chrono::seconds sweep_interval{1};
}

void engine::impl::arm_status_checks() {
  if (!status_timer_) status_timer_ = std::make_unique<net::steady_timer>(ex_);
  status_timer_->expires_after(sweep_interval);
  status_timer_->async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    guarded("status checks", [this] { run_status_checks(); });
    arm_status_checks();
  });
}

void engine::impl::run_status_checks() {
  const auto now = now_ms();
  const std::int64_t margin_ms = std::int64_t{cfg_.dialing.status_check_after_s} * 1000;
  const std::int64_t ring_ms = std::int64_t{cfg_.dialing.ring_timeout_s} * 1000;
  for (auto& call : db_.calls_due_for_status_check(now - ring_ms - margin_ms, now - margin_ms)) {
    if (call.call_control_id.empty() || status_checks_in_flight_.count(call.id)) continue;
    if (sweep_message(call, now)) continue;  // a message plays: its timeout closes the call, not this check
    status_checks_in_flight_.insert(call.id);
    net::co_spawn(ex_, check_call_status(std::move(call)), net::detached);
  }
}

awaitable<void> engine::impl::check_call_status(store::call_record call) {
  auto status = co_await telnyx_.get_call(call.call_control_id);
  status_checks_in_flight_.erase(call.id);
  // Telnyx keeps a call's status for 10 minutes after it ends; 404 means it is long over.
  const bool over = (status.result.ok && !status.is_alive) || status.result.http_status == 404;
  if (!over) {
    if (status.result.ok) guarded("status check", [&] { hang_up_again_if_unconfirmed(call.id); });
    co_return;
  }
  guarded("status check", [&] {
    auto fresh = db_.get_call(call.id);
    if (!fresh || fresh->state.status == domain::call_status::ended) return;
    log::warn("engine", "call closed by status check (webhooks lost)",
              {{"call", fresh->id}, {"call_control_id", fresh->call_control_id}});
    effects fx;
    auto tx = db_.begin();
    apply_call_event(*fresh, domain::event_at(domain::call_event_type::gone, now_ms()), fx);
    tx.commit();
    run(std::move(fx));
  });
}

void engine::impl::hang_up_again_if_unconfirmed(const std::string& call_id) {
  auto fresh = db_.get_call(call_id);
  if (!fresh || !domain::hangup_unconfirmed(fresh->state)) return;
  // Every try of the hangup failed (refused, or no reply), or it never left: Telnyx still has the call.
  log::warn("engine", "call still up after its hangup, hanging up again",
            {{"call", fresh->id}, {"call_control_id", fresh->call_control_id}});
  effects fx;
  fx.commands.push_back({effects::command::kind::hangup, *fresh, {}});
  run(std::move(fx));
}

}  // namespace dialer::engine
