// The queue-item state machine: dispatch, settle (every row of the table in item_machine.hpp), attempt
// exhaustion, retry delay, the head-of-queue boost, terminal states and removal.
#include <doctest/doctest.h>

#include <vector>

#include "domain_printers.hpp"

using namespace dialer::domain;

namespace {
constexpr std::int64_t now = 1'000'000;
constexpr std::int64_t delay = 60'000;

item_state pending_item(int max_attempts = 3) {
  item_state s;
  s.max_attempts = max_attempts;
  return s;
}

// An item with `attempts` attempts behind it (the last one in flight).
item_state calling_item(int attempts = 1, int max_attempts = 3) {
  item_state s = pending_item(max_attempts);
  s.status = item_status::calling;
  s.attempts = attempts;
  s.was_contacted = true;
  return s;
}

const std::vector<outcome> every_outcome{outcome::none,     outcome::connected,          outcome::no_answer,
                                         outcome::busy,     outcome::rejected,           outcome::invalid_number,
                                         outcome::dropped_agent_busy, outcome::machine,  outcome::abandoned,
                                         outcome::failed,   outcome::cancelled,          outcome::dnc};

// Outcomes retried at normal priority after the retry delay.
const std::vector<outcome> retried_outcomes{outcome::no_answer, outcome::busy,      outcome::rejected,
                                            outcome::machine,   outcome::abandoned, outcome::failed};
}  // namespace

TEST_CASE("only completed failed and cancelled items are terminal") {
  CHECK_FALSE(is_terminal(item_status::pending));
  CHECK_FALSE(is_terminal(item_status::calling));
  CHECK(is_terminal(item_status::completed));
  CHECK(is_terminal(item_status::failed));
  CHECK(is_terminal(item_status::cancelled));
}

TEST_CASE("dispatching a pending item makes it calling with one more attempt") {
  auto t = dispatch(pending_item(), now);
  CHECK(t.changed);
  CHECK(t.next.status == item_status::calling);
  CHECK(t.next.attempts == 1);
  CHECK(t.next.was_contacted);
  CHECK(t.first_contact);
}

TEST_CASE("dispatch reports the first contact only on the first attempt") {
  auto first = dispatch(pending_item(), now);
  auto back = settle(first.next, outcome::no_answer, false, now, 0);
  REQUIRE(back.next.status == item_status::pending);
  auto second = dispatch(back.next, now);
  CHECK(second.changed);
  CHECK(second.next.attempts == 2);
  CHECK_FALSE(second.first_contact);
  CHECK(second.next.was_contacted);
}

TEST_CASE("an item that is not pending is never dispatched") {
  for (auto st : {item_status::calling, item_status::completed, item_status::failed, item_status::cancelled}) {
    CAPTURE(st);
    item_state s = pending_item();
    s.status = st;
    s.attempts = 1;
    CHECK_FALSE(is_dialable(s, now));
    auto t = dispatch(s, now);
    CHECK_FALSE(t.changed);
    CHECK_FALSE(t.first_contact);
    CHECK(t.next.status == st);
    CHECK(t.next.attempts == 1);
  }
}

TEST_CASE("a connected attempt completes the item") {
  auto t = settle(calling_item(1), outcome::connected, false, now, delay);
  CHECK(t.changed);
  CHECK(t.next.status == item_status::completed);
  CHECK(t.next.last_outcome == outcome::connected);
  CHECK_FALSE(t.next.next_attempt_at_ms.has_value());
  CHECK(t.next.attempts == 1);
}

TEST_CASE("a connected last attempt still completes the item rather than failing it") {
  auto t = settle(calling_item(3, 3), outcome::connected, false, now, delay);
  CHECK(t.next.status == item_status::completed);
}

TEST_CASE("an invalid number fails the item at once even with attempts left") {
  auto t = settle(calling_item(1, 5), outcome::invalid_number, false, now, delay);
  CHECK(t.next.status == item_status::failed);
  CHECK(t.next.last_outcome == outcome::invalid_number);
  CHECK_FALSE(t.next.next_attempt_at_ms.has_value());
}

TEST_CASE("a permanent dial failure fails the item at once even with attempts left") {
  auto t = settle(calling_item(1, 5), outcome::failed, true, now, delay);
  CHECK(t.next.status == item_status::failed);
  CHECK(t.next.last_outcome == outcome::failed);
}

TEST_CASE("a temporary dial failure is retried after the delay while attempts remain") {
  auto t = settle(calling_item(1, 3), outcome::failed, false, now, delay);
  CHECK(t.next.status == item_status::pending);
  CHECK(t.next.next_attempt_at_ms == now + delay);
}

TEST_CASE("a cancelled attempt puts the item back to pending and gives the attempt back") {
  auto d = dispatch(pending_item(3), now);
  REQUIRE(d.next.attempts == 1);
  auto t = settle(d.next, outcome::cancelled, false, now, delay);
  CHECK(t.changed);
  CHECK(t.next.status == item_status::pending);
  CHECK(t.next.attempts == 0);
  CHECK(t.next.last_outcome == outcome::cancelled);
  CHECK_FALSE(t.next.next_attempt_at_ms.has_value());  // no retry delay: it was never really tried
  CHECK_FALSE(t.next.boosted);
  CHECK(is_dialable(t.next, now));
}

TEST_CASE("a cancelled last attempt does not exhaust the item") {
  auto t = settle(calling_item(3, 3), outcome::cancelled, false, now, delay);
  CHECK(t.next.status == item_status::pending);
  CHECK(t.next.attempts == 2);
  CHECK(is_dialable(t.next, now));
}

TEST_CASE("cancelling an attempt many times never uses up the item") {
  item_state s = pending_item(2);
  for (int i = 0; i < 10; ++i) {
    auto d = dispatch(s, now);
    REQUIRE(d.changed);
    s = settle(d.next, outcome::cancelled, false, now, delay).next;
  }
  CHECK(s.status == item_status::pending);
  CHECK(s.attempts == 0);
}

TEST_CASE("answered call while agent talks is requeued at the head without delay while attempts remain") {
  auto t = settle(calling_item(1, 3), outcome::dropped_agent_busy, false, now, delay);
  CHECK(t.changed);
  CHECK(t.next.status == item_status::pending);
  CHECK(t.next.boosted);
  CHECK_FALSE(t.next.next_attempt_at_ms.has_value());
  CHECK(t.next.attempts == 1);  // it counts as an attempt
  CHECK(t.next.last_outcome == outcome::dropped_agent_busy);
  CHECK(is_dialable(t.next, now));
}

TEST_CASE("a drop on the last attempt fails the item and does not boost it") {
  auto t = settle(calling_item(3, 3), outcome::dropped_agent_busy, false, now, delay);
  CHECK(t.next.status == item_status::failed);
  CHECK_FALSE(t.next.boosted);
}

TEST_CASE("the head-of-queue boost is cleared when the item is dispatched again") {
  auto dropped = settle(calling_item(1, 3), outcome::dropped_agent_busy, false, now, delay).next;
  REQUIRE(dropped.boosted);
  auto d = dispatch(dropped, now);
  CHECK(d.changed);
  CHECK_FALSE(d.next.boosted);
  auto again = settle(d.next, outcome::no_answer, false, now, delay);
  CHECK_FALSE(again.next.boosted);  // a normal retry is not boosted
}

TEST_CASE("no_answer busy rejected machine abandoned and failed are retried at normal priority after the delay") {
  for (auto o : retried_outcomes) {
    CAPTURE(o);
    auto t = settle(calling_item(1, 3), o, false, now, delay);
    CHECK(t.changed);
    CHECK(t.next.status == item_status::pending);
    CHECK(t.next.attempts == 1);
    CHECK_FALSE(t.next.boosted);
    CHECK(t.next.last_outcome == o);
    REQUIRE(t.next.next_attempt_at_ms.has_value());
    CHECK(*t.next.next_attempt_at_ms == now + delay);
  }
}

TEST_CASE("retried outcomes on the last attempt fail the item with no next attempt time") {
  for (auto o : retried_outcomes) {
    CAPTURE(o);
    auto t = settle(calling_item(3, 3), o, false, now, delay);
    CHECK(t.next.status == item_status::failed);
    CHECK_FALSE(t.next.next_attempt_at_ms.has_value());
    CHECK(t.next.last_outcome == o);
  }
}

TEST_CASE("a zero retry delay makes a retried item dialable at once") {
  auto t = settle(calling_item(1, 3), outcome::busy, false, now, 0);
  CHECK(t.next.status == item_status::pending);
  CHECK(is_dialable(t.next, now));
}

TEST_CASE("is_dialable waits for next_attempt_at and dispatch respects it") {
  auto s = settle(calling_item(1, 3), outcome::no_answer, false, now, delay).next;
  REQUIRE(s.next_attempt_at_ms == now + delay);
  CHECK_FALSE(is_dialable(s, now));
  CHECK_FALSE(is_dialable(s, now + delay - 1));
  CHECK(is_dialable(s, now + delay));
  CHECK(is_dialable(s, now + delay + 1));

  auto early = dispatch(s, now + delay - 1);
  CHECK_FALSE(early.changed);
  CHECK(early.next.status == item_status::pending);
  CHECK(early.next.attempts == 1);

  auto on_time = dispatch(s, now + delay);
  CHECK(on_time.changed);
  CHECK(on_time.next.status == item_status::calling);
  CHECK(on_time.next.attempts == 2);
  CHECK_FALSE(on_time.next.next_attempt_at_ms.has_value());
}

TEST_CASE("an item is dialed exactly max_attempts times when every attempt goes unanswered") {
  for (int max : {1, 2, 3, 5}) {
    CAPTURE(max);
    item_state s = pending_item(max);
    std::int64_t t = now;
    int dials = 0;
    for (int guard = 0; guard < 20 && !is_terminal(s.status); ++guard) {
      auto d = dispatch(s, t);
      REQUIRE(d.changed);
      ++dials;
      s = settle(d.next, outcome::no_answer, false, t, delay).next;
      t += delay;
    }
    CHECK(dials == max);
    CHECK(s.status == item_status::failed);
    CHECK(s.attempts == max);
    CHECK_FALSE(is_dialable(s, t + 10 * delay));
  }
}

TEST_CASE("a pending item with its attempts used up is not dialable") {
  item_state s = pending_item(2);
  s.attempts = 2;
  CHECK_FALSE(is_dialable(s, now));
  CHECK_FALSE(dispatch(s, now).changed);
}

TEST_CASE("settling an item that is not calling is ignored as a late duplicate") {
  for (auto st : {item_status::pending, item_status::completed, item_status::failed, item_status::cancelled}) {
    for (auto o : every_outcome) {
      CAPTURE(st);
      CAPTURE(o);
      item_state s = pending_item();
      s.status = st;
      s.attempts = 2;
      s.last_outcome = outcome::busy;
      s.next_attempt_at_ms = now + 5;
      auto t = settle(s, o, o == outcome::failed, now, delay);
      CHECK_FALSE(t.changed);
      CHECK(t.next.status == st);
      CHECK(t.next.attempts == 2);
      CHECK(t.next.last_outcome == outcome::busy);
      CHECK(t.next.next_attempt_at_ms == now + 5);
    }
  }
}

TEST_CASE("a settled attempt settled again changes nothing") {
  auto once = settle(calling_item(1, 3), outcome::no_answer, false, now, delay);
  auto twice = settle(once.next, outcome::no_answer, false, now + 1, delay);
  CHECK_FALSE(twice.changed);
  CHECK(twice.next.attempts == 1);
  CHECK(twice.next.next_attempt_at_ms == now + delay);
  auto cancelled_twice = settle(settle(calling_item(1, 3), outcome::cancelled, false, now, delay).next,
                                outcome::cancelled, false, now, delay);
  CHECK_FALSE(cancelled_twice.changed);
  CHECK(cancelled_twice.next.attempts == 0);  // the attempt is given back once, not twice
}

TEST_CASE("terminal items stay terminal under every outcome, dispatch and removal") {
  for (auto st : {item_status::completed, item_status::failed, item_status::cancelled}) {
    for (auto o : every_outcome) {
      for (bool permanent : {false, true}) {
        CAPTURE(st);
        CAPTURE(o);
        item_state s = pending_item();
        s.status = st;
        s.attempts = 1;
        CHECK(settle(s, o, permanent, now, delay).next.status == st);
      }
    }
    item_state s = pending_item();
    s.status = st;
    CHECK(dispatch(s, now + 10 * delay).next.status == st);
    auto c = cancel(s);
    REQUIRE(c.has_value());
    CHECK(c->status == st);
  }
}

TEST_CASE("removing a pending item cancels it") {
  auto s = settle(calling_item(1, 3), outcome::no_answer, false, now, delay).next;
  auto c = cancel(s);
  REQUIRE(c.has_value());
  CHECK(c->status == item_status::cancelled);
  CHECK(c->attempts == 1);
  CHECK_FALSE(is_dialable(*c, now + 2 * delay));
}

TEST_CASE("removing an item with a call in flight is refused") {
  CHECK_FALSE(cancel(calling_item(1, 3)).has_value());
}

TEST_CASE("mark_answered reports the first time a contact is answered and only the first time") {
  auto first = mark_answered(calling_item());
  CHECK(first.changed);
  CHECK(first.first_contact);
  CHECK(first.next.was_answered);
  CHECK(first.next.status == item_status::calling);  // answering does not settle anything

  auto second = mark_answered(first.next);
  CHECK_FALSE(second.changed);
  CHECK_FALSE(second.first_contact);
  CHECK(second.next.was_answered);
}

TEST_CASE("the answered flag survives retries and a later attempt does not count the contact again") {
  auto s = mark_answered(calling_item(1, 3)).next;
  s = settle(s, outcome::dropped_agent_busy, false, now, delay).next;
  s = dispatch(s, now).next;
  CHECK(s.was_answered);
  CHECK_FALSE(mark_answered(s).first_contact);
}

TEST_CASE("a held item waits with its reason, keeps its attempts, and dispatch clears the reason") {
  auto held = hold(pending_item(), hold_reason::calling_hours, now + delay);
  REQUIRE(held.changed);
  CHECK(held.next.status == item_status::pending);
  CHECK(held.next.attempts == 0);
  CHECK(held.next.blocked == hold_reason::calling_hours);
  CHECK(held.next.next_attempt_at_ms == now + delay);
  CHECK_FALSE(is_dialable(held.next, now));
  CHECK_FALSE(hold(held.next, hold_reason::calling_hours, now + delay).changed);

  auto later = dispatch(held.next, now + delay);
  REQUIRE(later.changed);
  CHECK(later.next.blocked == hold_reason::none);
  CHECK(later.next.attempts == 1);

  CHECK_FALSE(hold(calling_item(), hold_reason::daily_cap, now + delay).changed);
}

TEST_CASE("a pending item on the do-not-call list is refused: failed with outcome dnc, never dispatched") {
  auto s = pending_item();
  s.attempts = 1;
  s.was_contacted = true;
  s.boosted = true;
  auto held = hold(s, hold_reason::daily_cap, now + delay).next;
  auto t = refuse_dnc(held);
  REQUIRE(t.changed);
  CHECK(t.next.status == item_status::failed);
  CHECK(t.next.last_outcome == outcome::dnc);
  CHECK(t.next.attempts == 1);  // no attempt used
  CHECK_FALSE(t.next.boosted);
  CHECK_FALSE(t.next.next_attempt_at_ms.has_value());
  CHECK(t.next.blocked == hold_reason::none);
  CHECK(is_terminal(t.next.status));
  CHECK_FALSE(is_dialable(t.next, now + 2 * delay));
  CHECK_FALSE(dispatch(t.next, now + 2 * delay).changed);
}

TEST_CASE("refusing for do-not-call leaves calling and terminal items as they are") {
  for (auto st : {item_status::calling, item_status::completed, item_status::failed, item_status::cancelled}) {
    CAPTURE(st);
    auto s = calling_item();
    s.status = st;
    auto t = refuse_dnc(s);
    CHECK_FALSE(t.changed);
    CHECK(t.next.status == st);
    CHECK(t.next.last_outcome == s.last_outcome);
  }
}
