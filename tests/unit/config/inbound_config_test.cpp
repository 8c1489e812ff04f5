// The "inbound" block: forward_to is an E.164 number or a SIP URI (or null / absent: reject inbound calls).
#include <doctest/doctest.h>

#include <string>

#include "dialer/config/config.hpp"

namespace cfg = dialer::config;

namespace {

const char* no_env(const char*) { return nullptr; }

std::string config_with(const std::string& inbound_member) {
  return R"({
    "server": { "listen": "127.0.0.1:8080" },
    "database": "var/dialer.db",
    "telnyx": { "api_key": "KEY0123456789", "connection_id": "1234567890",
                "public_key": "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik=" },
    "numbers": ["+15550000001"],
    "agents": [ { "id": "alice", "endpoint": "sip:alice@example.com" } ],
    "api": { "tokens": ["tok-0123456789abcdef"] })" +
         (inbound_member.empty() ? std::string() : ",\n" + inbound_member) + "\n}";
}

}  // namespace

TEST_CASE("inbound.forward_to accepts an E.164 number or a SIP URI") {
  for (std::string to : {"+15557654321", "sip:desk@office.example.com"}) {
    CAPTURE(to);
    auto r = cfg::parse(config_with(R"("inbound": {"forward_to": ")" + to + R"("})"), no_env);
    REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
    CHECK(r.value->inbound.forward_to == to);
  }
}

TEST_CASE("without inbound.forward_to inbound calls are rejected (forward_to stays empty)") {
  for (std::string member : {std::string(), std::string(R"("inbound": null)"), std::string(R"("inbound": {})"),
                             std::string(R"("inbound": {"forward_to": null})")}) {
    CAPTURE(member);
    auto r = cfg::parse(config_with(member), no_env);
    REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
    CHECK(r.value->inbound.forward_to.empty());
  }
}

TEST_CASE("a bad inbound block is rejected with its JSON path") {
  struct bad_case {
    std::string member;
    std::string path;
  };
  for (const auto& c : {bad_case{R"("inbound": {"forward_to": "5557654321"})", "inbound.forward_to"},
                        bad_case{R"("inbound": {"forward_to": ""})", "inbound.forward_to"},
                        bad_case{R"("inbound": {"forward_to": 15557654321})", "inbound.forward_to"},
                        bad_case{R"("inbound": {"forward_to": "sip:"})", "inbound.forward_to"},
                        bad_case{R"("inbound": {"forwardto": "+15557654321"})", "inbound.forwardto"},
                        bad_case{R"("inbound": "+15557654321")", "inbound"}}) {
    CAPTURE(c.member);
    auto r = cfg::parse(config_with(c.member), no_env);
    REQUIRE(r.error);
    CHECK(r.error->path == c.path);
  }
}
