// Webhook chaos (SPEC §7-8): duplicated, reordered, delayed, redelivered and lost-forever webhooks
// from a real telnyx-sim to a real dialerd. Sessions still complete, statistics equal a recount, no
// contact has two live calls, no line leaks, and lost calls are closed by the status check.
#include <doctest/doctest.h>

#include "dialer/store/store.hpp"
#include "support/session_checks.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

TEST_CASE("with duplicated, reordered, delayed and lost webhooks two sessions complete with exact statistics") {
  const int contacts = 120;  // per session
  const int lines = 4;
  const int max_attempts = 2;
  const int ring_timeout_s = 15;
  const int status_check_after_s = 1;
  test::stack s({.scenario_json = R"({
      "outcomes": {"answer": 0.4, "busy": 0.1, "no_answer": 0.4, "invalid": 0.1},
      "ring_s": {"min": 2, "max": 8}, "talk_s": {"min": 5, "max": 20}, "unbridged_patience_s": 4,
      "agent": {"answer_after_s": 1},
      "faults": {"webhook_retry": {"initial_backoff_s": 0.1, "max_backoff_s": 1},
                 "webhook_duplicate_p": 0.3, "webhook_reorder_p": 0.3, "webhook_reorder_hold_s": 1.5,
                 "webhook_delay_p": 0.1, "webhook_delay_max_s": 1, "webhook_drop_first_p": 0.05,
                 "webhook_lose_call_p": 0.05}})",
                 .time_scale = 20, .numbers = 8, .ring_timeout_s = ring_timeout_s, .max_attempts = max_attempts,
                 .status_check_after_s = status_check_after_s, .database_synchronous = "FULL"});
  const auto ids = test::run_two_sessions(s, lines, contacts, max_attempts, "601", "602");
  const auto& alice = ids[0];
  const auto& bob = ids[1];
  store::store db(s.database(), "NORMAL");
  auto report = s.sim(verb::get, "/sim/report").json();

  // Every call whose webhooks were lost was closed by the status check (no hangup cause heard), and
  // only after the ring timeout plus the margin; no other call was.
  int closed_by_check = 0;
  for (const auto& id : {alice, bob}) {
    for (const auto& c : db.list_session_calls(id, 100000)) {
      if (c.kind != domain::call_kind::customer || !c.state.hangup_cause.empty()) continue;
      if (c.state.result != domain::outcome::no_answer) continue;
      ++closed_by_check;
      CHECK(*c.state.ended_at_ms - c.started_at_ms >= (ring_timeout_s + status_check_after_s) * 1000);
    }
  }
  const auto& injected = report["faults_injected"];
  CHECK(closed_by_check == injected["webhook_lost_calls"].GetInt());

  // The faults really happened, in the proportions asked for.
  const auto sent = report["webhooks_sent"].GetInt();
  MESSAGE("webhooks sent " << sent << ", duplicated " << injected["webhook_duplicated"].GetInt() << ", reordered "
                           << injected["webhook_reordered"].GetInt() << ", delayed " << injected["webhook_delayed"].GetInt()
                           << ", first attempt dropped " << injected["webhook_dropped_first"].GetInt()
                           << ", calls lost " << injected["webhook_lost_calls"].GetInt() << " ("
                           << injected["webhook_lost_events"].GetInt() << " events), customer calls "
                           << db.recount_stats(alice).calls + db.recount_stats(bob).calls);
  CHECK(injected["webhook_duplicated"].GetInt() > sent / 5);
  CHECK(injected["webhook_reordered"].GetInt() > sent / 20);
  CHECK(injected["webhook_delayed"].GetInt() > sent / 20);
  CHECK(injected["webhook_dropped_first"].GetInt() > 0);
  CHECK(injected["webhook_lost_calls"].GetInt() > 0);
}
