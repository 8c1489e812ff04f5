// Config loading: every rule of SPEC §2 rejects a bad field with its JSON path, secrets never leak
// into errors, and the shipped example config loads.
#include "dialer/config/config.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "dialer/common/json.hpp"
#include <rapidjson/pointer.h>

namespace cfg = dialer::config;

namespace {

// env_lookup is a plain function pointer, so the fake environment lives in a global each test sets.
std::map<std::string, std::string> fake_env;

const char* fake_getenv(const char* name) {
  auto it = fake_env.find(name);
  return it == fake_env.end() ? nullptr : it->second.c_str();
}

const std::string secret_key = "KEYsecret0123456789abcdef";
const std::string secret_token = "tok-secret-0123456789abcdef";

// A valid config with inline secrets, so tests can check no error ever repeats them.
const std::string base_config = R"({
  "server": { "listen": "127.0.0.1:8080" },
  "database": "var/dialer.db",
  "telnyx": {
    "api_key": "KEYsecret0123456789abcdef",
    "connection_id": "1234567890",
    "public_key": "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik="
  },
  "numbers": ["+15550000001", "+15550000002", "+15550000003"],
  "agents": [ { "id": "alice", "endpoint": "sip:alice@example.com" },
              { "id": "bob", "name": "Bob", "endpoint": "+15550001002" } ],
  "api": { "tokens": ["tok-secret-0123456789abcdef"] }
})";

std::string serialise(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

// base_config with the value at JSON pointer `pointer` replaced by `json` (or removed when json is
// empty).
std::string mutate(const std::string& pointer, const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(base_config.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  if (json.empty()) {
    REQUIRE(rapidjson::Pointer(pointer.c_str()).Erase(doc));
  } else {
    rapidjson::Document value(&doc.GetAllocator());
    value.Parse(json.c_str());
    REQUIRE_FALSE(value.HasParseError());
    rapidjson::Pointer(pointer.c_str()).Set(doc, value);
  }
  return serialise(doc);
}

std::string readable_file() { return TEST_DATA_DIR "/config/minimal.json"; }

}  // namespace

TEST_CASE("the base test config is valid") {
  fake_env.clear();
  auto r = cfg::parse(base_config, fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  CHECK_FALSE(r.error);
  CHECK(r.value->telnyx.api_key == secret_key);
  CHECK(r.value->api_tokens == std::vector<std::string>{secret_token});
}

TEST_CASE("each bad field is rejected with its JSON path and no secret in the message") {
  fake_env.clear();
  struct bad_case {
    std::string pointer;
    std::string json;  // empty: remove the key
    std::string path;
  };
  const std::string missing = "\"/nonexistent/dir/file.pem\"";
  const std::string readable = "\"" + readable_file() + "\"";
  const std::vector<bad_case> cases = {
      {"/server/listen", R"("127.0.0.1")", "server.listen"},
      {"/server/listen", R"("127.0.0.1:70000")", "server.listen"},
      {"/server/listen", R"(":8080")", "server.listen"},
      {"/server/listen", R"("host:8x")", "server.listen"},
      {"/server/listen", "8080", "server.listen"},
      {"/server/listen", "", "server.listen"},
      {"/server", "", "server"},
      {"/server/tls", "{\"cert\":" + missing + ",\"key\":" + readable + "}", "server.tls.cert"},
      {"/server/tls", "{\"cert\":" + readable + ",\"key\":" + missing + "}", "server.tls.key"},
      {"/server/tls", "{\"cert\":\"" TEST_DATA_DIR "/config\",\"key\":" + readable + "}", "server.tls.cert"},
      {"/server/tls", "{\"cert\":" + readable + "}", "server.tls.key"},
      {"/server/tls", "{\"cert\":" + readable + ",\"key\":" + readable + ",\"ca\":\"x\"}", "server.tls.ca"},
      {"/server/tls", R"("cert.pem")", "server.tls"},
      {"/server/body_limit_bytes", "10", "server.body_limit_bytes"},
      {"/server/header_limit_bytes", "1.5", "server.header_limit_bytes"},
      {"/server/read_timeout_ms", R"("30000")", "server.read_timeout_ms"},
      {"/server/max_connections", "0", "server.max_connections"},
      {"/database", R"("")", "database"},
      {"/database", "", "database"},
      {"/database_synchronous", R"("OFF")", "database_synchronous"},
      {"/telnyx", "", "telnyx"},
      {"/telnyx/api_base", R"("ftp://api.telnyx.com")", "telnyx.api_base"},
      {"/telnyx/api_base", R"("https://")", "telnyx.api_base"},
      {"/telnyx/api_key_env", R"("TELNYX_API_KEY")", "telnyx.api_key"},
      {"/telnyx/api_key", "", "telnyx.api_key"},
      {"/telnyx/api_key", "42", "telnyx.api_key"},
      {"/telnyx/connection_id", R"("")", "telnyx.connection_id"},
      {"/telnyx/connection_id", "", "telnyx.connection_id"},
      {"/telnyx/connection_id", "1234567890", "telnyx.connection_id"},
      {"/telnyx/webhook_url", "5", "telnyx.webhook_url"},
      {"/telnyx/webhook_url", R"("dialer.example.com/hook")", "telnyx.webhook_url"},
      {"/telnyx/public_key", R"("not base64!")", "telnyx.public_key"},
      {"/telnyx/public_key", R"("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")", "telnyx.public_key"},    // 31 bytes
      {"/telnyx/public_key", R"("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")", "telnyx.public_key"},    // 33 bytes
      {"/telnyx/public_key", R"("+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCi*=")", "telnyx.public_key"},
      {"/telnyx/public_key", "", "telnyx.public_key"},
      {"/telnyx/signature_tolerance_s", "0", "telnyx.signature_tolerance_s"},
      {"/telnyx/signature_tolerance_s", "3601", "telnyx.signature_tolerance_s"},
      {"/telnyx/dials_per_second", "0", "telnyx.dials_per_second"},
      {"/telnyx/dials_per_second", "-1.5", "telnyx.dials_per_second"},
      {"/telnyx/dials_per_second", "1000.5", "telnyx.dials_per_second"},
      {"/telnyx/dials_per_second", R"("10")", "telnyx.dials_per_second"},
      {"/telnyx/verify_signatures", R"("false")", "telnyx.verify_signatures"},
      {"/telnyx/verify_tls_peer", "1", "telnyx.verify_tls_peer"},
      {"/telnyx/request_timeout_ms", "99", "telnyx.request_timeout_ms"},
      {"/telnyx/request_timeout_ms", "60001", "telnyx.request_timeout_ms"},
      {"/telnyx/dial_per_second", "10", "telnyx.dial_per_second"},
      {"/numbers", "[]", "numbers"},
      {"/numbers", R"("+15550000001")", "numbers"},
      {"/numbers", "", "numbers"},
      {"/numbers/2", R"("15550000003")", "numbers[2]"},
      {"/numbers/2", R"("+1555")", "numbers[2]"},
      {"/numbers/2", "15550000003", "numbers[2]"},
      {"/numbers/2", R"("+15550000001")", "numbers[2]"},
      {"/agents", "[]", "agents"},
      {"/agents", "", "agents"},
      {"/agents/0", R"("alice")", "agents[0]"},
      {"/agents/0/id", R"("bad id")", "agents[0].id"},
      {"/agents/0/id", "\"" + std::string(65, 'a') + "\"", "agents[0].id"},
      {"/agents/0/id", "", "agents[0].id"},
      {"/agents/1/id", R"("alice")", "agents[1].id"},
      {"/agents/1/name", "7", "agents[1].name"},
      {"/agents/0/endpoint", R"("alice@example.com")", "agents[0].endpoint"},
      {"/agents/0/endpoint", R"("sip:")", "agents[0].endpoint"},
      {"/agents/0/endpoint", "", "agents[0].endpoint"},
      {"/agents/0/extension", R"("101")", "agents[0].extension"},
      {"/dialing", R"("fast")", "dialing"},
      {"/dialing/max_attempts", "0", "dialing.max_attempts"},
      {"/dialing/max_attempts", "21", "dialing.max_attempts"},
      {"/dialing/ring_timeout_s", "14", "dialing.ring_timeout_s"},
      {"/dialing/ring_timeout_s", "601", "dialing.ring_timeout_s"},
      {"/dialing/ring_timeout_s", "30.5", "dialing.ring_timeout_s"},
      {"/dialing/retry_delay_s", "-1", "dialing.retry_delay_s"},
      {"/dialing/wrap_up_s", "3601", "dialing.wrap_up_s"},
      {"/dialing/machine_detection", R"("on")", "dialing.machine_detection"},
      {"/dialing/machine_detection", "true", "dialing.machine_detection"},
      {"/dialing/agent_caller_id", R"("+0123456789")", "dialing.agent_caller_id"},
      {"/dialing/max_atempts", "3", "dialing.max_atempts"},
      {"/api", "", "api"},
      {"/api/tokens", "[]", "api.tokens"},
      {"/api/tokens", R"("tok-secret-0123456789abcdef")", "api.tokens"},
      {"/api/tokens/0", R"("tok-secret-0123")", "api.tokens[0]"},
      {"/api/tokens/0", "5", "api.tokens[0]"},
      {"/api/token", R"(["x"])", "api.token"},
      {"/serverx", "{}", "serverx"},
      {"/compliance", "5", "compliance"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.pointer);
    CAPTURE(c.json);
    auto r = cfg::parse(mutate(c.pointer, c.json), fake_getenv);
    REQUIRE(r.error);
    CHECK_FALSE(r.value);
    CHECK(r.error->path == c.path);
    CHECK_FALSE(r.error->message.empty());
    const std::string text = r.error->to_string();
    CHECK(text == c.path + ": " + r.error->message);
    CHECK(text.find("KEYsecret") == std::string::npos);
    CHECK(text.find("tok-secret") == std::string::npos);
  }
}

TEST_CASE("messages say what a valid value looks like") {
  fake_env.clear();
  auto message = [](const std::string& pointer, const std::string& json) {
    auto r = cfg::parse(mutate(pointer, json), fake_getenv);
    REQUIRE(r.error);
    return r.error->message;
  };
  CHECK(message("/numbers/0", R"("5550000001")") == "must be E.164 (+ and 8 to 15 digits)");
  CHECK(message("/database", "") == "required");
  CHECK(message("/telnyx/dials_per_second", "0") == "must be a number > 0 and <= 1000");
  CHECK(message("/dialing/ring_timeout_s", "5") == "must be an integer from 15 to 600");
  CHECK(message("/numbers/1", R"("+15550000001")") == "duplicate of numbers[0]");
}

TEST_CASE("a misspelt key is an unknown key error that suggests the right spelling") {
  fake_env.clear();
  auto r = cfg::parse(mutate("/telnyx/conection_id", R"("1")"), fake_getenv);
  REQUIRE(r.error);
  CHECK(r.error->path == "telnyx.conection_id");
  CHECK(r.error->message == "unknown key (did you mean \"connection_id\"?)");
}

TEST_CASE("a key given twice in one object is rejected") {
  fake_env.clear();
  std::string text = base_config;
  text.replace(text.find("\"database\""), 0, R"("database": "other.db", )");
  auto r = cfg::parse(text, fake_getenv);
  REQUIRE(r.error);
  CHECK(r.error->path == "database");
  CHECK(r.error->message == "duplicate key");
}

TEST_CASE("keys starting with an underscore are documentation and ignored everywhere") {
  fake_env.clear();
  std::string text = mutate("/_comment", R"("top")");
  for (const char* p : {"/server/_listen", "/telnyx/_api_key", "/agents/0/_note", "/api/_tokens"}) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    rapidjson::Pointer(p).Set(doc, R"({"nested": [1, 2]})");
    text = serialise(doc);
  }
  auto r = cfg::parse(text, fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
}

TEST_CASE("omitted optional keys take their documented defaults") {
  fake_env.clear();
  auto r = cfg::parse(base_config, fake_getenv);
  REQUIRE(r.value);
  const cfg::config& c = *r.value;
  CHECK(c.dialing.agent_caller_id == "+15550000001");
  CHECK(c.dialing.max_attempts == 3);
  CHECK(c.dialing.ring_timeout_s == 30);
  CHECK(c.dialing.retry_delay_s == 0);
  CHECK(c.dialing.wrap_up_s == 0);
  CHECK(c.dialing.machine_detection == "disabled");
  CHECK(c.database_synchronous == "FULL");
  CHECK(c.telnyx.api_base == "https://api.telnyx.com/v2");
  CHECK(c.telnyx.signature_tolerance == std::chrono::seconds(300));
  CHECK(c.telnyx.dials_per_second == 10);
  CHECK(c.telnyx.verify_signatures);
  CHECK(c.telnyx.verify_tls_peer);
  CHECK(c.telnyx.request_timeout == std::chrono::milliseconds(5000));
  CHECK(c.telnyx.webhook_url.empty());
  CHECK_FALSE(c.server.tls);
  CHECK(c.server.body_limit == 1024 * 1024);
  CHECK(c.agents[0].name == "alice");
  CHECK(c.agents[1].name == "Bob");
}

TEST_CASE("given values override defaults") {
  fake_env.clear();
  std::string text = mutate("/dialing", R"({"max_attempts": 5, "ring_timeout_s": 15, "retry_delay_s": 600,
      "wrap_up_s": 10, "machine_detection": "premium", "agent_caller_id": "+15550000003"})");
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  rapidjson::Pointer("/telnyx/dials_per_second").Set(doc, 2.5);
  rapidjson::Pointer("/telnyx/api_base").Set(doc, "http://127.0.0.1:9000/v2/");
  rapidjson::Pointer("/server/tls/cert").Set(doc, readable_file());
  rapidjson::Pointer("/server/tls/key").Set(doc, readable_file());
  rapidjson::Pointer("/server/read_timeout_ms").Set(doc, 1500);
  rapidjson::Pointer("/database_synchronous").Set(doc, "NORMAL");
  auto r = cfg::parse(serialise(doc), fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  const cfg::config& c = *r.value;
  CHECK(c.dialing.max_attempts == 5);
  CHECK(c.dialing.ring_timeout_s == 15);
  CHECK(c.dialing.retry_delay_s == 600);
  CHECK(c.dialing.wrap_up_s == 10);
  CHECK(c.dialing.machine_detection == "premium");
  CHECK(c.dialing.agent_caller_id == "+15550000003");
  CHECK(c.telnyx.dials_per_second == 2.5);
  CHECK(c.telnyx.api_base == "http://127.0.0.1:9000/v2");  // trailing slash dropped
  REQUIRE(c.server.tls);
  CHECK(c.server.tls->cert_chain_file == readable_file());
  CHECK(c.server.tls->private_key_file == readable_file());
  CHECK(c.server.read_timeout == std::chrono::milliseconds(1500));
  CHECK(c.database_synchronous == "NORMAL");
}

TEST_CASE("public_key may be omitted only when signature verification is off") {
  fake_env.clear();
  std::string text = mutate("/telnyx/public_key", "");
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  rapidjson::Pointer("/telnyx/verify_signatures").Set(doc, false);
  auto r = cfg::parse(serialise(doc), fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  CHECK_FALSE(r.value->telnyx.verify_signatures);
  CHECK(r.value->telnyx.public_key.empty());
}

TEST_CASE("secrets come from the environment variables the config names") {
  fake_env = {{"MY_KEY", "KEYsecret-from-env-0123"},
              {"MY_TOKENS", " tok-secret-aaaaaaaaaaaa , ,tok-secret-bbbbbbbbbbbb,, tok-secret-aaaaaaaaaaaa"}};
  std::string text = mutate("/telnyx/api_key", "");
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  rapidjson::Pointer("/telnyx/api_key_env").Set(doc, "MY_KEY");
  rapidjson::Pointer("/api/tokens_env").Set(doc, "MY_TOKENS");
  auto r = cfg::parse(serialise(doc), fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  CHECK(r.value->telnyx.api_key == "KEYsecret-from-env-0123");
  // inline token first, then the env list trimmed, empties dropped, duplicates once
  CHECK(r.value->api_tokens ==
        std::vector<std::string>{secret_token, "tok-secret-aaaaaaaaaaaa", "tok-secret-bbbbbbbbbbbb"});

  SUBCASE("tokens_env alone is enough") {
    rapidjson::Pointer("/api/tokens").Erase(doc);
    auto only_env = cfg::parse(serialise(doc), fake_getenv);
    REQUIRE(only_env.value);
    CHECK(only_env.value->api_tokens.size() == 2);
  }
  SUBCASE("an unset api key variable is an error naming the variable") {
    fake_env.erase("MY_KEY");
    auto e = cfg::parse(serialise(doc), fake_getenv);
    REQUIRE(e.error);
    CHECK(e.error->path == "telnyx.api_key_env");
    CHECK(e.error->message == "environment variable MY_KEY is not set");
  }
  SUBCASE("an empty api key variable counts as unset") {
    fake_env["MY_KEY"] = "";
    auto e = cfg::parse(serialise(doc), fake_getenv);
    REQUIRE(e.error);
    CHECK(e.error->path == "telnyx.api_key_env");
  }
  SUBCASE("an unset tokens variable is an error naming the variable") {
    fake_env.erase("MY_TOKENS");
    auto e = cfg::parse(serialise(doc), fake_getenv);
    REQUIRE(e.error);
    CHECK(e.error->path == "api.tokens_env");
    CHECK(e.error->message == "environment variable MY_TOKENS is not set");
  }
  SUBCASE("a tokens variable of only commas and spaces yields no token") {
    fake_env["MY_TOKENS"] = " , ,";
    rapidjson::Pointer("/api/tokens").Erase(doc);
    auto e = cfg::parse(serialise(doc), fake_getenv);
    REQUIRE(e.error);
    CHECK(e.error->path == "api.tokens");
  }
  SUBCASE("a short token from the environment is rejected without quoting it") {
    fake_env["MY_TOKENS"] = "tok-secret-aaaaaaaaaaaa,tok-secret";
    auto e = cfg::parse(serialise(doc), fake_getenv);
    REQUIRE(e.error);
    CHECK(e.error->path == "api.tokens_env");
    CHECK(e.error->to_string().find("tok-secret") == std::string::npos);
    CHECK(e.error->message.find("token 2") != std::string::npos);
  }
  SUBCASE("a null getenv leaves every variable unset") {
    auto e = cfg::parse(serialise(doc), nullptr);
    REQUIRE(e.error);
    CHECK(e.error->path == "telnyx.api_key_env");
  }
}

TEST_CASE("only strict JSON is accepted") {
  fake_env.clear();
  SUBCASE("comments") {
    auto r = cfg::parse("{ // note\n \"database\": \"x\" }", fake_getenv);
    REQUIRE(r.error);
    CHECK(r.error->path.empty());
    CHECK(r.error->message.starts_with("invalid JSON at offset 2: "));
  }
  SUBCASE("trailing comma") {
    auto r = cfg::parse(R"({"database": "x",})", fake_getenv);
    REQUIRE(r.error);
    CHECK(r.error->message.starts_with("invalid JSON at offset "));
  }
  SUBCASE("trailing content") {
    auto r = cfg::parse(base_config + " {}", fake_getenv);
    REQUIRE(r.error);
    CHECK(r.error->message.starts_with("invalid JSON at offset "));
  }
  SUBCASE("not an object") {
    auto r = cfg::parse("[]", fake_getenv);
    REQUIRE(r.error);
    CHECK(r.error->path.empty());
  }
  SUBCASE("a JSON syntax error does not echo the text around it") {
    std::string text = base_config;
    text.replace(text.find("\"KEYsecret"), 1, "");  // break the string holding the key
    auto r = cfg::parse(text, fake_getenv);
    REQUIRE(r.error);
    CHECK(r.error->to_string().find("KEYsecret") == std::string::npos);
  }
}

TEST_CASE("is_e164 accepts + and 8 to 15 digits not starting with 0") {
  struct row {
    const char* text;
    bool ok;
  };
  const row rows[] = {
      {"+15550000001", true},     {"+12345678", true},         {"+123456789012345", true},
      {"+1234567", false},        {"+1234567890123456", false}, {"15550000001", false},
      {"+05550000001", false},    {"+1555000000a", false},      {"+1 5550000001", false},
      {"", false},                {"+", false},                 {"++15550000001", false},
      {"+1555-000-0001", false},  {"sip:+15550000001@x", false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    CHECK(cfg::is_e164(r.text) == r.ok);
  }
}

TEST_CASE("config_error prints as path colon message") {
  CHECK(cfg::config_error{"numbers[2]", "must be E.164 (+ and 8 to 15 digits)"}.to_string() ==
        "numbers[2]: must be E.164 (+ and 8 to 15 digits)");
}

TEST_CASE("the shipped example config loads with its environment variables set") {
  fake_env = {{"TELNYX_API_KEY", "KEYexample"}, {"DIALER_API_TOKENS", "0123456789abcdef0123,fedcba9876543210fedc"}};
  auto r = cfg::load_file(DIALER_SOURCE_DIR "/config/dialer.example.json", fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  CHECK(r.value->server.listen == "127.0.0.1:8080");
  CHECK(r.value->numbers.size() == 4);
  CHECK(r.value->agents.size() == 2);
  CHECK(r.value->api_tokens.size() == 2);
  CHECK(r.value->telnyx.api_key == "KEYexample");

  fake_env.clear();
  auto missing = cfg::load_file(DIALER_SOURCE_DIR "/config/dialer.example.json", fake_getenv);
  REQUIRE(missing.error);
  CHECK(missing.error->to_string() == "telnyx.api_key_env: environment variable TELNYX_API_KEY is not set");
}

TEST_CASE("load_file reads a config file and reports files it cannot read") {
  fake_env = {{"TELNYX_API_KEY", "k"}, {"DIALER_API_TOKENS", "0123456789abcdef"}};
  auto ok = cfg::load_file(TEST_DATA_DIR "/config/minimal.json", fake_getenv);
  REQUIRE_MESSAGE(ok.value, (ok.error ? ok.error->to_string() : ""));
  CHECK(ok.value->database == ":memory:");

  auto missing = cfg::load_file(TEST_DATA_DIR "/config/does-not-exist.json", fake_getenv);
  REQUIRE(missing.error);
  CHECK(missing.error->path.empty());
  CHECK(missing.error->message ==
        "cannot read config file " TEST_DATA_DIR "/config/does-not-exist.json: No such file or directory");

  auto directory = cfg::load_file(TEST_DATA_DIR "/config", fake_getenv);
  REQUIRE(directory.error);
  CHECK(directory.error->message.starts_with("cannot read config file "));

  auto comment = cfg::load_file(TEST_DATA_DIR "/config/with_comment.json", fake_getenv);
  REQUIRE(comment.error);
  CHECK(comment.error->message.starts_with("invalid JSON at offset "));
}

namespace {
const std::string crm_secret = "crm-secret-0123456789abcdef";
const std::string crm_block = R"({"webhook_url": "https://crm.example.com/hooks/dialer", "secret": "crm-secret-0123456789abcdef"})";
}  // namespace

TEST_CASE("the crm block is optional and its defaults are documented ones") {
  fake_env.clear();
  auto absent = cfg::parse(base_config, fake_getenv);
  REQUIRE(absent.value);
  CHECK_FALSE(absent.value->crm);
  auto null_block = cfg::parse(mutate("/crm", "null"), fake_getenv);
  REQUIRE(null_block.value);
  CHECK_FALSE(null_block.value->crm);

  auto r = cfg::parse(mutate("/crm", crm_block), fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  REQUIRE(r.value->crm);
  const auto& c = *r.value->crm;
  CHECK(c.webhook_url == "https://crm.example.com/hooks/dialer");
  CHECK(c.secret == crm_secret);
  CHECK(c.max_attempts == 10);
  CHECK(c.timeout == std::chrono::milliseconds(5000));
  CHECK(c.retry_initial == std::chrono::milliseconds(1000));
  CHECK(c.retry_max == std::chrono::milliseconds(300000));
  CHECK(c.max_in_flight == 4);
  CHECK(c.verify_tls_peer);
}

TEST_CASE("crm values given override the defaults and the secret may come from the environment") {
  fake_env = {{"MY_CRM_SECRET", "crm-secret-from-env-0123"}};
  auto r = cfg::parse(mutate("/crm", R"({"webhook_url": "http://127.0.0.1:9999/in?x=1", "secret_env": "MY_CRM_SECRET",
      "max_attempts": 3, "timeout_ms": 250, "retry_initial_ms": 20, "retry_max_ms": 40, "max_in_flight": 2,
      "verify_tls_peer": false})"), fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  const auto& c = *r.value->crm;
  CHECK(c.webhook_url == "http://127.0.0.1:9999/in?x=1");
  CHECK(c.secret == "crm-secret-from-env-0123");
  CHECK(c.max_attempts == 3);
  CHECK(c.timeout == std::chrono::milliseconds(250));
  CHECK(c.retry_initial == std::chrono::milliseconds(20));
  CHECK(c.retry_max == std::chrono::milliseconds(40));
  CHECK(c.max_in_flight == 2);
  CHECK_FALSE(c.verify_tls_peer);
}

TEST_CASE("each bad crm field is rejected with its JSON path and never quotes the secret") {
  fake_env = {{"SHORT_SECRET", "crm-secret"}};
  struct bad_case {
    std::string json;  // the whole crm block
    std::string path;
  };
  const std::vector<bad_case> cases = {
      {R"("https://crm.example.com")", "crm"},
      {R"({"secret": "crm-secret-0123456789abcdef"})", "crm.webhook_url"},
      {R"({"webhook_url": "crm.example.com/in", "secret": "crm-secret-0123456789abcdef"})", "crm.webhook_url"},
      {R"({"webhook_url": "https://", "secret": "crm-secret-0123456789abcdef"})", "crm.webhook_url"},
      {R"({"webhook_url": "https://crm.example.com"})", "crm.secret"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "secret_env": "X"})", "crm.secret"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret"})", "crm.secret"},
      {R"({"webhook_url": "https://crm.example.com", "secret": 12})", "crm.secret"},
      {R"({"webhook_url": "https://crm.example.com", "secret_env": "UNSET_CRM_SECRET"})", "crm.secret_env"},
      {R"({"webhook_url": "https://crm.example.com", "secret_env": "SHORT_SECRET"})", "crm.secret_env"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "max_attempts": 0})", "crm.max_attempts"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "timeout_ms": 99})", "crm.timeout_ms"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "retry_initial_ms": 5})", "crm.retry_initial_ms"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "retry_initial_ms": 500, "retry_max_ms": 100})", "crm.retry_max_ms"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "max_in_flight": 65})", "crm.max_in_flight"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "verify_tls_peer": "no"})", "crm.verify_tls_peer"},
      {R"({"webhook_url": "https://crm.example.com", "secret": "crm-secret-0123456789abcdef", "max_atempts": 3})", "crm.max_atempts"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    auto r = cfg::parse(mutate("/crm", c.json), fake_getenv);
    REQUIRE(r.error);
    CHECK(r.error->path == c.path);
    CHECK_FALSE(r.error->message.empty());
    CHECK(r.error->to_string().find("crm-secret") == std::string::npos);
  }
}

TEST_CASE("the crm example documented in dialer.example.json is a valid crm block") {
  fake_env = {{"DIALER_CRM_SECRET", "crm-secret-0123456789abcdef"}};
  std::ifstream in(DIALER_SOURCE_DIR "/config/dialer.example.json");
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document example;
  example.Parse(text.str().c_str());
  REQUIRE_FALSE(example.HasParseError());
  const rapidjson::Value* block = rapidjson::Pointer("/_crm_example").Get(example);
  REQUIRE(block);
  auto r = cfg::parse(mutate("/crm", serialise(*block)), fake_getenv);
  REQUIRE_MESSAGE(r.value, (r.error ? r.error->to_string() : ""));
  REQUIRE(r.value->crm);
  CHECK(r.value->crm->secret == "crm-secret-0123456789abcdef");
}
TEST_CASE("api.events_heartbeat_s sets the event stream heartbeat, 15 s by default, 1..3600") {
  fake_env.clear();
  auto defaults = cfg::parse(base_config, fake_getenv);
  REQUIRE(defaults.value);
  CHECK(defaults.value->events_heartbeat == std::chrono::seconds(15));
  auto given = cfg::parse(mutate("/api/events_heartbeat_s", "2"), fake_getenv);
  REQUIRE_MESSAGE(given.value, (given.error ? given.error->to_string() : ""));
  CHECK(given.value->events_heartbeat == std::chrono::seconds(2));
  for (const char* bad : {"0", "3601", "1.5", R"("15")"}) {
    auto r = cfg::parse(mutate("/api/events_heartbeat_s", bad), fake_getenv);
    REQUIRE_FALSE(r.value);
    CHECK(r.error->path == "api.events_heartbeat_s");
  }
}
