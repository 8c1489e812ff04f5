// Construction, shutdown and small queries (recovery after a restart: recovery.cpp).
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
