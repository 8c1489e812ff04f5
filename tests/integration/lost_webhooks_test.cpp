// Calls whose webhooks never arrive (dialerd was down and Telnyx gave up redelivering) are closed by
// the status check after a restart, their lines are freed, and the session carries on.
#include <doctest/doctest.h>

#include "dialer/store/store.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

TEST_CASE("after a restart, calls whose hangup webhooks were lost are closed by the status check and the session completes") {
  // Every contact rings out; a webhook that fails once is never redelivered (lost for good).
  test::stack s({.scenario_json = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                      "agent": {"answer_after_s": 1},
                                      "faults": {"webhook_retry": {"max_attempts": 1}}})",
                 .time_scale = 5, .max_attempts = 1, .status_check_after_s = 1});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 2, "contacts": [
                          {"phone": "+15550301001"}, {"phone": "+15550301002"}, {"phone": "+15550301003"}]})");
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);

  store::store db(s.database(), "NORMAL");
  auto live_customer_calls = [&] {
    std::vector<store::call_record> out;
    for (auto& c : db.live_calls())
      if (c.kind == domain::call_kind::customer && !c.call_control_id.empty()) out.push_back(c);
    return out;
  };
  REQUIRE(test::eventually([&] { return live_customer_calls().size() == 2; }, 30s));
  const auto lost = live_customer_calls();
  REQUIRE(s.stop_dialerd() == 0);

  // While dialerd is down the two calls ring out at the sim; their hangup webhooks fail and are dropped.
  REQUIRE(test::eventually([&] {
    auto report = s.sim(verb::get, "/sim/report").json();
    return report["live_calls"].GetInt() == 1 && report["webhooks_dropped"].GetInt() >= 2;  // the agent leg remains
  }, 30s));

  s.restart_dialerd();
  REQUIRE(test::eventually([&] { return s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["status"] == "completed"; },
                           60s));
  for (const auto& c : lost) {
    auto after = db.get_call(c.id);
    REQUIRE(after);
    CHECK(after->state.status == domain::call_status::ended);
    CHECK(after->state.result == domain::outcome::no_answer);
    CHECK(after->state.hangup_cause.empty());  // closed by the status check, not by a webhook
  }
  CHECK(db.get_session(id)->stats == db.recount_stats(id));
  CHECK(db.recount_stats(id).calls == 3);  // the third contact was dialed once the lines were freed
  CHECK(s.sim(verb::get, "/sim/report").json()["double_dials"].GetInt() == 0);
}
