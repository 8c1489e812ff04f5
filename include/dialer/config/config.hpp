// The service configuration (SPEC §2): one JSON file loaded once at start, validated as a whole.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/config/compliance.hpp"
#include "dialer/http/server.hpp"

namespace dialer::config {

struct agent {
  std::string id;
  std::string name;
  std::string endpoint;  // SIP URI or E.164
};

struct telnyx_settings {
  std::string api_base = "https://api.telnyx.com/v2";
  std::string api_key;          // resolved from api_key or the env var named by api_key_env; never logged
  std::string connection_id;
  std::string webhook_url;      // sent as webhook_url on dials when not empty
  std::string public_key;       // base64 raw 32-byte Ed25519 key
  std::chrono::seconds signature_tolerance{300};
  double dials_per_second = 10;
  bool verify_signatures = true;  // "verify_signatures": false only for local use (loud warning)
  bool verify_tls_peer = true;    // "verify_tls_peer": false only for local testing
  std::chrono::milliseconds request_timeout{5000};
};

struct dialing_settings {
  int max_attempts = 3;
  int ring_timeout_s = 30;       // >= 15
  int retry_delay_s = 0;
  int wrap_up_s = 0;
  // A call that heard nothing for ring_timeout_s + this (ringing) or this (answered, not bridged) is
  // checked with GET /calls/{id} and closed when Telnyx says it is over (lost webhooks).
  int status_check_after_s = 15;
  std::string machine_detection = "disabled";  // or a Telnyx AMD mode
  std::string agent_caller_id;                 // E.164; defaults to numbers[0]
};

// The optional "crm" block: call.connected / call.ended pushed to the CRM as signed JSON POSTs.
struct crm_settings {
  std::string webhook_url;  // http(s) URL the events are POSTed to
  std::string secret;       // HMAC-SHA256 key, from secret or the env var named by secret_env; never logged
  int max_attempts = 10;    // deliveries tried before an event is marked failed
  std::chrono::milliseconds timeout{5000};         // one delivery (connect + send + reply)
  std::chrono::milliseconds retry_initial{1000};   // wait after the first failure; doubles each time
  std::chrono::milliseconds retry_max{300000};     // cap of that wait
  int max_in_flight = 4;                           // deliveries at once
  bool verify_tls_peer = true;                     // false only for local testing
};

// Calls that arrive on one of the configured numbers (SPEC §6 inbound calls).
struct inbound_settings {
  std::string forward_to;  // E.164 or SIP URI: answer and transfer there; empty: reject with USER_BUSY
};

struct config {
  http::server_options server;   // listen, tls, limits
  std::string database = "var/dialer.db";
  std::string database_synchronous = "FULL";  // "database_synchronous": FULL or NORMAL
  telnyx_settings telnyx;
  std::vector<std::string> numbers;  // E.164 caller ids
  std::vector<agent> agents;
  dialing_settings dialing;
  inbound_settings inbound;
  std::vector<std::string> api_tokens;  // from api.tokens or env api.tokens_env (comma separated); never logged
  std::chrono::seconds events_heartbeat{15};  // api.events_heartbeat_s: SSE heartbeat while idle (GET /api/events)
  std::optional<compliance_settings> compliance;  // absent: the seed's behaviour (SPEC §10)
  std::optional<crm_settings> crm;  // absent: no CRM push
};

// A config error: the JSON path of the bad field ("telnyx.dials_per_second") and what is wrong.
struct config_error {
  std::string path;
  std::string message;
  std::string to_string() const;  // "<path>: <message>"
};

struct load_result {
  std::optional<config> value;
  std::optional<config_error> error;
};

// Parses strict JSON (no comments, no trailing commas) and validates the whole document. Exactly one
// of value/error is set; the error names the JSON path of the first bad field and never contains a
// secret (api key, API tokens, crm secret). Unknown keys are errors (typos), except any key starting with "_"
// (inline documentation). `getenv` resolves *_env keys (injected for tests;
// nullptr result = unset). server.tls files are checked for readability here, so a bad path fails
// before any port is bound.
using env_lookup = const char* (*)(const char*);
load_result parse(std::string_view json_text, env_lookup getenv);
// Reads the file then parse(); an unreadable file is an error with path "" and message
// "cannot read config file <path>: <reason>".
load_result load_file(const std::string& path, env_lookup getenv);

// True for "+" followed by 8 to 15 digits, the first not 0.
bool is_e164(std::string_view s);

}  // namespace dialer::config
