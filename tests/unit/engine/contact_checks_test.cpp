// Contacts from the API are stored with E.164 phones (libphonenumber, default region US), and a batch
// with an impossible phone or an unknown time zone is refused whole, naming the field.
#include <doctest/doctest.h>

#include "unit/engine/engine_fixture.hpp"

using namespace dialer;

namespace {
struct fixture : test::engine_fixture {
  std::string session_id;
  fixture() {
    engine::create_session_request req;
    req.agent_id = "alice";
    req.contacts = {{"c1", "Ann", "(312) 555-0100", "America/Chicago"}};
    auto s = eng.create_session(req);
    REQUIRE(s);
    session_id = s.value().id;
  }
};
}  // namespace

TEST_CASE_FIXTURE(fixture, "a national number is stored in E.164 and its E.164 form is a duplicate of it") {
  auto items = db.list_items(session_id);
  REQUIRE(items.size() == 1);
  CHECK(items[0].phone == "+13125550100");
  CHECK(items[0].timezone == "America/Chicago");
  auto again = eng.add_contacts(session_id, {{"c2", "", "+1 312-555-0100", ""}, {"c3", "", "1 (305) 555 0100", ""}});
  REQUIRE(again);
  CHECK(again.value().duplicates == 1);
  CHECK(again.value().added == 1);
  CHECK(db.list_items(session_id).at(1).phone == "+13055550100");
}

TEST_CASE_FIXTURE(fixture, "a batch with an impossible phone or an unknown zone is refused naming the field, nothing added") {
  struct row {
    std::vector<engine::contact> contacts;
    std::string field;
  };
  const std::vector<row> rows{
      {{{"a", "", "+13055550101", ""}, {"b", "", "555-0100", ""}}, "contacts[1].phone"},
      {{{"a", "", "+13055550101", ""}, {"b", "", "+999 123 456", ""}}, "contacts[1].phone"},
      {{{"a", "", "+13055550101", "Europe/Atlantis"}}, "contacts[0].timezone"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.field);
    auto out = eng.add_contacts(session_id, r.contacts);
    REQUIRE_FALSE(out);
    CHECK(out.err().code == engine::errc::invalid_input);
    CHECK(out.err().field == r.field);
    CHECK(db.list_items(session_id).size() == 1);
  }
}

TEST_CASE_FIXTURE(fixture, "a create with a bad session field and a bad contact names the session's field") {
  engine::create_session_request req;
  req.contacts = {{"c9", "", "555-0104", ""}};  // no area code: impossible
  SUBCASE("agentId") {
    req.agent_id = "mallory";
    auto r = eng.create_session(req);
    REQUIRE_FALSE(r);
    CHECK(r.err().field == "agentId");
  }
  SUBCASE("maxAttempts") {
    req.agent_id = "alice";
    req.max_attempts = 0;
    auto r = eng.create_session(req);
    REQUIRE_FALSE(r);
    CHECK(r.err().field == "maxAttempts");
  }
  SUBCASE("with good fields the contact is named") {
    req.agent_id = "bob";
    auto r = eng.create_session(req);
    REQUIRE_FALSE(r);
    CHECK(r.err().field == "contacts[0].phone");
  }
  CHECK(db.list_sessions({}).size() == 1);  // the fixture's only
}
