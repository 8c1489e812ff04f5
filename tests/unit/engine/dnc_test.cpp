// The do-not-call list's engine operations on a real SQLite file with no Telnyx traffic: bulk changes
// all or nothing, a listed contact stored failed (outcome dnc) when queued, a listed number refused
// for a manual call, and the do_not_call disposition listing the customer's number.
#include <doctest/doctest.h>

#include "unit/engine/engine_fixture.hpp"

using namespace dialer;

namespace {
engine::create_session_request session_with(std::vector<engine::contact> contacts) {
  engine::create_session_request req;
  req.agent_id = "alice";
  req.contacts = std::move(contacts);
  return req;
}
}  // namespace

TEST_CASE("a bulk add to the do-not-call list with one bad phone names it and lists nothing") {
  test::engine_fixture f;
  auto r = f.eng.add_dnc({"+15550100001", "555-01", "+15550100003"});  // too short to be a number
  REQUIRE_FALSE(r);
  CHECK(r.err().code == engine::errc::invalid_input);
  CHECK(r.err().field == "phones[1]");
  CHECK_FALSE(f.db.is_dnc("+15550100001"));
  CHECK(f.db.list_dnc("", 10).empty());
}

TEST_CASE("a national number on the do-not-call list is stored in E.164, so a dial to it is refused") {
  test::engine_fixture f;
  auto r = f.eng.add_dnc({"(312) 555-0100"});
  REQUIRE(r);
  CHECK(f.db.is_dnc("+13125550100"));
}

TEST_CASE("a bulk add counts new and already listed numbers, a bulk remove the removed and the unlisted") {
  test::engine_fixture f;
  auto first = f.eng.add_dnc({"+15550100001", "+15550100002"});
  REQUIRE(first);
  CHECK(first.value().changed == 2);
  CHECK(first.value().unchanged == 0);
  auto again = f.eng.add_dnc({"+15550100002", "+15550100003", "+15550100003"});
  REQUIRE(again);
  CHECK(again.value().changed == 1);
  CHECK(again.value().unchanged == 2);  // listed already, and a repeat within the batch
  CHECK(f.db.list_dnc("", 10).size() == 3);

  auto bad = f.eng.remove_dnc({"+15550100001", "nope"});
  REQUIRE_FALSE(bad);
  CHECK(bad.err().field == "phones[1]");
  CHECK(f.db.is_dnc("+15550100001"));  // nothing removed
  auto removed = f.eng.remove_dnc({"+15550100001", "+15550100009"});
  REQUIRE(removed);
  CHECK(removed.value().changed == 1);
  CHECK(removed.value().unchanged == 1);
  CHECK_FALSE(f.db.is_dnc("+15550100001"));
  CHECK(f.db.is_dnc("+15550100002"));
}

TEST_CASE("a contact on the do-not-call list is queued as failed with outcome dnc, the others as pending") {
  test::engine_fixture f;
  REQUIRE(f.eng.add_dnc({"+15550100002"}));
  auto s = f.eng.create_session(session_with({{"c1", "Ann", "+15550100001", ""}, {"c2", "Bo", "+15550100002", ""}}));
  REQUIRE(s);
  auto items = f.db.list_items(s.value().id);
  REQUIRE(items.size() == 2);
  for (const auto& q : items) {
    CAPTURE(q.phone);
    if (q.phone == "+15550100002") {
      CHECK(q.state.status == domain::item_status::failed);
      CHECK(q.state.last_outcome == domain::outcome::dnc);
      CHECK(q.state.attempts == 0);
    } else {
      CHECK(q.state.status == domain::item_status::pending);
    }
  }
  // Added later to a session the same way.
  auto added = f.eng.add_contacts(s.value().id, {{"c3", "", "+15550100002", ""}, {"c4", "", "+15550100004", ""}});
  REQUIRE(added);
  CHECK(added.value().duplicates == 1);
  REQUIRE(f.eng.add_dnc({"+15550100005"}));
  auto later = f.eng.add_contacts(s.value().id, {{"c5", "", "+15550100005", ""}});
  REQUIRE(later);
  REQUIRE(later.value().items.size() == 1);
  CHECK(later.value().items[0].state.status == domain::item_status::failed);
  CHECK(f.db.get_item(later.value().items[0].id)->state.last_outcome == domain::outcome::dnc);
}

TEST_CASE("a manual call to a listed number is refused with a conflict naming to, and nothing is written") {
  test::engine_fixture f;
  REQUIRE(f.eng.add_dnc({"+15550100001"}));
  engine::manual_call_request req{"alice", "+15550000001", "+15550100001", "", ""};
  auto r = f.eng.place_manual_call(req);
  REQUIRE_FALSE(r);
  CHECK(r.err().code == engine::errc::conflict);
  CHECK(r.err().field == "to");
  CHECK(r.err().message.find("do-not-call") != std::string::npos);
  CHECK(f.db.list_recent_calls(10).empty());
  CHECK(f.db.get_agent("alice").leg_call_id.empty());
}

TEST_CASE("the do_not_call disposition lists the customer's number, other dispositions do not") {
  test::engine_fixture f;
  auto make = [&](std::string id, std::string to) {
    store::call_record c;
    c.id = std::move(id);
    c.kind = domain::call_kind::manual;
    c.from = "+15550000001";
    c.to = std::move(to);
    c.command_id = "cmd-" + c.id;
    c.started_at_ms = 1;
    auto tx = f.db.begin();
    f.db.insert_call(c);
    tx.commit();
    return c.id;
  };
  auto a = make("call_a", "+15550100007");
  auto b = make("call_b", "+15550100008");
  REQUIRE(f.eng.update_call(a, {.notes = std::nullopt, .disposition = std::string("callback")}));
  CHECK_FALSE(f.db.is_dnc("+15550100007"));
  REQUIRE(f.eng.update_call(b, {.notes = std::nullopt, .disposition = std::string("do_not_call")}));
  CHECK(f.db.is_dnc("+15550100008"));
  CHECK_FALSE(f.db.is_dnc("+15550000001"));  // the caller id is not the customer
}
