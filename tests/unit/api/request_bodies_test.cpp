// CRM request bodies: valid bodies parse, bad ones are an error naming the field, and hostile ones
// are errors rather than crashes.
#include "dialer/api/request_bodies.hpp"

#include <doctest/doctest.h>

#include <string>

namespace api = dialer::api;

TEST_CASE("a create-session body parses agent, contacts, numbers and lines") {
  auto r = api::parse_create_session(
      R"({"agentId":"alice","concurrentLines":2,"selectedNumbers":["+15550000001"],
          "contacts":[{"name":"Ann","phone":"+13125550100","timezone":"America/Chicago"}]})");
  REQUIRE(r);
  CHECK(r.value().agent_id == "alice");
  CHECK(r.value().concurrent_lines == 2);
  REQUIRE(r.value().contacts.size() == 1);
  CHECK(r.value().contacts[0].phone == "+13125550100");
  CHECK(r.value().selected_numbers == std::vector<std::string>{"+15550000001"});
}

TEST_CASE("a contact without a phone is an error naming contacts[i].phone") {
  auto r = api::parse_add_contacts(R"({"contacts":[{"phone":"+13125550100"},{"name":"Bob"}]})");
  REQUIRE_FALSE(r);
  CHECK(r.err().field == "contacts[1].phone");
}

// The API accepts bodies up to 1 MiB; RapidJSON's default parser recurses once per nesting level, so
// 1 MiB of '[' overflowed the stack and killed dialerd. Iterative parsing keeps its stack on the heap.
TEST_CASE("a body nested a million levels deep is an invalid-JSON error, not a stack overflow") {
  const std::string deep = std::string(1 << 20, '[');
  for (const std::string& body : {deep, R"({"agentId":"alice","contacts":)" + deep}) {
    auto create = api::parse_create_session(body);
    REQUIRE_FALSE(create);
    CHECK(create.err().message.find("invalid JSON") != std::string::npos);
    CHECK_FALSE(api::parse_session_patch(body));
    CHECK_FALSE(api::parse_add_contacts(body));
  }
  // Deep but complete: parses, then fails on the type of the first field.
  const std::string closed = R"({"agentId":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = api::parse_create_session(closed);
  REQUIRE_FALSE(r);
  CHECK(r.err().field == "agentId");
}

TEST_CASE("a create-session campaignId is kept, absent means default, and a bad one names campaignId") {
  auto r = api::parse_create_session(R"({"agentId":"alice","campaignId":"spring-sale_2026"})");
  REQUIRE(r);
  CHECK(r.value().campaign_id == "spring-sale_2026");
  auto none = api::parse_create_session(R"({"agentId":"alice"})");
  REQUIRE(none);
  CHECK(none.value().campaign_id.empty());  // the engine stores "default"
  for (const char* body : {R"({"agentId":"alice","campaignId":""})", R"({"agentId":"alice","campaignId":"a b"})",
                           R"({"agentId":"alice","campaignId":"../x"})", R"({"agentId":"alice","campaignId":7})"}) {
    CAPTURE(body);
    auto bad = api::parse_create_session(body);
    REQUIRE_FALSE(bad);
    CHECK(bad.err().field == "campaignId");
  }
  auto too_long = api::parse_create_session(R"({"agentId":"alice","campaignId":")" + std::string(65, 'a') + "\"}");
  REQUIRE_FALSE(too_long);
  CHECK(too_long.err().field == "campaignId");
}
