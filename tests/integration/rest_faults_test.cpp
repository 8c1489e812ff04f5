// Telnyx REST faults (SPEC §8): 5xx, 429 with x-ratelimit-reset, replies slower than the client's
// timeout, and connection resets before and after the sim acted. The dialer retries with backoff and
// the same command_id, never dials faster than dials_per_second, never places two calls for one
// attempt, treats 90018 on hangup as benign, and its sessions complete with exact statistics.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "dialer/store/store.hpp"
#include "support/session_checks.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

namespace {

// dialerd's log lines that contain every one of `parts`.
std::vector<std::string> log_lines(const test::stack& s, std::initializer_list<std::string> parts) {
  std::ifstream in(s.dir() / "dialerd.log");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("with 5xx, 429, slow replies and connection resets the dialer never double-dials and sessions complete") {
  const int contacts = 80;  // per session
  const int lines = 4;
  const int max_attempts = 2;
  const int dials_per_second = 8;
  // Answered people give up after 2 simulated seconds (0.1 s): a hangup retried after a fault then
  // often finds the call already over (90018), which must be harmless.
  test::stack s({.scenario_json = R"({
      "outcomes": {"answer": 0.5, "busy": 0.1, "no_answer": 0.3, "invalid": 0.1},
      "ring_s": {"min": 2, "max": 8}, "talk_s": {"min": 5, "max": 20}, "unbridged_patience_s": 2,
      "agent": {"answer_after_s": 1},
      "faults": {"rest_5xx_p": 0.05, "rest_429_p": 0.05, "rest_slow_s": 1.5, "rest_slow_p": 0.05,
                 "rest_reset_before_p": 0.05, "rest_reset_after_p": 0.05}})",
                 .time_scale = 20, .numbers = 8, .dials_per_second = dials_per_second, .max_attempts = max_attempts,
                 .status_check_after_s = 1, .request_timeout_ms = 1000});
  test::run_two_sessions(s, lines, contacts, max_attempts, "701", "702");
  auto report = s.sim(verb::get, "/sim/report").json();

  // Pacing holds at the receiving end, retries included. Dials sent exactly 1/R apart put R + 1 of
  // them one second apart end to end, so any delay on the way in (a busy machine) can show R + 1 in
  // one window; unpaced retries showed 11 and 13 at R = 8 before the client paced them.
  CHECK(report["max_dials_in_1s"].GetInt() <= dials_per_second + 1);
  // Retries reached the sim with the command_id it had already carried out.
  CHECK(report["duplicate_commands_ignored"].GetInt() > 0);
  // Every 429's retry waited what x-ratelimit-reset asked (1 s).
  auto after_429 = log_lines(s, {"msg=\"retrying command\"", "outcome=429"});
  CHECK(!after_429.empty());
  for (const auto& line : after_429) CHECK_MESSAGE(line.find(" wait_ms=1000") != std::string::npos, line);
  // 90018 on a hangup happened and left nothing behind (the checks above hold).
  auto rejected = report["rejected_actions"].FindMember("hangup:90018");
  CHECK(rejected != report["rejected_actions"].MemberEnd());

  const auto& injected = report["faults_injected"];
  MESSAGE("REST faults injected: 5xx " << injected["rest_5xx"].GetInt() << ", 429 " << injected["rest_429"].GetInt()
                                       << ", slow " << injected["rest_slow"].GetInt() << ", reset before acting "
                                       << injected["rest_reset_before"].GetInt() << ", reset after acting "
                                       << injected["rest_reset_after"].GetInt() << "; duplicate command_ids ignored "
                                       << report["duplicate_commands_ignored"].GetInt() << "; hangup 90018 "
                                       << (rejected != report["rejected_actions"].MemberEnd() ? rejected->value.GetInt() : 0)
                                       << "; max dials in 1 s " << report["max_dials_in_1s"].GetInt()
                                       << ", max dial requests in 1 s " << report["max_dial_requests_in_1s"].GetInt());
  for (const char* k : {"rest_5xx", "rest_429", "rest_slow", "rest_reset_before", "rest_reset_after"})
    CHECK_MESSAGE(injected[k].GetInt() > 0, k);
}

TEST_CASE("dials placed while their replies are lost are re-sent with the same command_id, never dialed twice") {
  // From the 6th dial request on, for 3 s, Telnyx places every call but the reply never comes back:
  // longer than the REST client's own retries, so the engine must not give those attempts up. The
  // webhooks that could have told it are late (up to 2 s) or, for some calls, lost for good.
  const int lines = 4;
  test::stack s({.scenario_json = R"({
      "outcomes": {"answer": 0.3, "busy": 0.2, "no_answer": 0.4, "invalid": 0.1},
      "ring_s": {"min": 2, "max": 8}, "talk_s": {"min": 5, "max": 20}, "unbridged_patience_s": 2,
      "agent": {"answer_after_s": 1},
      "faults": {"dial_reply_loss_after": 6, "dial_reply_loss_s": 3,
                 "webhook_delay_p": 1, "webhook_delay_max_s": 2, "webhook_lose_call_p": 0.2}})",
                 .time_scale = 20, .max_attempts = 2, .status_check_after_s = 1, .request_timeout_ms = 500});
  auto id = test::create_and_start(s, "alice", R"(, "concurrentLines": 4, "contacts": )" + test::numbered_contacts("703", 30));
  REQUIRE(test::eventually([&] { return test::session_status(s, id) == "completed"; }, 200s));

  store::store db(s.database(), "NORMAL");
  test::check_finished_session(s, db, id, 2);
  auto report = s.sim(verb::get, "/sim/report").json();
  test::check_sim_report(report, {id}, lines);
  const auto lost = report["faults_injected"]["dial_replies_lost"].GetInt();
  MESSAGE("dial replies lost " << lost << ", duplicate command_ids ignored " << report["duplicate_commands_ignored"].GetInt());
  CHECK(lost > 0);
  // Every call the sim placed is one the dialer knows (by call_control_id): none was orphaned.
  std::set<std::string> known;
  for (const auto& c : db.list_session_calls(id, 100000)) known.insert(c.call_control_id);
  auto calls = s.sim(verb::get, "/sim/calls").json();
  for (auto& c : calls["data"].GetArray()) {
    if (std::string(c["kind"].GetString()) != "customer") continue;
    CHECK_MESSAGE(known.count(c["call_control_id"].GetString()) == 1, "orphan call to " << std::string(c["to"].GetString()));
  }
  // No attempt was given up as failed while Telnyx may still have been placing it.
  for (const auto& c : db.list_session_calls(id, 100000))
    CHECK_MESSAGE(c.state.result != domain::outcome::failed, "call " << c.id << ": " << c.error_detail);
}
