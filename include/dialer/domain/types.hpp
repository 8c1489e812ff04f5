// Vocabulary of the dialer: call and queue-item states, outcomes and kinds (SPEC §4), with their
// wire names. Pure: no I/O, no clock.
#pragma once
#include <optional>
#include <string_view>

namespace dialer::domain {

// One attempt's progress; only ever moves forward (dialing < ringing < answered < bridged < ended).
enum class call_status {
  dialing,   // written, dial command sent or about to be
  ringing,   // Telnyx accepted the dial or reported call.initiated
  answered,  // the far end picked up
  bridged,   // connected to the agent
  ended,     // terminal; `outcome` is set
};

// Why an attempt ended (SPEC §4 outcome table).
enum class outcome {
  none,                // not ended yet
  connected,           // bridged to the agent, then hung up
  no_answer,           // timeout / no_answer / originator_cancel before answer
  busy,                // user_busy
  rejected,            // call_rejected
  invalid_number,      // not_found, SIP 404/484/604: permanent
  dropped_agent_busy,  // answered while the agent was busy: hung up, requeued at the head
  machine,             // answering machine detected
  abandoned,           // a person answered and hung up before being connected
  failed,              // dial refused or transport failure, or an unknown hangup cause
  cancelled,           // hung up by pause/stop/remove: does not use up an attempt
  dnc,                 // the number is on the do-not-call list: refused, never dialed (item only)
};

// Why a pending item waits although its turn has come (SPEC §10); shown as blockedReason.
enum class hold_reason {
  none,           // not held
  calling_hours,  // outside the contact's local calling window
  daily_cap,      // the number had max_calls_per_number_24h dials in the last 24 h
};

// A queue item's state; completed, failed and cancelled are terminal.
enum class item_status {
  pending,    // waiting to be dialed (maybe not before next_attempt_at)
  calling,    // an attempt is in flight
  completed,  // connected to the agent
  failed,     // attempts exhausted or permanent failure
  cancelled,  // removed by the user
};

// Which leg a call row describes.
enum class call_kind {
  customer,  // a power-dialer attempt to a contact
  agent,     // the agent's own leg, kept up for the session
  manual,    // a one-off call dialed by hand
};

// A session's state (SPEC §5).
enum class session_status {
  created,    // not started yet
  running,    // dialing
  paused,     // no new dials; live calls continue
  stopped,    // closed by the user; every call hung up
  completed,  // nothing left to dial and nothing in flight
};

// The agent's availability.
enum class agent_state {
  offline,     // no agent leg
  connecting,  // agent leg dialed, not answered yet
  ready,       // on the line and free
  talking,     // reserved for or bridged to a customer
  wrap_up,     // after a call, for wrap_up_s
};

// Answering machine detection result.
enum class amd_result {
  none,      // not requested or not known yet
  human,     // a person
  machine,   // an answering machine
  not_sure,  // treated as a person
};

std::string_view to_string(call_status s);
std::string_view to_string(outcome o);
std::string_view to_string(item_status s);
std::string_view to_string(call_kind k);
std::string_view to_string(session_status s);
std::string_view to_string(agent_state s);
std::string_view to_string(amd_result r);
std::string_view to_string(hold_reason r);

// Inverses of to_string; nullopt for an unknown name.
std::optional<call_status> call_status_from(std::string_view s);
std::optional<outcome> outcome_from(std::string_view s);
std::optional<item_status> item_status_from(std::string_view s);
std::optional<call_kind> call_kind_from(std::string_view s);
std::optional<session_status> session_status_from(std::string_view s);
std::optional<agent_state> agent_state_from(std::string_view s);
std::optional<amd_result> amd_result_from(std::string_view s);
std::optional<hold_reason> hold_reason_from(std::string_view s);

// Outcomes that count as "no answer" in the statistics (SPEC §5).
bool counts_as_no_answer(outcome o);

// Maps a Telnyx hangup of a call that was never answered to an outcome: cause first, then the SIP code
// for causes that don't say ("unspecified"); anything unknown is `failed`.
outcome outcome_from_hangup_cause(std::string_view hangup_cause, std::string_view sip_hangup_cause);

}  // namespace dialer::domain
