// The call state machine; see the table in call_machine.hpp.
#include "dialer/domain/call_machine.hpp"

namespace dialer::domain {
namespace {

bool before_answer(call_status s) { return s == call_status::dialing || s == call_status::ringing; }

void finish(call_transition& t, outcome o, std::int64_t at_ms) {
  if (message_running(t.next)) t.next.msg_phase = message_phase::done;  // cut off by the hangup
  t.next.status = call_status::ended;
  t.next.result = o;
  t.next.ended_at_ms = at_ms;
  t.changed = true;
  t.actions.push_back(call_action::finished);
}

// The answer is known to be a person: route it unless it was routed already.
void person_answered(call_transition& t, std::int64_t at_ms) {
  auto& s = t.next;
  if (!s.answered_at_ms) s.answered_at_ms = at_ms;
  s.status = call_status::answered;
  t.changed = true;
  if (s.person_answered) return;  // routed (or being routed) already
  s.person_answered = true;
  t.person_answered_now = true;
  if (s.route == routing::none && s.pending == outcome::none) t.actions.push_back(call_action::route);
}

// The message starts now: the engine issues speak/playback_start and arms its timeout.
void begin_message(call_transition& t, message_kind kind, std::int64_t at_ms) {
  auto& s = t.next;
  s.message = kind;
  s.msg_phase = message_phase::playing;
  s.message_at_ms = at_ms;
  t.changed = true;
  t.actions.push_back(call_action::start_message);
}

void on_answered(call_transition& t, const call_event& e) {
  auto& s = t.next;
  if (!before_answer(s.status)) return;
  if (s.amd_enabled && s.amd == amd_result::none) {
    s.status = call_status::answered;
    s.answered_at_ms = e.at_ms;
    t.changed = true;
    return;  // wait for the machine detection result
  }
  person_answered(t, e.at_ms);
}

void on_amd(call_transition& t, const call_event& e) {
  auto& s = t.next;
  if (s.status == call_status::bridged || s.status == call_status::ended) return;
  if (s.amd != amd_result::none) return;  // the first result wins
  // A detection event without a usable result is "not sure", which is treated as a person.
  s.amd = e.amd == amd_result::none ? amd_result::not_sure : e.amd;
  t.changed = true;
  if (s.amd == amd_result::machine) {
    if (!s.answered_at_ms) s.answered_at_ms = e.at_ms;
    s.status = call_status::answered;
    if (s.route == routing::none && s.pending == outcome::none) {
      s.pending = outcome::machine;
      if (e.with_message) {
        s.message = message_kind::voicemail;
        s.msg_phase = message_phase::awaiting_beep;
        s.message_at_ms = e.at_ms;
        t.actions.push_back(call_action::await_greeting_end);
      } else {
        t.actions.push_back(call_action::send_hangup);
      }
    }
    return;
  }
  person_answered(t, e.at_ms);
}

outcome hangup_outcome(const call_state& s, const call_event& e) {
  if (s.pending != outcome::none) return s.pending;
  if (s.status == call_status::answered) {
    if (s.amd == amd_result::machine) return outcome::machine;
    return s.person_answered ? outcome::abandoned : outcome::no_answer;
  }
  if (e.type == call_event_type::gone) return outcome::no_answer;
  return outcome_from_hangup_cause(e.hangup_cause, e.sip_hangup_cause);
}

void on_hangup(call_transition& t, const call_event& e) {
  auto& s = t.next;
  if (s.status == call_status::ended) return;
  if (e.type == call_event_type::hangup) {
    s.hangup_cause = e.hangup_cause;
    s.sip_hangup_cause = e.sip_hangup_cause;
  }
  if (s.status == call_status::bridged) {
    finish(t, outcome::connected, e.at_ms);
    return;
  }
  // Our own hangup confirms only a decided reason; otherwise wait for Telnyx's word.
  if (e.type == call_event_type::hangup_sent && s.pending == outcome::none) return;
  finish(t, hangup_outcome(s, e), e.at_ms);
}

// The machine's greeting ended (the beep): leave the voicemail. A greeting end before any detection
// result (premium sends only this when the beep comes first; or the two arrived reordered) says machine.
void on_greeting_ended(call_transition& t, const call_event& e) {
  auto& s = t.next;
  if (!s.amd_enabled || s.status == call_status::bridged || s.status == call_status::ended) return;
  if (s.amd == amd_result::none) {
    call_event machine = e;
    machine.type = call_event_type::amd_detected;
    machine.amd = amd_result::machine;
    on_amd(t, machine);
    std::erase(t.actions, call_action::await_greeting_end);  // the greeting is over already
  }
  if (s.msg_phase != message_phase::awaiting_beep) return;
  begin_message(t, message_kind::voicemail, e.at_ms);
}

void on_message_started(call_transition& t) {
  auto& s = t.next;
  if (s.message == message_kind::none || s.msg_phase == message_phase::awaiting_beep || s.message_played) return;
  s.message_played = true;  // also on an ended call: a late speak.started still tells the truth
  t.changed = true;
}

void on_message_ended(call_transition& t, const call_event& e) {
  auto& s = t.next;
  if (s.msg_phase != message_phase::playing && s.msg_phase != message_phase::done) return;
  if (e.message_status == "completed" && !s.message_played) {
    s.message_played = true;
    t.changed = true;
  }
  if (s.message_status.empty() && !e.message_status.empty()) {
    s.message_status = e.message_status;
    t.changed = true;
  }
  if (s.msg_phase != message_phase::playing) return;  // a repeated or late ended asks for nothing
  s.msg_phase = message_phase::done;
  t.changed = true;
  if (s.status != call_status::ended) t.actions.push_back(call_action::send_hangup);
}

void on_message_timeout(call_transition& t) {
  auto& s = t.next;
  if (s.status == call_status::ended || !message_running(s)) return;
  s.msg_phase = message_phase::done;
  if (s.message_status.empty()) s.message_status = "timeout";
  t.changed = true;
  t.actions.push_back(call_action::send_hangup);
}

void on_cancel(call_transition& t) {
  auto& s = t.next;
  switch (s.status) {
    case call_status::ended: return;
    case call_status::dialing:
      if (s.cancel_wanted) return;
      s.cancel_wanted = true;
      if (s.pending == outcome::none) s.pending = outcome::cancelled;
      t.changed = true;
      return;  // no call id yet: hang up once the dial is accepted
    case call_status::bridged:
      t.actions.push_back(call_action::send_hangup);  // still counts as connected
      return;
    case call_status::ringing:
    case call_status::answered:
      if (message_running(s)) {  // a message plays instead of the hangup: cut it short
        s.msg_phase = message_phase::done;
        t.changed = true;
        t.actions.push_back(call_action::send_hangup);
        return;
      }
      if (s.pending != outcome::none) return;  // already being hung up
      s.pending = outcome::cancelled;
      t.changed = true;
      t.actions.push_back(call_action::send_hangup);
      return;
  }
}

}  // namespace

bool message_running(const call_state& s) {
  return s.msg_phase == message_phase::awaiting_beep || s.msg_phase == message_phase::playing;
}

bool hangup_unconfirmed(const call_state& s) {
  return (s.status == call_status::ringing || s.status == call_status::answered) && s.pending != outcome::none &&
         !message_running(s);
}

std::string_view to_string(message_kind k) {
  switch (k) {
    case message_kind::drop: return "drop";
    case message_kind::voicemail: return "voicemail";
    case message_kind::none: break;
  }
  return "";
}

std::string_view to_string(message_phase p) {
  switch (p) {
    case message_phase::awaiting_beep: return "awaiting_beep";
    case message_phase::playing: return "playing";
    case message_phase::done: return "done";
    case message_phase::none: break;
  }
  return "";
}

std::optional<message_kind> message_kind_from(std::string_view s) {
  for (auto k : {message_kind::none, message_kind::drop, message_kind::voicemail})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

std::optional<message_phase> message_phase_from(std::string_view s) {
  for (auto p : {message_phase::none, message_phase::awaiting_beep, message_phase::playing, message_phase::done})
    if (to_string(p) == s) return p;
  return std::nullopt;
}

std::int64_t call_state::talk_ms() const {
  if (result != outcome::connected || !bridged_at_ms || !ended_at_ms) return 0;
  return *ended_at_ms > *bridged_at_ms ? *ended_at_ms - *bridged_at_ms : 0;
}

call_transition apply(const call_state& state, const call_event& e) {
  call_transition t{state, false, false, {}};
  auto& s = t.next;
  switch (e.type) {
    case call_event_type::dial_accepted:
    case call_event_type::initiated:
      if (s.status != call_status::dialing) break;
      s.status = call_status::ringing;
      t.changed = true;
      break;
    case call_event_type::dial_failed:
      if (s.status != call_status::dialing) break;
      if (s.cancel_wanted) finish(t, outcome::cancelled, e.at_ms);
      else finish(t, e.permanent ? outcome::invalid_number : outcome::failed, e.at_ms);
      break;
    case call_event_type::answered: on_answered(t, e); break;
    case call_event_type::amd_detected: on_amd(t, e); break;
    case call_event_type::route_bridge:
      if (s.status != call_status::answered || s.route != routing::none || s.pending != outcome::none) break;
      s.route = routing::bridging;
      t.changed = true;
      t.actions.push_back(call_action::send_bridge);
      break;
    case call_event_type::route_drop:
      if (s.status != call_status::answered || s.route != routing::none || s.pending != outcome::none) break;
      s.route = routing::dropping;
      s.pending = outcome::dropped_agent_busy;
      t.changed = true;
      if (e.with_message) begin_message(t, message_kind::drop, e.at_ms);
      else t.actions.push_back(call_action::send_hangup);
      break;
    case call_event_type::bridged:
      if (s.status == call_status::bridged || s.status == call_status::ended) break;
      // A bridge only happens after an answer; a bridged event that overtook call.answered implies it.
      if (!s.answered_at_ms) s.answered_at_ms = e.at_ms;
      if (!s.person_answered) { s.person_answered = true; t.person_answered_now = true; }
      s.status = call_status::bridged;
      s.bridged_at_ms = e.at_ms;
      s.route = routing::bridging;
      if (s.pending == outcome::cancelled) s.pending = outcome::none;
      t.changed = true;
      break;
    case call_event_type::hangup:
    case call_event_type::hangup_sent:
    case call_event_type::gone: on_hangup(t, e); break;
    case call_event_type::cancel: on_cancel(t); break;
    case call_event_type::greeting_ended: on_greeting_ended(t, e); break;
    case call_event_type::message_started: on_message_started(t); break;
    case call_event_type::message_ended: on_message_ended(t, e); break;
    case call_event_type::message_timeout: on_message_timeout(t); break;
  }
  // A cancel that arrived before the call had an id is carried out as soon as it has one, whichever
  // event (dial reply or an overtaking webhook) brings it.
  if (state.status == call_status::dialing && s.cancel_wanted && s.status != call_status::dialing &&
      s.status != call_status::ended)
    t.actions.push_back(call_action::send_hangup);
  return t;
}

}  // namespace dialer::domain
