// config/dialer-api.openapi.json against the router: every route is documented and every documented
// operation is routed, and the document's own examples of each schema hold.
#include <doctest/doctest.h>

#include <set>

#include "dialer/telnyx/openapi_validator.hpp"
#include "unit/api/service_fixture.hpp"

using namespace dialer;

namespace {
std::unique_ptr<telnyx::openapi_validator> load_document() {
  std::string error;
  auto doc = telnyx::openapi_validator::load_file(std::string(DIALER_SOURCE_DIR) + "/config/dialer-api.openapi.json", &error);
  REQUIRE_MESSAGE(doc, error);
  return doc;
}
}  // namespace

TEST_CASE("every route of service::routes() is in the OpenAPI document and every documented operation is routed") {
  test::service_fixture f;
  auto doc = load_document();
  std::set<std::pair<std::string, std::string>> routed, documented;
  for (const auto& [method, pattern] : f.svc.routes().routes())
    routed.emplace(std::string(http::bhttp::to_string(method)), pattern);
  for (const auto& op : doc->operations()) documented.insert(op);
  REQUIRE(routed.size() >= 19);
  for (const auto& r : routed) CHECK_MESSAGE(documented.count(r), r.first << " " << r.second << " is routed but not documented");
  for (const auto& d : documented) CHECK_MESSAGE(routed.count(d), d.first << " " << d.second << " is documented but not routed");
}

TEST_CASE("each documented request body schema accepts a good body and names the field of a bad one") {
  auto doc = load_document();
  CHECK(doc->validate_request("PATCH", "/api/power-dialer/sessions/{id}/queue/{itemId}", R"({"priority": 3})").empty());
  auto bad = doc->validate_request("PATCH", "/api/power-dialer/sessions/{id}/queue/{itemId}", R"({"maxAttempts": 0})");
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].rfind("maxAttempts:", 0) == 0);
  CHECK(doc->validate_request("PATCH", "/api/agents/{id}", R"({"busy": true})").empty());
  CHECK(!doc->validate_request("PATCH", "/api/agents/{id}", R"({"busy": "yes"})").empty());
  CHECK(doc->validate_request("POST", "/api/power-dialer/sessions",
                              R"({"agentId": "alice", "contacts": [{"phone": "+15550000001", "name": null}]})").empty());
}

TEST_CASE("a response is checked for a documented status and a body that fits its schema") {
  auto doc = load_document();
  const std::string agent = R"({"id": "alice", "name": "Alice", "endpoint": null, "state": "ready", "busy": false, "sessionId": null})";
  CHECK(doc->validate_response("PATCH", "/api/agents/{id}", 200, agent).empty());
  CHECK(!doc->validate_response("PATCH", "/api/agents/{id}", 200, R"({"id": "alice"})").empty());  // required fields
  CHECK(!doc->validate_response("PATCH", "/api/agents/{id}", 200,
                                R"({"id": "a", "name": "A", "endpoint": null, "state": "asleep", "busy": false, "sessionId": null})").empty());
  auto extra = doc->validate_response("PATCH", "/api/agents/{id}", 200, agent.substr(0, agent.size() - 1) + R"(, "mood": "calm"})");
  REQUIRE(extra.size() == 1);
  CHECK(extra[0] == "mood: unknown property");  // an undocumented field is caught
  auto undocumented = doc->validate_response("GET", "/api/agents", 409, R"({"error": {"code": "c", "message": "m"}})");
  REQUIRE(undocumented.size() == 1);
  CHECK(undocumented[0].rfind("status:", 0) == 0);
  CHECK(doc->validate_response("DELETE", "/api/power-dialer/sessions/{id}", 204, "").empty());
  CHECK(!doc->validate_response("DELETE", "/api/power-dialer/sessions/{id}", 204, "{}").empty());
  CHECK(doc->validate_response("GET", "/metrics", 200, "# HELP x y\n").empty());
  CHECK(!doc->validate_response("GET", "/nowhere", 200, "{}").empty());
}
