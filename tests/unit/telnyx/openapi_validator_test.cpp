// The OpenAPI request validator: real Call Control bodies against the shipped copy of the official
// document, and each supported JSON Schema keyword against small inline documents.
#include "dialer/telnyx/openapi_validator.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dialer/telnyx/rest_client.hpp"

using dialer::telnyx::openapi_validator;
using dialer::telnyx::rest_client;

namespace {

const openapi_validator& telnyx_doc() {
  static const std::unique_ptr<openapi_validator> v = [] {
    std::string error;
    auto loaded = openapi_validator::load_file(DIALER_SOURCE_DIR "/config/telnyx-call-control-openapi.json", &error);
    REQUIRE_MESSAGE(loaded, error);
    return loaded;
  }();
  return *v;
}

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

bool has_problem_at(const std::vector<std::string>& problems, const std::string& path) {
  return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) { return p.starts_with(path + ": "); });
}

const char* dial = "/calls";
const char* bridge = "/calls/{call_control_id}/actions/bridge";

const std::string valid_dial = R"({"connection_id": "1234567890", "to": "+15550001111", "from": "+15550000001",
  "timeout_secs": 30, "client_state": "aGVsbG8=", "command_id": "d-1"})";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A tiny document whose request body schema is `schema`, reachable as POST /t.
std::unique_ptr<openapi_validator> with_schema(const std::string& schema, const std::string& components = "{}") {
  const std::string doc = R"({"openapi": "3.1.0", "paths": {"/t": {"post": {"requestBody": {"required": true,
    "content": {"application/json": {"schema": )" + schema + R"(}}}}}}, "components": {"schemas": )" +
                          components + "}}";
  std::string error;
  auto v = openapi_validator::load(doc, &error);
  REQUIRE_MESSAGE(v, error);
  return v;
}

}  // namespace

TEST_CASE("the shipped OpenAPI document is the official one from the shared folder") {
  CHECK(read(DIALER_SOURCE_DIR "/config/telnyx-call-control-openapi.json") ==
        read(TELNYX_SHARED_DIR "/call-control-openapi.json"));
}

TEST_CASE("a complete dial body validates") {
  auto problems = telnyx_doc().validate_request("POST", dial, valid_dial);
  CHECK_MESSAGE(problems.empty(), joined(problems));
}

TEST_CASE("a dial without to is rejected naming to") {
  auto problems = telnyx_doc().validate_request("POST", dial, R"({"connection_id": "1", "from": "+15550000001"})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "to: required");
}

TEST_CASE("a dial with timeout_secs as a string is rejected") {
  auto problems = telnyx_doc().validate_request(
      "POST", dial, R"({"connection_id": "1", "to": "+15550001111", "from": "+15550000001", "timeout_secs": "30"})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "timeout_secs: must be of type integer");
}

TEST_CASE("the dial limits are the document's, not its prose") {
  // The document states "minimum 5" for timeout_secs only in its description, so 3 is valid
  // by the schema; time_limit_secs has a real minimum of 30.
  const std::string base = R"({"connection_id": "1", "to": "+15550001111", "from": "+15550000001", )";
  CHECK(telnyx_doc().validate_request("POST", dial, base + R"("timeout_secs": 3})").empty());
  auto problems = telnyx_doc().validate_request("POST", dial, base + R"("time_limit_secs": 29})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "time_limit_secs: must be >= 30");
  problems = telnyx_doc().validate_request("POST", dial, base + R"("time_limit_secs": 14401})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "time_limit_secs: must be <= 14400");
}

TEST_CASE("dial to may be one destination or an array of them") {
  const std::string base = R"({"connection_id": "1", "from": "+15550000001", )";
  CHECK(telnyx_doc().validate_request("POST", dial, base + R"("to": ["+15550001111", "sip:a@b.c"]})").empty());
  auto problems = telnyx_doc().validate_request("POST", dial, base + R"("to": true})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "to: must be of type string or array");
  problems = telnyx_doc().validate_request("POST", dial, base + R"("to": ["+15550001111", 5]})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "to[1]: must be of type string");
}

TEST_CASE("an unknown answering machine detection mode is rejected") {
  auto problems = telnyx_doc().validate_request(
      "post", dial,
      R"({"connection_id": "1", "to": "+15550001111", "from": "+15550000001", "answering_machine_detection": "on"})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].starts_with("answering_machine_detection: must be one of \"premium\", \"detect\""));
}

TEST_CASE("bridge accepts park_after_unbridge self and rejects a boolean") {
  CHECK(telnyx_doc().validate_request("POST", bridge, R"({"call_control_id": "v3:b", "park_after_unbridge": "self"})").empty());
  auto problems =
      telnyx_doc().validate_request("POST", bridge, R"({"call_control_id": "v3:b", "park_after_unbridge": true})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "park_after_unbridge: must be of type string");
  CHECK(has_problem_at(telnyx_doc().validate_request("POST", bridge, R"({"park_after_unbridge": "self"})"),
                       "call_control_id"));
}

TEST_CASE("the other actions a dialer sends validate against their schemas") {
  const auto& v = telnyx_doc();
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/hangup", "{}").empty());
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/answer", R"({"command_id": "a"})").empty());
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/speak",
                           R"({"payload": "Hello", "voice": "female", "loop": 2})")
            .empty());
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/speak", R"({"payload": "Hello"})") ==
        std::vector<std::string>{"voice: required"});
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/speak",
                           R"({"payload": "Hi", "voice": "female", "loop": 1.5})") ==
        std::vector<std::string>{"loop: must be of type string or integer"});
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/playback_start",
                           R"({"audio_url": "https://x/a.mp3", "loop": "infinity"})")
            .empty());
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/transfer", R"({"to": "+15550001111"})").empty());
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/transfer", "{}") ==
        std::vector<std::string>{"to: required"});
}

TEST_CASE("voice_settings is checked against the branch its type names") {
  const auto& v = telnyx_doc();
  const std::string speak = "/calls/{call_control_id}/actions/speak";
  CHECK(v.validate_request("POST", speak, R"({"payload": "Hi", "voice": "AWS.Polly.Joanna",
      "voice_settings": {"type": "aws"}})").empty());
  auto problems = v.validate_request("POST", speak, R"({"payload": "Hi", "voice": "x",
      "voice_settings": {"type": "nope"}})");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].starts_with("voice_settings.type: must be one of "));
}

TEST_CASE("a body that is not JSON, or is missing, is one problem") {
  auto problems = telnyx_doc().validate_request("POST", dial, R"({"to": )");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].starts_with("body: invalid JSON at offset "));
  CHECK(telnyx_doc().validate_request("POST", dial, "") ==
        std::vector<std::string>{"body: required (send at least {})"});
  CHECK(telnyx_doc().validate_request("POST", bridge, "[]") ==
        std::vector<std::string>{"body: must be of type object"});
}

TEST_CASE("an operation the document lacks is reported, not accepted") {
  auto problems = telnyx_doc().validate_request("DELETE", dial, "{}");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].starts_with("operation: "));
  CHECK(telnyx_doc().validate_request("POST", "/nowhere", "{}").size() == 1);
}

TEST_CASE("an operation without a request body accepts any body") {
  CHECK(telnyx_doc().validate_request("GET", "/calls/{call_control_id}", "").empty());
}

TEST_CASE("match_path finds the template of a concrete path") {
  const auto& v = telnyx_doc();
  CHECK(v.match_path("/calls") == "/calls");
  CHECK(v.match_path("/calls/v3:abc-DEF_1/actions/bridge") == "/calls/{call_control_id}/actions/bridge");
  CHECK(v.match_path("/calls/v3:abc/actions/hangup?x=1") == "/calls/{call_control_id}/actions/hangup");
  CHECK(v.match_path("/calls/v3:abc") == "/calls/{call_control_id}");
  CHECK(v.match_path("/v2/calls/v3:abc/actions/speak") == "/calls/{call_control_id}/actions/speak");
  CHECK(v.match_path("/connections/123/active_calls") == "/connections/{connection_id}/active_calls");
  CHECK_FALSE(v.match_path("/calls//actions/bridge"));
  CHECK_FALSE(v.match_path("/calls/v3:abc/actions/explode"));
  CHECK_FALSE(v.match_path("/v3/calls"));
  CHECK_FALSE(v.match_path(""));
}

TEST_CASE("loading fails with a reason for a missing file, bad JSON, no paths or a dangling ref") {
  std::string error;
  CHECK_FALSE(openapi_validator::load_file("/nonexistent/openapi.json", &error));
  CHECK(error.find("/nonexistent/openapi.json") != std::string::npos);
  CHECK_FALSE(openapi_validator::load("{", &error));
  CHECK(error.starts_with("invalid JSON"));
  CHECK_FALSE(openapi_validator::load(R"({"openapi": "3.1.0"})", &error));
  CHECK(error.find("paths") != std::string::npos);
  CHECK_FALSE(openapi_validator::load(R"({"paths": {}, "x": {"$ref": "#/components/schemas/Nope"}})", &error));
  CHECK(error == "unresolved $ref #/components/schemas/Nope");
  CHECK_FALSE(openapi_validator::load(R"({"paths": {}, "x": {"$ref": "other.json#/a"}})", &error));
  CHECK(error.starts_with("unsupported external $ref"));
}

TEST_CASE("schema keywords: additionalProperties false rejects unknown properties") {
  auto v = with_schema(R"({"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": false})");
  CHECK(v->validate_request("POST", "/t", R"({"a": 1})").empty());
  CHECK(v->validate_request("POST", "/t", R"({"a": 1, "b": 2})") == std::vector<std::string>{"b: unknown property"});
  auto open = with_schema(R"({"type": "object", "properties": {"a": {"type": "integer"}}})");
  CHECK(open->validate_request("POST", "/t", R"({"a": 1, "b": 2})").empty());
  auto typed = with_schema(R"({"type": "object", "additionalProperties": {"type": "string"}})");
  CHECK(typed->validate_request("POST", "/t", R"({"k": 2})") == std::vector<std::string>{"k: must be of type string"});
}

TEST_CASE("schema keywords: numbers, integers, lengths and patterns") {
  auto v = with_schema(R"({"type": "object", "properties": {
      "i": {"type": "integer", "minimum": 1, "maximum": 3},
      "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
      "s": {"type": "string", "minLength": 2, "maxLength": 3},
      "p": {"type": "string", "pattern": "^wss?://"},
      "a": {"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 2},
      "n": {"type": ["string", "null"]}, "o": {"type": "string", "nullable": true}}})");
  CHECK(v->validate_request("POST", "/t", R"({"i": 2.0, "x": 0.5, "s": "\u00e9\u00e9", "p": "wss://h", "a": [true],
      "n": null, "o": null})").empty());
  CHECK(v->validate_request("POST", "/t", R"({"i": 2.5})") == std::vector<std::string>{"i: must be of type integer"});
  CHECK(v->validate_request("POST", "/t", R"({"i": 0})") == std::vector<std::string>{"i: must be >= 1"});
  CHECK(v->validate_request("POST", "/t", R"({"i": 4})") == std::vector<std::string>{"i: must be <= 3"});
  CHECK(v->validate_request("POST", "/t", R"({"x": 0})") == std::vector<std::string>{"x: must be > 0"});
  CHECK(v->validate_request("POST", "/t", R"({"x": 1})") == std::vector<std::string>{"x: must be < 1"});
  CHECK(v->validate_request("POST", "/t", R"({"s": "a"})") == std::vector<std::string>{"s: must be at least 2 characters"});
  CHECK(v->validate_request("POST", "/t", R"({"s": "abcd"})") == std::vector<std::string>{"s: must be at most 3 characters"});
  CHECK(v->validate_request("POST", "/t", R"({"p": "http://h"})") ==
        std::vector<std::string>{"p: must match the pattern ^wss?://"});
  CHECK(v->validate_request("POST", "/t", R"({"a": []})") == std::vector<std::string>{"a: must have at least 1 items"});
  CHECK(v->validate_request("POST", "/t", R"({"a": [true, 1, 2]})") ==
        std::vector<std::string>{"a: must have at most 2 items", "a[1]: must be of type boolean",
                                 "a[2]: must be of type boolean"});
  CHECK(v->validate_request("POST", "/t", R"({"n": 1})") == std::vector<std::string>{"n: must be of type string or null"});
}

TEST_CASE("schema keywords: allOf needs every branch, anyOf one, oneOf exactly one, not none") {
  const std::string components = R"({"A": {"type": "object", "required": ["a"]},
                                      "B": {"type": "object", "required": ["b"]}})";
  auto all = with_schema(R"({"allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]})", components);
  CHECK(all->validate_request("POST", "/t", R"({"a": 1, "b": 2})").empty());
  CHECK(all->validate_request("POST", "/t", R"({"a": 1})") == std::vector<std::string>{"b: required"});

  auto any = with_schema(R"({"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]})", components);
  CHECK(any->validate_request("POST", "/t", R"({"a": 1, "b": 2})").empty());
  CHECK(any->validate_request("POST", "/t", R"({"b": 2})").empty());
  CHECK_FALSE(any->validate_request("POST", "/t", R"({"c": 3})").empty());

  auto one = with_schema(R"({"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]})", components);
  CHECK(one->validate_request("POST", "/t", R"({"a": 1})").empty());
  CHECK(one->validate_request("POST", "/t", R"({"a": 1, "b": 2})") ==
        std::vector<std::string>{"body: matches more than one of the allowed schemas"});
  CHECK_FALSE(one->validate_request("POST", "/t", R"({"c": 3})").empty());

  auto negated = with_schema(R"({"not": {"type": "array"}})");
  CHECK(negated->validate_request("POST", "/t", "{}").empty());
  CHECK(negated->validate_request("POST", "/t", "[]") ==
        std::vector<std::string>{"body: matches a schema it must not match"});
}

TEST_CASE("a hostile deeply nested body is rejected without crashing") {
  auto v = with_schema(R"({"$ref": "#/components/schemas/N"})",
                       R"({"N": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/N"}}})");
  std::string body;
  for (int i = 0; i < 5000; ++i) body += R"({"a":)";
  body += "{}";
  body += std::string(5000, '}');
  auto problems = v->validate_request("POST", "/t", body);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("nested too deeply") != std::string::npos);
}

TEST_CASE("a response is matched to its exact status, then the NXX range, then default, others are undocumented") {
  std::string error;
  auto v = openapi_validator::load(R"({"paths": {"/r/{id}": {
      "get": {"responses": {
        "200": {"content": {"application/json": {"schema": {"type": "object", "required": ["id"]}}}},
        "4XX": {"content": {"application/json": {"schema": {"type": "object", "required": ["error"]}}}}}},
      "delete": {"responses": {"204": {"description": "gone"},
        "default": {"content": {"application/json": {"schema": {"type": "object", "required": ["error"]}}}}}}}}})",
                                   &error);
  REQUIRE_MESSAGE(v, error);
  CHECK(v->validate_response("GET", "/r/{id}", 200, R"({"id": 1})").empty());
  CHECK(v->validate_response("GET", "/r/{id}", 200, R"({})") == std::vector<std::string>{"id: required"});
  CHECK(v->validate_response("GET", "/r/{id}", 404, R"({"error": 1})").empty());
  CHECK(v->validate_response("GET", "/r/{id}", 404, R"({})") == std::vector<std::string>{"error: required"});
  CHECK(v->validate_response("GET", "/r/{id}", 500, "{}").at(0).rfind("status: 500 is not documented", 0) == 0);
  CHECK(v->validate_response("DELETE", "/r/{id}", 204, "").empty());
  CHECK(v->validate_response("DELETE", "/r/{id}", 204, "x") == std::vector<std::string>{"body: the document says this response has no body"});
  CHECK(v->validate_response("DELETE", "/r/{id}", 503, R"({"error": "e"})").empty());
  CHECK(v->validate_response("GET", "/r/{id}", 200, "not json").at(0).rfind("body: invalid JSON", 0) == 0);
  CHECK(v->validate_response("PUT", "/r/{id}", 200, "{}").at(0).rfind("operation:", 0) == 0);
  CHECK(v->operations() == std::vector<std::pair<std::string, std::string>>{{"DELETE", "/r/{id}"}, {"GET", "/r/{id}"}});
}

TEST_CASE("the drop and voicemail message bodies the REST client builds validate against SpeakRequest and PlayAudioUrlRequest") {
  const auto& v = telnyx_doc();
  auto speak = rest_client::speak_body({"This is Acme Sales, sorry we missed you. Call us back at 312 555 0100.",
                                        "female", "en-US", "cmd-1"});
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/speak", speak).empty());
  auto bad_language = rest_client::speak_body({"Hello", "female", "xx-XX", "cmd-2"});
  CHECK_FALSE(v.validate_request("POST", "/calls/{call_control_id}/actions/speak", bad_language).empty());
  auto playback = rest_client::playback_body({"https://media.example.com/drop.mp3", "cmd-3"});
  CHECK(v.validate_request("POST", "/calls/{call_control_id}/actions/playback_start", playback).empty());
}
