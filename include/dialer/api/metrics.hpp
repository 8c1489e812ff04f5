// The service's own counters (API requests and latency by route pattern, webhooks by type and result)
// and a writer for the Prometheus text exposition format (version 0.0.4) that /metrics serves.
#pragma once
#include <array>
#include <cstdint>
#include <map>
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

class metrics {
 public:
  // Upper bounds (seconds) of the request latency histogram's buckets; +Inf is implicit.
  static constexpr std::array<double, 12> latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  // Distinct webhook event types kept as labels; later ones are counted as type "other".
  static constexpr std::size_t max_webhook_types = 64;

  // One API request: `route` is the router's pattern ("/api/power-dialer/sessions/{id}") or
  // "unmatched", never the raw path, so label values stay few.
  void observe_request(std::string_view method, std::string_view route, unsigned status, double seconds);
  // One webhook: result is applied, duplicate, unmatched, ignored, rejected or error.
  void count_webhook(std::string_view type, std::string_view result);

  // Appends dialer_http_requests_total, dialer_http_request_duration_seconds and
  // dialer_webhooks_received_total (each family even when it has no samples yet).
  void write(exposition& out) const;

 private:
  struct histogram {
    std::array<std::uint64_t, latency_buckets.size()> buckets{};  // not cumulative; summed when written
    std::uint64_t count = 0;
    double sum = 0;
  };
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;  // method, route, status
  std::map<std::pair<std::string, std::string>, histogram> latency_;                   // method, route
  std::map<std::pair<std::string, std::string>, std::uint64_t> webhooks_;              // type, result
  std::size_t webhook_types_ = 0;
};

}  // namespace dialer::api
