// Config text no operator would write but a fuzzer does: deep nesting and NUL bytes get a clear error.
#include "dialer/config/config.hpp"

#include <doctest/doctest.h>

#include <string>

namespace cfg = dialer::config;

namespace {
const char* no_env(const char*) { return nullptr; }

const std::string valid = R"({
  "server": { "listen": "127.0.0.1:8080" },
  "database": "var/dialer.db",
  "telnyx": { "api_key": "KEY0123456789abcdef", "connection_id": "1234567890",
              "public_key": "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik=" },
  "numbers": ["+15550000001"],
  "agents": [ { "id": "alice", "endpoint": "sip:alice@example.com" } ],
  "api": { "tokens": ["tok-0123456789abcdef"] })";

std::string with(const std::string& member) { return valid + ",\n" + member + "}"; }
}  // namespace

TEST_CASE("the hostile-input base config is valid") {
  auto r = cfg::parse(valid + "}", no_env);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
}

// RapidJSON's default parser recurses once per level: a million '[' overflowed the stack.
TEST_CASE("a document nested a million levels deep is an error, not a stack overflow") {
  auto open = cfg::parse(std::string(1 << 20, '['), no_env);
  REQUIRE(open.error);
  CHECK(open.error->message.find("invalid JSON") != std::string::npos);

  const int depth = 1 << 20;
  auto deep = cfg::parse(with(R"("compliance": {"drop_message": {"text": )" + std::string(depth, '[') +
                              std::string(depth, ']') + "}}"),
                         no_env);
  REQUIRE(deep.error);
  CHECK(deep.error->to_string() == "compliance.drop_message.text: must be a non-empty string");
}

// GetString() stops at the first NUL, so "FULL\u0000x" compared equal to "FULL".
TEST_CASE("database_synchronous with a NUL byte inside is rejected") {
  auto r = cfg::parse(with(R"("database_synchronous": "FULL\u0000x")"), no_env);
  REQUIRE(r.error);
  CHECK(r.error->path == "database_synchronous");
}
