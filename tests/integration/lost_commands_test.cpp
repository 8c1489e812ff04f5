// A command dialerd decided on and committed, but which never reached Telnyx because dialerd was killed
// (telnyx-sim's faults.lost_commands holds it and never acts on it), is asked for again after the
// restart: the bridge, so the customer reaches the agent; the hangup of a dropped call, so it does not
// stay up for ever. Without that, a callee who waits (unbridged_patience_s) holds the line and the
// session never ends.
#include <doctest/doctest.h>

#include <map>

#include "support/session_checks.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

// Every contact answers after exactly `ring_s` and talks 20 s (1 s real) once bridged, long enough for
// a second answer to find the agent busy; nobody hangs up while waiting for a bridge or a hangup.
std::string patient_scenario(int ring_s, const std::string& lost_commands, const std::string& more_faults = "") {
  return R"({"outcomes": {"answer": 1, "busy": 0, "no_answer": 0, "invalid": 0, "machine": 0},
             "ring_s": )" + std::to_string(ring_s) + R"(, "talk_s": 20, "unbridged_patience_s": 1000000,
             "agent": {"answer_after_s": 1}, "faults": {"lost_commands": )" + lost_commands + more_faults + "}}";
}

std::uint64_t commands_lost(stack& s) {
  auto report = s.sim(verb::get, "/sim/report").json();
  return report["faults_injected"]["commands_lost"].GetUint64();
}

// The session's customer calls by outcome, as the API shows them.
std::map<std::string, int> customer_outcomes(stack& s, const std::string& id) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions/" + id + "/calls?limit=1000");
  REQUIRE(r.status == 200);
  auto calls = r.json();
  std::map<std::string, int> out;
  for (const auto& c : calls["calls"].GetArray())
    if (std::string(c["kind"].GetString()) == "customer") ++out[c["outcome"].IsString() ? c["outcome"].GetString() : "<live>"];
  return out;
}

// Kills dialerd while the sim holds its lost command, restarts it, and waits for the session to end.
void kill_while_lost_and_finish(stack& s, const std::string& id) {
  REQUIRE(test::eventually([&] { return commands_lost(s) == 1; }, 30s));
  s.kill_dialerd();
  s.restart_dialerd();
  REQUIRE(test::eventually([&] { return test::session_status(s, id) == "completed"; }, 60s));
  REQUIRE(test::eventually([&] { return s.sim(verb::get, "/sim/report").json()["live_calls"].GetInt() == 0; }, 30s));
  CHECK(commands_lost(s) == 1);  // the command after the restart was carried out
}

}  // namespace

TEST_CASE("a bridge that died with dialerd is sent again after the restart and the customer is connected") {
  stack s({.scenario_json = patient_scenario(2, R"({"bridge": 1})"), .time_scale = 20, .max_attempts = 1});
  auto id = test::create_and_start(s, "alice", R"(, "concurrentLines": 1, "contacts": )" + test::numbered_contacts("311", 1));
  kill_while_lost_and_finish(s, id);

  CHECK(customer_outcomes(s, id) == std::map<std::string, int>{{"connected", 1}});
  auto report = s.sim(verb::get, "/sim/report").json();
  CHECK(report["latency"]["answer_to_bridge_us"]["count"].GetInt() == 1);
  store::store db(s.database(), "NORMAL");
  test::check_finished_session(s, db, id, 1);
}

TEST_CASE("the hangup of a dropped call that died with dialerd is sent again after the restart") {
  // Two contacts answer together: one is bridged, the other is dropped (agent busy), and the drop's
  // hangup is the first hangup dialerd sends.
  stack s({.scenario_json = patient_scenario(2, R"({"hangup": 1})"), .time_scale = 20, .max_attempts = 1});
  auto id = test::create_and_start(s, "alice", R"(, "concurrentLines": 2, "contacts": )" + test::numbered_contacts("312", 2));
  kill_while_lost_and_finish(s, id);

  CHECK(customer_outcomes(s, id) == std::map<std::string, int>{{"connected", 1}, {"dropped_agent_busy", 1}});
  store::store db(s.database(), "NORMAL");
  test::check_finished_session(s, db, id, 1);
}

TEST_CASE("a dropped call whose every hangup try was lost is hung up again once the status check finds it alive") {
  // Eight hangups are lost (held 0.1 s, then reset): more than the REST client's tries, with its re-sends
  // on a reset keep-alive connection. dialerd lives on; only the status check can notice the call is up.
  stack s({.scenario_json = patient_scenario(2, R"({"hangup": 8})", R"(, "lost_command_hold_s": 0.1)"), .time_scale = 20, .max_attempts = 1, .status_check_after_s = 2});
  auto id = test::create_and_start(s, "alice", R"(, "concurrentLines": 2, "contacts": )" + test::numbered_contacts("313", 2));
  REQUIRE(test::eventually([&] { return test::session_status(s, id) == "completed"; }, 60s));
  REQUIRE(test::eventually([&] { return s.sim(verb::get, "/sim/report").json()["live_calls"].GetInt() == 0; }, 30s));
  CHECK(commands_lost(s) == 8);
  CHECK(customer_outcomes(s, id) == std::map<std::string, int>{{"connected", 1}, {"dropped_agent_busy", 1}});
  store::store db(s.database(), "NORMAL");
  test::check_finished_session(s, db, id, 1);
}
