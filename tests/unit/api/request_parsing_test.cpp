// Parsing of the queue item, call and agent PATCH bodies and of the listing routes' query parameters.
#include <doctest/doctest.h>

#include "dialer/api/query_params.hpp"
#include "dialer/api/request_bodies.hpp"

using namespace dialer;

TEST_CASE("a queue item patch takes priority and maxAttempts in range and names the bad field") {
  auto both = api::parse_item_patch(R"({"priority": -3, "maxAttempts": 20})");
  REQUIRE(both);
  CHECK(*both.value().priority == -3);
  CHECK(*both.value().max_attempts == 20);
  auto one = api::parse_item_patch(R"({"priority": 1000, "maxAttempts": null})");
  REQUIRE(one);
  CHECK(!one.value().max_attempts);
  for (auto [body, field] : std::vector<std::pair<const char*, const char*>>{
           {R"({"priority": 1001})", "priority"}, {R"({"priority": "1"})", "priority"}, {R"({"priority": 1.5})", "priority"},
           {R"({"maxAttempts": 0})", "maxAttempts"}, {R"({"maxAttempts": 21})", "maxAttempts"}, {R"({})", ""},
           {R"({"other": 1})", ""}, {"not json", ""}}) {
    CAPTURE(body);
    auto r = api::parse_item_patch(body);
    REQUIRE(!r);
    CHECK(r.err().code == engine::errc::invalid_input);
    CHECK(r.err().field == field);
  }
}

TEST_CASE("a call patch keeps notes and disposition, an empty string clears, and control characters in a disposition are refused") {
  auto r = api::parse_call_patch(R"({"notes": "line one\nline two", "disposition": "do_not_call"})");
  REQUIRE(r);
  CHECK(*r.value().notes == "line one\nline two");
  CHECK(*r.value().disposition == "do_not_call");
  auto cleared = api::parse_call_patch(R"({"disposition": ""})");
  REQUIRE(cleared);
  CHECK(cleared.value().disposition->empty());
  CHECK(!cleared.value().notes);
  CHECK(api::parse_call_patch(R"({"disposition": "a\tb"})").err().field == "disposition");
  CHECK(api::parse_call_patch(R"({"disposition": ")" + std::string(65, 'd') + "\"}").err().field == "disposition");
  CHECK(api::parse_call_patch(R"({"notes": ")" + std::string(10001, 'n') + "\"}").err().field == "notes");
  CHECK(api::parse_call_patch(R"({"notes": )" + std::string("[]") + "}").err().field == "notes");
  CHECK(!api::parse_call_patch(R"({"notes": null})"));
}

TEST_CASE("an agent patch needs busy as a boolean") {
  CHECK(api::parse_agent_patch(R"({"busy": true})").value() == true);
  CHECK(api::parse_agent_patch(R"({"busy": false})").value() == false);
  CHECK(api::parse_agent_patch(R"({"busy": 1})").err().field == "busy");
  CHECK(api::parse_agent_patch(R"({"busy": null})").err().field == "busy");
  CHECK(api::parse_agent_patch(R"({})").err().field == "busy");
}

TEST_CASE("limit is the fallback when absent, else a decimal integer in 1..max, else a 400 naming limit") {
  CHECK(api::limit_param({}, 20, 500).value() == 20);
  CHECK(api::limit_param({{"limit", "1"}}, 20, 500).value() == 1);
  CHECK(api::limit_param({{"limit", "500"}}, 20, 500).value() == 500);
  for (const char* bad : {"0", "-1", "501", "", "abc", "10x", "+5", " 5", "1e2", "99999999999999999999"}) {
    CAPTURE(bad);
    auto r = api::limit_param({{"limit", bad}}, 20, 500);
    REQUIRE(!r);
    CHECK(r.err().field == "limit");
    CHECK(r.err().code == engine::errc::invalid_input);
  }
}

TEST_CASE("from and to are ISO 8601 times in Unix ms, absent or empty means unbounded, anything else names the parameter") {
  auto t = api::time_param({{"from", "2026-12-01T09:00:00Z"}}, "from");
  REQUIRE(t);
  CHECK(*t.value() == 1796115600000);
  CHECK(*api::time_param({{"to", "2026-12-01T10:00:00+01:00"}}, "to").value() == 1796115600000);
  CHECK(!api::time_param({}, "from").value());
  CHECK(!api::time_param({{"from", ""}}, "from").value());
  CHECK(api::time_param({{"from", "yesterday"}}, "from").err().field == "from");
  CHECK(api::time_param({{"to", "2026-12-01"}}, "to").err().field == "to");
}
