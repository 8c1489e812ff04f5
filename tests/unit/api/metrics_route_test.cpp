// GET /metrics through the service's handler, without sockets: what the registry and the database say.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/http/field.hpp>

#include "unit/api/service_fixture.hpp"

using namespace dialer;

namespace {
http::response handle(test::service_fixture& f, http::request& req) {
  http::response out;
  net::co_spawn(f.io, [&]() -> awaitable<void> { out = co_await f.svc.handle(req); }, net::detached);
  f.io.run();
  f.io.restart();
  return out;
}

http::response get(test::service_fixture& f, const std::string& target, bool auth = false) {
  http::request req{http::verb::get, target, 11};
  if (auth) req.set(http::bhttp::field::authorization, "Bearer unit-test-token-0123456789");
  return handle(f, req);
}
}  // namespace

TEST_CASE("a made-up method is counted as method other, so clients cannot add label values") {
  test::service_fixture f;
  http::request brew{http::verb::unknown, "/api/power-dialer/sessions", 11};
  brew.method_string("BREW");
  CHECK(handle(f, brew).result() == http::status::unauthorized);
  auto text = get(f, "/metrics").body();
  CHECK(text.find(R"(dialer_http_requests_total{method="other",route="/api/power-dialer/sessions",status="401"} 1)") != std::string::npos);
  CHECK(text.find("BREW") == std::string::npos);
}

TEST_CASE("metrics show calls by kind and outcome from the database, the SSE gauge from the open streams, and database up") {
  test::service_fixture f;
  store::call_record c;
  c.id = "call_m1";
  c.from = "+15550000001";
  c.to = "+15550100001";
  c.command_id = "cmd";
  c.kind = domain::call_kind::manual;
  c.state.status = domain::call_status::ended;
  c.state.result = domain::outcome::busy;
  {
    auto tx = f.db.begin();
    f.db.insert_call(c);
    tx.commit();
  }
  auto before = get(f, "/metrics").body();
  CHECK(before.find("\ndialer_sse_clients 0\n") != std::string::npos);
  // Two open event streams (their responses hold the streams open).
  auto stream_1 = get(f, "/api/events", true);
  auto stream_2 = get(f, "/api/events", true);
  REQUIRE(stream_1.stream);
  REQUIRE(stream_2.stream);
  auto res = get(f, "/metrics");
  CHECK(res.result() == http::status::ok);
  CHECK(std::string(res[http::bhttp::field::content_type]) == "text/plain; version=0.0.4; charset=utf-8");
  const auto& text = res.body();
  CHECK(text.find("\ndialer_sse_clients 2\n") != std::string::npos);
  CHECK(text.find("\ndialer_calls{kind=\"manual\",outcome=\"busy\"} 1\n") != std::string::npos);
  CHECK(text.find("\ndialer_database_up 1\n") != std::string::npos);
  CHECK(text.find("\ndialer_lines_in_use 0\n") != std::string::npos);
  // The previous scrape was counted under its pattern.
  CHECK(text.find(R"(dialer_http_requests_total{method="GET",route="/metrics",status="200"} 1)") != std::string::npos);
}

TEST_CASE("healthz reports the database") {
  test::service_fixture f;
  auto res = get(f, "/healthz");
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == R"({"status":"ok","database":"ok"})");
}

TEST_CASE("a webhook's stages and its group-commit batch show in the metrics") {
  test::service_fixture f;  // signatures off: no verify stage
  http::request post{http::verb::post, "/webhooks/telnyx", 11};
  post.body() = R"({"data":{"id":"e1","event_type":"call.recording.saved","payload":{"call_control_id":"v3:x"}}})";
  post.prepare_payload();
  CHECK(handle(f, post).result() == http::status::ok);
  const auto text = get(f, "/metrics").body();
  for (const char* stage : {"parse", "queue", "engine"})
    CHECK(text.find("\ndialer_webhook_stage_seconds_count{stage=\"" + std::string(stage) + "\"} 1\n") != std::string::npos);
  CHECK(text.find("stage=\"verify\"") == std::string::npos);
  CHECK(text.find("\ndialer_webhook_batch_seconds_count{phase=\"commit\"} 1\n") != std::string::npos);
  CHECK(text.find("\ndialer_webhook_batch_size_sum 1\n") != std::string::npos);
}
