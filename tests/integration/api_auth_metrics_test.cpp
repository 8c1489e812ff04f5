// Authentication from config and env tokens, /metrics and /healthz without a token, the limits every
// route shares (413, 415, 404, 405 + Allow), and all-or-nothing batches, against a real dialerd.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "support/api_contract.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

constexpr const char* ringing_scenario = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                             "agent": {"answer_after_s": 1}})";
constexpr const char* env_token_a = "env-token-aaaaaaaaaaaaaaaa";
constexpr const char* env_token_b = "env-token-bbbbbbbbbbbbbbbbbbbb";

test::header_list bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_documented(verb method, const std::string& target, const test::reply& r) {
  auto problems = test::contract_problems(method, target, r);
  CHECK_MESSAGE(problems.empty(), target << " -> " << r.status << ": " << test::joined(problems));
}

// The value of the sample line `series` (name with its labels, exactly as written), or -1.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

std::string unix_now() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::string webhook(const std::string& id, const std::string& type) {
  return R"({"data": {"record_type": "event", "event_type": ")" + type + R"(", "id": ")" + id +
         R"(", "occurred_at": "2026-12-01T09:00:00.000Z", "payload": {"call_control_id": "v3:unknown-)" + id +
         R"(", "connection_id": "it-connection"}}, "meta": {"attempt": 1}})";
}

test::reply deliver(stack& s, const std::string& body) {
  const auto ts = unix_now();
  return s.raw(verb::post, "/webhooks/telnyx", body,
               {{"telnyx-signature-ed25519", s.sim_signer().sign(ts, body)}, {"telnyx-timestamp", ts}});
}

}  // namespace

TEST_CASE("tokens from the config and from the env var both authenticate, neither ever appears in the log") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5,
           .api_tokens_env = std::string(" ") + env_token_a + ", ," + env_token_b});
  for (std::string token : {std::string(stack::token), std::string(env_token_a), std::string(env_token_b)}) {
    CAPTURE(token);
    auto r = s.raw(verb::get, "/api/power-dialer/sessions", {}, bearer(token));
    CHECK_MESSAGE(r.status == 200, r.body);
  }
  const std::string wrong = std::string(env_token_a).substr(0, 20) + "zzzzzz";
  auto refused = s.raw(verb::get, "/api/agents", {}, bearer(wrong));
  CHECK(refused.status == 401);
  CHECK(refused.header("www-authenticate") == "Bearer");
  check_documented(verb::get, "/api/agents", refused);
  auto created = s.raw(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice"})",
                       {{"Authorization", std::string("Bearer ") + env_token_b}, {"Content-Type", "application/json"}});
  CHECK_MESSAGE(created.status == 201, created.body);
  CHECK(s.raw(verb::get, "/api/stats", {}, {{"Authorization", std::string("bearer ") + env_token_a}}).status == 401);
  CHECK(s.raw(verb::get, "/api/stats", {}, {{"Authorization", "Bearer "}}).status == 401);

  REQUIRE(s.stop_dialerd() == 0);
  const auto log = read_file(s.dir() / "dialerd.log");
  REQUIRE(log.find("dialerd listening") != std::string::npos);  // the log was captured
  for (std::string secret : {std::string(stack::token), std::string(env_token_a), std::string(env_token_b), wrong,
                             std::string("KEY-it-secret")})
    CHECK_MESSAGE(log.find(secret) == std::string::npos, "the log holds a secret: " << secret);
}

TEST_CASE("/healthz and /metrics answer without a token, every /api route refuses one without") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto health = s.raw(verb::get, "/healthz", {}, {});
  REQUIRE(health.status == 200);
  CHECK(std::string(health.json()["database"].GetString()) == "ok");
  check_documented(verb::get, "/healthz", health);
  auto metrics = s.raw(verb::get, "/metrics", {}, {});
  CHECK(metrics.status == 200);
  CHECK(metrics.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
  // Every /api operation of the document, with placeholders filled in, answers 401 without a token.
  for (const auto& [method, path] : test::api_document().operations()) {
    if (path.rfind("/api/", 0) != 0) continue;
    const auto target = std::regex_replace(path, std::regex("\\{[^}]+\\}"), "x1");
    CAPTURE(method);
    CAPTURE(target);
    auto r = s.raw(boost::beast::http::string_to_verb(method), target, "{}", {{"Content-Type", "application/json"}});
    CHECK(r.status == 401);
    CHECK(r.header("www-authenticate") == "Bearer");
  }
}

TEST_CASE("/metrics counts API requests by route pattern, webhooks by type and result, calls by outcome, lines in use") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 1});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 2, "contacts": [{"phone": "+15550701001"}, {"phone": "+15550701002"}]})");
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"].GetString();
  for (int i = 0; i < 3; ++i) REQUIRE(s.api(verb::get, "/api/power-dialer/sessions/" + id).status == 200);
  REQUIRE(s.api(verb::get, "/api/power-dialer/sessions/ses_missing").status == 404);
  REQUIRE(s.api(verb::get, "/api/no/such/route").status == 404);
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);

  const auto ignored = webhook("wh-1", "call.recording.saved");
  REQUIRE(deliver(s, ignored).status == 200);
  REQUIRE(deliver(s, ignored).status == 200);  // the same data.id again: a duplicate
  REQUIRE(deliver(s, webhook("wh-2", "call.hangup")).status == 200);  // no call of ours
  auto bad_signature = s.raw(verb::post, "/webhooks/telnyx", webhook("wh-3", "call.hangup"),
                             {{"telnyx-signature-ed25519", "AAAA"}, {"telnyx-timestamp", unix_now()}});
  REQUIRE(bad_signature.status == 401);
  check_documented(verb::post, "/webhooks/telnyx", bad_signature);

  // Both customer lines ring for 15 s once the agent has answered.
  std::string text;
  REQUIRE(test::eventually([&] {
    text = s.raw(verb::get, "/metrics", {}, {}).body;
    return sample(text, "dialer_lines_in_use") == 2;
  }, 30s));
  CHECK(sample(text, R"(dialer_http_requests_total{method="GET",route="/api/power-dialer/sessions/{id}",status="200"})") == 3);
  CHECK(sample(text, R"(dialer_http_requests_total{method="GET",route="/api/power-dialer/sessions/{id}",status="404"})") == 1);
  CHECK(sample(text, R"(dialer_http_requests_total{method="GET",route="unmatched",status="404"})") == 1);
  CHECK(sample(text, R"(dialer_http_request_duration_seconds_count{method="GET",route="/api/power-dialer/sessions/{id}"})") == 4);
  CHECK(sample(text, R"(dialer_http_request_duration_seconds_bucket{method="GET",route="/api/power-dialer/sessions/{id}",le="+Inf"})") == 4);
  CHECK(text.find(id) == std::string::npos);  // labels carry the pattern, never the raw path
  CHECK(sample(text, R"(dialer_webhooks_received_total{type="call.recording.saved",result="ignored"})") == 1);
  CHECK(sample(text, R"(dialer_webhooks_received_total{type="call.recording.saved",result="duplicate"})") == 1);
  CHECK(sample(text, R"(dialer_webhooks_received_total{type="call.hangup",result="unmatched"})") == 1);
  CHECK(sample(text, R"(dialer_webhooks_received_total{type="unknown",result="rejected"})") == 1);
  CHECK(sample(text, R"(dialer_calls{kind="customer",outcome="in_progress"})") == 2);
  CHECK(sample(text, R"(dialer_sessions_active{status="running"})") == 1);
  CHECK(sample(text, "dialer_sse_clients") == 0);
  CHECK(sample(text, "dialer_database_up") == 1);
  // The whole body is the text exposition format: comments, or `name{labels} value`.
  const std::regex line_re(R"((# (HELP|TYPE) [a-z_]+ .+)|([a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [-+0-9.eInfNa]+))");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) CHECK_MESSAGE(std::regex_match(line, line_re), line);

  // After stop every call has an outcome.
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "stop"})").status == 200);
  REQUIRE(test::eventually([&] {
    text = s.raw(verb::get, "/metrics", {}, {}).body;
    return sample(text, R"(dialer_calls{kind="customer",outcome="cancelled"})") == 2;
  }, 30s));
  CHECK(sample(text, "dialer_lines_in_use") == 0);
}

TEST_CASE("413 for a body over 1 MiB, 415 for a PATCH that is not JSON, 405 with Allow, and nothing changes") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto created = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "contacts": [{"phone": "+15550801001"}]})");
  REQUIRE(created.status == 201);
  const std::string id = created.json()["id"].GetString();
  const std::string queue = "/api/power-dialer/sessions/" + id + "/queue";
  const std::string item = s.api(verb::get, queue).json()["items"][0]["id"].GetString();

  std::string big = R"({"contacts": [)";
  for (int i = 0; big.size() < (1u << 20) + 100; ++i) big += std::string(i ? "," : "") + R"({"phone": "+1555090)" + std::to_string(10000 + i % 90000) + "\"}";
  big += "]}";
  auto too_big = s.api(verb::post, queue, big);
  CHECK(too_big.status == 413);
  check_documented(verb::post, queue, too_big);
  CHECK(s.api(verb::get, queue).json()["items"].Size() == 1);

  for (std::string target : {"/api/power-dialer/sessions/" + id, queue + "/" + item, std::string("/api/calls/call_x"),
                             std::string("/api/agents/alice")}) {
    CAPTURE(target);
    auto r = s.raw(verb::patch, target, R"({"busy": true})",
                   {{"Authorization", std::string("Bearer ") + stack::token}, {"Content-Type", "text/plain"}});
    CHECK(r.status == 415);
    check_documented(verb::patch, target, r);
  }
  CHECK(s.api(verb::get, "/api/agents").json()["agents"][0]["busy"].GetBool() == false);

  auto wrong_method = s.api(verb::get, queue + "/" + item);
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.header("allow") == "PATCH, DELETE");
  CHECK(s.api(verb::post, "/api/agents", "{}").header("allow") == "GET");
  CHECK(s.api(verb::delete_, "/api/stats").status == 405);
}

TEST_CASE("adding contacts whose third phone is bad gets 400 naming contacts[2].phone and adds none of them") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto created = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "contacts": [{"phone": "+15550802001"}]})");
  REQUIRE(created.status == 201);
  const std::string queue = "/api/power-dialer/sessions/" + std::string(created.json()["id"].GetString()) + "/queue";
  for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"contacts": [{"phone": "+15550802002"}, {"phone": "+15550802003"}, {"phone": "12345"}]})", "contacts[2].phone"},
           {R"({"contacts": [{"phone": "+15550802002"}, {"phone": "+15550802003"}, {"name": "No phone"}]})", "contacts[2].phone"},
           {R"({"contacts": [{"phone": "+15550802002"}, {"phone": "+15550802003"}, {"phone": "+15550802004", "name": 7}]})", "contacts[2].name"},
           {R"({"contacts": {"phone": "+15550802002"}})", "contacts"}}) {
    CAPTURE(body);
    auto r = s.api(verb::post, queue, body);
    CHECK(r.status == 400);
    check_documented(verb::post, queue, r);
    CHECK(r.json()["error"]["field"].GetString() == field);
    CHECK(s.api(verb::get, queue).json()["items"].Size() == 1);
  }
}
