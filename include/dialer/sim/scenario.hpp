// The simulator's scenario: what called numbers do (outcome odds, ring and talk times), how agent
// endpoints behave, per-number overrides, the dial rate limit and fault knobs. Loaded once from JSON
// (config/sim-scenario.json documents every key).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dialer::sim {

// What a called (non-agent) destination does with a call.
enum class outcome {
  answer,     // a person answers after the ring time
  busy,       // user_busy after busy_after_s
  no_answer,  // rings until the dial's timeout_secs
  machine,    // an answering machine answers after the ring time
  invalid,    // the number does not exist: not_found after invalid_after_s
};
const char* to_string(outcome o);
// nullopt for any other text.
std::optional<outcome> outcome_from_string(std::string_view text);

// Simulated seconds, drawn uniformly in [min, max].
struct seconds_range {
  double min = 0;
  double max = 0;
};

// Scripted behaviour of one destination; unset fields fall back to the scenario's draws.
struct number_override {
  std::optional<outcome> result;
  std::optional<seconds_range> ring_s;
  std::optional<seconds_range> talk_s;
};

// Agent endpoints (SIP URIs, numbers listed in "agents", or dials whose client_state says "k":"agent").
struct agent_behaviour {
  double answer_after_s = 2;
  double leave_after_s = 0;  // 0: stays until hung up
};

// Webhook redelivery; times are REAL seconds (not scaled), like Telnyx's own retries.
struct webhook_retry_policy {
  int max_attempts = 10;           // first delivery included; then the event is dropped (counted)
  double initial_backoff_s = 0.5;  // doubled after each failure
  double max_backoff_s = 30;
  double timeout_s = 2;            // no complete reply within this is a failure
};

// Fault knobs. Probabilities are per event / per request / per call in [0, 1]; times are REAL seconds.
struct fault_settings {
  webhook_retry_policy webhook_retry;
  double webhook_duplicate_p = 0;     // deliver an event a second time after it succeeded (same data.id)
  double webhook_drop_first_p = 0;    // count attempt 1 as failed without sending, so it is redelivered
  double webhook_delay_max_s = 0;     // extra random real delay in [0, max] before an event's first attempt
  double webhook_delay_p = 1;         // share of events that get that delay (when webhook_delay_max_s > 0)
  double webhook_reorder_p = 0;       // hold an event and deliver it after the same call's next event
  double webhook_reorder_hold_s = 1;  // how long a held event waits for a next event (then goes anyway)
  double webhook_lose_call_p = 0;     // customer calls whose every webhook is never delivered
  double rest_5xx_p = 0;              // a /v2 request answers 500 without acting
  double rest_429_p = 0;              // a /v2 request answers 429 (code 10011) without acting
  double rest_slow_s = 0;             // a /v2 reply is delayed this many real seconds (before acting)
  double rest_slow_p = 1;             // share of /v2 requests that are slow (when rest_slow_s > 0)
  double rest_reset_before_p = 0;     // a /v2 request's connection is reset before the sim acts
  double rest_reset_after_p = 0;      // the sim acts (dials, hangs up...) and then resets the connection
  int dial_reply_loss_after = 0;      // from this POST /calls on (1 = the first; 0 = never) ...
  double dial_reply_loss_s = 0;       // ... for this long, every dial is placed but its reply is lost
  // Commands that never get out of a client that is about to die: the first N requests of each named
  // action ("bridge", "hangup", "speak", ...) are held for lost_command_hold_s, then their connection is
  // reset and nothing is done. A client that lives on times out and re-sends; one killed meanwhile must
  // find out after its restart that the command it decided on was never carried out.
  std::map<std::string, int> lost_commands;
  double lost_command_hold_s = 30;
};

// Telnyx's account dial limit: N dials in a rolling window (real time), else 429 code 90103.
struct dial_rate_limit {
  int dials_per_window = 150;
  double window_s = 5;
};

struct scenario {
  // Outcome odds for non-agent destinations; normalised, so they need not sum to 1.
  double p_answer = 0.25;
  double p_busy = 0.10;
  double p_no_answer = 0.60;
  double p_machine = 0;
  double p_invalid = 0.05;
  seconds_range ring_s{3, 15};
  seconds_range talk_s{20, 120};          // bridged person (or machine greeting) before hanging up
  double unbridged_patience_s = 6;        // an answered person nobody bridges hangs up after this
  double busy_after_s = 3;
  double invalid_after_s = 1;
  seconds_range amd_s{1, 3};              // answer -> call.machine.detection.ended
  double speak_words_per_s = 2.5;         // speak duration = max(1 s, words / this)
  double playback_s = 5;                  // playback_start duration
  seconds_range machine_greeting_s{2, 5};  // machine: detection result -> end of greeting (the beep)
  agent_behaviour agent;
  std::vector<std::string> agents;        // destinations that behave as agent endpoints
  std::map<std::string, number_override> numbers;
  dial_rate_limit rate_limit;
  fault_settings faults;
};

struct scenario_result {
  std::optional<scenario> value;  // set on success
  std::string error;              // "<json path>: <problem>" otherwise
};

// Parses a scenario; every key is optional (defaults above). Unknown keys are ignored.
scenario_result parse_scenario(std::string_view json_text);
// Reads then parses; an unreadable file is an error naming the file.
scenario_result load_scenario_file(const std::string& path);

}  // namespace dialer::sim
