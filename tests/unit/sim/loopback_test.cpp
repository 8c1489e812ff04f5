// telnyx-sim over real sockets on 127.0.0.1: a dial through the REST API, webhooks to a tiny receiver
// that verifies every signature. Bounded by io_context::run_for; nothing sleeps.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <optional>
#include <string>
#include <vector>

#include "dialer/telnyx/openapi_validator.hpp"
#include "loopback_harness.hpp"

using namespace dialer;
using namespace std::chrono_literals;

TEST_CASE("a dial to a busy number delivers signed call.initiated then call.hangup user_busy over loopback") {
  sim::scenario scene;
  scene.busy_after_s = 2;  // 0.1 s of real time at scale 20
  scene.numbers["+15551230001"] = {sim::outcome::busy, std::nullopt, std::nullopt};
  harness h(scene);
  bool hung_up = false;
  h.on_event = [&](const delivery& d) { hung_up = hung_up || d.event_type == "call.hangup"; };

  auto res = h.call(http::verb::post, "/calls",
                    R"({"to":"+15551230001","from":"+15550000001","connection_id":"c1","timeout_secs":30})");
  REQUIRE(res.status == 200);
  CHECK(res.body.find(R"("record_type":"call")") != std::string::npos);

  for (int i = 0; i < 500 && !hung_up; ++i) h.ioc.run_for(10ms);
  REQUIRE(h.deliveries.size() == 2);
  CHECK(h.deliveries[0].event_type == "call.initiated");
  CHECK(h.deliveries[1].event_type == "call.hangup");
  CHECK(h.deliveries[1].hangup_cause == "user_busy");
  CHECK(h.deliveries[0].call_control_id == h.deliveries[1].call_control_id);
  CHECK(res.body.find(h.deliveries[0].call_control_id) != std::string::npos);
  for (auto& d : h.deliveries) {
    CHECK(d.signature == telnyx::signature_error::none);
    CHECK(d.attempt == 1);
  }

  auto status = h.call(http::verb::get, "/calls/" + h.deliveries[0].call_control_id, "");
  CHECK(status.status == 200);
  CHECK(status.body.find(R"("is_alive":false)") != std::string::npos);
  h.sim->stop();
}

TEST_CASE("requests without a Bearer token get 401 and bodies the official schema rejects get 422 naming the field") {
  std::string error;
  auto validator = telnyx::openapi_validator::load_file(TELNYX_SHARED_DIR "/call-control-openapi.json", &error);
  REQUIRE_MESSAGE(validator, error);
  std::shared_ptr<const telnyx::openapi_validator> v = std::move(validator);
  sim::rest_options rest;
  rest.api_key = "test-key";
  rest.validate = [v](std::string_view m, std::string_view p, std::string_view b) { return v->validate_request(m, p, b); };
  harness h(sim::scenario{}, rest);

  auto unauthorised = h.call(http::verb::post, "/calls", "{}", false);
  CHECK(unauthorised.status == 401);
  CHECK(unauthorised.body.find(R"("code":"10009")") != std::string::npos);

  auto invalid = h.call(http::verb::post, "/calls", R"({"to":"+15551230001","from":"+15550000001","timeout_secs":"soon"})");
  CHECK(invalid.status == 422);
  CHECK(invalid.body.find(R"("pointer":"/connection_id")") != std::string::npos);
  CHECK(invalid.body.find(R"("pointer":"/timeout_secs")") != std::string::npos);

  auto unknown = h.call(http::verb::post, "/calls/v3:nope/actions/hangup", "{}");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find(R"("code":"90015")") != std::string::npos);

  auto report = h.call(http::verb::get, "/sim/report", "", false, h.sim_control.get());
  CHECK(report.status == 200);
  CHECK(report.body.find(R"("401":1)") != std::string::npos);
  h.sim->stop();
}

TEST_CASE("a webhook the receiver refuses is redelivered with the same data.id and meta.attempt 2") {
  sim::scenario scene;
  scene.invalid_after_s = 1;
  scene.numbers["+15551230004"] = {sim::outcome::invalid, std::nullopt, std::nullopt};
  scene.faults.webhook_retry.initial_backoff_s = 0.05;
  harness h(scene);
  // The receiver records every attempt; this one refuses the first delivery of call.initiated.
  std::vector<std::string> ids;
  int refused = 0;
  h.receiver.stop();
  http::server flaky{h.ioc.get_executor(), loopback_any_port(),
                     [&](http::request& req) -> awaitable<http::response> {
                       auto parsed = telnyx::parse_webhook(req.body());
                       REQUIRE(parsed.event);
                       ids.push_back(parsed.event->id + "#" + std::to_string(parsed.event->attempt) + "#" +
                                     parsed.event->event_type);
                       if (refused++ == 0) co_return http::json_response(req, http::status::service_unavailable, "{}");
                       co_return http::json_response(req, http::status::ok, "{}");
                     }};
  flaky.start();
  auto res = h.call(http::verb::post, "/calls",
                    R"({"to":"+15551230004","from":"+15550000001","connection_id":"c1","webhook_url":"http://127.0.0.1:)" +
                        std::to_string(flaky.port()) + R"(/hook"})");
  REQUIRE(res.status == 200);
  // Until the third delivery arrived and the simulator has read its reply.
  for (int i = 0; i < 500 && h.sim->world().stats().webhooks_sent < 2; ++i) h.ioc.run_for(10ms);
  REQUIRE(ids.size() == 3);
  auto id_of = [](const std::string& s) { return s.substr(0, s.find('#')); };
  CHECK(id_of(ids[0]) == id_of(ids[1]));
  CHECK(ids[0].find("#1#call.initiated") != std::string::npos);
  CHECK(ids[1].find("#2#call.initiated") != std::string::npos);
  CHECK(ids[2].find("#1#call.hangup") != std::string::npos);  // order kept: the hangup waited its turn
  CHECK(h.sim->world().stats().webhook_failures == 1);
  CHECK(h.sim->world().stats().webhooks_redelivered == 1);
  CHECK(h.sim->world().stats().webhooks_sent == 2);
  h.sim->stop();
  flaky.stop();
}
