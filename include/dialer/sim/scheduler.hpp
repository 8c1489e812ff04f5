// Simulated time for the call model: "call me back after this many simulated milliseconds". The Asio
// implementation divides delays by the time scale; tests use manual_scheduler and advance it by hand.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "dialer/common/clock.hpp"

namespace dialer::sim {

class scheduler {
 public:
  using timer_id = std::uint64_t;
  virtual ~scheduler() = default;
  // Simulated time (moves time-scale times faster than real time); drives every model delay.
  virtual sys_time now() const = 0;
  // Real wall-clock time: webhook occurred_at, start_time and end_time.
  virtual sys_time wall_now() const = 0;
  // Runs `fn` once after `sim_delay` of simulated time. Never runs it synchronously inside after().
  virtual timer_id after(std::chrono::milliseconds sim_delay, std::function<void()> fn) = 0;
  // Forgets a pending callback; a no-op when it already ran or was cancelled.
  virtual void cancel(timer_id id) = 0;
};

// Time stands still until advance(); callbacks then run in due order (ties in scheduling order).
class manual_scheduler final : public scheduler {
 public:
  explicit manual_scheduler(sys_time start = sys_time{std::chrono::hours{24 * 365 * 56}}) : now_(start) {}
  sys_time now() const override { return now_; }
  sys_time wall_now() const override { return now_; }
  timer_id after(std::chrono::milliseconds sim_delay, std::function<void()> fn) override {
    auto id = ++next_id_;
    pending_.emplace(std::make_pair(now_ + sim_delay, id), std::move(fn));
    return id;
  }
  void cancel(timer_id id) override {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->first.second == id) {
        pending_.erase(it);
        return;
      }
    }
  }
  // Moves time forward by `d`, running every callback that falls due (including ones they schedule).
  void advance(std::chrono::milliseconds d) {
    auto end = now_ + d;
    while (!pending_.empty() && pending_.begin()->first.first <= end) {
      auto node = pending_.extract(pending_.begin());
      now_ = node.key().first;
      node.mapped()();
    }
    now_ = end;
  }
  std::size_t pending() const { return pending_.size(); }

 private:
  sys_time now_;
  timer_id next_id_ = 0;
  std::map<std::pair<sys_time, timer_id>, std::function<void()>> pending_;
};

}  // namespace dialer::sim
