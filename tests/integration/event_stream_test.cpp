// GET /api/events against real dialerd and telnyx-sim processes: a client follows the stream through
// whole sessions and what it sees is checked against dialerd's database; filters, resume, auth and
// heartbeats.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "dialer/store/store.hpp"
#include "support/sse_reader.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using test::sse_event;
using test::sse_reader;
using test::stack;
using http::verb;

namespace {

std::string phone(int i) { return "+1555030" + std::to_string(1000 + i); }

std::string contacts_json(int from, int to) {
  std::string out = "[";
  for (int i = from; i < to; ++i)
    out += (i > from ? "," : "") + std::string(R"({"id": "c)") + std::to_string(i) + R"(", "name": "Contact )" +
           std::to_string(i) + R"(", "phone": ")" + phone(i) + "\"}";
  return out + "]";
}

// Contact 0 answers after 1 s and talks 5 s; contact 1 answers after 4 s, while the agent talks to 0,
// so it is dropped and redialed at the head of the queue (its redial answers after the agent is free
// again, about 8 s in); the rest never answer.
std::string two_answer_scenario() {
  return R"({"agent": {"answer_after_s": 1}, "unbridged_patience_s": 30, "numbers": {
      ")" + phone(0) + R"(": {"outcome": "answer", "ring_s": {"min": 1, "max": 1}, "talk_s": {"min": 5, "max": 5}},
      ")" + phone(1) + R"(": {"outcome": "answer", "ring_s": {"min": 4, "max": 4}, "talk_s": {"min": 5, "max": 5}},
      ")" + phone(2) + R"(": {"outcome": "no_answer"}, ")" + phone(3) + R"(": {"outcome": "no_answer"}}})";
}

std::string create_session(stack& s, const std::string& agent, const std::string& contacts) {
  auto r = s.api(verb::post, "/api/power-dialer/sessions",
                 R"({"agentId": ")" + agent + R"(", "concurrentLines": 2, "contacts": )" + contacts + "}");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.json()["id"].GetString();
}

void patch_action(stack& s, const std::string& id, const std::string& action) {
  auto r = s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": ")" + action + "\"}");
  REQUIRE_MESSAGE(r.status == 200, r.body);
}

std::string session_status(stack& s, const std::string& id) {
  return s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["status"].GetString();
}

rapidjson::Document data_of(const sse_event& e) {
  rapidjson::Document d;
  d.Parse(e.data.c_str());
  REQUIRE_MESSAGE(!d.HasParseError(), e.data);
  REQUIRE(d.IsObject());
  return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
  auto* m = json::member(v, key);
  return m && m->IsString() ? m->GetString() : std::string();
}

std::vector<std::pair<std::string, std::string>> bearer() {
  return {{"Authorization", std::string("Bearer ") + stack::token}};
}

}  // namespace

TEST_CASE("a client following the stream through a session sees call.connected and call.dropped for the right contacts") {
  stack s({.scenario_json = two_answer_scenario(), .time_scale = 3});
  sse_reader events(s.dialerd_port(), "/api/events", bearer());
  REQUIRE(test::eventually([&] { return events.status() != 0; }, 10s));
  CHECK(events.status() == 200);
  CHECK(events.header("content-type") == "text/event-stream");

  auto id = create_session(s, "alice", contacts_json(0, 4));
  patch_action(s, id, "start");
  REQUIRE(test::eventually([&] { return session_status(s, id) == "completed"; }, 120s));

  store::store db(s.database(), "NORMAL");
  std::map<std::string, store::call_record> calls;  // customer calls by id
  for (auto& c : db.list_session_calls(id, 1000))
    if (c.kind == domain::call_kind::customer) calls.emplace(c.id, c);
  // Every customer call's end reaches the client, and the session's completion after it.
  REQUIRE(test::eventually([&] { return events.events_of("call.ended").size() == calls.size(); }, 20s));
  REQUIRE(test::eventually([&] {
    for (const auto& e : events.events_of("session.updated"))
      if (str(data_of(e), "status") == "completed") return true;
    return false;
  }, 20s));

  {  // ids increase by one, in order
    auto all = events.events();
    REQUIRE_FALSE(all.empty());
    for (std::size_t i = 1; i < all.size(); ++i) CHECK(std::stoull(all[i].id) == std::stoull(all[i - 1].id) + 1);
  }

  {  // call.connected names the bridged call's contact, caller number and agent
    std::set<std::string> connected_contacts;
    for (const auto& e : events.events_of("call.connected")) {
      auto d = data_of(e);
      CHECK(str(d, "sessionId") == id);
      CHECK(str(d, "agentId") == "alice");
      auto it = calls.find(str(d, "callId"));
      REQUIRE_MESSAGE(it != calls.end(), e.data);
      const auto& call = it->second;
      CHECK(call.state.bridged_at_ms.has_value());
      CHECK(str(d, "contactId") == call.contact_id);
      CHECK(str(d, "phone") == call.to);
      CHECK(str(d, "from") == call.from);
      CHECK(str(d, "queueItemId") == call.queue_item_id);
      CHECK(str(d, "name") == "Contact " + call.contact_id.substr(1));
      connected_contacts.insert(call.contact_id);
    }
    std::set<std::string> completed;  // the database's view: items connected to the agent
    for (const auto& item : db.list_items(id))
      if (item.state.status == domain::item_status::completed) completed.insert(item.contact_id);
    CHECK(connected_contacts == completed);
    CHECK(connected_contacts.count("c0") == 1);
  }

  {  // call.dropped names the dropped call's contact and the retry at the head of the queue
    auto dropped = events.events_of("call.dropped");
    std::vector<std::string> dropped_in_db;
    for (const auto& [cid, c] : calls)
      if (c.state.result == domain::outcome::dropped_agent_busy) dropped_in_db.push_back(cid);
    REQUIRE(dropped_in_db.size() >= 1);
    REQUIRE(dropped.size() == dropped_in_db.size());
    for (const auto& e : dropped) {
      auto d = data_of(e);
      auto it = calls.find(str(d, "callId"));
      REQUIRE_MESSAGE(it != calls.end(), e.data);
      CHECK(it->second.state.result == domain::outcome::dropped_agent_busy);
      CHECK(str(d, "contactId") == it->second.contact_id);
      CHECK(str(d, "contactId") == "c1");
      CHECK(str(d, "phone") == phone(1));
      const auto& retry = d["retry"];
      const int attempts = retry["attempts"].GetInt();
      CHECK(attempts >= 1);
      CHECK(retry["maxAttempts"].GetInt() == 3);
      CHECK(str(retry, "status") == (attempts < 3 ? "pending" : "failed"));
      CHECK(retry["attemptsLeft"].GetInt() == 3 - attempts);
      CHECK(retry["headOfQueue"].GetBool() == (attempts < 3));
    }
  }

  {  // call.ended carries each call's outcome and talk time as stored
    for (const auto& e : events.events_of("call.ended")) {
      auto d = data_of(e);
      auto it = calls.find(str(d, "callId"));
      REQUIRE_MESSAGE(it != calls.end(), e.data);
      const auto& c = it->second;
      CHECK(str(d, "outcome") == std::string(domain::to_string(c.state.result)));
      CHECK(d["talkSeconds"].GetInt64() == c.state.talk_ms() / 1000);
      CHECK(str(d, "contactId") == c.contact_id);
    }
  }
}

TEST_CASE("?sessionId= streams only that session's events, and Last-Event-ID resumes after a given event") {
  // Nobody answers: each contact rings out, so both sessions keep producing events.
  stack s({.scenario_json = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                "agent": {"answer_after_s": 1}})",
           .time_scale = 10, .max_attempts = 1});
  auto a = create_session(s, "alice", contacts_json(0, 3));
  auto b = create_session(s, "bob", contacts_json(3, 6));
  sse_reader all(s.dialerd_port(), "/api/events", bearer());
  sse_reader only_a(s.dialerd_port(), "/api/events?sessionId=" + a, bearer());
  REQUIRE(test::eventually([&] { return all.status() == 200 && only_a.status() == 200; }, 10s));
  patch_action(s, a, "start");
  patch_action(s, b, "start");
  REQUIRE(test::eventually([&] { return session_status(s, a) == "completed" && session_status(s, b) == "completed"; }, 120s));
  auto session_of = [](const sse_event& e) { return str(data_of(e), "sessionId"); };
  REQUIRE(test::eventually([&] { return all.events_of("call.ended").size() == 6; }, 20s));
  REQUIRE(test::eventually([&] { return only_a.events_of("call.ended").size() == 3; }, 20s));

  std::set<std::string> sessions_seen;
  for (const auto& e : all.events()) sessions_seen.insert(session_of(e));
  CHECK(sessions_seen.count(a) == 1);
  CHECK(sessions_seen.count(b) == 1);
  std::vector<std::string> a_ids;  // what the unfiltered client saw of session a, in order
  for (const auto& e : all.events())
    if (session_of(e) == a) a_ids.push_back(e.id);
  std::vector<std::string> filtered_ids;
  for (const auto& e : only_a.events()) {
    CHECK(session_of(e) == a);
    filtered_ids.push_back(e.id);
  }
  CHECK(filtered_ids == a_ids);

  {  // a reconnect with Last-Event-ID gets exactly the events after it
    auto seen = all.events();
    REQUIRE(seen.size() > 4);
    const auto resume_after = seen[seen.size() / 2].id;
    auto resumed_headers = bearer();
    resumed_headers.emplace_back("Last-Event-ID", resume_after);
    sse_reader resumed(s.dialerd_port(), "/api/events", resumed_headers);
    const std::size_t expected = seen.size() - seen.size() / 2 - 1;
    REQUIRE(test::eventually([&] { return resumed.events().size() >= expected; }, 10s));
    auto got = resumed.events();
    for (std::size_t i = 0; i < expected; ++i) {
      CHECK(got[i].id == seen[seen.size() / 2 + 1 + i].id);
      CHECK(got[i].data == seen[seen.size() / 2 + 1 + i].data);
    }
  }

  {  // an unknown sessionId is 404
    sse_reader unknown(s.dialerd_port(), "/api/events?sessionId=ses_nope", bearer());
    REQUIRE(test::eventually([&] { return unknown.body().find("sessionId") != std::string::npos; }, 10s));
    CHECK(unknown.status() == 404);
    CHECK(unknown.events().empty());
    CHECK(unknown.body().find("sessionId") != std::string::npos);
  }
}

TEST_CASE("GET /api/events needs a Bearer token; an idle stream gets heartbeats and ends with dialerd") {
  stack s({.scenario_json = R"({"agent": {"answer_after_s": 1}})", .events_heartbeat_s = 1});
  auto none = s.raw(verb::get, "/api/events", "", {});
  CHECK(none.status == 401);
  CHECK(none.header("www-authenticate") == "Bearer");
  auto wrong = s.raw(verb::get, "/api/events", "", {{"Authorization", "Bearer not-the-token-at-all-0000"}});
  CHECK(wrong.status == 401);

  sse_reader idle(s.dialerd_port(), "/api/events", bearer());
  REQUIRE(test::eventually([&] { return idle.heartbeats() >= 2; }, 20s));
  CHECK(idle.events().empty());
  CHECK(idle.status() == 200);
  CHECK_FALSE(idle.closed());
  CHECK(s.stop_dialerd() == 0);
  CHECK(test::eventually([&] { return idle.closed(); }, 10s));
}
