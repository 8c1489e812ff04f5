// A rolling-window request limiter (Telnyx's dial limit: 150 dials in any 5 s). Time is a parameter,
// so tests need no clock.
#pragma once
#include <chrono>
#include <cstddef>
#include <deque>

namespace dialer::sim {

class rate_limiter {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  struct decision {
    bool allowed = true;
    std::size_t limit = 0;
    std::size_t remaining = 0;  // after this request
    long long reset_s = 0;      // seconds until a slot frees (x-ratelimit-reset)
  };

  rate_limiter(std::size_t limit, std::chrono::milliseconds window) : limit_(limit), window_(window) {}

  // Counts the request when allowed; a refused request does not use a slot.
  decision try_acquire(time_point now) {
    while (!hits_.empty() && now - hits_.front() >= window_) hits_.pop_front();
    decision d;
    d.limit = limit_;
    if (hits_.size() >= limit_) {
      d.allowed = false;
      auto wait = hits_.front() + window_ - now;
      d.reset_s = std::chrono::duration_cast<std::chrono::seconds>(wait + std::chrono::milliseconds(999)).count();
      return d;
    }
    hits_.push_back(now);
    d.remaining = limit_ - hits_.size();
    d.reset_s = std::chrono::duration_cast<std::chrono::seconds>(window_).count();
    return d;
  }

 private:
  std::size_t limit_;
  std::chrono::milliseconds window_;
  std::deque<time_point> hits_;
};

}  // namespace dialer::sim
