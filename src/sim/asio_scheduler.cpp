// Steady-timer scheduler. Simulated time = start + real elapsed x scale, so it never jumps with the
// wall clock; each callback owns its timer, and a shared impl keeps late completions safe.
#include "dialer/sim/asio_scheduler.hpp"

#include <boost/asio/steady_timer.hpp>

#include <unordered_map>

namespace dialer::sim {

struct asio_scheduler::impl {
  impl(net::any_io_executor e, double s) : ex(std::move(e)), scale(s) {}
  net::any_io_executor ex;
  double scale;
  std::chrono::steady_clock::time_point steady_start = std::chrono::steady_clock::now();
  sys_time sim_start = std::chrono::system_clock::now();
  timer_id next_id = 0;
  std::unordered_map<timer_id, std::shared_ptr<net::steady_timer>> timers;
};

asio_scheduler::asio_scheduler(net::any_io_executor ex, double time_scale)
    : impl_(std::make_shared<impl>(std::move(ex), time_scale > 0 ? time_scale : 1.0)) {}

asio_scheduler::~asio_scheduler() { cancel_all(); }

sys_time asio_scheduler::now() const {
  auto real = std::chrono::steady_clock::now() - impl_->steady_start;
  auto scaled = std::chrono::duration_cast<sys_time::duration>(real * impl_->scale);
  return impl_->sim_start + scaled;
}

sys_time asio_scheduler::wall_now() const { return std::chrono::system_clock::now(); }

double asio_scheduler::time_scale() const { return impl_->scale; }

scheduler::timer_id asio_scheduler::after(std::chrono::milliseconds sim_delay, std::function<void()> fn) {
  auto id = ++impl_->next_id;
  auto timer = std::make_shared<net::steady_timer>(impl_->ex);
  auto real = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(sim_delay.count() / impl_->scale));
  timer->expires_after(real);
  impl_->timers.emplace(id, timer);
  std::weak_ptr<impl> weak = impl_;
  timer->async_wait([weak, id, fn = std::move(fn)](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self) return;
    // A cancelled timer may still complete with success if it had already expired: the map decides.
    if (self->timers.erase(id) == 0 || ec) return;
    fn();
  });
  return id;
}

void asio_scheduler::cancel(timer_id id) {
  auto it = impl_->timers.find(id);
  if (it == impl_->timers.end()) return;
  it->second->cancel();
  impl_->timers.erase(it);
}

void asio_scheduler::cancel_all() {
  auto timers = std::move(impl_->timers);
  impl_->timers.clear();
  for (auto& [id, t] : timers) t->cancel();
}

}  // namespace dialer::sim
