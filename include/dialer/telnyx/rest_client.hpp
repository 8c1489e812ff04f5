// The Telnyx Call Control REST client: dial, bridge, hangup, speak, playback_start, answer/transfer/reject (incoming
// calls), and call status. Async, keep-alive,
// Bearer auth; every command carries a command_id and is retried with the SAME command_id and backoff
// on 5xx, 429 (honouring x-ratelimit-reset) and transport failures/timeouts.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/common/net.hpp"

namespace dialer::telnyx {

struct api_error {
  std::string code;    // "90018"
  std::string title;
  std::string detail;
};

// The outcome of one command after retries.
struct command_result {
  bool ok = false;               // 2xx
  unsigned http_status = 0;      // 0 when no HTTP reply was ever received
  bool transport_failure = false;  // every try failed without a reply (refused, reset, timeout)
  std::vector<api_error> errors;   // parsed from {"errors":[...]}
  std::string body;                // raw reply body
  int tries = 0;
  // True when errors contain `code`.
  bool has_error_code(std::string_view code) const;
  // "90018 Call has already ended" style summary for logs and call rows (never contains secrets).
  std::string summary() const;
};

struct dial_request {
  std::string to;              // E.164 or SIP URI
  std::string from;            // E.164
  std::string connection_id;
  int timeout_secs = 30;
  std::string client_state;    // base64
  std::string command_id;
  std::string answering_machine_detection;  // empty or "disabled": not sent
  std::string webhook_url;     // empty: not sent
};

struct transfer_request {
  std::string to;                       // E.164 or SIP URI
  int timeout_secs = 30;                // ring time of the new leg
  std::string target_leg_client_state;  // base64, empty: not sent
  std::string command_id;
};

// POST /calls/{id}/actions/speak: text to speech on the call (SpeakRequest).
struct speak_request {
  std::string payload;     // the text, up to 3000 characters
  std::string voice;       // "female", "male" or a provider voice such as "AWS.Polly.Joanna-Neural"
  std::string language;    // e.g. "en-US"; empty: not sent
  std::string command_id;
};

// POST /calls/{id}/actions/playback_start: an audio file played on the call (PlayAudioUrlRequest).
struct playback_request {
  std::string audio_url;   // http(s) URL of a WAV or MP3 file
  std::string command_id;
};

struct dial_result {
  command_result result;
  std::string call_control_id;  // set when result.ok
  std::string call_leg_id;
  std::string call_session_id;
};

struct call_status {
  command_result result;
  bool is_alive = false;
  std::optional<std::string> end_time;
};

struct rest_options {
  std::string api_base = "https://api.telnyx.com/v2";
  std::string api_key;  // never logged
  std::chrono::milliseconds request_timeout{5000};
  int max_tries = 4;                                   // first try included
  std::chrono::milliseconds initial_backoff{200};      // doubled each retry, capped at max_backoff
  std::chrono::milliseconds max_backoff{5000};         // also caps a 429's x-ratelimit-reset wait
  std::size_t max_connections = 32;
  bool verify_peer = true;
  // Paces every POST /calls try, retries included, to at most this many per second (0: unpaced).
  // Telnyx counts each dial request against the account's limit, and the engine paces only new dials.
  double dials_per_second = 0;
};

class rest_client {
 public:
  // Throws std::invalid_argument when options.api_base is not an http(s) URL.
  rest_client(net::any_io_executor ex, rest_options options);
  // Closes idle connections; commands in flight keep the internals alive and complete.
  ~rest_client();
  rest_client(const rest_client&) = delete;
  rest_client& operator=(const rest_client&) = delete;

  // Every command below returns its outcome as a value after the retry policy ran out; none throws
  // on I/O or API failure. An empty command_id is allowed and then not sent (no idempotency).

  awaitable<dial_result> dial(dial_request req);
  // POST /calls/{agent_leg}/actions/bridge {"call_control_id": other_leg, "park_after_unbridge": "self"?}
  awaitable<command_result> bridge(std::string call_control_id, std::string other_call_control_id,
                                   bool park_after_unbridge_self, std::string command_id);
  awaitable<command_result> hangup(std::string call_control_id, std::string command_id);
  // POST /calls/{id}/actions/speak; Telnyx then sends call.speak.started and call.speak.ended.
  awaitable<command_result> speak(std::string call_control_id, speak_request req);
  // POST /calls/{id}/actions/playback_start; then call.playback.started and call.playback.ended.
  awaitable<command_result> playback_start(std::string call_control_id, playback_request req);
  // POST /calls/{id}/actions/answer (an incoming call).
  awaitable<command_result> answer(std::string call_control_id, std::string command_id);
  // POST /calls/{id}/actions/transfer {"to", "timeout_secs", "target_leg_client_state"?}: an answered
  // incoming call is moved to `to` (E.164 or SIP URI); the original leg stays up until the new one answers.
  awaitable<command_result> transfer(std::string call_control_id, transfer_request req);
  // POST /calls/{id}/actions/reject {"cause": "USER_BUSY"|"CALL_REJECTED"}: an incoming call not answered.
  awaitable<command_result> reject(std::string call_control_id, std::string cause, std::string command_id);
  // GET /calls/{id}; is_alive/end_time from data when result.ok. Same retry policy as commands.
  awaitable<call_status> get_call(std::string call_control_id);

  // Request bodies, exposed for tests that validate them against the official OpenAPI schema.
  static std::string dial_body(const dial_request& req);
  static std::string bridge_body(const std::string& other_call_control_id, bool park_after_unbridge_self,
                                 const std::string& command_id);
  static std::string hangup_body(const std::string& command_id);
  // {"payload", "voice", "language"?, "command_id"?}
  static std::string speak_body(const speak_request& req);
  // {"audio_url", "command_id"?}
  static std::string playback_body(const playback_request& req);
  static std::string answer_body(const std::string& command_id);
  // {"to", "timeout_secs", "target_leg_client_state"?, "command_id"?}
  static std::string transfer_body(const transfer_request& req);
  // {"cause", "command_id"?}
  static std::string reject_body(const std::string& cause, const std::string& command_id);
  // The path segment for a call_control_id: unreserved characters and ':' kept, the rest %XX.
  static std::string escape_path_segment(std::string_view segment);
  // Parses {"errors":[{"code","title","detail"}]}; a numeric code is kept as its digits. Empty on
  // anything else (not JSON, no errors array).
  static std::vector<api_error> parse_errors(std::string_view body);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace dialer::telnyx
