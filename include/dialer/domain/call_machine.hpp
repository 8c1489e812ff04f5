// The call (one attempt) state machine of SPEC §4 as pure code: apply(state, event) returns the next
// state and what the engine must do, as data. Total over every (status, event) pair and monotonic: a
// late or repeated event never moves a call backwards, and `ended` is reported exactly once.
//
// Transition table (status before -> after; "-" = ignored, no change, no action):
//
// | event \ status    | dialing            | ringing            | answered                  | bridged          | ended |
// |-------------------|--------------------|--------------------|---------------------------|------------------|-------|
// | dial_accepted     | ringing [+hangup if cancel wanted] | -  | -                         | -                | -     |
// | dial_failed       | ended(failed|invalid_number)     | -    | -                         | -                | -     |
// | initiated         | ringing            | -                  | -                         | -                | -     |
// | answered          | answered: AMD on -> wait; else person + route      | (same as dialing) | - | -   | -     |
// | amd human/not_sure| answered, person + route (if not routed yet)       | (same)  | person + route if waiting | - | - |
// | amd machine       | answered, machine + hangup (outcome machine)       | (same)  | same if not routed        | - | - |
// | route_bridge      | -                  | -                  | bridging + send_bridge    | -                | -     |
// | route_drop        | -                  | -                  | dropping + hangup         | -                | -     |
// | bridged           | bridged            | bridged            | bridged                   | -                | -     |
// | hangup / gone     | ended(cause|pending) | ended(cause|pending) | ended(pending|machine|abandoned) | ended(connected) | - |
// | hangup_sent       | same as hangup when a reason is pending, else -                               | ended(connected) | - |
// | cancel            | cancel wanted      | pending cancelled + hangup | pending cancelled + hangup (if not already pending) | hangup | - |
//
// "pending" = an outcome decided earlier (drop, machine, cancel) that the hangup confirms. A hangup
// while still dialing/ringing maps its cause through outcome_from_hangup_cause().
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialer/domain/types.hpp"

namespace dialer::domain {

// The routing decision taken for an answered call.
enum class routing {
  none,      // not decided yet
  bridging,  // bridge requested on the agent leg
  dropping,  // agent busy: being hung up
};

struct call_state {
  call_status status = call_status::dialing;
  outcome result = outcome::none;           // set once, when status becomes ended
  outcome pending = outcome::none;          // decided reason awaiting the hangup
  routing route = routing::none;
  bool amd_enabled = false;                 // AMD was requested on the dial
  bool person_answered = false;             // answered by a person (not a machine)
  amd_result amd = amd_result::none;
  bool cancel_wanted = false;               // cancel arrived before the call had an id
  std::optional<std::int64_t> answered_at_ms;
  std::optional<std::int64_t> bridged_at_ms;
  std::optional<std::int64_t> ended_at_ms;
  std::string hangup_cause;
  std::string sip_hangup_cause;
  // Talk time in ms (0 unless connected).
  std::int64_t talk_ms() const;
};

// What happened to the call.
enum class call_event_type {
  dial_accepted,   // Telnyx answered the dial with a call_control_id
  dial_failed,     // the dial was refused or never reached Telnyx
  initiated,       // call.initiated
  answered,        // call.answered
  amd_detected,    // call.machine.detection.ended (`amd` says what)
  route_bridge,    // engine: the agent was reserved; bridge it
  route_drop,      // engine: the agent is busy; drop it
  bridged,         // call.bridged, or the bridge command was accepted
  hangup,          // call.hangup
  hangup_sent,     // our hangup command was accepted (or the call had already ended: 90018)
  gone,            // the status check found the call no longer alive
  cancel,          // pause/stop/remove asks the call to end
};

struct call_event {
  call_event_type type = call_event_type::initiated;
  std::int64_t at_ms = 0;           // when it happened (webhook occurred_at, else receipt)
  std::string hangup_cause;         // hangup
  std::string sip_hangup_cause;     // hangup
  amd_result amd = amd_result::none;  // amd_detected
  bool permanent = false;           // dial_failed: the number itself is invalid
};

// An event with only a type and a time (no hangup cause, no AMD result).
inline call_event event_at(call_event_type type, std::int64_t at_ms) {
  call_event e;
  e.type = type;
  e.at_ms = at_ms;
  return e;
}

// What the engine must do after a transition.
enum class call_action {
  route,        // a person answered: decide bridge or drop (then apply route_bridge / route_drop)
  send_bridge,  // bridge this call to the agent leg
  send_hangup,  // hang this call up
  finished,     // the call ended now: free the line, settle the queue item, count statistics
};

struct call_transition {
  call_state next;
  bool changed = false;                // false: the event was a duplicate or came too late
  bool person_answered_now = false;    // a person answered in this transition (count once)
  std::vector<call_action> actions;
};

call_transition apply(const call_state& state, const call_event& event);

}  // namespace dialer::domain
