// Prometheus text exposition: counters kept in maps (one thread), histograms written cumulatively.
#include "dialer/api/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <set>
#include <tuple>

namespace dialer::api {
namespace {

void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (std::trunc(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void exposition::sample(std::string_view name, const label_list& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      out_ += labels[i].first;
      out_ += "=\"";
      append_escaped(out_, labels[i].second);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += number(value);
  out_ += '\n';
}

void metrics::observe_request(std::string_view method, std::string_view route, unsigned status, double seconds) {
  requests_[{std::string(method), std::string(route), status}] += 1;
  auto& h = latency_[{std::string(method), std::string(route)}];
  for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
    if (seconds <= latency_buckets[i]) {
      h.buckets[i] += 1;
      break;
    }
  }
  h.count += 1;
  h.sum += seconds;
}

void metrics::count_webhook(std::string_view type, std::string_view result) {
  std::string t(type);
  bool known = false;
  for (const auto& [key, n] : webhooks_) known = known || key.first == t;
  if (!known) {
    if (webhook_types_ >= max_webhook_types) t = "other";
    else ++webhook_types_;
  }
  webhooks_[{t, std::string(result)}] += 1;
}

void metrics::write(exposition& out) const {
  out.family("dialer_http_requests_total", "counter", "HTTP requests answered, by method, route pattern and status");
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out.sample("dialer_http_requests_total", {{"method", method}, {"route", route}, {"status", std::to_string(status)}},
               static_cast<double>(n));
  }
  out.family("dialer_http_request_duration_seconds", "histogram",
             "time from a request's arrival at the service to its response, by method and route pattern");
  for (const auto& [key, h] : latency_) {
    const auto& [method, route] = key;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < latency_buckets.size(); ++i) {
      cumulative += h.buckets[i];
      out.sample("dialer_http_request_duration_seconds_bucket",
                 {{"method", method}, {"route", route}, {"le", number(latency_buckets[i])}}, static_cast<double>(cumulative));
    }
    out.sample("dialer_http_request_duration_seconds_bucket", {{"method", method}, {"route", route}, {"le", "+Inf"}},
               static_cast<double>(h.count));
    out.sample("dialer_http_request_duration_seconds_sum", {{"method", method}, {"route", route}}, h.sum);
    out.sample("dialer_http_request_duration_seconds_count", {{"method", method}, {"route", route}},
               static_cast<double>(h.count));
  }
  out.family("dialer_webhooks_received_total", "counter",
             "Telnyx webhooks received, by event type and result (applied, duplicate, unmatched, ignored, rejected, error)");
  for (const auto& [key, n] : webhooks_)
    out.sample("dialer_webhooks_received_total", {{"type", key.first}, {"result", key.second}}, static_cast<double>(n));
}

}  // namespace dialer::api
