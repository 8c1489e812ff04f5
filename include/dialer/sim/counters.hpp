// What the simulator counts for /sim/report: filled by the call model, webhook delivery and the REST
// layer, all on the one I/O thread.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace dialer::sim {

struct counters {
  std::uint64_t dials = 0;                       // accepted POST /calls that created a call
  std::uint64_t webhooks_sent = 0;               // events delivered (2xx), each data.id once
  std::uint64_t webhook_attempts = 0;            // every POST attempt, successful or not
  std::uint64_t webhook_failures = 0;            // attempts that failed (non-2xx, transport, timeout)
  std::uint64_t webhooks_redelivered = 0;        // attempts with meta.attempt > 1
  std::uint64_t webhooks_dropped = 0;            // events abandoned after the last retry
  std::uint64_t webhooks_duplicated = 0;         // extra deliveries injected by faults
  std::uint64_t duplicate_commands_ignored = 0;  // repeated command_id within 60 s (dials and actions)
  std::uint64_t double_dials = 0;                // a call created for a client_state (one attempt) already dialed
  std::uint64_t overlapping_calls_to_number = 0;  // a customer leg created while another to the same number lives
  std::map<std::string, std::uint64_t> actions_by_type;
  std::map<std::string, std::uint64_t> rejected_requests_by_status;  // "401", "422", "429", ...
  std::map<std::string, std::uint64_t> calls_by_outcome;   // planned destination behaviour ("agent" too)
  std::map<std::string, std::uint64_t> hangups_by_cause;
  std::map<std::string, int> max_concurrent_customer_calls_by_session;
  std::map<std::string, int> max_concurrent_calls_per_from_number;  // customer legs only
  std::map<std::string, int> max_concurrent_calls_per_to_number;    // customer legs only
  std::map<std::string, std::uint64_t> rejected_actions;             // "hangup:90018", "bridge:90034", ...
  int max_live_calls = 0;
  std::uint64_t max_dials_in_1s = 0;          // calls created by POST /calls in any rolling 1 s (real time)
  std::uint64_t max_dial_requests_in_1s = 0;  // POST /calls received (retries and refusals too) in any 1 s

  // Recorded messages (speak, playback_start) as the far ends heard them.
  struct message_counts {
    std::uint64_t speak = 0;        // speak commands that started speech
    std::uint64_t playback = 0;     // playback_start commands that started audio
    std::uint64_t completed = 0;    // *.ended with status completed
    std::uint64_t call_hangup = 0;  // *.ended with status call_hangup: the call ended first
    std::uint64_t unconnected_person_calls = 0;               // ended customer legs a person answered, never bridged
    std::uint64_t unconnected_person_calls_with_message = 0;  // ... of which heard a message start
    std::uint64_t voicemails = 0;   // messages started on a machine after its greeting ended
  } messages;

  // Faults injected, by type (what the scenario's knobs actually did in this run; duplicates are
  // webhooks_duplicated above).
  struct fault_counts {
    std::uint64_t webhook_dropped_first = 0;  // first attempts "lost in the network" (then redelivered)
    std::uint64_t webhook_delayed = 0;      // events held back before their first attempt
    std::uint64_t webhook_reordered = 0;    // events delivered after the same call's next event
    std::uint64_t webhook_lost_calls = 0;   // calls whose webhooks are never delivered
    std::uint64_t webhook_lost_events = 0;  // events of those calls, never delivered
    std::uint64_t rest_5xx = 0;
    std::uint64_t rest_429 = 0;
    std::uint64_t rest_slow = 0;
    std::uint64_t rest_reset_before = 0;    // connection reset, nothing done
    std::uint64_t rest_reset_after = 0;     // the request was carried out, then the connection reset
    std::uint64_t dial_replies_lost = 0;    // dials placed during the dial_reply_loss window, reply lost
    std::uint64_t commands_lost = 0;        // lost_commands: held, then reset without acting
  } faults;
};

}  // namespace dialer::sim
