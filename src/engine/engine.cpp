// Construction, recovery after a restart, and small queries.
#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {

engine::impl::impl(net::any_io_executor ex, const config::config& cfg, store::store& db, telnyx::rest_client& telnyx,
                   const clock& clk, id_generator& ids)
    : ex_(ex), cfg_(cfg), db_(db), telnyx_(telnyx), clock_(clk), ids_(ids), throttle_timer_(ex) {
  if (cfg.crm) crm_ = std::make_unique<crm_push>(ex, *cfg.crm, db, clk);
}

engine::engine(net::any_io_executor ex, const config::config& cfg, store::store& db, telnyx::rest_client& telnyx,
               const clock& clk, id_generator& ids)
    : impl_(std::make_unique<impl>(ex, cfg, db, telnyx, clk, ids)), cfg_(cfg), db_(db) {}

engine::~engine() {
  db_.drop_durable_callbacks();  // none runs after this, and a release already posted finds alive_ false
  *impl_->alive_ = false;
}

void engine::recover() {
  auto& m = *impl_;
  // Lines in use are the live customer calls: rebuilt from the store so a restart never double-books
  // a caller number.
  m.rebuild_lines();
  int live = 0;
  for (const auto& [id, rt] : m.runtimes_) live += static_cast<int>(rt.lines.size());
  effects fx;
  auto tx = db_.begin();
  for (auto& call : db_.live_calls()) {
    if (!call.call_control_id.empty() || call.state.status != domain::call_status::dialing) continue;
    if (call.command_id.empty()) continue;  // a manual call's customer, dialed once its agent answers
    // The process stopped between writing the attempt and hearing the dial's reply. Telnyx ignores a
    // repeated command_id for 60 s, so a young attempt is re-sent as it was; an older one cannot be
    // re-sent safely and is settled as failed (its late webhooks, if any, find it ended).
    if (m.now_ms() - call.started_at_ms < 50'000) {
      fx.commands.push_back({effects::command::kind::dial, call, {}});
    } else {
      m.apply_call_event(call, domain::event_at(domain::call_event_type::dial_failed, m.now_ms()), fx);
    }
  }
  tx.commit();
  m.run(std::move(fx));
  // Wrap-up ends on an in-memory timer: one running when the process stopped is armed again, or the
  // agent would stay in wrap_up for ever and every answered customer would be dropped as "agent busy".
  for (const auto& a : m.cfg_.agents) {
    auto agent = db_.get_agent(a.id);
    if (agent.state == domain::agent_state::wrap_up && agent.wrap_up_until_ms)
      m.arm_wrap_up(agent.id, *agent.wrap_up_until_ms);
  }
  auto active = db_.active_sessions();
  log::info("engine", "recovered", {{"active_sessions", std::to_string(active.size())},
                                    {"live_customer_calls", std::to_string(live)}});
  m.pump_all();  // every session's first dials in one commit
  m.arm_status_checks();
  if (m.crm_) m.crm_->start();  // resumes deliveries left pending by the last run
}

void engine::shutdown() {
  auto& m = *impl_;
  m.stopping_ = true;
  m.throttle_timer_.cancel();
  if (m.status_timer_) m.status_timer_->cancel();
  for (auto& [id, rt] : m.runtimes_)
    if (rt.retry_timer) rt.retry_timer->cancel();
  for (auto& [id, t] : m.wrap_up_timers_) t->cancel();
  m.cancel_message_timers();
  if (m.crm_) m.crm_->stop();
}

event_bus& engine::events() { return impl_->events_; }

int engine::lines_in_use(const std::string& session_id) const {
  auto it = impl_->runtimes_.find(session_id);
  return it == impl_->runtimes_.end() ? 0 : static_cast<int>(it->second.lines.size());
}

}  // namespace dialer::engine
