// Secrets (the Telnyx API key, API tokens, a CRM credential) never appear in dialerd's output or in
// its replies: not in config errors, not for wrong tokens, not while Telnyx answers with errors.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

namespace {

constexpr const char* api_key = "KEY-literal-SECRET-4242-abcdef";
constexpr const char* token = "TOKEN-literal-SECRET-0123456789";
constexpr const char* crm_secret = "CRM-SECRET-9f8e7d6c5b4a";

// A config with every secret written out, then `edit` applied to its text.
std::string config_text(const std::filesystem::path& dir, const std::string& from, const std::string& to) {
  std::string text = R"({
    "server": {"listen": "127.0.0.1:0"},
    "database": ")" + (dir / "dialer.db").string() + R"(",
    "telnyx": {"api_base": "http://127.0.0.1:9/v2", "api_key": ")" + std::string(api_key) + R"(",
               "connection_id": "c", "public_key": "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik="},
    "numbers": ["+15550000001", "+15550000002"],
    "agents": [{"id": "alice", "endpoint": "+15550001001"}],
    "api": {"tokens": [")" + std::string(token) + R"("]}
  })";
  if (!from.empty()) text.replace(text.find(from), from.size(), to);
  return text;
}

void check_no_secret(const std::string& text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    CAPTURE(secret);
    CHECK_MESSAGE(text.find(secret) == std::string::npos, text.substr(0, 2000));
  }
}

std::string read_all(const std::filesystem::path& p) {
  std::stringstream ss;
  ss << std::ifstream(p).rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("config errors name the field but never quote a secret, whatever is wrong") {
  const auto dir = test::make_scratch_dir();
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> cases = {
      {"a bad phone number elsewhere", {"\"+15550000002\"", "\"555\""}},
      {"an api key of the wrong type", {"\"api_key\": \"" + std::string(api_key) + "\"", "\"api_key\": [\"" + std::string(api_key) + "\"]"}},
      {"both api_key and api_key_env", {"\"connection_id\"", "\"api_key_env\": \"" + std::string(crm_secret) + "\", \"connection_id\""}},
      {"a token that is too short", {std::string(token), "SECRET-short"}},
      {"a second token that is too short", {"\"" + std::string(token) + "\"", "\"" + std::string(token) + "\", \"SECRET-short2\""}},
      {"a token of the wrong type", {"[\"" + std::string(token) + "\"]", "\"" + std::string(token) + "\""}},
      {"an unknown section holding a CRM credential", {"\"numbers\"", "\"crm\": {\"secret\": \"" + std::string(crm_secret) + "\"}, \"numbers\""}},
      {"a CRM credential as an unknown key", {"\"connection_id\"", "\"crm_secret\": \"" + std::string(crm_secret) + "\", \"connection_id\""}},
  };
  for (const auto& [what, edit] : cases) {
    CAPTURE(what);
    test::write_text_file(dir / "bad.json", config_text(dir, edit.first, edit.second));
    for (const char* mode : {"--check-config", ""}) {
      std::vector<std::string> args{"--config", (dir / "bad.json").string()};
      if (*mode) args.emplace_back(mode);
      auto r = test::run_dialerd(args, {}, dir, 15s);
      CHECK(r.exit_code == 2);
      CHECK(!r.err.empty());
      check_no_secret(r.out + r.err, {api_key, token, crm_secret, "SECRET-short"});
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("wrong tokens, bad webhooks and Telnyx errors leave no secret in replies or in dialerd's log") {
  // Half of the sim's REST replies are 500 or 429, so dials are refused and retried.
  test::stack s({.scenario_json = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                      "agent": {"answer_after_s": 1},
                                      "faults": {"rest_5xx_p": 0.3, "rest_429_p": 0.3}})",
                 .time_scale = 5});
  const std::string real_token = test::stack::token;
  const std::string telnyx_key = "KEY-it-secret";  // what the stack puts in IT_TELNYX_KEY
  std::string replies;
  for (const auto& auth : {"Bearer " + real_token + "x", "Bearer " + real_token.substr(0, 20),
                           "Basic " + real_token, "Bearer  " + real_token, real_token}) {
    auto r = s.raw(verb::get, "/api/power-dialer/sessions", "", {{"Authorization", auth}});
    CHECK(r.status == 401);
    replies += r.body;
    for (const auto& [name, value] : r.headers) replies += name + ": " + value + "\n";
  }
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 2,
                           "contacts": [{"phone": "+15550701001"}, {"phone": "+15550701002"}]})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);
  REQUIRE(test::eventually([&] {
    auto report = s.sim(verb::get, "/sim/report").json();  // named: a member view must not outlive it
    return report["rejected_requests_by_status"].MemberCount() > 0;
  }, 30s));
  replies += s.raw(verb::post, "/webhooks/telnyx", R"({"data": {}})", {{"Authorization", "Bearer " + real_token}}).body;
  replies += s.api(verb::get, "/api/power-dialer/sessions/" + id).body;
  replies += s.api(verb::get, "/api/power-dialer/sessions/" + id + "/calls").body;
  replies += s.api(verb::get, "/metrics").body;
  REQUIRE(s.stop_dialerd() == 0);

  const auto log = read_all(s.dir() / "dialerd.log");
  // The errors were logged (so their text was there to leak), without the secrets.
  CHECK(log.find("retrying command") != std::string::npos);
  CHECK(log.find("rejected") != std::string::npos);
  check_no_secret(log, {real_token, telnyx_key});
  check_no_secret(replies, {real_token, telnyx_key});
}
