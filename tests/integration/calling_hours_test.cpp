// Calling hours and phone numbers (SPEC §10) against telnyx-sim: dialerd's engine clock starts just
// before 08:00 in New York (DIALERD_TEST_CLOCK_START), so a contact there waits, with blockedReason and
// nextAttemptAt, and is dialed when its window opens, while one already inside its window is dialed at once.
#include <doctest/doctest.h>

#include <string>

#include "support/api_contract.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using test::stack;
using http::verb;

namespace {

constexpr const char* ringing = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                    "agent": {"answer_after_s": 1}})";
constexpr const char* hours_config =
    R"("compliance": {"drop_message": null, "default_region": "US", "max_calls_per_number_24h": null,
                      "calling_hours": {"start": "08:00", "end": "21:00", "regions": {"US-FL": ["08:00", "20:00"]}}})";

// GET /api/power-dialer/sessions/{id}/queue as a document.
rapidjson::Document queue_of(stack& s, const std::string& id) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions/" + id + "/queue");
  REQUIRE(r.status == 200);
  return r.json();
}

// The item of `queue` whose phone is `phone`, or nullptr.
const rapidjson::Value* item_with_phone(const rapidjson::Document& queue, const std::string& phone) {
  for (const auto& item : queue["items"].GetArray())
    if (item["phone"].GetString() == phone) return &item;
  return nullptr;
}

std::string string_or_null(const rapidjson::Value& v, const char* key) {
  return v[key].IsString() ? v[key].GetString() : "null";
}

// How many calls telnyx-sim has seen to `phone`.
int sim_dials_to(stack& s, const std::string& phone) {
  auto calls = s.sim(verb::get, "/sim/calls").json();
  int n = 0;
  for (const auto& c : calls["data"].GetArray())
    if (c["to"].GetString() == phone) ++n;
  return n;
}

}  // namespace

TEST_CASE("an out-of-hours contact waits for its window and is dialed when it opens, an in-hours one at once") {
  // 11:59:45Z is 07:59:45 in New York (EDT), 06:59:45 in Chicago (CDT), 12:59:45 in London (BST).
  stack s({.scenario_json = ringing, .time_scale = 5, .extra_config = hours_config,
           .dialerd_env = {"DIALERD_TEST_CLOCK_START=2026-07-15T11:59:45Z"}});
  auto created = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "concurrentLines": 3,
      "contacts": [{"id": "ny", "phone": "(212) 555-0100"},
                   {"id": "chicago", "phone": "+1 312 555 0100"},
                   {"id": "london", "phone": "+44 20 7946 0958", "timezone": "Europe/London"}]})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);

  // London is inside its window: dialed at once.
  CHECK(test::eventually([&] { return sim_dials_to(s, "+442079460958") >= 1; }, 10s));
  // New York (from its number, read as a US national number) waits for 08:00 EDT = 12:00Z.
  std::string ny_blocked, ny_next;
  CHECK(test::eventually([&] {
    auto q = queue_of(s, id);
    const auto* ny = item_with_phone(q, "+12125550100");
    if (!ny) return false;
    ny_blocked = string_or_null(*ny, "blockedReason");
    ny_next = string_or_null(*ny, "nextAttemptAt");
    return ny_blocked == "calling_hours";
  }, 10s));
  CHECK(ny_next == "2026-07-15T12:00:00.000Z");
  CHECK(sim_dials_to(s, "+12125550100") == 0);
  auto session = s.api(verb::get, "/api/power-dialer/sessions/" + id).json();
  CHECK(std::string(session["status"].GetString()) == "running");

  // The window opens 15 s after dialerd started: the retry timer brings the item back and it is dialed.
  CHECK(test::eventually([&] { return sim_dials_to(s, "+12125550100") >= 1; }, 40s));
  auto calls = s.api(verb::get, "/api/power-dialer/sessions/" + id + "/calls").json();
  for (const auto& c : calls["calls"].GetArray())
    if (c["to"].GetString() == std::string("+12125550100"))
      CHECK(std::string(c["startedAt"].GetString()) >= "2026-07-15T12:00:00.000Z");

  // Chicago still waits for 08:00 CDT = 13:00Z and was never dialed.
  auto q = queue_of(s, id);
  const auto* chicago = item_with_phone(q, "+13125550100");
  REQUIRE(chicago != nullptr);
  CHECK(string_or_null(*chicago, "blockedReason") == "calling_hours");
  CHECK(string_or_null(*chicago, "nextAttemptAt") == "2026-07-15T13:00:00.000Z");
  CHECK((*chicago)["attempts"].GetInt() == 0);
  CHECK(sim_dials_to(s, "+13125550100") == 0);
}

TEST_CASE("phones from the CRM are normalised to E.164, and impossible ones and unknown zones are a 400 naming the field") {
  stack s({.scenario_json = ringing, .time_scale = 5});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "contacts": [{"phone": "(312) 555-0101", "timezone": "America/Chicago"}]})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string queue = "/api/power-dialer/sessions/" + std::string(created.json()["id"].GetString()) + "/queue";
  auto q = queue_of(s, created.json()["id"].GetString());
  REQUIRE(q["items"].Size() == 1);
  CHECK(std::string(q["items"][0]["phone"].GetString()) == "+13125550101");

  struct bad {
    std::string body, field, error;
  };
  for (const auto& b : std::vector<bad>{
           {R"({"contacts": [{"phone": "+13125550102"}, {"phone": "555-0100"}]})", "contacts[1].phone",
            "not a possible number for US (a local number without its area code)"},
           {R"({"contacts": [{"phone": "+13125550102"}, {"phone": "+1 312 555 01000"}]})", "contacts[1].phone",
            "not a possible number for US (too long)"},
           {R"({"contacts": [{"phone": "+13125550102"}, {"phone": "+13125550103", "timezone": "America/Nowhere"}]})",
            "contacts[1].timezone", "must be an IANA time zone such as \"America/New_York\""}}) {
    CAPTURE(b.body);
    auto r = s.api(verb::post, queue, b.body);
    CHECK(r.status == 400);
    auto problems = test::contract_problems(verb::post, queue, r);
    CHECK_MESSAGE(problems.empty(), test::joined(problems));
    auto doc = r.json();
    CHECK(std::string(doc["error"]["field"].GetString()) == b.field);
    CHECK(std::string(doc["error"]["message"].GetString()) == b.error);
    CHECK(queue_of(s, created.json()["id"].GetString())["items"].Size() == 1);  // nothing written
  }
  // The same national number again is a duplicate of the E.164 one.
  auto again = s.api(verb::post, queue, R"({"contacts": [{"phone": "312-555-0101"}]})");
  CHECK(again.status == 201);
  CHECK(again.json()["duplicates"].GetInt() == 1);
  CHECK(queue_of(s, created.json()["id"].GetString())["items"].Size() == 1);

  auto manual = s.api(verb::post, "/api/calls", R"({"agentId": "bob", "from": "+15550000001", "to": "12345"})");
  CHECK(manual.status == 400);
  CHECK(std::string(manual.json()["error"]["field"].GetString()) == "to");
}
