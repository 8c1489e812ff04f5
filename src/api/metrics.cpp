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

void histogram::observe(double value) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      buckets_[i] += 1;
      break;
    }
  }
  count_ += 1;
  sum_ += value;
}

void histogram::write(exposition& out, std::string_view name, const label_list& labels) const {
  const std::string bucket = std::string(name) + "_bucket";
  label_list with_le = labels;
  with_le.emplace_back("le", "");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i];
    with_le.back().second = number(bounds_[i]);
    out.sample(bucket, with_le, static_cast<double>(cumulative));
  }
  with_le.back().second = "+Inf";
  out.sample(bucket, with_le, static_cast<double>(count_));
  out.sample(std::string(name) + "_sum", labels, sum_);
  out.sample(std::string(name) + "_count", labels, static_cast<double>(count_));
}

namespace {
histogram& stage_histogram(std::map<std::string, histogram, std::less<>>& by_name, std::string_view name) {
  auto it = by_name.find(name);
  if (it == by_name.end()) it = by_name.emplace(std::string(name), histogram(metrics::stage_buckets)).first;
  return it->second;
}
}  // namespace

void metrics::observe_request(std::string_view method, std::string_view route, unsigned status, double seconds) {
  requests_[{std::string(method), std::string(route), status}] += 1;
  latency_.try_emplace({std::string(method), std::string(route)}, latency_buckets).first->second.observe(seconds);
}

void metrics::observe_webhook_stage(std::string_view stage, double seconds) {
  stage_histogram(webhook_stages_, stage).observe(seconds);
}

void metrics::observe_batch(std::size_t webhooks, double apply_s, double commit_s, double sync_s, double send_s) {
  batch_sizes_.observe(static_cast<double>(webhooks));
  stage_histogram(batch_phases_, "apply").observe(apply_s);
  stage_histogram(batch_phases_, "commit").observe(commit_s);
  stage_histogram(batch_phases_, "sync").observe(sync_s);
  stage_histogram(batch_phases_, "send").observe(send_s);
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
  for (const auto& [key, h] : latency_)
    h.write(out, "dialer_http_request_duration_seconds", {{"method", key.first}, {"route", key.second}});
  out.family("dialer_webhooks_received_total", "counter",
             "Telnyx webhooks received, by event type and result (applied, duplicate, unmatched, ignored, rejected, error)");
  for (const auto& [key, n] : webhooks_)
    out.sample("dialer_webhooks_received_total", {{"type", key.first}, {"result", key.second}}, static_cast<double>(n));
  out.family("dialer_webhook_stage_seconds", "histogram",
             "where a verified webhook's time went: verify (signature, pool wait included), parse, queue (waiting "
             "for its group-commit batch to start) and engine (queued, applied and committed)");
  for (const auto& [stage, h] : webhook_stages_) h.write(out, "dialer_webhook_stage_seconds", {{"stage", stage}});
  out.family("dialer_webhook_batch_seconds", "histogram",
             "group-commit batches by phase: apply (webhooks, replies and dials in one transaction), commit, "
             "sync (waiting for the commit's fdatasync, off the engine's thread, synchronous=FULL), "
             "send (Telnyx commands and live events once the commit is on disk)");
  for (const auto& [phase, h] : batch_phases_) h.write(out, "dialer_webhook_batch_seconds", {{"phase", phase}});
  out.family("dialer_webhook_batch_size", "histogram", "webhooks per group-commit batch");
  batch_sizes_.write(out, "dialer_webhook_batch_size", {});
}

}  // namespace dialer::api
