// dialerd killed with SIGKILL at seeded random moments of a 320-contact session against telnyx-sim
// (which keeps its calls going and re-delivers failed webhooks), restarted each time: after every crash
// the database is intact and consistent, and at the end every attempt is counted exactly once.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <random>
#include <set>

#include "dialer/store/store.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

namespace {

constexpr int contacts = 320;
constexpr int lines = 4;
constexpr int min_kills = 20;
constexpr std::uint32_t seed = 20261201;  // the kill schedule; change it to explore other moments

std::string phone(int i) { return "+155503" + std::to_string(10000 + i); }

std::string contacts_json() {
  std::string out = "[";
  for (int i = 0; i < contacts; ++i) out += (i ? "," : "") + std::string(R"({"phone": ")") + phone(i) + "\"}";
  return out + "]";
}

std::string integrity(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  SQLite::Statement st(db, "PRAGMA integrity_check");
  std::string out;
  while (st.executeStep()) out += st.getColumn(0).getString();
  return out;
}

// Customer calls the sim holds alive, by the queue item named in their client_state.
std::map<std::string, int> sim_live_calls_by_item(test::stack& s) {
  std::map<std::string, int> out;
  auto doc = s.sim(verb::get, "/sim/calls").json();
  for (const auto& c : doc["data"].GetArray())
    if (c["is_alive"].GetBool() && c["kind"] == "customer" && c["client_state_decoded"].IsObject())
      ++out[c["client_state_decoded"]["q"].GetString()];
  return out;
}

// What must hold in the database at rest after any crash (dialerd is not running).
void check_at_rest(test::stack& s, const std::string& session_id, int kill) {
  CAPTURE(kill);
  REQUIRE(integrity(s.database()) == "ok");
  store::store db(s.database(), "NORMAL");
  CHECK(db.get_session(session_id)->stats == db.recount_stats(session_id));
  // One live attempt per item in `calling`, and none for any other item.
  std::map<std::string, int> live_by_item;
  for (const auto& c : db.live_calls())
    if (c.kind == domain::call_kind::customer) ++live_by_item[c.queue_item_id];
  for (const auto& item : db.list_items(session_id)) {
    CAPTURE(item.id);
    const int live = live_by_item.count(item.id) ? live_by_item[item.id] : 0;
    CHECK(live == (item.state.status == domain::item_status::calling ? 1 : 0));
  }
  for (const auto& [item, n] : sim_live_calls_by_item(s)) {
    CAPTURE(item);
    CHECK(n == 1);  // the sim never holds two live calls for one contact
  }
}

}  // namespace

TEST_CASE("dialerd killed 20+ times during a 320-contact session loses nothing and counts nothing twice") {
  // Every call is short in simulated time; failed webhooks are re-delivered quickly and for long
  // enough to outlive any outage here (faults.webhook_retry is in real seconds). Every REST reply
  // takes 0.2 s, so a kill usually finds commands the sim will carry out but whose replies dialerd
  // never reads (the dial re-sent with its command_id after the restart is then ignored). A customer who
  // answers waits for a bridge or a hangup for ever (unbridged_patience_s): only dialerd's own
  // commands end an answered call. The agent's wrap-up (1 s, dialerd's real time) must end even when
  // dialerd was killed during it.
  test::stack s({.scenario_json = R"({"outcomes": {"answer": 0.3, "busy": 0.15, "no_answer": 0.45, "invalid": 0.1},
                                      "ring_s": {"min": 1, "max": 8}, "talk_s": {"min": 2, "max": 10},
                                      "unbridged_patience_s": 1000000, "busy_after_s": 1, "invalid_after_s": 1,
                                      "agent": {"answer_after_s": 1},
                                      "faults": {"rest_slow_s": 0.2,
                                                 "webhook_retry": {"max_attempts": 200, "initial_backoff_s": 0.1,
                                                                   "max_backoff_s": 0.5, "timeout_s": 2}}})",
                 .time_scale = 20, .numbers = lines, .dials_per_second = 50, .max_attempts = 3,
                 .status_check_after_s = 5, .wrap_up_s = 1});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": )" + std::to_string(lines) +
                           R"(, "contacts": )" + contacts_json() + "}");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);
  auto status = [&] { return std::string(s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["status"].GetString()); };
  auto sim_count = [&](const char* key) { return s.sim(verb::get, "/sim/report").json()[key].GetInt(); };
  auto agent_state = [&] {
    return std::string(s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["agent"]["state"].GetString());
  };

  // Each kill comes after a seeded number of further dials or further webhooks, so crashes land
  // between a dial's write and its reply, mid-webhook, mid-bridge and mid-hangup.
  std::mt19937 rng(seed);
  int kills = 0;
  // The first crash comes while the agent leg's dial is on its way: recovery re-sends it.
  s.kill_dialerd();
  ++kills;
  check_at_rest(s, id, kills);
  s.restart_dialerd();
  while (kills < min_kills + 4) {
    const char* trigger = std::uniform_int_distribution<int>(0, 1)(rng) ? "dials" : "webhooks_sent";
    const int target = sim_count(trigger) + std::uniform_int_distribution<int>(3, trigger[0] == 'd' ? 16 : 40)(rng);
    const bool reached = test::eventually([&] { return sim_count(trigger) >= target || status() != "running"; }, 60s);
    REQUIRE_MESSAGE(reached, "the session stalled after ", kills, " kills");
    if (status() != "running") break;
    s.kill_dialerd();
    ++kills;
    check_at_rest(s, id, kills);
    s.restart_dialerd();
    // Running sessions carry on: still running (or done) and dialing again.
    const auto dials = sim_count("dials");
    CHECK(test::eventually([&] { return sim_count("dials") > dials || status() == "completed"; }, 60s));
    CHECK(status() != "paused");
    // The agent comes back for the next customer (not stuck in a wrap-up or a bridge the crash lost).
    CHECK(test::eventually([&] { return agent_state() == "ready" || status() == "completed"; }, 60s));
  }
  MESSAGE("dialerd killed ", kills, " times (seed ", seed, ")");
  REQUIRE(kills >= min_kills);

  REQUIRE(test::eventually([&] { return status() == "completed"; }, 180s));
  auto session = s.api(verb::get, "/api/power-dialer/sessions/" + id).json();
  CHECK(session["linesInUse"].GetInt() == 0);
  REQUIRE(s.stop_dialerd() == 0);
  check_at_rest(s, id, kills + 1);

  store::store db(s.database(), "NORMAL");
  CHECK(db.get_session(id)->stats == db.recount_stats(id));
  // Every item is terminal, and its attempts are exactly its non-cancelled call rows.
  std::map<std::string, int> attempts_by_item;
  std::set<std::string> our_ccids;
  for (const auto& c : db.list_session_calls(id, 1'000'000)) {
    if (c.kind != domain::call_kind::customer) continue;
    if (c.state.result != domain::outcome::cancelled) ++attempts_by_item[c.queue_item_id];
    if (!c.call_control_id.empty()) our_ccids.insert(c.call_control_id);
  }
  for (const auto& item : db.list_items(id)) {
    CAPTURE(item.phone);
    CHECK((item.state.status == domain::item_status::completed || item.state.status == domain::item_status::failed));
    CHECK(item.state.attempts == attempts_by_item[item.id]);
  }
  // Every call the sim placed is one of our rows, and none of ours is missing from the sim.
  std::set<std::string> sim_ccids;
  auto calls = s.sim(verb::get, "/sim/calls").json();
  for (const auto& c : calls["data"].GetArray())
    if (c["kind"] == "customer") sim_ccids.insert(c["call_control_id"].GetString());
  CHECK(sim_ccids == our_ccids);
  CHECK(sim_ccids.size() == static_cast<std::size_t>(db.recount_stats(id).calls));
  auto report = s.sim(verb::get, "/sim/report").json();
  MESSAGE("sim: dials ", report["dials"].GetInt(), ", webhooks sent ", report["webhooks_sent"].GetInt(),
          ", failed deliveries ", report["webhook_failures"].GetInt(), ", redelivered ",
          report["webhooks_redelivered"].GetInt(), ", repeated command_ids ignored ",
          report["duplicate_commands_ignored"].GetInt());
  CHECK(report["double_dials"].GetInt() == 0);
  CHECK(report["duplicate_commands_ignored"].GetInt() > 0);  // the re-send path was exercised
  CHECK(report["max_concurrent_customer_calls_by_session"][id.c_str()].GetInt() <= lines);
  for (const auto& [number, max] : report["max_concurrent_calls_per_from_number"].GetObject()) {
    CAPTURE(number.GetString());
    CHECK(max.GetInt() <= 1);
  }
}
