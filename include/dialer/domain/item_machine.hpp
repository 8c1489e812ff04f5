// The queue-item state machine of SPEC §4: dispatch, settle after an attempt, removal. Pure code.
//
// | outcome of the attempt            | item afterwards                                           |
// |-----------------------------------|-----------------------------------------------------------|
// | connected                         | completed                                                 |
// | invalid_number, permanent failed  | failed                                                    |
// | cancelled                         | pending again; the attempt is given back                  |
// | dropped_agent_busy                | pending at the head of the queue (boosted), if attempts remain, else failed |
// | anything else                     | pending after retry_delay, if attempts remain, else failed |
// A pending item whose number is on the do-not-call list is refused (`refuse_dnc`): failed, outcome dnc.
// Terminal items (completed, failed, cancelled) never change again; settling one that is not `calling`
// is ignored (a late duplicate).
#pragma once
#include <cstdint>
#include <optional>

#include "dialer/domain/types.hpp"

namespace dialer::domain {

struct item_state {
  item_status status = item_status::pending;
  int attempts = 0;
  int max_attempts = 3;
  bool boosted = false;                       // dial before everything else (dropped while agent busy)
  std::optional<std::int64_t> next_attempt_at_ms;
  outcome last_outcome = outcome::none;
  bool was_contacted = false;                 // dialed at least once
  bool was_answered = false;                  // answered by a person at least once
  hold_reason blocked = hold_reason::none;    // why it waits until next_attempt_at (cleared on dispatch)
};

bool is_terminal(item_status s);

// True when the item may be dialed at `now_ms`.
bool is_dialable(const item_state& s, std::int64_t now_ms);

struct item_transition {
  item_state next;
  bool changed = false;
  bool first_contact = false;  // dispatch: first time this contact is dialed
};

// pending -> calling, one more attempt. Unchanged unless dialable.
item_transition dispatch(const item_state& s, std::int64_t now_ms);

// A pending item may not be dialed before `until_ms` for `reason` (calling hours, daily cap): it keeps
// its place and attempts. Unchanged unless pending.
item_transition hold(const item_state& s, hold_reason reason, std::int64_t until_ms);

// The number is on the do-not-call list: a pending item is refused, never dialed: failed with
// last_outcome dnc, no attempt used, no wait left. Unchanged unless pending.
item_transition refuse_dnc(const item_state& s);

// Settles the attempt that just ended with `o` (see the table above).
item_transition settle(const item_state& s, outcome o, bool permanent_failure, std::int64_t now_ms,
                       std::int64_t retry_delay_ms);

// The contact was answered by a person: sets was_answered; first_contact reports the first time.
item_transition mark_answered(const item_state& s);

// The user removes the item: pending -> cancelled. nullopt when the item is calling (refuse: 409).
std::optional<item_state> cancel(const item_state& s);

}  // namespace dialer::domain
