// Inbound calls against telnyx-sim (POST /sim/inbound makes one arrive): recorded with direction
// inbound, then answered and transferred to inbound.forward_to, or rejected with USER_BUSY.
#include <doctest/doctest.h>

#include "dialer/store/store.hpp"
#include "support/sse_reader.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

constexpr const char* caller = "+13125550100";
constexpr const char* desk_unanswered = "+15550309999";

std::string scenario() {
  return std::string(R"({"agent": {"answer_after_s": 1}, "unbridged_patience_s": 600,
                         "numbers": {")") + desk_unanswered + R"(": {"outcome": "no_answer"}}})";
}

// Makes a call from `caller` to `to` arrive at the sim and returns its call_control_id.
std::string ring_in(stack& s, const std::string& to, const std::string& extra = {}) {
  auto r = s.sim(verb::post, "/sim/inbound", R"({"from": ")" + std::string(caller) + R"(", "to": ")" + to + "\"" + extra + "}");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json()["data"]["call_control_id"].GetString();
}

std::optional<store::call_record> inbound_row(stack& s, const std::string& ccid) {
  store::store db(s.database(), "NORMAL");
  return db.find_call_by_control_id(ccid);
}

bool ended(stack& s, const std::string& ccid) {
  auto c = inbound_row(s, ccid);
  return c && c->state.status == domain::call_status::ended;
}

rapidjson::Document sim_calls(stack& s) { return s.sim(verb::get, "/sim/calls").json(); }

int actions(stack& s, const char* type) {
  auto report = s.sim(verb::get, "/sim/report").json();
  auto it = report["actions_by_type"].FindMember(type);
  return it == report["actions_by_type"].MemberEnd() ? 0 : it->value.GetInt();
}

}  // namespace

TEST_CASE("an inbound call is answered and transferred to inbound.forward_to, then recorded as connected") {
  stack s({.scenario_json = scenario(), .time_scale = 10,
           .extra_config = R"("inbound": {"forward_to": "sip:desk@office.example.com"})"});
  test::sse_reader events(s.dialerd_port(), "/api/events", {{"Authorization", std::string("Bearer ") + stack::token}});
  REQUIRE(test::eventually([&] { return events.status() == 200; }, 10s));
  auto ccid = ring_in(s, "+15550000001", R"(, "talk_s": 30)");
  REQUIRE(test::eventually([&] { return ended(s, ccid); }, 60s));
  auto row = *inbound_row(s, ccid);
  CHECK(row.direction == "inbound");
  CHECK(row.kind == domain::call_kind::manual);
  CHECK(row.session_id.empty());
  CHECK(row.from == caller);
  CHECK(row.to == "+15550000001");
  CHECK(row.state.result == domain::outcome::connected);
  CHECK(row.state.talk_ms() >= 1000);  // the caller talks 30 simulated (3 real) seconds

  // The sim saw one answer and one transfer, and the new leg went to forward_to, bridged to the caller.
  CHECK(actions(s, "answer") == 1);
  CHECK(actions(s, "transfer") == 1);
  CHECK(actions(s, "reject") == 0);
  bool transferred = false;
  auto calls = sim_calls(s);
  for (auto& c : calls["data"].GetArray()) {
    if (std::string(c["kind"].GetString()) != "transfer") continue;
    transferred = true;
    CHECK(std::string(c["to"].GetString()) == "sip:desk@office.example.com");
    CHECK(std::string(c["bridged_with"].GetString()) == ccid);
  }
  CHECK(transferred);

  // GET /api/calls shows the inbound call with its direction.
  auto list = s.api(verb::get, "/api/calls").json();
  REQUIRE(list["calls"].Size() == 1);
  CHECK(std::string(list["calls"][0]["direction"].GetString()) == "inbound");
  CHECK(std::string(list["calls"][0]["kind"].GetString()) == "manual");
  CHECK(std::string(list["calls"][0]["callControlId"].GetString()) == ccid);

  // The event stream saw the caller connected and the call ended, with the caller's number.
  REQUIRE(test::eventually([&] { return !events.events_of("call.ended").empty(); }, 10s));
  REQUIRE(events.events_of("call.connected").size() == 1);
  rapidjson::Document e;
  e.Parse(events.events_of("call.ended")[0].data.c_str());
  CHECK(std::string(e["direction"].GetString()) == "inbound");
  CHECK(std::string(e["phone"].GetString()) == caller);
  CHECK(std::string(e["outcome"].GetString()) == "connected");
}

TEST_CASE("without inbound.forward_to an inbound call is rejected with USER_BUSY and recorded as busy") {
  stack s({.scenario_json = scenario(), .time_scale = 10});
  auto ccid = ring_in(s, "+15550000002");
  REQUIRE(test::eventually([&] { return ended(s, ccid); }, 30s));
  auto row = *inbound_row(s, ccid);
  CHECK(row.direction == "inbound");
  CHECK(row.state.result == domain::outcome::busy);
  CHECK(row.state.hangup_cause == "user_busy");
  CHECK_FALSE(row.state.answered_at_ms.has_value());
  CHECK(actions(s, "reject") == 1);
  CHECK(actions(s, "answer") == 0);
  CHECK(actions(s, "transfer") == 0);
  auto list = s.api(verb::get, "/api/calls").json();
  REQUIRE(list["calls"].Size() == 1);
  CHECK(std::string(list["calls"][0]["direction"].GetString()) == "inbound");
  CHECK(std::string(list["calls"][0]["outcome"].GetString()) == "busy");
}

TEST_CASE("a transfer nobody answers hangs up the caller instead of leaving them in silence") {
  stack s({.scenario_json = scenario(), .time_scale = 10,
           .extra_config = std::string(R"("inbound": {"forward_to": ")") + desk_unanswered + "\"}"});
  auto ccid = ring_in(s, "+15550000003");
  REQUIRE(test::eventually([&] { return ended(s, ccid); }, 60s));
  CHECK(inbound_row(s, ccid)->state.result == domain::outcome::abandoned);
  CHECK(actions(s, "transfer") == 1);
  auto calls = sim_calls(s);
  bool seen = false;
  for (auto& c : calls["data"].GetArray()) {
    if (ccid != c["call_control_id"].GetString()) continue;
    seen = true;
    // dialerd hung up (the sim's caller would have waited 600 simulated seconds).
    CHECK(std::string(c["hangup_source"].GetString()) == "caller");
  }
  CHECK(seen);
}

TEST_CASE("an incoming call to a number that is not configured is not recorded") {
  stack s({.scenario_json = scenario(), .time_scale = 10});
  auto ccid = ring_in(s, "+15557777777", R"(, "give_up_s": 5)");
  REQUIRE(test::eventually([&] {
    auto calls = sim_calls(s);
    for (auto& c : calls["data"].GetArray())
      if (ccid == c["call_control_id"].GetString()) return !c["is_alive"].GetBool();
    return false;
  }, 30s));
  CHECK_FALSE(inbound_row(s, ccid));
  CHECK(actions(s, "reject") == 0);
  CHECK(s.api(verb::get, "/api/calls").json()["calls"].Empty());
}
