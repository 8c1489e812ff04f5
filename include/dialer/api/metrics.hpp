// The service's own counters (API requests and latency by route pattern, webhooks by type and result)
// and a writer for the Prometheus text exposition format (version 0.0.4) that /metrics serves.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace dialer::api {

using label_list = std::vector<std::pair<std::string, std::string>>;

// Writes metric families: one family() line pair (HELP, TYPE) then its samples. Label values are
// escaped (backslash, double quote, newline) as the format requires.
class exposition {
 public:
  // `type` is counter, gauge, histogram or summary.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const label_list& labels, double value);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// A Prometheus histogram over fixed upper bounds (+Inf implicit); written cumulatively.
class histogram {
 public:
  explicit histogram(std::span<const double> upper_bounds) : bounds_(upper_bounds), buckets_(upper_bounds.size()) {}
  void observe(double value);
  // Writes <name>_bucket (with `le`), <name>_sum and <name>_count samples under `labels`.
  void write(exposition& out, std::string_view name, const label_list& labels) const;
  std::uint64_t count() const { return count_; }

 private:
  std::span<const double> bounds_;
  std::vector<std::uint64_t> buckets_;  // not cumulative; summed when written
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

class metrics {
 public:
  // Upper bounds (seconds) of the request latency histogram's buckets; +Inf is implicit.
  static constexpr std::array<double, 12> latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  // The stages of a webhook and of a group-commit batch are finer: from 50 us.
  static constexpr std::array<double, 15> stage_buckets{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                        0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5};
  static constexpr std::array<double, 10> batch_size_buckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  // Distinct webhook event types kept as labels; later ones are counted as type "other".
  static constexpr std::size_t max_webhook_types = 64;

  // One API request: `route` is the router's pattern ("/api/power-dialer/sessions/{id}") or
  // "unmatched", never the raw path, so label values stay few.
  void observe_request(std::string_view method, std::string_view route, unsigned status, double seconds);
  // One webhook: result is applied, duplicate, unmatched, ignored, rejected or error.
  void count_webhook(std::string_view type, std::string_view result);
  // Where a webhook's time went: stage verify (signature, pool wait included), parse, queue (waiting
  // for its group-commit batch to start) or engine (queued, applied, committed: the whole await).
  void observe_webhook_stage(std::string_view stage, double seconds);
  // One group-commit batch: how many webhooks it held and how long its phases took (apply: the
  // webhooks, replies and dials in the transaction; commit; sync: waiting for its fdatasync, off the
  // engine's thread; send: Telnyx commands and live events).
  void observe_batch(std::size_t webhooks, double apply_s, double commit_s, double sync_s, double send_s);

  // Appends dialer_http_requests_total, dialer_http_request_duration_seconds,
  // dialer_webhooks_received_total, dialer_webhook_stage_seconds, dialer_webhook_batch_seconds and
  // dialer_webhook_batch_size (each family even when it has no samples yet).
  void write(exposition& out) const;

 private:
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;  // method, route, status
  std::map<std::pair<std::string, std::string>, histogram> latency_;                   // method, route
  std::map<std::pair<std::string, std::string>, std::uint64_t> webhooks_;              // type, result
  std::size_t webhook_types_ = 0;
  std::map<std::string, histogram, std::less<>> webhook_stages_;  // stage (a fixed set, from the code)
  std::map<std::string, histogram, std::less<>> batch_phases_;    // apply, commit, sync, send
  histogram batch_sizes_{batch_size_buckets};
};

}  // namespace dialer::api
