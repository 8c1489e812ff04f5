// Engine operations behind the queue item, call and agent routes, on a real SQLite file with no Telnyx
// traffic: state checks, field-naming refusals, and the live events they emit after the commit.
#include <doctest/doctest.h>

#include "dialer/common/json.hpp"
#include "unit/engine/engine_fixture.hpp"

using namespace dialer;

namespace {

struct fixture : test::engine_fixture {
  std::vector<engine::event> events;
  std::string session_id;
  fixture() {
    eng.events().subscribe([this](const engine::event& e) { events.push_back(e); });
    engine::create_session_request req;
    req.agent_id = "alice";
    req.contacts = {{"c1", "Ann", "+15550100001", ""}, {"c2", "Bo", "+15550100002", ""}};
    auto s = eng.create_session(req);
    REQUIRE(s);
    session_id = s.value().id;
  }
  store::queue_item_record item(int i) { return db.list_items(session_id).at(static_cast<std::size_t>(i)); }
  void set_state(store::queue_item_record q, domain::item_status st, int attempts) {
    q.state.status = st;
    q.state.attempts = attempts;
    auto tx = db.begin();
    db.update_item(q);
    tx.commit();
  }
};

engine::item_patch priority(int n) {
  engine::item_patch p;
  p.priority = n;
  return p;
}
engine::item_patch attempts(int n) {
  engine::item_patch p;
  p.max_attempts = n;
  return p;
}
engine::call_patch notes(std::string text) {
  engine::call_patch p;
  p.notes = std::move(text);
  return p;
}
engine::call_patch disposition(std::string text) {
  engine::call_patch p;
  p.disposition = std::move(text);
  return p;
}

rapidjson::Document data_of(const engine::event& e) {
  rapidjson::Document d;
  d.Parse(e.data.c_str());
  REQUIRE(d.IsObject());
  return d;
}

}  // namespace

TEST_CASE("updating a queue item stores priority and maxAttempts and emits queue.updated") {
  fixture f;
  auto q = f.item(1);
  auto r = f.eng.update_item(f.session_id, q.id, {.priority = 9, .max_attempts = 4});
  REQUIRE(r);
  CHECK(f.db.get_item(q.id)->priority == 9);
  CHECK(f.db.get_item(q.id)->state.max_attempts == 4);
  CHECK(f.item(0).id == q.id);  // now first in dial order
  REQUIRE(f.events.size() == 1);
  CHECK(f.events[0].type == "queue.updated");
  CHECK(f.events[0].session_id == f.session_id);
  CHECK(data_of(f.events[0])["priority"].GetInt() == 9);
}

TEST_CASE("a pending item keeps at least one attempt left, a calling one may stop at the attempts made") {
  fixture f;
  auto q = f.item(0);
  f.set_state(q, domain::item_status::pending, 2);
  auto refused = f.eng.update_item(f.session_id, q.id, attempts(2));
  REQUIRE(!refused);
  CHECK(refused.err().field == "maxAttempts");
  CHECK(f.db.get_item(q.id)->state.max_attempts == 3);
  CHECK(f.eng.update_item(f.session_id, q.id, attempts(3)));
  f.set_state(*f.db.get_item(q.id), domain::item_status::calling, 2);
  CHECK(f.eng.update_item(f.session_id, q.id, attempts(2)));
  CHECK(!f.eng.update_item(f.session_id, q.id, attempts(1)));
  CHECK(f.events.size() == 2);  // refusals emit nothing
}

TEST_CASE("terminal items refuse updates with a conflict, unknown or foreign ids are not found") {
  fixture f;
  auto q = f.item(0);
  for (auto st : {domain::item_status::completed, domain::item_status::failed, domain::item_status::cancelled}) {
    f.set_state(q, st, 1);
    auto r = f.eng.update_item(f.session_id, q.id, priority(1));
    REQUIRE(!r);
    CHECK(r.err().code == engine::errc::conflict);
  }
  CHECK(f.eng.update_item(f.session_id, "itm_nope", priority(1)).err().code == engine::errc::not_found);
  CHECK(f.eng.update_item("ses_nope", q.id, priority(1)).err().code == engine::errc::not_found);
  engine::create_session_request other;
  other.agent_id = "bob";
  auto s2 = f.eng.create_session(other);
  REQUIRE(s2);
  CHECK(f.eng.update_item(s2.value().id, q.id, priority(1)).err().code == engine::errc::not_found);
}

TEST_CASE("cancelling a pending item makes it cancelled once, a calling, completed or failed item is a conflict") {
  fixture f;
  auto q = f.item(0);
  auto r = f.eng.cancel_item(f.session_id, q.id);
  REQUIRE(r);
  CHECK(f.db.get_item(q.id)->state.status == domain::item_status::cancelled);
  REQUIRE(f.events.size() == 1);
  CHECK(std::string(data_of(f.events[0])["status"].GetString()) == "cancelled");
  CHECK(f.eng.cancel_item(f.session_id, q.id));  // again: fine, nothing new emitted
  CHECK(f.events.size() == 1);
  auto other = f.item(1);
  for (auto st : {domain::item_status::calling, domain::item_status::completed, domain::item_status::failed}) {
    f.set_state(other, st, 1);
    auto refused = f.eng.cancel_item(f.session_id, other.id);
    REQUIRE(!refused);
    CHECK(refused.err().code == engine::errc::conflict);
    CHECK(f.db.get_item(other.id)->state.status == st);
  }
}

TEST_CASE("a call's notes and disposition are stored and sent in call.updated") {
  fixture f;
  store::call_record c;
  c.id = "call_notes_1";
  c.session_id = f.session_id;
  c.queue_item_id = f.item(0).id;
  c.from = "+15550000001";
  c.to = "+15550100001";
  c.command_id = "cmd";
  c.started_at_ms = 1;
  {
    auto tx = f.db.begin();
    f.db.insert_call(c);
    tx.commit();
  }
  auto r = f.eng.update_call(c.id, {.notes = std::string("call back at 5"), .disposition = std::string("callback")});
  REQUIRE(r);
  CHECK(f.db.get_call(c.id)->notes == "call back at 5");
  CHECK(f.db.get_call(c.id)->disposition == "callback");
  REQUIRE(f.events.size() == 1);
  CHECK(f.events[0].type == "call.updated");
  auto d = data_of(f.events[0]);
  CHECK(std::string(d["callId"].GetString()) == c.id);
  CHECK(std::string(d["notes"].GetString()) == "call back at 5");
  CHECK(std::string(d["disposition"].GetString()) == "callback");
  // Only the disposition: the notes stay.
  REQUIRE(f.eng.update_call(c.id, disposition("")));
  CHECK(f.db.get_call(c.id)->notes == "call back at 5");
  CHECK(f.db.get_call(c.id)->disposition.empty());
  CHECK(f.eng.update_call("call_nope", notes("x")).err().code == engine::errc::not_found);
}

TEST_CASE("the busy flag is kept per configured agent, an unknown agent is not found") {
  fixture f;
  auto r = f.eng.set_agent_busy("alice", true);
  REQUIRE(r);
  CHECK(f.db.get_agent("alice").busy);
  CHECK(!f.db.get_agent("bob").busy);
  REQUIRE(f.eng.set_agent_busy("alice", false));
  CHECK(!f.db.get_agent("alice").busy);
  CHECK(f.eng.set_agent_busy("mallory", true).err().code == engine::errc::not_found);
}

TEST_CASE("an agent's second session cannot start while the first is running or paused, another agent's can") {
  fixture f;
  auto new_session_of = [&](const std::string& agent) {
    engine::create_session_request req;
    req.agent_id = agent;
    auto s = f.eng.create_session(req);
    REQUIRE(s);
    return s.value().id;
  };
  REQUIRE(f.eng.start_session(f.session_id));
  const auto second = new_session_of("alice");
  auto refused = f.eng.start_session(second);
  REQUIRE_FALSE(refused);
  CHECK(refused.err().code == engine::errc::conflict);
  CHECK(refused.err().message.find(f.session_id) != std::string::npos);  // names the session in the way
  REQUIRE(f.eng.pause_session(f.session_id));
  CHECK_FALSE(f.eng.start_session(second));
  CHECK(f.db.get_session(second)->status == domain::session_status::created);

  auto started = f.eng.start_session(new_session_of("bob"));
  REQUIRE(started);
  CHECK(started.value().status == domain::session_status::running);
}
