// Manual calls (POST /api/calls) against telnyx-sim: the agent leg first, then the customer, bridged
// on answer; either leg ending hangs up the other; the agent's state stays usable for sessions.
#include <doctest/doctest.h>

#include "dialer/store/store.hpp"
#include "support/sse_reader.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

constexpr const char* answers = "+15550301001";    // answers after 2 s, talks 30 s
constexpr const char* no_answer = "+15550301002";  // rings until the dial's timeout
constexpr const char* long_talk = "+15550301003";  // answers after 1 s, talks 600 s

std::string scenario() {
  return std::string(R"({"agent": {"answer_after_s": 1}, "unbridged_patience_s": 30, "numbers": {
      ")") + answers + R"(": {"outcome": "answer", "ring_s": 2, "talk_s": 30},
      ")" + no_answer + R"(": {"outcome": "no_answer"},
      ")" + long_talk + R"(": {"outcome": "answer", "ring_s": 1, "talk_s": 600}}})";
}

std::string manual_body(const std::string& agent, const std::string& to, const std::string& extra = {}) {
  return R"({"agentId": ")" + agent + R"(", "from": "+15550000002", "to": ")" + to + "\"" + extra + "}";
}

std::optional<store::call_record> call_of(stack& s, const std::string& id) {
  store::store db(s.database(), "NORMAL");
  return db.get_call(id);
}

bool ended(stack& s, const std::string& id) {
  auto c = call_of(s, id);
  return c && c->state.status == domain::call_status::ended;
}

// The sim's record of the call with this call_control_id (from GET /sim/calls), as a JSON object.
rapidjson::Document sim_call(stack& s, const std::string& ccid) {
  auto calls = s.sim(verb::get, "/sim/calls").json();
  rapidjson::Document out;
  for (auto& c : calls["data"].GetArray())
    if (ccid == c["call_control_id"].GetString()) out.CopyFrom(c, out.GetAllocator());
  REQUIRE_MESSAGE(out.IsObject(), "the sim has no call " << ccid);
  return out;
}

store::manual_call_record manual_of(stack& s, const std::string& id) {
  store::store db(s.database(), "NORMAL");
  auto m = db.find_manual_call(id);
  REQUIRE(m);
  return *m;
}

}  // namespace

TEST_CASE("a manual call dials the agent, then the customer, bridges them and records kind manual with talk time") {
  stack s({.scenario_json = scenario(), .time_scale = 10});
  test::sse_reader events(s.dialerd_port(), "/api/events", {{"Authorization", std::string("Bearer ") + stack::token}});
  REQUIRE(test::eventually([&] { return events.status() == 200; }, 10s));
  auto r = s.api(verb::post, "/api/calls", manual_body("alice", answers, R"(, "contactId": "crm-42", "name": "Ann")"));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto created = r.json();
  const std::string id = created["id"].GetString();
  CHECK(std::string(created["kind"].GetString()) == "manual");
  CHECK(std::string(created["direction"].GetString()) == "outbound");
  CHECK(created["sessionId"].IsNull());
  CHECK(std::string(created["contactId"].GetString()) == "crm-42");
  CHECK(std::string(created["from"].GetString()) == "+15550000002");
  CHECK(std::string(created["to"].GetString()) == answers);
  CHECK(std::string(created["status"].GetString()) == "dialing");
  CHECK(manual_of(s, id).name == "Ann");

  REQUIRE(test::eventually([&] { return ended(s, id); }, 60s));
  auto call = *call_of(s, id);
  CHECK(call.state.result == domain::outcome::connected);
  CHECK(call.state.bridged_at_ms.has_value());
  CHECK(call.state.talk_ms() >= 1000);  // the sim's person talks 30 simulated (3 real) seconds

  // The bridge went on the agent leg with the customer leg as the other side; the agent leg was hung
  // up after the customer left, and the agent is offline again.
  auto leg_id = manual_of(s, id).agent_call_id;
  REQUIRE(test::eventually([&] { return ended(s, leg_id); }, 30s));
  auto leg = *call_of(s, leg_id);
  CHECK(leg.kind == domain::call_kind::agent);
  CHECK(leg.to == "sip:alice@agents.example.com");
  auto sim_customer = sim_call(s, call.call_control_id);
  CHECK(std::string(sim_customer["bridged_with"].GetString()) == leg.call_control_id);
  CHECK(std::string(sim_customer["from"].GetString()) == "+15550000002");
  CHECK(std::string(sim_call(s, leg.call_control_id)["hangup_source"].GetString()) == "caller");
  store::store db(s.database(), "NORMAL");
  auto agent = db.get_agent("alice");
  CHECK(agent.state == domain::agent_state::offline);
  CHECK(agent.leg_call_id.empty());
  CHECK(agent.talking_call_id.empty());

  // GET /api/calls shows it with its direction, kind and talk time.
  auto list = s.api(verb::get, "/api/calls?limit=10").json();
  bool listed = false;
  for (auto& c : list["calls"].GetArray()) {
    if (id != c["id"].GetString()) continue;
    listed = true;
    CHECK(std::string(c["direction"].GetString()) == "outbound");
    CHECK(std::string(c["kind"].GetString()) == "manual");
    CHECK(std::string(c["outcome"].GetString()) == "connected");
    CHECK(c["talkSeconds"].GetInt64() >= 1);
  }
  CHECK(listed);

  // The CRM's event stream saw it connect (with the agent and the name given) and end.
  REQUIRE(test::eventually([&] { return !events.events_of("call.ended").empty(); }, 10s));
  auto connected = events.events_of("call.connected");
  REQUIRE(connected.size() == 1);
  rapidjson::Document c;
  c.Parse(connected[0].data.c_str());
  CHECK(std::string(c["callId"].GetString()) == id);
  CHECK(std::string(c["agentId"].GetString()) == "alice");
  CHECK(std::string(c["name"].GetString()) == "Ann");
  CHECK(std::string(c["phone"].GetString()) == answers);
  CHECK(std::string(c["contactId"].GetString()) == "crm-42");
  auto ended_events = events.events_of("call.ended");
  REQUIRE(ended_events.size() == 1);  // the customer call only, not the agent leg
  rapidjson::Document e;
  e.Parse(ended_events[0].data.c_str());
  CHECK(std::string(e["callId"].GetString()) == id);
  CHECK(std::string(e["kind"].GetString()) == "manual");
  CHECK(std::string(e["outcome"].GetString()) == "connected");
  CHECK(std::string(e["agentId"].GetString()) == "alice");
  CHECK(e["talkSeconds"].GetInt64() == call.state.talk_ms() / 1000);

  // A session for the same agent starts afterwards and dials the agent again.
  auto created_session = s.api(verb::post, "/api/power-dialer/sessions",
                               std::string(R"({"agentId": "alice", "contacts": [{"phone": ")") + no_answer + "\"}]}");
  REQUIRE_MESSAGE(created_session.status == 201, created_session.body);
  std::string session = created_session.json()["id"].GetString();
  auto started = s.api(verb::patch, "/api/power-dialer/sessions/" + session, R"({"action": "start"})");
  CHECK_MESSAGE(started.status == 200, started.body);
  REQUIRE(test::eventually([&] {
    auto a = s.api(verb::get, "/api/power-dialer/sessions/" + session).json();
    return std::string(a["agent"]["state"].GetString()) == "ready";
  }, 30s));
}

TEST_CASE("a manual call is refused with 409 while the agent is in a running session or already on a call") {
  stack s({.scenario_json = scenario(), .time_scale = 10});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       std::string(R"({"agentId": "alice", "contacts": [{"phone": ")") + no_answer + "\"}]}");
  REQUIRE(created.status == 201);
  std::string session = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + session, R"({"action": "start"})").status == 200);

  auto busy = s.api(verb::post, "/api/calls", manual_body("alice", answers));
  CHECK_MESSAGE(busy.status == 409, busy.body);
  CHECK(std::string(busy.json()["error"]["code"].GetString()) == "conflict");

  auto first = s.api(verb::post, "/api/calls", manual_body("bob", long_talk));
  REQUIRE_MESSAGE(first.status == 201, first.body);
  auto second = s.api(verb::post, "/api/calls", manual_body("bob", answers));
  CHECK_MESSAGE(second.status == 409, second.body);

  // Neither refused request wrote a call: only the session's calls and bob's first call (two legs).
  store::store db(s.database(), "NORMAL");
  for (const auto& c : db.list_recent_calls(100)) {
    CAPTURE(c.id);
    CHECK((c.session_id == session || c.id == first.json()["id"].GetString() ||
           c.id == manual_of(s, first.json()["id"].GetString()).agent_call_id));
  }
  // While bob is on the manual call, a session of bob's cannot start either.
  auto bob_session = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "bob"})");
  REQUIRE(bob_session.status == 201);
  auto start = s.api(verb::patch, "/api/power-dialer/sessions/" + std::string(bob_session.json()["id"].GetString()),
                     R"({"action": "start"})");
  CHECK_MESSAGE(start.status == 409, start.body);
}

TEST_CASE("bad manual call requests get 400 naming the field or 404 for an unknown agent, and write nothing") {
  stack s({.scenario_json = scenario(), .time_scale = 10});
  struct bad_case {
    std::string body;
    unsigned status;
    std::string field;
  };
  for (const auto& c : {bad_case{R"({"from": "+15550000002", "to": "+15550301001"})", 400, "agentId"},
                        bad_case{R"({"agentId": "alice", "to": "+15550301001"})", 400, "from"},
                        bad_case{R"({"agentId": "alice", "from": "+15550000002"})", 400, "to"},
                        bad_case{R"({"agentId": "alice", "from": "+15559999999", "to": "+15550301001"})", 400, "from"},
                        bad_case{R"({"agentId": "alice", "from": "+15550000002", "to": "555030100"})", 400, "to"},  // too short
                        bad_case{R"({"agentId": "alice", "from": "+15550000002", "to": 15550301001})", 400, "to"},
                        bad_case{R"({"agentId": "alice", "from": "+15550000002", "to": "+15550301001", "name": 7})", 400, "name"},
                        bad_case{R"({"agentId": "carol", "from": "+15550000002", "to": "+15550301001"})", 404, "agentId"},
                        bad_case{R"([1])", 400, ""}}) {
    CAPTURE(c.body);
    auto r = s.api(verb::post, "/api/calls", c.body);
    CHECK(r.status == c.status);
    auto body = r.json();  // named: err points into it
    auto err = body["error"].GetObject();
    if (!c.field.empty()) CHECK(std::string(err["field"].GetString()) == c.field);
  }
  CHECK(s.api(verb::get, "/api/calls").json()["calls"].Empty());
  CHECK(s.sim(verb::get, "/sim/report").json()["dials"].GetInt() == 0);
}

TEST_CASE("a customer who does not answer ends the manual call as no_answer and the agent leg is hung up") {
  stack s({.scenario_json = scenario(), .time_scale = 10});
  auto r = s.api(verb::post, "/api/calls", manual_body("alice", no_answer));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  const std::string id = r.json()["id"].GetString();
  REQUIRE(test::eventually([&] { return ended(s, id); }, 60s));
  auto call = *call_of(s, id);
  CHECK(call.state.result == domain::outcome::no_answer);
  CHECK(call.state.talk_ms() == 0);
  auto leg_id = manual_of(s, id).agent_call_id;
  REQUIRE(test::eventually([&] { return ended(s, leg_id); }, 30s));
  auto sim_leg = sim_call(s, call_of(s, leg_id)->call_control_id);
  CHECK(std::string(sim_leg["hangup_source"].GetString()) == "caller");  // dialerd hung it up
  CHECK(std::string(sim_leg["state"].GetString()) == "ended");
  REQUIRE(test::eventually([&] { return s.sim(verb::get, "/sim/report").json()["live_calls"].GetInt() == 0; }, 30s));
  store::store db(s.database(), "NORMAL");
  CHECK(db.get_agent("alice").state == domain::agent_state::offline);
}

TEST_CASE("the agent hanging up a manual call hangs up the customer, recorded as connected") {
  stack s({.scenario_json = scenario(), .time_scale = 10});
  auto r = s.api(verb::post, "/api/calls", manual_body("alice", long_talk));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  const std::string id = r.json()["id"].GetString();
  REQUIRE(test::eventually([&] {
    auto c = call_of(s, id);
    return c && c->state.status == domain::call_status::bridged;
  }, 60s));
  auto leg = *call_of(s, manual_of(s, id).agent_call_id);
  auto hung = s.sim(verb::post, "/sim/calls/" + leg.call_control_id + "/hangup");
  REQUIRE_MESSAGE(hung.status == 200, hung.body);
  REQUIRE(test::eventually([&] { return ended(s, id); }, 30s));
  CHECK(call_of(s, id)->state.result == domain::outcome::connected);
  CHECK(std::string(sim_call(s, call_of(s, id)->call_control_id)["state"].GetString()) == "ended");
  store::store db(s.database(), "NORMAL");
  REQUIRE(test::eventually([&] { return db.get_agent("alice").state == domain::agent_state::offline; }, 30s));
  // And the agent can dial again.
  auto again = s.api(verb::post, "/api/calls", manual_body("alice", no_answer));
  CHECK_MESSAGE(again.status == 201, again.body);
}

TEST_CASE("a manual call placed just before a restart dials the customer once the agent answers after it") {
  // Alice picks up after 10 simulated (1 real) seconds: about when dialerd is back.
  std::string slow_agent = scenario();
  slow_agent.replace(slow_agent.find("\"numbers\": {") + 12, 0, R"("sip:alice@agents.example.com": {"ring_s": 10},)");
  stack s({.scenario_json = slow_agent, .time_scale = 10});
  auto r = s.api(verb::post, "/api/calls", manual_body("alice", answers));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  const std::string id = r.json()["id"].GetString();
  CHECK(s.stop_dialerd() == 0);  // the agent's call.answered arrives while dialerd is down: redelivered
  s.restart_dialerd();
  REQUIRE(test::eventually([&] { return ended(s, id); }, 60s));
  CHECK(call_of(s, id)->state.result == domain::outcome::connected);
  // Exactly one dial to the customer, none re-sent by the restart.
  int dials_to_customer = 0;
  auto calls = s.sim(verb::get, "/sim/calls").json();
  for (auto& c : calls["data"].GetArray()) dials_to_customer += std::string(c["to"].GetString()) == answers;
  CHECK(dials_to_customer == 1);
}
