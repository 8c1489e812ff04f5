// The Telnyx v2 webhook envelope, parsed into the fields the dialer uses. Unknown fields are ignored,
// nulls are treated as absent, unknown event types are kept as `event_kind::other`.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "dialer/common/clock.hpp"

namespace dialer::telnyx {

// The event types the dialer acts on.
enum class event_kind {
  call_initiated,        // call.initiated
  call_answered,         // call.answered
  call_bridged,          // call.bridged
  call_hangup,           // call.hangup
  machine_detection_ended,  // call.machine.detection.ended and call.machine.premium.detection.ended
  machine_greeting_ended,   // call.machine.greeting.ended and call.machine.premium.greeting.ended
  speak_started,         // call.speak.started
  speak_ended,           // call.speak.ended
  playback_started,      // call.playback.started
  playback_ended,        // call.playback.ended
  other,                 // any other event type: acknowledged and ignored
};

struct webhook_event {
  std::string id;            // data.id (de-duplication key)
  std::string event_type;    // data.event_type as sent
  event_kind kind = event_kind::other;
  std::optional<sys_time> occurred_at;
  std::string call_control_id;
  std::string call_leg_id;
  std::string call_session_id;
  std::string connection_id;
  std::string client_state;  // base64 as sent, empty when null/absent
  std::string from;
  std::string to;
  std::string direction;     // call.initiated: "incoming" / "outgoing"
  std::string state;
  std::string hangup_cause;  // call.hangup
  std::string hangup_source;
  std::string sip_hangup_cause;  // text ("486", "unspecified")
  std::optional<sys_time> start_time;
  std::optional<sys_time> end_time;
  std::string result;        // machine detection / greeting / speak / playback "status"
  int attempt = 1;           // meta.attempt
};

struct webhook_parse_result {
  std::optional<webhook_event> event;  // set on success
  std::string error;  // what was wrong: "invalid JSON: <reason> at offset N", "body: not an object",
                      // "data: missing" / "data: not an object", "data.id: missing" / "data.id: not a string"
};

// Parses a whole delivered body {"data":{...},"meta":{...}}. Requires data.id and data.event_type
// (strings); everything else is optional: a member of the wrong type or null reads as absent
// (empty string, nullopt, attempt 1). Never throws. Bytes inside strings are kept as sent (no UTF-8
// validation). `result` is payload.result (AMD) or else payload.status (speak/playback ended).
webhook_parse_result parse_webhook(std::string_view body);

// The kind for a Telnyx event type (exact, case-sensitive match); event_kind::other when unknown.
event_kind event_kind_from_type(std::string_view event_type);

}  // namespace dialer::telnyx
