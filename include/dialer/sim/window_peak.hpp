// The most events seen in any rolling window (e.g. dials in any 1 s), to prove a client's pacing
// from the receiving side. Events may be recorded out of order (a slowed request is recorded late
// with its arrival time). Time is a parameter, so tests need no clock.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <set>

namespace dialer::sim {

class window_peak {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // Events older than the newest by more than `window + late_by` are forgotten: record an event at
  // most `late_by` after a later one.
  explicit window_peak(std::chrono::milliseconds window, std::chrono::milliseconds late_by = std::chrono::seconds(60))
      : window_(window), horizon_(window + late_by) {}

  // Records one event at `t`; peak() then includes every window (e - window, e] that holds it.
  void add(time_point t) {
    hits_.insert(t);
    while (!hits_.empty() && *hits_.rbegin() - *hits_.begin() > horizon_) hits_.erase(hits_.begin());
    // Only windows ending at an event in [t, t + window) contain t.
    auto end = hits_.lower_bound(t);
    auto begin = hits_.upper_bound(t - window_);
    for (auto e = end; e != hits_.end() && *e < t + window_; ++e) {
      while (begin != hits_.end() && *begin <= *e - window_) ++begin;
      peak_ = std::max<std::size_t>(peak_, static_cast<std::size_t>(std::distance(begin, std::next(e))));
    }
  }
  // The most events in any window (0 before any event).
  std::size_t peak() const { return peak_; }

 private:
  std::chrono::milliseconds window_;
  std::chrono::milliseconds horizon_;
  std::multiset<time_point> hits_;
  std::size_t peak_ = 0;
};

}  // namespace dialer::sim
