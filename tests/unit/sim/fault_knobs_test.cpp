// telnyx-sim's fault knobs over loopback: reordered, delayed and lost-forever webhooks, connection
// resets before and after acting, slow replies, 429 headers, and what /sim/report counts for each.
#include <doctest/doctest.h>

#include "dialer/sim/scenario.hpp"
#include "dialer/sim/window_peak.hpp"
#include "loopback_harness.hpp"

namespace {

const std::string busy_dial = R"({"to":"+15551230001","from":"+15550000001","connection_id":"c1"})";

sim::scenario busy_scene() {
  sim::scenario scene;
  scene.busy_after_s = 2;  // 0.1 s of real time at scale 20
  scene.numbers["+15551230001"] = {sim::outcome::busy, std::nullopt, std::nullopt};
  return scene;
}

std::string dial_with(const std::string& command_id, const std::string& client_state) {
  return R"({"to":"+15551230001","from":"+15550000001","connection_id":"c1","command_id":")" + command_id +
         R"(","client_state":")" + client_state + R"("})";
}

}  // namespace

TEST_CASE("the new fault knobs parse, and a probability above 1 is refused naming its path") {
  auto ok = sim::parse_scenario(R"({"faults":{"webhook_reorder_p":0.3,"webhook_reorder_hold_s":2,"webhook_lose_call_p":0.05,
      "webhook_delay_p":0.1,"webhook_delay_max_s":1.5,"rest_slow_p":0.2,"rest_slow_s":3,
      "rest_reset_before_p":0.05,"rest_reset_after_p":0.04,"dial_reply_loss_after":6,"dial_reply_loss_s":3}})");
  REQUIRE_MESSAGE(ok.value, ok.error);
  const auto& f = ok.value->faults;
  CHECK(f.webhook_reorder_p == doctest::Approx(0.3));
  CHECK(f.webhook_reorder_hold_s == doctest::Approx(2));
  CHECK(f.webhook_lose_call_p == doctest::Approx(0.05));
  CHECK(f.webhook_delay_p == doctest::Approx(0.1));
  CHECK(f.rest_slow_p == doctest::Approx(0.2));
  CHECK(f.rest_reset_before_p == doctest::Approx(0.05));
  CHECK(f.rest_reset_after_p == doctest::Approx(0.04));
  CHECK(f.dial_reply_loss_after == 6);
  CHECK(f.dial_reply_loss_s == doctest::Approx(3));
  // Defaults keep older scenario files meaning what they meant: a delay or slowness applies to all.
  auto plain = sim::parse_scenario(R"({"faults":{"rest_slow_s":1}})");
  REQUIRE(plain.value);
  CHECK(plain.value->faults.rest_slow_p == 1);
  CHECK(plain.value->faults.webhook_delay_p == 1);
  auto bad = sim::parse_scenario(R"({"faults":{"rest_reset_after_p":1.5}})");
  CHECK_FALSE(bad.value);
  CHECK(bad.error.find("faults.rest_reset_after_p: must be <= 1") == 0);
}

TEST_CASE("the rolling window peak counts the most events in any window, also when recorded out of order") {
  const sim::window_peak::time_point t0{};
  sim::window_peak peak(1000ms);
  CHECK(peak.peak() == 0);
  peak.add(t0 + 900ms);
  peak.add(t0 + 1100ms);
  CHECK(peak.peak() == 2);  // two in (0.1 s, 1.1 s], though in different whole seconds
  peak.add(t0 + 1900ms);    // the one at 0.9 s is out of (0.9 s, 1.9 s]
  CHECK(peak.peak() == 2);
  peak.add(t0 + 1950ms);
  CHECK(peak.peak() == 3);
  peak.add(t0 + 5000ms);
  CHECK(peak.peak() == 3);

  sim::window_peak late(1000ms);
  late.add(t0 + 100ms);
  late.add(t0 + 1050ms);
  late.add(t0 + 2000ms);
  CHECK(late.peak() == 2);
  late.add(t0 + 1000ms);  // recorded last, arrived between: (0.05 s, 1.05 s] now holds three
  CHECK(late.peak() == 3);
  sim::window_peak apart(1000ms);
  apart.add(t0);
  apart.add(t0 + 1000ms);  // exactly one window apart: never in the same (e - 1 s, e]
  CHECK(apart.peak() == 1);
}

TEST_CASE("a reordered event is delivered after the call's next event: call.hangup before call.initiated") {
  auto scene = busy_scene();
  scene.faults.webhook_reorder_p = 1;
  scene.faults.webhook_reorder_hold_s = 3;  // long enough for the hangup (0.1 s) to exist
  harness h(scene);
  REQUIRE(h.call(http::verb::post, "/calls", busy_dial).status == 200);
  // The hangup, also drawn for holding, has no next event: it waits its hold, then goes.
  REQUIRE(h.run_until([&] { return h.deliveries.size() == 2; }));
  CHECK(h.deliveries[0].event_type == "call.hangup");
  CHECK(h.deliveries[1].event_type == "call.initiated");
  CHECK(h.sim->world().stats().faults.webhook_reordered == 1);
  CHECK(h.sim->report_json().find(R"("webhook_reordered":1)") != std::string::npos);
  h.sim->stop();
}

TEST_CASE("a call whose webhooks are lost forever sends none of them, agent legs are never lost") {
  auto scene = busy_scene();
  scene.faults.webhook_lose_call_p = 1;
  scene.agent.answer_after_s = 1;
  harness h(scene);
  REQUIRE(h.call(http::verb::post, "/calls", busy_dial).status == 200);
  REQUIRE(h.call(http::verb::post, "/calls",
                 R"({"to":"sip:alice@agents.example.com","from":"+15550000001","connection_id":"c1"})")
              .status == 200);
  const auto& f = h.sim->world().stats().faults;
  // The busy customer's initiated and hangup are swallowed; the agent's initiated and answered arrive.
  REQUIRE(h.run_until([&] { return f.webhook_lost_events == 2 && h.deliveries.size() == 2; }));
  for (const auto& d : h.deliveries) CHECK(d.signature == telnyx::signature_error::none);
  CHECK(h.deliveries[0].event_type == "call.initiated");
  CHECK(h.deliveries[1].event_type == "call.answered");
  CHECK(f.webhook_lost_calls == 1);
  CHECK(h.sim->world().live_calls() == 1);  // the lost call still ended (busy); only its news is gone
  h.sim->stop();
}

TEST_CASE("delays apply to the share of events webhook_delay_p names and are counted") {
  auto scene = busy_scene();
  scene.faults.webhook_delay_max_s = 0.05;
  scene.faults.webhook_delay_p = 1;
  harness h(scene);
  REQUIRE(h.call(http::verb::post, "/calls", busy_dial).status == 200);
  REQUIRE(h.run_until([&] { return h.deliveries.size() == 2; }));
  CHECK(h.sim->world().stats().faults.webhook_delayed == 2);
  CHECK(h.deliveries[1].event_type == "call.hangup");  // a delay keeps the call's order

  auto none = busy_scene();
  none.faults.webhook_delay_max_s = 5;
  none.faults.webhook_delay_p = 0;
  harness quick(none);
  REQUIRE(quick.call(http::verb::post, "/calls", busy_dial).status == 200);
  REQUIRE(quick.run_until([&] { return quick.deliveries.size() == 2; }));
  CHECK(quick.sim->world().stats().faults.webhook_delayed == 0);
  h.sim->stop();
  quick.sim->stop();
}

TEST_CASE("a reset before acting places no call, a reset after acting places it and loses the reply") {
  SUBCASE("before") {
    auto scene = busy_scene();
    scene.faults.rest_reset_before_p = 1;
    harness h(scene);
    auto [ec, res] = h.send(http::verb::post, "/calls", busy_dial);
    CHECK(ec);  // no HTTP reply at all
    CHECK(h.sim->world().stats().dials == 0);
    CHECK(h.sim->world().stats().faults.rest_reset_before == 1);
    h.sim->stop();
  }
  SUBCASE("after: the retry with the same command_id finds the call already placed") {
    auto scene = busy_scene();
    scene.faults.rest_reset_after_p = 1;
    harness h(scene);
    const std::string body = dial_with("cmd-reset-1", "eyJjIjoiY2FsbF8xIn0=");
    auto first = h.send(http::verb::post, "/calls", body);
    CHECK(first.first);
    CHECK(h.sim->world().stats().dials == 1);
    auto retry = h.send(http::verb::post, "/calls", body);
    CHECK(retry.first);
    const auto& st = h.sim->world().stats();
    CHECK(st.dials == 1);
    CHECK(st.duplicate_commands_ignored == 1);
    CHECK(st.double_dials == 0);
    CHECK(st.faults.rest_reset_after == 2);
    h.sim->stop();
  }
}

TEST_CASE("only the share of requests rest_slow_p names is slow, and each slow one is counted") {
  auto scene = busy_scene();
  scene.faults.rest_slow_s = 0.05;
  scene.faults.rest_slow_p = 1;
  harness h(scene);
  REQUIRE(h.call(http::verb::post, "/calls", busy_dial).status == 200);
  CHECK(h.sim->world().stats().faults.rest_slow == 1);
  CHECK(h.sim->world().stats().dials == 1);  // a slow request is still carried out
  auto never = busy_scene();
  never.faults.rest_slow_s = 30;
  never.faults.rest_slow_p = 0;
  harness quick(never);
  REQUIRE(quick.call(http::verb::post, "/calls", busy_dial).status == 200);
  CHECK(quick.sim->world().stats().faults.rest_slow == 0);
  h.sim->stop();
  quick.sim->stop();
}

TEST_CASE("an injected 429 carries code 10011 and x-ratelimit-reset in seconds, as Telnyx documents") {
  auto scene = busy_scene();
  scene.faults.rest_429_p = 1;
  harness h(scene);
  auto res = h.call(http::verb::post, "/calls", busy_dial);
  CHECK(res.status == 429);
  CHECK(res.header("x-ratelimit-reset") == "1");
  CHECK(res.header("x-ratelimit-remaining") == "0");
  CHECK(res.body.find(R"("code":"10011")") != std::string::npos);
  CHECK(h.sim->world().stats().faults.rest_429 == 1);
  CHECK(h.sim->world().stats().dials == 0);
  h.sim->stop();
}

TEST_CASE("a second call for the same attempt is a double dial even after the first one ended") {
  harness h(busy_scene());
  REQUIRE(h.call(http::verb::post, "/calls", dial_with("cmd-a", "eyJjIjoiY2FsbF8yIn0=")).status == 200);
  REQUIRE(h.run_until([&] { return h.sim->world().live_calls() == 0; }));
  REQUIRE(h.call(http::verb::post, "/calls", dial_with("cmd-b", "eyJjIjoiY2FsbF8yIn0=")).status == 200);
  CHECK(h.sim->world().stats().double_dials == 1);
  CHECK(h.sim->world().stats().dials == 2);
  h.sim->stop();
}

TEST_CASE("command_id de-duplication lasts 60 real seconds whatever the time scale") {
  // At this scale 60 simulated seconds pass in 60 microseconds; Telnyx's window is real time.
  harness h(busy_scene(), {}, 1e6);
  const auto body = dial_with("cmd-scaled", "eyJjIjoiY2FsbF8zIn0=");
  REQUIRE(h.call(http::verb::post, "/calls", body).status == 200);
  REQUIRE(h.call(http::verb::post, "/calls", body).status == 200);
  CHECK(h.sim->world().stats().dials == 1);
  CHECK(h.sim->world().stats().duplicate_commands_ignored == 1);
  h.sim->stop();
}

TEST_CASE("a rejected action is counted by action and Telnyx error code") {
  harness h(busy_scene());
  auto dial = h.call(http::verb::post, "/calls", busy_dial);
  REQUIRE(dial.status == 200);
  auto id_at = dial.body.find("\"call_control_id\":\"") + 19;
  auto id = dial.body.substr(id_at, dial.body.find('"', id_at) - id_at);
  REQUIRE(h.run_until([&] { return h.sim->world().live_calls() == 0; }));
  auto res = h.call(http::verb::post, "/calls/" + id + "/actions/hangup", "{}");
  CHECK(res.status == 422);
  CHECK(h.sim->world().stats().rejected_actions.at("hangup:90018") == 1);
  h.sim->stop();
}

TEST_CASE("from the Nth dial on, during a dial-reply outage, dials are placed but their replies are lost") {
  auto scene = busy_scene();
  scene.faults.dial_reply_loss_after = 2;
  scene.faults.dial_reply_loss_s = 60;
  harness h(scene);
  CHECK_FALSE(h.send(http::verb::post, "/calls", dial_with("cmd-o1", "eyJjIjoiY2FsbF80In0=")).first);
  auto lost = h.send(http::verb::post, "/calls", dial_with("cmd-o2", "eyJjIjoiY2FsbF81In0="));
  CHECK(lost.first);  // no reply ...
  CHECK(h.sim->world().stats().dials == 2);  // ... though the call was placed
  // The client re-sends once on what looks like a stale keep-alive connection: same command_id, so
  // no second call, but a second reply lost.
  CHECK(h.sim->world().stats().faults.dial_replies_lost >= 1);
  CHECK(h.sim->world().stats().double_dials == 0);
  h.sim->stop();
}

TEST_CASE("a lost command is held, then reset without acting, for the first N requests of its action only") {
  auto scene = busy_scene();
  scene.busy_after_s = 600;  // the call stays up (30 s real) until it is hung up
  // 2: the client re-sends once when a reused keep-alive connection is reset, and that one is lost too.
  scene.faults.lost_commands["hangup"] = 2;
  scene.faults.lost_command_hold_s = 0.05;
  harness h(scene);
  auto dial = h.call(http::verb::post, "/calls", busy_dial);  // dials are not named: never lost
  REQUIRE(dial.status == 200);
  auto id_at = dial.body.find("\"call_control_id\":\"") + 19;
  auto id = dial.body.substr(id_at, dial.body.find('"', id_at) - id_at);
  const std::string hangup = "/calls/" + id + "/actions/hangup";
  auto lost = h.send(http::verb::post, hangup, "{}");
  CHECK(lost.first);  // no reply ...
  CHECK(h.sim->world().stats().faults.commands_lost == 2);
  REQUIRE(h.sim->world().find_call(id));
  CHECK(h.sim->world().find_call(id)->alive());  // ... and nothing done
  CHECK(h.call(http::verb::post, hangup, "{}").status == 200);  // the second one is carried out
  CHECK_FALSE(h.sim->world().find_call(id)->alive());
  CHECK(h.sim->world().stats().faults.commands_lost == 2);
  h.sim->stop();
}

TEST_CASE("lost_commands parses counts by action and names the path of a bad count or an unknown action") {
  auto ok = sim::parse_scenario(R"({"faults":{"lost_commands":{"bridge":2,"speak":1},"lost_command_hold_s":5}})");
  REQUIRE(ok.value);
  CHECK(ok.value->faults.lost_commands.at("bridge") == 2);
  CHECK(ok.value->faults.lost_commands.at("speak") == 1);
  CHECK(ok.value->faults.lost_command_hold_s == doctest::Approx(5));
  auto bad = sim::parse_scenario(R"({"faults":{"lost_commands":{"bridge":"once"}}})");
  REQUIRE_FALSE(bad.value);
  CHECK(bad.error.find("faults.lost_commands.bridge: must be a number") == 0);
  auto misspelt = sim::parse_scenario(R"({"faults":{"lost_commands":{"brdige":1}}})");
  REQUIRE_FALSE(misspelt.value);
  CHECK(misspelt.error.find("faults.lost_commands.brdige: not a call action the sim carries out") == 0);
  auto negative = sim::parse_scenario(R"({"faults":{"lost_commands":{"hangup":-1}}})");
  REQUIRE_FALSE(negative.value);
  CHECK(negative.error.find("faults.lost_commands.hangup: must be >= 0") == 0);
}
