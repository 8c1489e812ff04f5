// The simulated telephone network: every dialed leg, what its far end does, bridges, speech, and the
// webhooks each step produces. No sockets and no JSON input: the REST layer parses requests into the
// structs below, time comes from a scheduler, and events leave through a sink, so tests drive it by hand.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dialer/common/clock.hpp"
#include "dialer/sim/client_state.hpp"
#include "dialer/sim/counters.hpp"
#include "dialer/sim/latency_probe.hpp"
#include "dialer/sim/scenario.hpp"
#include "dialer/sim/scheduler.hpp"

namespace dialer::sim {

// A Telnyx-style API error, rendered as {"errors":[{code,title,detail,source:{pointer}}]}.
struct api_error {
  unsigned status = 422;
  std::string code;     // "90018"
  std::string title;
  std::string detail;
  std::string pointer;  // "/call_control_id", empty when none
};

struct dial_params {
  std::string to;
  std::string from;
  std::string connection_id;
  std::string client_state;  // base64 as sent, empty when absent
  std::string command_id;
  std::string webhook_url;   // empty: the simulator's default URL
  std::string answering_machine_detection;  // empty or "disabled": no AMD
  int timeout_secs = 30;
  int time_limit_secs = 14400;
  latency_probe::clock::time_point received_at{};  // when the request arrived (the latency probe's stamp); unset: now
};

// Parameters of POST /calls/{id}/actions/{action}; unused ones stay empty.
struct action_params {
  std::string command_id;
  std::string client_state;            // replaces the call's client_state for later webhooks
  std::string other_call_control_id;   // bridge
  std::string park_after_unbridge;     // bridge: "self" parks this leg when the other one ends
  std::string text;                    // speak payload
  std::string media_url;               // playback_start audio_url
  std::string to;                      // transfer
  std::string from;                    // transfer: caller id for the new leg (default: the call's from)
  std::string target_leg_client_state; // transfer: client_state of the new leg
  int timeout_secs = 30;               // transfer: ring time of the new leg
  std::string cause;                   // reject: USER_BUSY | CALL_REJECTED
  latency_probe::clock::time_point received_at{};  // when the request arrived (the latency probe's stamp); unset: now
};

// POST /sim/inbound: someone calls one of the account's numbers.
struct incoming_params {
  std::string from;
  std::string to;
  std::string connection_id;
  std::optional<double> talk_s;  // once connected, the caller talks this long (default: scenario talk_s)
  double give_up_s = 60;         // unanswered this long, the caller hangs up (originator_cancel)
};

// One webhook to deliver; delivery adds the envelope, id, signature and retries.
struct webhook_out {
  std::string call_control_id;
  std::string url;
  std::string event_type;
  std::string payload_json;  // the "payload" object, serialised
  sys_time occurred_at;      // wall time
  bool customer_leg = false; // a customer call (the only legs webhook_lose_call_p applies to)
};

// Lifecycle of one leg.
enum class call_state {
  ringing,   // dialed, not answered yet
  answered,  // answered, not bridged (includes parked legs)
  bridged,   // connected to another leg
  ended,     // hung up; kept for GET /calls for 10 simulated minutes
};
const char* to_string(call_state s);

struct sim_call {
  std::string call_control_id;
  std::string call_leg_id;
  std::string call_session_id;
  std::string connection_id;
  std::string from;
  std::string to;
  std::string client_state;  // current, base64
  std::string dial_client_state;  // as dialed (double-dial detection)
  client_state_info origin;  // decoded from the dial's client_state
  std::string webhook_url;
  std::string kind;          // customer | agent | manual | inbound | transfer
  bool incoming = false;     // arrived from outside (POST /sim/inbound), not dialed
  std::string transfer_from; // the new leg of a transfer: the call being transferred
  bool agent_endpoint = false;
  std::string planned;       // outcome name, or "agent"
  bool amd = false;
  std::string amd_mode;
  int timeout_secs = 30;
  std::chrono::milliseconds ring{0}, talk{0};
  call_state state = call_state::ringing;
  sys_time start_wall{}, answered_wall{}, bridged_wall{}, end_wall{};
  sys_time ended_sim{};
  std::string bridged_with;    // current peer
  std::string last_bridged_with;
  bool park_after_unbridge_self = false;
  std::string hangup_cause, hangup_source, sip_hangup_cause;
  std::vector<scheduler::timer_id> timers;  // everything pending for this leg
  std::optional<scheduler::timer_id> patience_timer, talk_timer, speak_timer, playback_timer;
  std::string playback_url;
  // Telnyx queues a speak or playback_start issued while one plays: these wait for the current one.
  std::vector<std::chrono::milliseconds> queued_speaks;
  std::vector<std::string> queued_playbacks;  // media URLs
  bool heard_message = false;  // a speak or playback started on this leg
  bool greeting_done = false;  // machine: its greeting ended (call.machine.greeting.ended sent)
  std::map<std::string, sys_time> action_commands;  // command_id -> first seen (wall time)
  bool alive() const { return state != call_state::ended; }
  bool is_customer() const { return kind == "customer"; }
};

// One payload field: a JSON string value, or raw JSON text (null, booleans, objects) when raw.
struct payload_field {
  std::string value;
  bool raw = false;
};
// Payload fields by name; a std::map so payloads come out in key order, like Telnyx's.
using payload_fields = std::map<std::string, payload_field>;

struct dial_reply {
  std::optional<api_error> error;
  const sim_call* call = nullptr;  // set on success
  bool duplicate = false;          // an earlier dial with the same command_id
};

class call_world {
 public:
  using webhook_sink = std::function<void(webhook_out)>;

  call_world(scenario sc, scheduler& sched, std::uint64_t seed, std::string default_webhook_url, webhook_sink sink);

  // POST /calls. Validation of shapes is the REST layer's job; this checks numbers and de-duplicates.
  dial_reply dial(const dial_params& p);
  // POST /calls/{id}/actions/{action}. nullopt = 200 {"result":"ok"}.
  std::optional<api_error> action(std::string_view call_control_id, std::string_view action, const action_params& p);
  // An incoming call arrives (POST /sim/inbound): call.initiated with direction incoming, state
  // parked; it rings until answered, rejected or the caller gives up.
  const sim_call& incoming(const incoming_params& p);
  // The far end hangs up now (POST /sim/calls/{id}/hangup). Errors like action().
  std::optional<api_error> far_end_hangup(std::string_view call_control_id);
  // GET /calls/{id}: nullptr when unknown or ended more than 10 simulated minutes ago.
  const sim_call* find_call(std::string_view call_control_id) const;

  // The 404 90015 answer for an id that is unknown or expired.
  static api_error unknown_call_error();

  // Every call ever dialed, in dial order.
  std::vector<const sim_call*> all_calls() const;
  int live_calls() const { return live_calls_; }
  counters& stats() { return stats_; }
  const counters& stats() const { return stats_; }
  latency_probe& probe() { return probe_; }
  const latency_probe& probe() const { return probe_; }
  const scenario& config() const { return scenario_; }
  sys_time now() const { return sched_.now(); }

  // Repeated command_ids are ignored for 60 REAL seconds, as on Telnyx: a dialer's retries run on
  // real time whatever the time scale.
  static constexpr std::chrono::seconds command_window{60};
  static constexpr std::chrono::minutes retention{10};

 private:
  sim_call* lookup(std::string_view id);
  void plan(sim_call& c, const dial_params& p);
  using timer_slot = std::optional<scheduler::timer_id> sim_call::*;
  // Runs fn on the call after simulated delay d unless the call has ended; `slot` remembers the
  // timer so it can be cancelled on its own.
  void after(sim_call& c, std::chrono::milliseconds d, std::function<void(sim_call&)> fn, timer_slot slot = nullptr);
  void cancel_slot(sim_call& c, timer_slot slot);
  void answer(sim_call& c);
  void start_talk_clock(sim_call& c);
  void end_call(sim_call& c, std::string_view cause, std::string_view source, std::string_view sip);
  sim_call& new_leg(const std::string& from, const std::string& to, const std::string& connection_id,
                    const std::string& client_state, const std::string& webhook_url);
  std::optional<api_error> bridge(sim_call& a, const action_params& p);
  std::optional<api_error> transfer(sim_call& a, const action_params& p);
  std::optional<api_error> reject(sim_call& c, const action_params& p);
  std::optional<api_error> speak(sim_call& c, const action_params& p);
  std::optional<api_error> playback(sim_call& c, const action_params& p);
  void start_speak(sim_call& c, std::chrono::milliseconds duration);
  void start_playback(sim_call& c, std::string media_url);
  void emit(const sim_call& c, std::string_view event_type, payload_fields extra = {});
  // call.speak.ended / call.playback.ended with `status`, counted.
  void emit_message_ended(const sim_call& c, bool speak, std::string_view status);
  void message_started(sim_call& c, bool speak);
  std::chrono::milliseconds draw(const seconds_range& r);
  outcome draw_outcome();
  void track_live(const sim_call& c, int delta);

  scenario scenario_;
  scheduler& sched_;
  std::mt19937_64 rng_;
  std::string default_webhook_url_;
  webhook_sink sink_;
  std::unordered_map<std::string, sim_call> calls_;
  std::vector<std::string> order_;
  struct dial_command {
    std::string call_control_id;
    sys_time at;
  };
  std::unordered_map<std::string, dial_command> dial_commands_;
  std::unordered_map<std::string, int> dials_by_client_state_;  // calls created per attempt, ever
  std::map<std::string, int> live_by_session_, live_by_from_, live_by_to_;
  int live_calls_ = 0;
  counters stats_;
  latency_probe probe_;
};

}  // namespace dialer::sim
