// The queue-item state machine; see the table in item_machine.hpp.
#include "dialer/domain/item_machine.hpp"

namespace dialer::domain {

bool is_terminal(item_status s) {
  return s == item_status::completed || s == item_status::failed || s == item_status::cancelled;
}

bool is_dialable(const item_state& s, std::int64_t now_ms) {
  return s.status == item_status::pending && s.attempts < s.max_attempts &&
         (!s.next_attempt_at_ms || *s.next_attempt_at_ms <= now_ms);
}

item_transition dispatch(const item_state& s, std::int64_t now_ms) {
  item_transition t{s, false, false};
  if (!is_dialable(s, now_ms)) return t;
  t.next.status = item_status::calling;
  t.next.attempts += 1;
  t.next.boosted = false;
  t.next.next_attempt_at_ms.reset();
  t.next.blocked = hold_reason::none;
  t.first_contact = !s.was_contacted;
  t.next.was_contacted = true;
  t.changed = true;
  return t;
}

item_transition hold(const item_state& s, hold_reason reason, std::int64_t until_ms) {
  item_transition t{s, false, false};
  if (s.status != item_status::pending) return t;
  t.next.next_attempt_at_ms = until_ms;
  t.next.blocked = reason;
  t.changed = t.next.next_attempt_at_ms != s.next_attempt_at_ms || t.next.blocked != s.blocked;
  return t;
}

item_transition refuse_dnc(const item_state& s) {
  item_transition t{s, false, false};
  if (s.status != item_status::pending) return t;
  t.next.status = item_status::failed;
  t.next.last_outcome = outcome::dnc;
  t.next.next_attempt_at_ms.reset();
  t.next.blocked = hold_reason::none;
  t.next.boosted = false;
  t.changed = true;
  return t;
}

item_transition settle(const item_state& s, outcome o, bool permanent_failure, std::int64_t now_ms,
                       std::int64_t retry_delay_ms) {
  item_transition t{s, false, false};
  if (s.status != item_status::calling) return t;
  auto& n = t.next;
  t.changed = true;
  n.last_outcome = o;
  n.next_attempt_at_ms.reset();
  const bool attempts_left = n.attempts < n.max_attempts;
  switch (o) {
    case outcome::connected: n.status = item_status::completed; return t;
    case outcome::invalid_number: n.status = item_status::failed; return t;
    case outcome::cancelled:
      n.status = item_status::pending;
      if (n.attempts > 0) n.attempts -= 1;
      return t;
    case outcome::dropped_agent_busy:
      n.status = attempts_left ? item_status::pending : item_status::failed;
      n.boosted = attempts_left;
      return t;
    default:
      if (o == outcome::failed && permanent_failure) {
        n.status = item_status::failed;
        return t;
      }
      n.status = attempts_left ? item_status::pending : item_status::failed;
      if (attempts_left && retry_delay_ms > 0) n.next_attempt_at_ms = now_ms + retry_delay_ms;
      return t;
  }
}

item_transition mark_answered(const item_state& s) {
  item_transition t{s, false, false};
  if (s.was_answered) return t;
  t.next.was_answered = true;
  t.changed = true;
  t.first_contact = true;
  return t;
}

std::optional<item_state> cancel(const item_state& s) {
  if (s.status == item_status::calling) return std::nullopt;
  item_state n = s;
  if (s.status == item_status::pending) n.status = item_status::cancelled;
  return n;
}

}  // namespace dialer::domain
