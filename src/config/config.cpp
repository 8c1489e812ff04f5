// Loads and validates the service configuration (SPEC §2). The first bad field stops loading with
// its JSON path, so start-up fails before any port is bound.
#include "dialer/config/config.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>

#include "dialer/common/json.hpp"
#include "validation.hpp"

namespace dialer::config {

std::string config_error::to_string() const { return path + ": " + message; }

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

namespace {
using namespace detail;

constexpr const char* e164_message = "must be E.164 (+ and 8 to 15 digits)";

bool readable_file(const std::string& file, std::string* reason) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    *reason = "is a directory";
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *reason = std::strerror(errno);
    return false;
  }
  return true;
}

// "host:port"; the last colon splits so "[::1]:8080" works.
void check_listen(const std::string& listen, const std::string& path) {
  const auto colon = listen.rfind(':');
  const std::string message = "must be \"host:port\" with a port from 0 to 65535";
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) fail(path, message);
  const std::string port = listen.substr(colon + 1);
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port) > 65535) {
    fail(path, message);
  }
}

void read_server(const object_view& root, config& out) {
  object_view server(root.required("server"), "server",
                     {"listen", "tls", "body_limit_bytes", "header_limit_bytes", "read_timeout_ms",
                      "max_connections"});
  out.server.listen = *server.string("listen", true);
  check_listen(out.server.listen, server.path("listen"));
  if (const json_value* tls_value = server.find("tls")) {
    object_view tls(*tls_value, server.path("tls"), {"cert", "key"});
    http::tls_files files;
    files.cert_chain_file = *tls.string("cert", true);
    files.private_key_file = *tls.string("key", true);
    std::string reason;
    if (!readable_file(files.cert_chain_file, &reason)) {
      fail(tls.path("cert"), "cannot read file " + files.cert_chain_file + ": " + reason);
    }
    if (!readable_file(files.private_key_file, &reason)) {
      fail(tls.path("key"), "cannot read file " + files.private_key_file + ": " + reason);
    }
    out.server.tls = std::move(files);
  }
  if (auto v = server.integer("body_limit_bytes", 1024, 256 * 1024 * 1024)) out.server.body_limit = *v;
  if (auto v = server.integer("header_limit_bytes", 1024, 1024 * 1024)) out.server.header_limit = *v;
  if (auto v = server.integer("read_timeout_ms", 100, 3600 * 1000)) {
    out.server.read_timeout = std::chrono::milliseconds(*v);
  }
  if (auto v = server.integer("max_connections", 1, 1000000)) out.server.max_connections = *v;
}

// Ed25519 public keys are 32 bytes: 44 base64 characters with exactly one "=".
bool is_base64_32_bytes(const std::string& text) {
  if (text.size() != 44 || text[43] != '=' || text[42] == '=') return false;
  unsigned char decoded[33];
  // EVP_DecodeBlock ignores padding when counting, so 44 chars always yields 33; it returns -1 on a
  // character outside the alphabet.
  return EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(text.data()), 44) == 33;
}

std::string env_value(env_lookup getenv, const std::string& name, const std::string& path) {
  const char* v = getenv != nullptr ? getenv(name.c_str()) : nullptr;
  if (v == nullptr || *v == '\0') fail(path, "environment variable " + name + " is not set");
  return v;
}

void read_telnyx(const object_view& root, env_lookup getenv, config& out) {
  object_view telnyx(root.required("telnyx"), "telnyx",
                     {"api_base", "api_key", "api_key_env", "connection_id", "webhook_url", "public_key",
                      "signature_tolerance_s", "dials_per_second", "verify_signatures", "verify_tls_peer",
                      "request_timeout_ms"});
  auto& t = out.telnyx;
  if (auto base = telnyx.string("api_base")) {
    if (!(base->starts_with("http://") && base->size() > 7) && !(base->starts_with("https://") && base->size() > 8)) {
      fail(telnyx.path("api_base"), "must be an http:// or https:// URL");
    }
    while (base->ends_with('/')) base->pop_back();  // so api_base + "/calls" never doubles the slash
    t.api_base = *base;
  }

  const bool has_key = telnyx.has("api_key");
  const bool has_env = telnyx.has("api_key_env");
  if (has_key && has_env) fail(telnyx.path("api_key"), "set api_key or api_key_env, not both");
  if (!has_key && !has_env) fail(telnyx.path("api_key"), "required (or api_key_env)");
  if (has_key) {
    t.api_key = *telnyx.string("api_key");
  } else {
    t.api_key = env_value(getenv, *telnyx.string("api_key_env"), telnyx.path("api_key_env"));
  }

  t.connection_id = *telnyx.string("connection_id", true);
  if (auto url = telnyx.string("webhook_url")) {
    if (!url->starts_with("http://") && !url->starts_with("https://")) {
      fail(telnyx.path("webhook_url"), "must be an http:// or https:// URL");
    }
    t.webhook_url = *url;
  }
  if (auto v = telnyx.boolean("verify_signatures")) t.verify_signatures = *v;
  if (auto v = telnyx.boolean("verify_tls_peer")) t.verify_tls_peer = *v;
  if (auto key = telnyx.string("public_key", t.verify_signatures)) {
    if (!is_base64_32_bytes(*key)) fail(telnyx.path("public_key"), "must be base64 of a 32-byte Ed25519 key");
    t.public_key = *key;
  }
  if (auto v = telnyx.integer("signature_tolerance_s", 1, 3600)) t.signature_tolerance = std::chrono::seconds(*v);
  if (const json_value* v = telnyx.find("dials_per_second")) {
    if (!v->IsNumber() || !(v->GetDouble() > 0) || v->GetDouble() > 1000) {
      fail(telnyx.path("dials_per_second"), "must be a number > 0 and <= 1000");
    }
    t.dials_per_second = v->GetDouble();
  }
  if (auto v = telnyx.integer("request_timeout_ms", 100, 60000)) t.request_timeout = std::chrono::milliseconds(*v);
}

void read_numbers(const object_view& root, config& out) {
  const json_value& numbers = root.required("numbers");
  if (!numbers.IsArray() || numbers.Empty()) fail("numbers", "must be a non-empty array of E.164 numbers");
  for (rapidjson::SizeType i = 0; i < numbers.Size(); ++i) {
    const json_value& n = numbers[i];
    if (!n.IsString() || !is_e164(std::string_view(n.GetString(), n.GetStringLength()))) {
      fail(index("numbers", i), e164_message);
    }
    std::string number(n.GetString(), n.GetStringLength());
    auto dup = std::find(out.numbers.begin(), out.numbers.end(), number);
    if (dup != out.numbers.end()) {
      fail(index("numbers", i), "duplicate of " + index("numbers", dup - out.numbers.begin()));
    }
    out.numbers.push_back(std::move(number));
  }
}

bool is_agent_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool is_sip_uri(std::string_view s) {
  std::string_view rest;
  if (s.starts_with("sip:")) {
    rest = s.substr(4);
  } else if (s.starts_with("sips:")) {
    rest = s.substr(5);
  } else {
    return false;
  }
  return !rest.empty() && std::none_of(rest.begin(), rest.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
}

void read_agents(const object_view& root, config& out) {
  const json_value& agents = root.required("agents");
  if (!agents.IsArray() || agents.Empty()) fail("agents", "must be a non-empty array of agents");
  for (rapidjson::SizeType i = 0; i < agents.Size(); ++i) {
    object_view a(agents[i], index("agents", i), {"id", "name", "endpoint"});
    agent item;
    item.id = *a.string("id", true);
    if (!is_agent_id(item.id)) fail(a.path("id"), "must be 1 to 64 of A-Z a-z 0-9 _ -");
    for (std::size_t j = 0; j < out.agents.size(); ++j) {
      if (out.agents[j].id == item.id) fail(a.path("id"), "duplicate of " + index("agents", j) + ".id");
    }
    item.name = a.string("name").value_or(item.id);
    item.endpoint = *a.string("endpoint", true);
    if (!is_sip_uri(item.endpoint) && !is_e164(item.endpoint)) {
      fail(a.path("endpoint"), "must be a SIP URI (sip:user@host) or E.164 (+ and 8 to 15 digits)");
    }
    out.agents.push_back(std::move(item));
  }
}

void read_dialing(const object_view& root, config& out) {
  auto& d = out.dialing;
  if (const json_value* v = root.find("dialing")) {
    object_view dialing(*v, "dialing",
                        {"max_attempts", "ring_timeout_s", "retry_delay_s", "wrap_up_s", "machine_detection",
                         "agent_caller_id", "status_check_after_s"});
    if (auto n = dialing.integer("max_attempts", 1, 20)) d.max_attempts = static_cast<int>(*n);
    if (auto n = dialing.integer("ring_timeout_s", 15, 600)) d.ring_timeout_s = static_cast<int>(*n);
    if (auto n = dialing.integer("retry_delay_s", 0, 86400)) d.retry_delay_s = static_cast<int>(*n);
    if (auto n = dialing.integer("wrap_up_s", 0, 3600)) d.wrap_up_s = static_cast<int>(*n);
    if (auto n = dialing.integer("status_check_after_s", 1, 3600)) d.status_check_after_s = static_cast<int>(*n);
    if (const json_value* m = dialing.find("machine_detection")) {
      static constexpr std::string_view modes[] = {"disabled",     "detect",       "detect_beep",
                                                   "detect_words", "greeting_end", "premium"};
      std::string_view mode = m->IsString() ? std::string_view(m->GetString(), m->GetStringLength()) : "";
      if (std::find(std::begin(modes), std::end(modes), mode) == std::end(modes)) {
        fail(dialing.path("machine_detection"),
             "must be one of disabled, detect, detect_beep, detect_words, greeting_end, premium");
      }
      d.machine_detection = std::string(mode);
    }
    if (const json_value* c = dialing.find("agent_caller_id")) {
      if (!c->IsString() || !is_e164(std::string_view(c->GetString(), c->GetStringLength()))) {
        fail(dialing.path("agent_caller_id"), e164_message);
      }
      d.agent_caller_id = c->GetString();
    }
  }
  if (d.agent_caller_id.empty()) d.agent_caller_id = out.numbers.front();
}

void read_inbound(const object_view& root, config& out) {
  const json_value* v = root.find("inbound");
  if (v == nullptr || v->IsNull()) return;
  object_view inbound(*v, "inbound", {"forward_to"});
  if (const json_value* f = inbound.find("forward_to"); f != nullptr && !f->IsNull()) {
    std::string_view to = f->IsString() ? std::string_view(f->GetString(), f->GetStringLength()) : "";
    if (!is_sip_uri(to) && !is_e164(to)) {
      fail(inbound.path("forward_to"), "must be a SIP URI (sip:user@host) or E.164 (+ and 8 to 15 digits), or null");
    }
    out.inbound.forward_to = std::string(to);
  }
}

constexpr std::size_t min_token_length = 16;

void add_token(std::string token, const std::string& path, std::size_t position, config& out) {
  // The message says which token (by position) without quoting it: tokens are secrets.
  if (token.size() < min_token_length) {
    fail(path, "token " + std::to_string(position + 1) + " is shorter than " + std::to_string(min_token_length) +
                   " characters");
  }
  if (std::find(out.api_tokens.begin(), out.api_tokens.end(), token) == out.api_tokens.end()) {
    out.api_tokens.push_back(std::move(token));
  }
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

void read_api(const object_view& root, env_lookup getenv, config& out) {
  object_view api(root.required("api"), "api", {"tokens", "tokens_env", "events_heartbeat_s"});
  if (auto v = api.integer("events_heartbeat_s", 1, 3600)) out.events_heartbeat = std::chrono::seconds(*v);
  if (const json_value* tokens = api.find("tokens")) {
    if (!tokens->IsArray()) fail(api.path("tokens"), "must be an array of strings");
    for (rapidjson::SizeType i = 0; i < tokens->Size(); ++i) {
      const json_value& t = (*tokens)[i];
      const std::string path = index(api.path("tokens"), i);
      if (!t.IsString()) fail(path, "must be a string");
      if (t.GetStringLength() < min_token_length) {
        fail(path, "must be at least " + std::to_string(min_token_length) + " characters");
      }
      add_token(std::string(t.GetString(), t.GetStringLength()), path, i, out);
    }
  }
  if (auto name = api.string("tokens_env")) {
    const std::string list = env_value(getenv, *name, api.path("tokens_env"));
    std::size_t position = 0;
    std::size_t start = 0;
    while (start <= list.size()) {
      auto comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string token = trim(std::string_view(list).substr(start, comma - start));
      if (!token.empty()) add_token(std::move(token), api.path("tokens_env"), position++, out);
      start = comma + 1;
    }
  }
  if (out.api_tokens.empty()) fail(api.path("tokens"), "at least one API token is required (tokens or tokens_env)");
}

bool is_http_url(const std::string& url) {
  return (url.starts_with("http://") && url.size() > 7) || (url.starts_with("https://") && url.size() > 8);
}

void read_crm(const object_view& root, env_lookup getenv, config& out) {
  const json_value* v = root.find("crm");
  if (v == nullptr || v->IsNull()) return;
  object_view crm(*v, "crm",
                  {"webhook_url", "secret", "secret_env", "max_attempts", "timeout_ms", "retry_initial_ms",
                   "retry_max_ms", "max_in_flight", "verify_tls_peer"});
  crm_settings c;
  c.webhook_url = *crm.string("webhook_url", true);
  if (!is_http_url(c.webhook_url)) fail(crm.path("webhook_url"), "must be an http:// or https:// URL");
  const bool has_secret = crm.has("secret");
  const bool has_env = crm.has("secret_env");
  if (has_secret && has_env) fail(crm.path("secret"), "set secret or secret_env, not both");
  if (!has_secret && !has_env) fail(crm.path("secret"), "required (or secret_env)");
  const std::string secret_path = has_secret ? crm.path("secret") : crm.path("secret_env");
  c.secret = has_secret ? *crm.string("secret") : env_value(getenv, *crm.string("secret_env"), secret_path);
  if (c.secret.size() < min_token_length) {
    fail(secret_path, "the secret must be at least " + std::to_string(min_token_length) + " characters");
  }
  if (auto n = crm.integer("max_attempts", 1, 100)) c.max_attempts = static_cast<int>(*n);
  if (auto n = crm.integer("timeout_ms", 100, 60000)) c.timeout = std::chrono::milliseconds(*n);
  if (auto n = crm.integer("retry_initial_ms", 10, 3600 * 1000)) c.retry_initial = std::chrono::milliseconds(*n);
  if (auto n = crm.integer("retry_max_ms", 10, 24 * 3600 * 1000)) c.retry_max = std::chrono::milliseconds(*n);
  if (c.retry_max < c.retry_initial) fail(crm.path("retry_max_ms"), "must be at least retry_initial_ms");
  if (auto n = crm.integer("max_in_flight", 1, 64)) c.max_in_flight = static_cast<int>(*n);
  if (auto b = crm.boolean("verify_tls_peer")) c.verify_tls_peer = *b;
  out.crm = std::move(c);
}

config read_config(const json_value& doc, env_lookup getenv) {
  object_view root(doc, "",
                   {"server", "database", "database_synchronous", "telnyx", "numbers", "agents", "dialing", "api",
                    "compliance", "crm", "inbound"});
  config out;
  read_server(root, out);
  out.database = *root.string("database", true);
  if (const json_value* sync = root.find("database_synchronous")) {
    // With the length: GetString() alone stops at a NUL, and "FULL\u0000x" passed as FULL.
    const std::string_view mode = sync->IsString() ? std::string_view(sync->GetString(), sync->GetStringLength()) : "";
    if (mode != "FULL" && mode != "NORMAL") {
      fail("database_synchronous", "must be \"FULL\" or \"NORMAL\"");
    }
    out.database_synchronous = std::string(mode);
  }
  read_telnyx(root, getenv, out);
  read_numbers(root, out);
  read_agents(root, out);
  read_dialing(root, out);
  read_inbound(root, out);
  read_api(root, getenv, out);
  read_crm(root, getenv, out);
  read_compliance(root, out);
  return out;
}

}  // namespace

load_result parse(std::string_view json_text, env_lookup getenv) {
  rapidjson::Document doc;
  // Strict JSON: no comments, no trailing commas, no NaN; "_" keys are the documentation channel.
  // Iterative: the default parser recurses per nesting level, and deep text overflowed the stack.
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(json_text.data(),
                                                                                     json_text.size());
  if (doc.HasParseError()) {
    return {std::nullopt, config_error{"", "invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                                               rapidjson::GetParseError_En(doc.GetParseError())}};
  }
  if (!doc.IsObject()) return {std::nullopt, config_error{"", "the document must be a JSON object"}};
  try {
    return {read_config(doc, getenv), std::nullopt};
  } catch (const invalid& e) {
    return {std::nullopt, e.error};
  }
}

load_result load_file(const std::string& path, env_lookup getenv) {
  std::string reason;
  std::ifstream in;
  if (readable_file(path, &reason)) {
    in.open(path, std::ios::binary);
    if (!in) reason = std::strerror(errno);
  }
  if (!in.is_open()) return {std::nullopt, config_error{"", "cannot read config file " + path + ": " + reason}};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return {std::nullopt, config_error{"", "cannot read config file " + path + ": read failed"}};
  return parse(text.str(), getenv);
}

}  // namespace dialer::config
