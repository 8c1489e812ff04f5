// The Prometheus text the metrics registry writes: counters, cumulative histogram buckets, label escaping.
#include <doctest/doctest.h>

#include "dialer/api/metrics.hpp"

using namespace dialer;

namespace {
std::string written(const api::metrics& m) {
  api::exposition out;
  m.write(out);
  return out.text();
}
bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}
}  // namespace

TEST_CASE("request counts are kept per method, route pattern and status") {
  api::metrics m;
  m.observe_request("GET", "/api/power-dialer/sessions/{id}", 200, 0.002);
  m.observe_request("GET", "/api/power-dialer/sessions/{id}", 200, 0.003);
  m.observe_request("GET", "/api/power-dialer/sessions/{id}", 404, 0.001);
  const auto text = written(m);
  CHECK(has_line(text, R"(dialer_http_requests_total{method="GET",route="/api/power-dialer/sessions/{id}",status="200"} 2)"));
  CHECK(has_line(text, R"(dialer_http_requests_total{method="GET",route="/api/power-dialer/sessions/{id}",status="404"} 1)"));
  CHECK(has_line(text, "# TYPE dialer_http_requests_total counter"));
}

TEST_CASE("latency buckets are cumulative, end with +Inf, and sum and count match the observations") {
  api::metrics m;
  for (double s : {0.0004, 0.004, 0.004, 0.3, 7.0}) m.observe_request("POST", "/webhooks/telnyx", 200, s);
  const auto text = written(m);
  const std::string prefix = R"(dialer_http_request_duration_seconds_bucket{method="POST",route="/webhooks/telnyx",le=")";
  CHECK(has_line(text, prefix + R"(0.0005"} 1)"));
  CHECK(has_line(text, prefix + R"(0.001"} 1)"));
  CHECK(has_line(text, prefix + R"(0.005"} 3)"));
  CHECK(has_line(text, prefix + R"(0.25"} 3)"));
  CHECK(has_line(text, prefix + R"(0.5"} 4)"));
  CHECK(has_line(text, prefix + R"(2.5"} 4)"));
  CHECK(has_line(text, prefix + R"(+Inf"} 5)"));
  CHECK(has_line(text, R"(dialer_http_request_duration_seconds_count{method="POST",route="/webhooks/telnyx"} 5)"));
  CHECK(has_line(text, R"(dialer_http_request_duration_seconds_sum{method="POST",route="/webhooks/telnyx"} 7.3084)"));
  CHECK(has_line(text, "# TYPE dialer_http_request_duration_seconds histogram"));
}

TEST_CASE("webhooks are counted by type and result, with at most 64 distinct types before the rest count as other") {
  api::metrics m;
  m.count_webhook("call.answered", "applied");
  m.count_webhook("call.answered", "applied");
  m.count_webhook("call.answered", "duplicate");
  for (int i = 0; i < 70; ++i) m.count_webhook("type." + std::to_string(i), "ignored");
  m.count_webhook("call.answered", "unmatched");  // a type already kept stays itself
  const auto text = written(m);
  CHECK(has_line(text, R"(dialer_webhooks_received_total{type="call.answered",result="applied"} 2)"));
  CHECK(has_line(text, R"(dialer_webhooks_received_total{type="call.answered",result="duplicate"} 1)"));
  CHECK(has_line(text, R"(dialer_webhooks_received_total{type="call.answered",result="unmatched"} 1)"));
  CHECK(has_line(text, R"(dialer_webhooks_received_total{type="type.62",result="ignored"} 1)"));
  CHECK(!has_line(text, R"(dialer_webhooks_received_total{type="type.63",result="ignored"} 1)"));
  CHECK(has_line(text, R"(dialer_webhooks_received_total{type="other",result="ignored"} 7)"));
}

TEST_CASE("label values are escaped and families without samples still have HELP and TYPE") {
  api::exposition out;
  out.family("x_total", "counter", "a test");
  out.sample("x_total", {{"v", "a\"b\\c\nd"}}, 3);
  out.sample("x_total", {}, 0.25);
  CHECK(out.text() == "# HELP x_total a test\n# TYPE x_total counter\nx_total{v=\"a\\\"b\\\\c\\nd\"} 3\nx_total 0.25\n");
  const auto empty = written(api::metrics{});
  CHECK(has_line(empty, "# TYPE dialer_webhooks_received_total counter"));
  CHECK(empty.find("dialer_webhooks_received_total{") == std::string::npos);
}

TEST_CASE("webhook stages and group-commit batches are histograms by stage, phase and size") {
  api::metrics m;
  m.observe_webhook_stage("verify", 0.00004);
  m.observe_webhook_stage("verify", 0.0003);
  m.observe_webhook_stage("queue", 0.02);
  m.observe_batch(3, 0.0012, 0.0004, 0.0003, 0.00007);
  m.observe_batch(40, 0.03, 0.002, 0.0009, 0.0001);
  CHECK(has_line(written(m), R"(dialer_webhook_batch_seconds_bucket{phase="sync",le="0.001"} 2)"));
  const auto text = written(m);
  CHECK(has_line(text, R"(dialer_webhook_stage_seconds_bucket{stage="verify",le="5e-05"} 1)"));
  CHECK(has_line(text, R"(dialer_webhook_stage_seconds_bucket{stage="verify",le="0.00025"} 1)"));
  CHECK(has_line(text, R"(dialer_webhook_stage_seconds_bucket{stage="verify",le="0.0005"} 2)"));
  CHECK(has_line(text, R"(dialer_webhook_stage_seconds_count{stage="queue"} 1)"));
  CHECK(has_line(text, R"(dialer_webhook_batch_seconds_bucket{phase="commit",le="0.0005"} 1)"));
  CHECK(has_line(text, R"(dialer_webhook_batch_seconds_bucket{phase="commit",le="0.0025"} 2)"));
  CHECK(has_line(text, R"(dialer_webhook_batch_seconds_count{phase="send"} 2)"));
  CHECK(has_line(text, R"(dialer_webhook_batch_size_bucket{le="2"} 0)"));
  CHECK(has_line(text, R"(dialer_webhook_batch_size_bucket{le="4"} 1)"));
  CHECK(has_line(text, R"(dialer_webhook_batch_size_bucket{le="64"} 2)"));
  CHECK(has_line(text, R"(dialer_webhook_batch_size_sum 43)"));
  CHECK(has_line(text, "# TYPE dialer_webhook_stage_seconds histogram"));
}
