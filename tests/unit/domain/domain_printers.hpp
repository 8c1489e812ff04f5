// Stream operators for the domain enums so doctest prints wire names ("ended", "no_answer") in failed
// checks instead of numbers. Test-only; found by ADL.
#pragma once
#include <ostream>

#include "dialer/domain/agent_machine.hpp"
#include "dialer/domain/call_machine.hpp"
#include "dialer/domain/item_machine.hpp"
#include "dialer/domain/types.hpp"

namespace dialer::domain {

inline std::ostream& operator<<(std::ostream& os, call_status v) { return os << to_string(v); }
inline std::ostream& operator<<(std::ostream& os, outcome v) {
  return os << (v == outcome::none ? std::string_view("none") : to_string(v));
}
inline std::ostream& operator<<(std::ostream& os, item_status v) { return os << to_string(v); }
inline std::ostream& operator<<(std::ostream& os, call_kind v) { return os << to_string(v); }
inline std::ostream& operator<<(std::ostream& os, session_status v) { return os << to_string(v); }
inline std::ostream& operator<<(std::ostream& os, agent_state v) { return os << to_string(v); }
inline std::ostream& operator<<(std::ostream& os, amd_result v) {
  return os << (v == amd_result::none ? std::string_view("none") : to_string(v));
}
inline std::ostream& operator<<(std::ostream& os, message_kind v) {
  return os << (v == message_kind::none ? std::string_view("none") : to_string(v));
}
inline std::ostream& operator<<(std::ostream& os, message_phase v) {
  return os << (v == message_phase::none ? std::string_view("none") : to_string(v));
}
inline std::ostream& operator<<(std::ostream& os, routing v) {
  switch (v) {
    case routing::none: return os << "none";
    case routing::bridging: return os << "bridging";
    case routing::dropping: return os << "dropping";
  }
  return os << "routing?";
}
inline std::ostream& operator<<(std::ostream& os, call_action v) {
  switch (v) {
    case call_action::route: return os << "route";
    case call_action::send_bridge: return os << "send_bridge";
    case call_action::send_hangup: return os << "send_hangup";
    case call_action::finished: return os << "finished";
    case call_action::start_message: return os << "start_message";
    case call_action::await_greeting_end: return os << "await_greeting_end";
  }
  return os << "call_action?";
}
inline std::ostream& operator<<(std::ostream& os, call_event_type v) {
  switch (v) {
    case call_event_type::dial_accepted: return os << "dial_accepted";
    case call_event_type::dial_failed: return os << "dial_failed";
    case call_event_type::initiated: return os << "initiated";
    case call_event_type::answered: return os << "answered";
    case call_event_type::amd_detected: return os << "amd_detected";
    case call_event_type::route_bridge: return os << "route_bridge";
    case call_event_type::route_drop: return os << "route_drop";
    case call_event_type::bridged: return os << "bridged";
    case call_event_type::hangup: return os << "hangup";
    case call_event_type::hangup_sent: return os << "hangup_sent";
    case call_event_type::gone: return os << "gone";
    case call_event_type::cancel: return os << "cancel";
    case call_event_type::greeting_ended: return os << "greeting_ended";
    case call_event_type::message_started: return os << "message_started";
    case call_event_type::message_ended: return os << "message_ended";
    case call_event_type::message_timeout: return os << "message_timeout";
  }
  return os << "call_event_type?";
}
inline std::ostream& operator<<(std::ostream& os, agent_event v) {
  switch (v) {
    case agent_event::leg_dialed: return os << "leg_dialed";
    case agent_event::leg_answered: return os << "leg_answered";
    case agent_event::reserve: return os << "reserve";
    case agent_event::customer_done: return os << "customer_done";
    case agent_event::wrap_up_done: return os << "wrap_up_done";
    case agent_event::leg_ended: return os << "leg_ended";
  }
  return os << "agent_event?";
}

}  // namespace dialer::domain
