// The real scheduler: steady timers on one executor, simulated delays divided by the time scale.
#pragma once
#include <memory>

#include "dialer/common/net.hpp"
#include "dialer/sim/scheduler.hpp"

namespace dialer::sim {

class asio_scheduler final : public scheduler {
 public:
  // time_scale > 0: 20 means 30 simulated seconds take 1.5 real seconds.
  asio_scheduler(net::any_io_executor ex, double time_scale);
  ~asio_scheduler() override;

  sys_time now() const override;
  sys_time wall_now() const override;
  timer_id after(std::chrono::milliseconds sim_delay, std::function<void()> fn) override;
  void cancel(timer_id id) override;
  // Cancels every pending callback (shutdown); none of them runs afterwards.
  void cancel_all();
  double time_scale() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace dialer::sim
