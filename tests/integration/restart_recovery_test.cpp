// A dial written but never answered by Telnyx's reply (dialerd stopped in between) is re-sent with the
// same command_id after a restart while Telnyx still de-duplicates it, and settled as failed otherwise.
#include <doctest/doctest.h>

#include "dialer/store/store.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

TEST_CASE("after a restart a young unanswered dial is re-sent with its command_id and an old one is settled as failed") {
  test::stack s({.scenario_json = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                      "agent": {"answer_after_s": 1}})",
                 .time_scale = 5});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 1, "selectedNumbers": ["+15550000001"],
                           "contacts": [{"phone": "+15550401001"}, {"phone": "+15550401002"}]})");
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.stop_dialerd() == 0);

  // Two attempts as a crash would leave them: written (item calling, call dialing, no call_control_id).
  auto now = to_unix_ms(std::chrono::system_clock::now());
  {
    store::store db(s.database(), "NORMAL");
    auto tx = db.begin();
    auto session = *db.get_session(id);
    session.status = domain::session_status::paused;  // not dialing anything new on its own
    db.update_session(session);
    int n = 0;
    for (auto item : db.list_items(id)) {
      item.state.status = domain::item_status::calling;
      item.state.attempts = 1;
      db.update_item(item);
      store::call_record c;
      c.id = "call_crash_" + std::to_string(n);
      c.session_id = id;
      c.queue_item_id = item.id;
      c.from = "+15550000001";
      c.to = item.phone;
      c.command_id = "cmd-crash-" + std::to_string(n);
      c.client_state = "e30=";
      c.started_at_ms = n == 0 ? now - 5'000 : now - 120'000;  // young, then old
      db.insert_call(c);
      ++n;
    }
    tx.commit();
  }
  const auto dials_before = s.sim(verb::get, "/sim/report").json()["dials"].GetInt();
  s.restart_dialerd();

  store::store db(s.database(), "NORMAL");
  REQUIRE(test::eventually([&] { return !db.get_call("call_crash_0")->call_control_id.empty(); }, 20s));
  REQUIRE(test::eventually([&] { return db.get_call("call_crash_1")->state.status == domain::call_status::ended; }, 20s));
  CHECK(db.get_call("call_crash_1")->state.result == domain::outcome::failed);
  CHECK(db.get_call("call_crash_1")->call_control_id.empty());
  CHECK(s.sim(verb::get, "/sim/report").json()["dials"].GetInt() == dials_before + 1);  // only the young one
  // The re-sent attempt rings out and is settled like any other.
  REQUIRE(test::eventually([&] { return db.get_call("call_crash_0")->state.status == domain::call_status::ended; }, 30s));
  CHECK(db.get_call("call_crash_0")->state.result == domain::outcome::no_answer);
  for (const auto& item : db.list_items(id)) CHECK(item.state.status == domain::item_status::pending);
}
