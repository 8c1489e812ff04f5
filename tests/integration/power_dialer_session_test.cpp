// Whole dialing sessions: dialerd and telnyx-sim as real processes on 127.0.0.1, driven through the
// CRM API, checked against dialerd's own database and the sim's report.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "dialer/store/store.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using test::stack;
using http::verb;

namespace {

std::string phone(int i) { return "+1555020" + std::to_string(1000 + i); }

// 60 contacts with a mix of outcomes, scripted per number so the run is reproducible.
std::string mixed_scenario(int contacts) {
  std::string numbers;
  for (int i = 0; i < contacts; ++i) {
    const char* outcome = i % 10 < 3 ? "answer" : i % 10 == 3 ? "busy" : i % 10 == 4 ? "invalid" : "no_answer";
    if (i) numbers += ',';
    numbers.append("\"").append(phone(i)).append("\": {\"outcome\": \"").append(outcome).append("\"}");
  }
  return R"({"ring_s": {"min": 2, "max": 6}, "talk_s": {"min": 10, "max": 30}, "unbridged_patience_s": 4,
             "agent": {"answer_after_s": 1}, "numbers": {)" + numbers + "}}";
}

std::string contacts_json(int from, int to) {
  std::string out = "[";
  for (int i = from; i < to; ++i)
    out += (i > from ? "," : "") + std::string(R"({"id": "c)") + std::to_string(i) + R"(", "name": "Contact )" +
           std::to_string(i) + R"(", "phone": ")" + phone(i) + "\"}";
  return out + "]";
}

std::string create_session(stack& s, const std::string& extra) {
  auto r = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice")" + extra + "}");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.json()["id"].GetString();
}

std::string session_status(stack& s, const std::string& id) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions/" + id);
  REQUIRE(r.status == 200);
  return r.json()["status"].GetString();
}

void patch_action(stack& s, const std::string& id, const std::string& action) {
  auto r = s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": ")" + action + "\"}");
  REQUIRE_MESSAGE(r.status == 200, r.body);
}

}  // namespace

TEST_CASE("a whole session of 60 contacts completes with statistics equal to a recount of its calls") {
  const int contacts = 60;
  stack s({.scenario_json = mixed_scenario(contacts), .time_scale = 25});
  auto id = create_session(s, R"(, "concurrentLines": 2, "contacts": )" + contacts_json(0, contacts));
  patch_action(s, id, "start");
  REQUIRE(test::eventually([&] { return session_status(s, id) == "completed"; }, 240s));

  auto session = s.api(verb::get, "/api/power-dialer/sessions/" + id).json();
  const auto& stats = session["stats"];
  store::store db(s.database(), "NORMAL");
  auto recount = db.recount_stats(id);
  CHECK(stats["calls"].GetInt64() == recount.calls);
  CHECK(stats["contacted"].GetInt64() == recount.contacted);
  CHECK(stats["answered"].GetInt64() == recount.answered);
  CHECK(stats["noAnswer"].GetInt64() == recount.no_answer);
  CHECK(stats["connected"].GetInt64() == recount.connected);
  CHECK(stats["dropped"].GetInt64() == recount.dropped);
  CHECK(stats["talkTimeSeconds"].GetInt64() == recount.talk_ms / 1000);
  CHECK(db.get_session(id)->stats == recount);
  CHECK(recount.contacted == contacts);
  CHECK(recount.answered == 18);  // 3 in 10 answer
  CHECK(recount.connected + recount.dropped >= 18);

  // No contact over max attempts; invalid numbers are never retried; answered ones end completed.
  std::map<std::string, int> calls_per_item;
  for (const auto& call : db.list_session_calls(id, 100000))
    if (call.kind == domain::call_kind::customer) calls_per_item[call.queue_item_id] += 1;
  for (const auto& item : db.list_items(id)) {
    CHECK(item.state.attempts <= 3);
    CHECK(calls_per_item[item.id] <= 3);
    CHECK(domain::is_terminal(item.state.status));
    if (item.state.last_outcome == domain::outcome::invalid_number) CHECK(calls_per_item[item.id] == 1);
  }

  // Never more customer calls in flight than lines, never two calls from one caller number at once.
  auto report = s.sim(verb::get, "/sim/report").json();
  CHECK(report["max_concurrent_customer_calls_by_session"][id.c_str()].GetInt() <= 2);
  for (auto& m : report["max_concurrent_calls_per_from_number"].GetObject()) CHECK(m.value.GetInt() <= 1);
  CHECK(report["double_dials"].GetInt() == 0);
  CHECK(report["live_calls"].GetInt() == 0);  // the agent leg was hung up on completion
}

TEST_CASE("a contact answered while the agent talks is dropped and redialed before the other pending contacts") {
  // Contact 0 answers first and talks long; contact 1 answers while the agent is busy with 0.
  std::string scenario = R"({"agent": {"answer_after_s": 1}, "unbridged_patience_s": 30, "numbers": {
      ")" + phone(0) + R"(": {"outcome": "answer", "ring_s": {"min": 1, "max": 1}, "talk_s": {"min": 60, "max": 60}},
      ")" + phone(1) + R"(": {"outcome": "answer", "ring_s": {"min": 6, "max": 6}, "talk_s": {"min": 5, "max": 5}},
      ")" + phone(2) + R"(": {"outcome": "no_answer"}, ")" + phone(3) + R"(": {"outcome": "no_answer"},
      ")" + phone(4) + R"(": {"outcome": "no_answer"}}})";
  stack s({.scenario_json = scenario, .time_scale = 10});
  auto id = create_session(s, R"(, "concurrentLines": 2, "contacts": )" + contacts_json(0, 5));
  patch_action(s, id, "start");
  store::store db(s.database(), "NORMAL");
  REQUIRE(test::eventually([&] {
    for (const auto& c : db.list_session_calls(id, 100))
      if (c.to == phone(1) && c.state.result == domain::outcome::dropped_agent_busy) return true;
    return false;
  }, 60s));
  // The next dial after the drop is contact 1 again, ahead of contacts 3 and 4.
  REQUIRE(test::eventually([&] {
    int n = 0;
    for (const auto& c : db.list_session_calls(id, 100)) n += c.to == phone(1);
    return n >= 2;
  }, 60s));
  std::int64_t drop_ended = 0, redial = 0;
  std::vector<store::call_record> later;
  for (const auto& c : db.list_session_calls(id, 100)) {
    if (c.to == phone(1) && c.state.result == domain::outcome::dropped_agent_busy) drop_ended = *c.state.ended_at_ms;
  }
  for (const auto& c : db.list_session_calls(id, 100))
    if (c.to == phone(1) && c.state.result != domain::outcome::dropped_agent_busy) redial = c.started_at_ms;
  CHECK(redial >= drop_ended);
  for (const auto& c : db.list_session_calls(id, 100))
    if (c.kind == domain::call_kind::customer && c.to != phone(0) && c.to != phone(1) && c.started_at_ms > drop_ended)
      CHECK_MESSAGE(c.started_at_ms >= redial, "contact " << c.to << " was dialed before the dropped contact");
  auto item = db.list_items(id);
  patch_action(s, id, "stop");
}

TEST_CASE("pause stops new dials, resume continues, and stop hangs up every live call") {
  // Every contact rings until the ring timeout, so calls are live long enough to watch.
  stack s({.scenario_json = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                "agent": {"answer_after_s": 1}})",
           .time_scale = 5});
  auto id = create_session(s, R"(, "concurrentLines": 2, "contacts": )" + contacts_json(0, 20));
  patch_action(s, id, "start");
  store::store db(s.database(), "NORMAL");
  auto customer_calls = [&] {
    int n = 0;
    for (const auto& c : db.list_session_calls(id, 1000)) n += c.kind == domain::call_kind::customer;
    return n;
  };
  REQUIRE(test::eventually([&] { return customer_calls() >= 2; }, 30s));

  patch_action(s, id, "pause");
  const auto paused_at = db.get_session(id)->stats.calls;
  // Live calls finish on their own while paused (ring timeout 15 s / 5 = 3 s) and nothing new is dialed.
  REQUIRE(test::eventually([&] {
    auto r = s.api(verb::get, "/api/power-dialer/sessions/" + id).json();
    return r["linesInUse"].GetInt() == 0;
  }, 30s));
  CHECK(db.get_session(id)->stats.calls == paused_at);
  CHECK(customer_calls() == paused_at);

  patch_action(s, id, "resume");
  REQUIRE(test::eventually([&] { return customer_calls() > paused_at; }, 30s));

  patch_action(s, id, "stop");
  CHECK(session_status(s, id) == "stopped");
  REQUIRE(test::eventually([&] { return s.sim(verb::get, "/sim/report").json()["live_calls"].GetInt() == 0; }, 30s));
  REQUIRE(test::eventually([&] { return db.live_calls().empty(); }, 30s));
  for (const auto& c : db.list_session_calls(id, 1000)) CHECK(c.state.status == domain::call_status::ended);
  for (const auto& item : db.list_items(id)) CHECK(item.state.status != domain::item_status::calling);
}

TEST_CASE("a session longer than Telnyx's 4 h leg limit dials the agent again and completes, never paused") {
  // Every customer rings out at ring_timeout_s (600 s); 30 of them one after the other take 5 h.
  const int contacts = 30;
  stack s({.scenario_json = R"({"outcomes": {"answer": 0, "busy": 0, "no_answer": 1, "machine": 0, "invalid": 0},
                               "ring_s": {"min": 900, "max": 900}, "agent": {"answer_after_s": 1}})",
           .time_scale = 2000, .ring_timeout_s = 600, .max_attempts = 1});
  auto id = create_session(s, R"(, "concurrentLines": 1, "contacts": )" + contacts_json(0, contacts));
  patch_action(s, id, "start");
  REQUIRE(test::eventually([&] { return session_status(s, id) == "completed"; }, 120s));

  store::store db(s.database(), "NORMAL");
  std::vector<store::call_record> agent_legs;
  for (const auto& call : db.list_session_calls(id, 100000))
    if (call.kind == domain::call_kind::agent) agent_legs.push_back(call);
  REQUIRE(agent_legs.size() >= 2);  // 5 h of dialing: the first leg was cut at 4 h
  std::sort(agent_legs.begin(), agent_legs.end(),
            [](const auto& a, const auto& b) { return a.started_at_ms < b.started_at_ms; });
  CHECK(agent_legs.front().state.hangup_cause == "time_limit");
  CHECK(db.get_session(id)->pause_reason.empty());
  CHECK(db.get_session(id)->stats == db.recount_stats(id));
  CHECK(db.recount_stats(id).calls == contacts);
}
