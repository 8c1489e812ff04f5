// The call state machine; see the table in call_machine.hpp.
#include "dialer/domain/call_machine.hpp"

namespace dialer::domain {
namespace {

bool before_answer(call_status s) { return s == call_status::dialing || s == call_status::ringing; }

void finish(call_transition& t, outcome o, std::int64_t at_ms) {
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
      t.actions.push_back(call_action::send_hangup);
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
      if (s.pending != outcome::none) return;  // already being hung up
      s.pending = outcome::cancelled;
      t.changed = true;
      t.actions.push_back(call_action::send_hangup);
      return;
  }
}

}  // namespace

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
      t.actions.push_back(call_action::send_hangup);
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
  }
  // A cancel that arrived before the call had an id is carried out as soon as it has one, whichever
  // event (dial reply or an overtaking webhook) brings it.
  if (state.status == call_status::dialing && s.cancel_wanted && s.status != call_status::dialing &&
      s.status != call_status::ended)
    t.actions.push_back(call_action::send_hangup);
  return t;
}

}  // namespace dialer::domain
