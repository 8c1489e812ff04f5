// The CRM API's refusals against a real dialerd: authentication, media type, routing, validation with
// the failing field named, state conflicts (409), and the error body shape.
#include <doctest/doctest.h>

#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

// Every contact rings until the ring timeout, so started sessions stay running during a test.
constexpr const char* ringing_scenario = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                             "agent": {"answer_after_s": 1}})";

dialer::test::stack_options options() { return {.scenario_json = ringing_scenario, .time_scale = 5}; }

// Checks the {"error": {"code": string, "message": string, ...}} shape and returns the error object's copy.
rapidjson::Document error_of(const test::reply& r) {
  auto doc = r.json();
  REQUIRE(doc.IsObject());
  REQUIRE(doc.HasMember("error"));
  const auto& e = doc["error"];
  REQUIRE(e.IsObject());
  REQUIRE(e.HasMember("code"));
  REQUIRE(e.HasMember("message"));
  CHECK(e["code"].IsString());
  CHECK(e["message"].IsString());
  CHECK(e["message"].GetStringLength() > 0);
  rapidjson::Document out;
  out.CopyFrom(e, out.GetAllocator());
  return out;
}

std::string field_of(const test::reply& r) {
  auto e = error_of(r);
  if (!e.HasMember("field") || !e["field"].IsString()) return {};
  return e["field"].GetString();
}

std::size_t session_count(stack& s) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions?limit=500");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json()["sessions"].Size();
}

std::string create(stack& s, const std::string& body) {
  auto r = s.api(verb::post, "/api/power-dialer/sessions", body);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.json()["id"].GetString();
}

test::reply act(stack& s, const std::string& id, const std::string& action) {
  return s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": ")" + action + "\"}");
}

std::string status_of(stack& s, const std::string& id) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions/" + id);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json()["status"].GetString();
}

constexpr const char* two_contacts = R"([{"phone": "+15550401001"}, {"phone": "+15550401002"}])";

}  // namespace

TEST_CASE("an API request without a token gets 401 with WWW-Authenticate: Bearer") {
  stack s(options());
  auto r = s.raw(verb::get, "/api/power-dialer/sessions", {}, {});
  CHECK(r.status == 401);
  CHECK(r.header("www-authenticate").rfind("Bearer", 0) == 0);
  CHECK(error_of(r)["code"].IsString());

  SUBCASE("and a create without a token creates nothing") {
    auto c = s.raw(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice"})", {});
    CHECK(c.status == 401);
    CHECK(session_count(s) == 0);
  }
}

TEST_CASE("an API request with a wrong token gets 401") {
  stack s(options());
  SUBCASE("a different token of the same length") {
    std::string wrong(stack::token);
    wrong.back() = wrong.back() == 'x' ? 'y' : 'x';
    auto r = s.raw(verb::get, "/api/power-dialer/sessions", {}, {{"Authorization", "Bearer " + wrong}});
    CHECK(r.status == 401);
  }
  SUBCASE("a prefix of the right token") {
    std::string prefix = std::string(stack::token).substr(0, 10);
    auto r = s.raw(verb::get, "/api/power-dialer/sessions", {}, {{"Authorization", "Bearer " + prefix}});
    CHECK(r.status == 401);
  }
  SUBCASE("the right token under another scheme") {
    auto r = s.raw(verb::get, "/api/power-dialer/sessions", {}, {{"Authorization", std::string("Basic ") + stack::token}});
    CHECK(r.status == 401);
  }
  auto ok = s.api(verb::get, "/api/power-dialer/sessions");
  CHECK(ok.status == 200);
}

TEST_CASE("healthz answers status ok without a token") {
  stack s(options());
  auto r = s.raw(verb::get, "/healthz", {}, {});
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = r.json();
  REQUIRE(doc.HasMember("status"));
  CHECK(std::string(doc["status"].GetString()) == "ok");
}

TEST_CASE("a POST with Content-Type text/plain gets 415 and creates nothing") {
  stack s(options());
  auto r = s.raw(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice"})",
                 {{"Authorization", std::string("Bearer ") + stack::token}, {"Content-Type", "text/plain"}});
  CHECK_MESSAGE(r.status == 415, r.body);
  error_of(r);
  CHECK(session_count(s) == 0);
}

TEST_CASE("a POST whose JSON media type is written in another case or carries a charset is accepted") {
  stack s(options());
  // Media types are case-insensitive (RFC 9110 section 8.3.1), and a charset parameter is common.
  for (std::string type : {"application/json; charset=utf-8", "Application/JSON"}) {
    CAPTURE(type);
    auto r = s.raw(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice"})",
                   {{"Authorization", std::string("Bearer ") + stack::token}, {"Content-Type", type}});
    CHECK_MESSAGE(r.status == 201, r.body);
  }
  CHECK(session_count(s) == 2);
}

TEST_CASE("an unknown route gets 404 with the error body") {
  stack s(options());
  auto r = s.api(verb::get, "/api/power-dialer/no-such-thing");
  CHECK(r.status == 404);
  error_of(r);
  auto outside = s.raw(verb::get, "/nope", {}, {});
  CHECK(outside.status == 404);
}

TEST_CASE("a wrong method on a known route gets 405 with an Allow header listing the right ones") {
  stack s(options());
  auto r = s.api(verb::put, "/api/power-dialer/sessions", R"({"agentId": "alice"})");
  CHECK_MESSAGE(r.status == 405, r.body);
  const auto allow = r.header("allow");
  CHECK_MESSAGE(allow.find("GET") != std::string::npos, allow);
  CHECK_MESSAGE(allow.find("POST") != std::string::npos, allow);
  CHECK_MESSAGE(allow.find("PUT") == std::string::npos, allow);
  error_of(r);
  CHECK(session_count(s) == 0);
}

TEST_CASE("a create whose fourth contact has an invalid phone gets 400 naming contacts[3].phone and creates nothing") {
  stack s(options());
  create(s, R"({"agentId": "bob"})");
  const auto before = session_count(s);
  auto r = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "contacts": [
      {"phone": "+15550401001"}, {"phone": "+15550401002"}, {"phone": "+15550401003"},
      {"phone": "555-0104"}, {"phone": "+15550401005"}]})");
  CHECK_MESSAGE(r.status == 400, r.body);
  CHECK(field_of(r) == "contacts[3].phone");
  CHECK(session_count(s) == before);
  auto listed = s.api(verb::get, "/api/power-dialer/sessions?agentId=alice");
  REQUIRE(listed.status == 200);
  CHECK(listed.json()["sessions"].Size() == 0);
}

TEST_CASE("a create for an unknown agent gets 400 naming agentId") {
  stack s(options());
  auto r = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "mallory"})");
  CHECK_MESSAGE(r.status == 400, r.body);
  CHECK(field_of(r) == "agentId");
  CHECK(session_count(s) == 0);
}

TEST_CASE("a create for an unknown agent with a bad contact gets 400 naming agentId, the session's own field") {
  stack s(options());
  auto r = s.api(verb::post, "/api/power-dialer/sessions",
                 R"({"agentId": "mallory", "contacts": [{"phone": "+15550401001"}, {"phone": "555-0104"}]})");
  CHECK_MESSAGE(r.status == 400, r.body);
  CHECK(field_of(r) == "agentId");
  CHECK(session_count(s) == 0);
}

TEST_CASE("concurrentLines of 0 or above the selected numbers gets 400 naming concurrentLines") {
  stack s(options());
  SUBCASE("zero") {
    auto r = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "concurrentLines": 0})");
    CHECK_MESSAGE(r.status == 400, r.body);
    CHECK(field_of(r) == "concurrentLines");
  }
  SUBCASE("more lines than selected numbers") {
    auto r = s.api(verb::post, "/api/power-dialer/sessions",
                   R"({"agentId": "alice", "selectedNumbers": ["+15550000001", "+15550000002"], "concurrentLines": 3})");
    CHECK_MESSAGE(r.status == 400, r.body);
    CHECK(field_of(r) == "concurrentLines");
  }
  SUBCASE("more lines than the configured numbers when none are selected") {
    auto r = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "concurrentLines": 5})");
    CHECK_MESSAGE(r.status == 400, r.body);
    CHECK(field_of(r) == "concurrentLines");
  }
  CHECK(session_count(s) == 0);
  SUBCASE("as many lines as selected numbers is allowed") {
    auto r = s.api(verb::post, "/api/power-dialer/sessions",
                   R"({"agentId": "alice", "selectedNumbers": ["+15550000001", "+15550000002"], "concurrentLines": 2})");
    CHECK_MESSAGE(r.status == 201, r.body);
  }
}

TEST_CASE("starting a session twice gets 409 the second time") {
  stack s(options());
  auto id = create(s, std::string(R"({"agentId": "alice", "concurrentLines": 1, "contacts": )") + two_contacts + "}");
  auto first = act(s, id, "start");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  auto second = act(s, id, "start");
  CHECK_MESSAGE(second.status == 409, second.body);
  error_of(second);
  CHECK(status_of(s, id) == "running");
  CHECK(act(s, id, "stop").status == 200);
}

TEST_CASE("a second session for the same agent cannot start while the first is running") {
  stack s(options());
  auto first = create(s, std::string(R"({"agentId": "alice", "concurrentLines": 1, "contacts": )") + two_contacts + "}");
  REQUIRE(act(s, first, "start").status == 200);
  auto second = create(s, R"({"agentId": "alice", "concurrentLines": 1, "contacts": [{"phone": "+15550401009"}]})");
  auto r = act(s, second, "start");
  CHECK_MESSAGE(r.status == 409, r.body);
  error_of(r);
  CHECK(status_of(s, second) == "created");
  CHECK(status_of(s, first) == "running");

  SUBCASE("while another agent's session starts") {
    auto bobs = create(s, R"({"agentId": "bob", "concurrentLines": 1, "contacts": [{"phone": "+15550401010"}]})");
    auto b = act(s, bobs, "start");
    CHECK_MESSAGE(b.status == 200, b.body);
    act(s, bobs, "stop");
  }
  CHECK(act(s, first, "stop").status == 200);
}

TEST_CASE("a running session cannot be deleted, once stopped it is deleted with 204 and then not found") {
  stack s(options());
  auto id = create(s, std::string(R"({"agentId": "alice", "concurrentLines": 1, "contacts": )") + two_contacts + "}");
  REQUIRE(act(s, id, "start").status == 200);
  auto refused = s.api(verb::delete_, "/api/power-dialer/sessions/" + id);
  CHECK_MESSAGE(refused.status == 409, refused.body);
  error_of(refused);
  CHECK(status_of(s, id) == "running");

  REQUIRE(act(s, id, "stop").status == 200);
  auto deleted = s.api(verb::delete_, "/api/power-dialer/sessions/" + id);
  CHECK_MESSAGE(deleted.status == 204, deleted.body);
  CHECK(deleted.body.empty());
  auto gone = s.api(verb::get, "/api/power-dialer/sessions/" + id);
  CHECK(gone.status == 404);
  CHECK(s.api(verb::get, "/api/power-dialer/sessions/" + id + "/queue").status == 404);
  CHECK(session_count(s) == 0);
}

TEST_CASE("adding contacts counts phones already in the session or repeated in the batch as duplicates") {
  stack s(options());
  auto id = create(s, std::string(R"({"agentId": "alice", "contacts": )") + two_contacts + "}");
  auto r = s.api(verb::post, "/api/power-dialer/sessions/" + id + "/queue",
                 R"({"contacts": [{"phone": "+15550401002"}, {"phone": "+15550401003", "name": "New"},
                                  {"phone": "+15550401003", "name": "Again"}]})");
  REQUIRE_MESSAGE(r.status / 100 == 2, r.body);
  auto doc = r.json();
  CHECK(doc["added"].GetInt() == 1);
  CHECK(doc["duplicates"].GetInt() == 2);
  REQUIRE(doc["items"].Size() == 1);
  CHECK(std::string(doc["items"][0]["phone"].GetString()) == "+15550401003");
  auto queue = s.api(verb::get, "/api/power-dialer/sessions/" + id + "/queue");
  REQUIRE(queue.status == 200);
  CHECK(queue.json()["items"].Size() == 3);
}

TEST_CASE("getting an unknown session gets 404 with an error body of code and message") {
  stack s(options());
  auto r = s.api(verb::get, "/api/power-dialer/sessions/ses_does_not_exist");
  CHECK(r.status == 404);
  auto e = error_of(r);
  CHECK(std::string(e["code"].GetString()) == "not_found");
  CHECK(r.header("content-type").rfind("application/json", 0) == 0);
}

TEST_CASE("a PATCH carrying both an action and new settings gets 400 and changes neither") {
  stack s(options());
  auto id = create(s, R"({"agentId": "alice", "concurrentLines": 1})");
  auto r = s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start", "concurrentLines": 2})");
  CHECK_MESSAGE(r.status == 400, r.body);
  CHECK(field_of(r) == "action");
  auto session = s.api(verb::get, "/api/power-dialer/sessions/" + id).json();
  CHECK(std::string(session["status"].GetString()) == "created");
  CHECK(session["concurrentLines"].GetInt() == 1);
  // Each alone is accepted.
  CHECK(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"concurrentLines": 2})").status == 200);
  CHECK(s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["concurrentLines"].GetInt() == 2);
}
