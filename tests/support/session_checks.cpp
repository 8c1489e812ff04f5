// The consistency checks every fault-injection test ends with (see session_checks.hpp).
#include "session_checks.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

namespace dialer::test {

std::string numbered_contacts(const std::string& prefix, int count) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(10000 + i).substr(1);
    out += (i ? "," : "") + std::string(R"({"phone": "+1555)") + prefix + n + "\"}";
  }
  return out + "]";
}

std::string create_and_start(stack& s, const std::string& agent_id, const std::string& body_extra) {
  auto created = s.api(http::verb::post, "/api/power-dialer/sessions", R"({"agentId": ")" + agent_id + "\"" + body_extra + "}");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  std::string id = created.json()["id"].GetString();
  auto started = s.api(http::verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})");
  REQUIRE_MESSAGE(started.status == 200, started.body);
  return id;
}

std::string session_status(stack& s, const std::string& id) {
  auto r = s.api(http::verb::get, "/api/power-dialer/sessions/" + id);
  REQUIRE(r.status == 200);
  return r.json()["status"].GetString();
}

void check_finished_session(stack& s, store::store& db, const std::string& id, int max_attempts) {
  auto recount = db.recount_stats(id);
  auto stored = db.get_session(id);
  REQUIRE(stored);
  CHECK(stored->stats == recount);

  auto api = s.api(http::verb::get, "/api/power-dialer/sessions/" + id).json();
  const auto& k = api["stats"];
  CHECK(k["calls"].GetInt64() == recount.calls);
  CHECK(k["contacted"].GetInt64() == recount.contacted);
  CHECK(k["answered"].GetInt64() == recount.answered);
  CHECK(k["noAnswer"].GetInt64() == recount.no_answer);
  CHECK(k["connected"].GetInt64() == recount.connected);
  CHECK(k["dropped"].GetInt64() == recount.dropped);
  CHECK(k["machine"].GetInt64() == recount.machine);
  CHECK(k["talkTimeSeconds"].GetInt64() == recount.talk_ms / 1000);
  CHECK(api["linesInUse"].GetInt() == 0);

  // Per queue item, its calls' lifetimes [start, end] never overlap: one live call per contact.
  std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>> spans;
  for (const auto& c : db.list_session_calls(id, 1000000)) {
    if (c.kind != domain::call_kind::customer) continue;
    CHECK_MESSAGE(c.state.status == domain::call_status::ended, "call " << c.id << " is still live");
    spans[c.queue_item_id].emplace_back(c.started_at_ms, c.state.ended_at_ms.value_or(INT64_MAX));
  }
  for (auto& [item, list] : spans) {
    std::sort(list.begin(), list.end());
    for (std::size_t i = 1; i < list.size(); ++i)
      CHECK_MESSAGE(list[i].first >= list[i - 1].second, "item " << item << " had two calls live at once");
  }
  for (const auto& item : db.list_items(id)) {
    CHECK(domain::is_terminal(item.state.status));
    CHECK(item.state.attempts <= max_attempts);
    CHECK(static_cast<int>(spans[item.id].size()) <= max_attempts);
  }
}

void check_sim_report(const rapidjson::Value& report, const std::vector<std::string>& session_ids, int lines) {
  CHECK(report["double_dials"].GetInt() == 0);
  CHECK(report["overlapping_calls_to_number"].GetInt() == 0);
  for (auto& m : report["max_concurrent_calls_per_to_number"].GetObject()) CHECK(m.value.GetInt() <= 1);
  for (auto& m : report["max_concurrent_calls_per_from_number"].GetObject()) CHECK(m.value.GetInt() <= 1);
  for (const auto& id : session_ids) {
    auto it = report["max_concurrent_customer_calls_by_session"].FindMember(id.c_str());
    REQUIRE(it != report["max_concurrent_customer_calls_by_session"].MemberEnd());
    CHECK(it->value.GetInt() <= lines);
  }
}

std::vector<std::string> run_two_sessions(stack& s, int lines, int contacts, int max_attempts,
                                          const std::string& prefix_alice, const std::string& prefix_bob) {
  using namespace std::chrono_literals;
  const std::string lines_json = ", \"concurrentLines\": " + std::to_string(lines);
  auto alice = create_and_start(
      s, "alice", lines_json + R"(, "selectedNumbers": ["+15550000001","+15550000002","+15550000003","+15550000004"],
                  "contacts": )" + numbered_contacts(prefix_alice, contacts));
  auto bob = create_and_start(
      s, "bob", lines_json + R"(, "selectedNumbers": ["+15550000005","+15550000006","+15550000007","+15550000008"],
                "contacts": )" + numbered_contacts(prefix_bob, contacts));
  REQUIRE(eventually([&] { return session_status(s, alice) == "completed" && session_status(s, bob) == "completed"; },
                     280s));
  store::store db(s.database(), "NORMAL");
  for (const auto& id : {alice, bob}) {
    check_finished_session(s, db, id, max_attempts);
    CHECK(db.recount_stats(id).contacted == contacts);
  }
  check_sim_report(s.sim(http::verb::get, "/sim/report").json(), {alice, bob}, lines);
  // The agent legs are hung up on completion, so nothing is left ringing or talking at the sim.
  REQUIRE(eventually([&] { return s.sim(http::verb::get, "/sim/report").json()["live_calls"].GetInt() == 0; }, 30s));
  return {alice, bob};
}

}  // namespace dialer::test
