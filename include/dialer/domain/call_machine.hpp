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
//
// Recorded messages (SPEC §10): route_drop with `with_message` plays the drop message instead of
// hanging up at once (start_message); an AMD machine with `with_message` waits for the end of its
// greeting (await_greeting_end), then plays the voicemail message. The message's *.ended, its timeout
// or a failed command hangs the call up (send_hangup); a callee hangup ends it as usual with the
// pending outcome. Message events on an ended call only record what Telnyx reports (message_played,
// message_status) and ask for nothing.
//
// | event \ message phase | none | awaiting_beep            | playing                     | done |
// |-----------------------|------|--------------------------|-----------------------------|------|
// | greeting_ended        | (AMD not known yet: machine, then as awaiting_beep) | playing + start_message | - | - |
// | message_started       | -    | -                        | played                      | played |
// | message_ended         | -    | -                        | done + send_hangup (played if completed) | played if completed |
// | message_timeout       | -    | done + send_hangup       | done + send_hangup          | -    |
// | cancel                | (as above)                      | done + send_hangup          | - |
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/domain/types.hpp"

namespace dialer::domain {

// The routing decision taken for an answered call.
enum class routing {
  none,      // not decided yet
  bridging,  // bridge requested on the agent leg
  dropping,  // agent busy: being hung up
};

// Which recorded message an answered call that is not connected gets.
enum class message_kind {
  none,       // no message: connected, or hung up in silence
  drop,       // the drop message: answered while no agent could take the call
  voicemail,  // left on an answering machine after its greeting
};

// Where the call's message is.
enum class message_phase {
  none,           // no message for this call
  awaiting_beep,  // voicemail: machine detected, waiting for call.machine.greeting.ended
  playing,        // speak/playback_start issued; waiting for its *.ended (or the timeout)
  done,           // ended, timed out, failed or cut off; the hangup was asked for
};

std::string_view to_string(message_kind k);    // "" for none
std::string_view to_string(message_phase p);   // "" for none
std::optional<message_kind> message_kind_from(std::string_view s);    // "" is none; nullopt when unknown
std::optional<message_phase> message_phase_from(std::string_view s);  // "" is none; nullopt when unknown

struct call_state;
// True while a message is awaited (voicemail beep) or playing: its timeout, not the status check, closes it.
bool message_running(const call_state& s);
// True while a hangup the engine asked for (a pending outcome: dropped, cancelled, machine; no message
// playing first) has not been confirmed: the call is still ringing or answered.
bool hangup_unconfirmed(const call_state& s);

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
  message_kind message = message_kind::none;
  message_phase msg_phase = message_phase::none;
  bool message_played = false;              // Telnyx said the message started (or completed)
  std::optional<std::int64_t> message_at_ms;  // the current phase began: beep wait, or message command issued
  std::string message_status;               // how it ended: completed, call_hangup, timeout, failed, ...
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
  greeting_ended,  // call.machine.greeting.ended / call.machine.premium.greeting.ended (the beep)
  message_started, // call.speak.started / call.playback.started
  message_ended,   // call.speak.ended / call.playback.ended (`message_status` says how), or a failed command
  message_timeout, // engine: the message (or the beep) took longer than its timeout_s
};

struct call_event {
  call_event_type type = call_event_type::initiated;
  std::int64_t at_ms = 0;           // when it happened (webhook occurred_at, else receipt)
  std::string hangup_cause;         // hangup
  std::string sip_hangup_cause;     // hangup
  amd_result amd = amd_result::none;  // amd_detected
  bool permanent = false;           // dial_failed: the number itself is invalid
  bool with_message = false;        // route_drop: play the drop message; amd_detected/greeting_ended: leave voicemail
  std::string message_status;       // message_ended: Telnyx's status (completed, call_hangup, ...)
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
  start_message,       // issue this call's message (speak or playback_start) and arm its timeout
  await_greeting_end,  // voicemail: arm the timeout for the machine's beep
};

struct call_transition {
  call_state next;
  bool changed = false;                // false: the event was a duplicate or came too late
  bool person_answered_now = false;    // a person answered in this transition (count once)
  std::vector<call_action> actions;
};

call_transition apply(const call_state& state, const call_event& event);

}  // namespace dialer::domain
