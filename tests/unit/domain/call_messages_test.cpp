// The recorded messages of the call machine (SPEC §10): the drop message played instead of a silent
// hang-up, the voicemail left after a machine's beep, their ends, timeouts, cancels, and late,
// repeated and reordered message webhooks. No clock: every timestamp is an explicit number.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "domain_printers.hpp"

using namespace dialer::domain;

namespace {
using T = call_event_type;
using A = call_action;

call_event ev(T type, std::int64_t at_ms = 0) { return event_at(type, at_ms); }
call_event with_message(T type, std::int64_t at_ms = 0) {
  auto e = ev(type, at_ms);
  e.with_message = true;
  return e;
}
call_event ended(std::string status, std::int64_t at_ms = 0) {
  auto e = ev(T::message_ended, at_ms);
  e.message_status = std::move(status);
  return e;
}
call_event hangup(std::int64_t at_ms = 0) {
  auto e = ev(T::hangup, at_ms);
  e.hangup_cause = "normal_clearing";
  return e;
}
call_event machine(bool voicemail, std::int64_t at_ms = 0) {
  auto e = ev(T::amd_detected, at_ms);
  e.amd = amd_result::machine;
  e.with_message = voicemail;
  return e;
}

bool has(const call_transition& t, A a) { return std::find(t.actions.begin(), t.actions.end(), a) != t.actions.end(); }

struct runner {
  call_state state;
  std::vector<call_action> actions;
  int finished = 0;
  call_transition step(const call_event& e) {
    auto t = apply(state, e);
    actions.insert(actions.end(), t.actions.begin(), t.actions.end());
    finished += static_cast<int>(std::count(t.actions.begin(), t.actions.end(), A::finished));
    state = t.next;
    return t;
  }
  int count(A a) const { return static_cast<int>(std::count(actions.begin(), actions.end(), a)); }
};

// A person answered at 1000 and the engine found the agent busy at 1200, with the drop message on.
runner dropping_with_message() {
  runner r;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  r.step(with_message(T::route_drop, 1200));
  return r;
}

// AMD on: a machine answered at 1000, detected at 2500, voicemail on.
runner machine_awaiting_beep() {
  runner r;
  r.state.amd_enabled = true;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  r.step(machine(true, 2500));
  return r;
}
}  // namespace

TEST_CASE("a drop with the drop message on starts the message instead of hanging up") {
  runner r;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  auto t = r.step(with_message(T::route_drop, 1200));
  CHECK(has(t, A::start_message));
  CHECK_FALSE(has(t, A::send_hangup));
  CHECK(r.state.pending == outcome::dropped_agent_busy);
  CHECK(r.state.route == routing::dropping);
  CHECK(r.state.message == message_kind::drop);
  CHECK(r.state.msg_phase == message_phase::playing);
  CHECK(r.state.message_at_ms == 1200);
  CHECK_FALSE(r.state.message_played);
}

TEST_CASE("a drop without the drop message hangs up at once as the seed did") {
  runner r;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  auto t = r.step(ev(T::route_drop, 1200));
  CHECK(has(t, A::send_hangup));
  CHECK_FALSE(has(t, A::start_message));
  CHECK(r.state.message == message_kind::none);
  CHECK(r.state.msg_phase == message_phase::none);
}

TEST_CASE("the message's start marks it played and its completed end hangs up, then the hangup ends the call dropped") {
  auto r = dropping_with_message();
  auto started = r.step(ev(T::message_started, 1300));
  CHECK(started.changed);
  CHECK(started.actions.empty());
  CHECK(r.state.message_played);
  auto end = r.step(ended("completed", 6000));
  CHECK(has(end, A::send_hangup));
  CHECK(r.state.msg_phase == message_phase::done);
  CHECK(r.state.message_status == "completed");
  CHECK(r.state.status == call_status::answered);
  auto sent = r.step(ev(T::hangup_sent, 6100));
  CHECK(has(sent, A::finished));
  CHECK(r.state.result == outcome::dropped_agent_busy);
  r.step(hangup(6150));
  CHECK(r.finished == 1);
  CHECK(r.count(A::send_hangup) == 1);
}

TEST_CASE("a callee who hangs up during the message ends the call dropped and the late call_hangup end asks for nothing") {
  auto r = dropping_with_message();
  r.step(ev(T::message_started, 1300));
  auto h = r.step(hangup(3000));
  CHECK(has(h, A::finished));
  CHECK(r.state.result == outcome::dropped_agent_busy);
  CHECK(r.state.msg_phase == message_phase::done);
  auto late = r.step(ended("call_hangup", 3001));
  CHECK(late.actions.empty());
  CHECK(r.state.message_status == "call_hangup");
  CHECK(r.state.message_played);
  CHECK(r.count(A::send_hangup) == 0);
}

TEST_CASE("a call_hangup end before the hangup webhook asks for the hangup, which confirms the drop") {
  auto r = dropping_with_message();
  auto end = r.step(ended("call_hangup", 3000));
  CHECK(has(end, A::send_hangup));
  CHECK_FALSE(r.state.message_played);  // never started: not played
  r.step(ev(T::hangup_sent, 3010));
  CHECK(r.state.result == outcome::dropped_agent_busy);
}

TEST_CASE("an end that overtakes the start still counts the message played and the late start changes nothing") {
  auto r = dropping_with_message();
  r.step(ended("completed", 6000));
  CHECK(r.state.message_played);
  auto late = r.step(ev(T::message_started, 1300));
  CHECK_FALSE(late.changed);
  CHECK(late.actions.empty());
}

TEST_CASE("a repeated end hangs up only once") {
  auto r = dropping_with_message();
  r.step(ended("completed", 6000));
  auto again = r.step(ended("completed", 6001));
  CHECK(again.actions.empty());
  CHECK_FALSE(again.changed);
  CHECK(r.count(A::send_hangup) == 1);
}

TEST_CASE("a late start after the call ended still records the message as played and asks for nothing") {
  auto r = dropping_with_message();
  r.step(hangup(3000));
  auto late = r.step(ev(T::message_started, 1300));
  CHECK(late.changed);
  CHECK(late.actions.empty());
  CHECK(r.state.message_played);
  CHECK(r.state.status == call_status::ended);
  CHECK(r.state.result == outcome::dropped_agent_busy);
}

TEST_CASE("without an end webhook the timeout hangs up once, and a later timeout or end changes nothing") {
  auto r = dropping_with_message();
  auto t = r.step(ev(T::message_timeout, 31'200));
  CHECK(has(t, A::send_hangup));
  CHECK(r.state.msg_phase == message_phase::done);
  CHECK(r.state.message_status == "timeout");
  CHECK(r.step(ev(T::message_timeout, 31'300)).actions.empty());
  auto late = r.step(ended("completed", 31'400));
  CHECK(late.actions.empty());
  CHECK(r.state.message_status == "timeout");  // the first word on how it ended stays
  CHECK(r.state.message_played);                // but Telnyx says it was heard
  CHECK(r.count(A::send_hangup) == 1);
}

TEST_CASE("a timeout after the message ended or after the call ended changes nothing") {
  auto r = dropping_with_message();
  r.step(ended("completed", 6000));
  CHECK(r.step(ev(T::message_timeout, 31'200)).actions.empty());
  auto h = dropping_with_message();
  h.step(hangup(3000));
  auto t = h.step(ev(T::message_timeout, 31'200));
  CHECK_FALSE(t.changed);
  CHECK(t.actions.empty());
}

TEST_CASE("stopping the session during the message hangs up at once and the call keeps its dropped outcome") {
  auto r = dropping_with_message();
  auto c = r.step(ev(T::cancel, 2000));
  CHECK(has(c, A::send_hangup));
  CHECK(r.state.msg_phase == message_phase::done);
  CHECK(r.step(ev(T::cancel, 2001)).actions.empty());
  r.step(ev(T::hangup_sent, 2100));
  CHECK(r.state.result == outcome::dropped_agent_busy);
}

TEST_CASE("message events on a call without a message are ignored") {
  runner r;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  for (auto e : {ev(T::message_started), ended("completed"), ev(T::message_timeout)}) {
    auto t = r.step(e);
    CHECK_FALSE(t.changed);
    CHECK(t.actions.empty());
  }
  r.step(ev(T::route_bridge, 1100));
  r.step(ev(T::bridged, 1200));
  for (auto e : {ev(T::message_started), ended("completed"), ev(T::message_timeout), ev(T::greeting_ended)}) {
    auto t = r.step(e);
    CHECK_FALSE(t.changed);
    CHECK(t.actions.empty());
  }
  CHECK_FALSE(r.state.message_played);
}

TEST_CASE("a machine with voicemail on waits for the beep, then leaves the message and hangs up when it ends") {
  auto r = machine_awaiting_beep();
  CHECK(r.count(A::await_greeting_end) == 1);
  CHECK(r.count(A::send_hangup) == 0);
  CHECK(r.count(A::route) == 0);
  CHECK(r.state.pending == outcome::machine);
  CHECK(r.state.message == message_kind::voicemail);
  CHECK(r.state.msg_phase == message_phase::awaiting_beep);
  CHECK_FALSE(r.step(ev(T::message_started, 2600)).changed);  // not ours yet
  auto beep = r.step(ev(T::greeting_ended, 7000));
  CHECK(has(beep, A::start_message));
  CHECK(r.state.msg_phase == message_phase::playing);
  CHECK(r.state.message_at_ms == 7000);
  r.step(ev(T::message_started, 7100));
  auto end = r.step(ended("completed", 12'000));
  CHECK(has(end, A::send_hangup));
  r.step(ev(T::hangup_sent, 12'100));
  CHECK(r.state.result == outcome::machine);
  CHECK(r.state.message_played);
  CHECK_FALSE(r.state.person_answered);
}

TEST_CASE("a machine with voicemail off hangs up at once and ignores the beep") {
  runner r;
  r.state.amd_enabled = true;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  auto m = r.step(machine(false, 2500));
  CHECK(has(m, A::send_hangup));
  CHECK(r.state.message == message_kind::none);
  auto beep = r.step(ev(T::greeting_ended, 7000));
  CHECK(beep.actions.empty());
}

TEST_CASE("a beep before any detection result means a machine and leaves the voicemail at once") {
  runner r;
  r.state.amd_enabled = true;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  auto beep = r.step(with_message(T::greeting_ended, 6000));
  CHECK(has(beep, A::start_message));
  CHECK_FALSE(has(beep, A::await_greeting_end));
  CHECK(r.state.amd == amd_result::machine);
  CHECK(r.state.pending == outcome::machine);
  auto late = r.step(machine(true, 2500));  // the detection result, reordered behind the beep
  CHECK_FALSE(late.changed);
  CHECK(late.actions.empty());
  CHECK(r.count(A::start_message) == 1);
}

TEST_CASE("a beep for a person or a repeated beep changes nothing") {
  runner r;
  r.state.amd_enabled = true;
  r.step(ev(T::dial_accepted, 10));
  r.step(ev(T::answered, 1000));
  auto human = ev(T::amd_detected, 2000);
  human.amd = amd_result::human;
  r.step(human);
  auto t = r.step(with_message(T::greeting_ended, 3000));
  CHECK_FALSE(t.changed);
  CHECK(t.actions.empty());
  auto m = machine_awaiting_beep();
  m.step(ev(T::greeting_ended, 7000));
  CHECK(m.step(ev(T::greeting_ended, 7001)).actions.empty());
  CHECK(m.count(A::start_message) == 1);
}

TEST_CASE("a machine that never beeps is hung up by the timeout, and one that hangs up first ends machine") {
  auto r = machine_awaiting_beep();
  auto t = r.step(ev(T::message_timeout, 32'500));
  CHECK(has(t, A::send_hangup));
  CHECK(r.state.message_status == "timeout");
  CHECK_FALSE(r.state.message_played);
  auto h = machine_awaiting_beep();
  auto end = h.step(hangup(9000));
  CHECK(has(end, A::finished));
  CHECK(h.state.result == outcome::machine);
  CHECK(h.state.msg_phase == message_phase::done);
}

TEST_CASE("random message event orders hang up at most once per message and never before it was decided") {
  std::mt19937 rng(4242u);  // fixed: a failure reproduces
  const std::vector<call_event> pool{ev(T::message_started),  ended("completed"),  ended("call_hangup"),
                                     ev(T::message_timeout),  ev(T::greeting_ended), hangup(),
                                     ev(T::hangup_sent),      ev(T::cancel),         ev(T::answered)};
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  for (int seq = 0; seq < 2000; ++seq) {
    auto r = (seq % 2 == 0) ? dropping_with_message() : machine_awaiting_beep();
    const auto kind = r.state.message;
    const int hangups_before = r.count(A::send_hangup);
    std::string history;
    for (int i = 0; i < 8; ++i) {
      auto e = pool[pick(rng)];
      e.at_ms = 3000 + i;
      std::ostringstream os;
      os << e.type;
      history += " " + os.str();
      r.step(e);
      CAPTURE(history);
      REQUIRE(r.finished <= 1);
      REQUIRE(r.count(A::start_message) <= 1);
      REQUIRE(r.count(A::send_hangup) - hangups_before <= 1);
      CHECK(r.state.message == kind);
      if (r.state.status == call_status::ended) {
        CHECK(r.state.result == (kind == message_kind::drop ? outcome::dropped_agent_busy : outcome::machine));
        CHECK(r.state.msg_phase != message_phase::playing);
        CHECK(r.state.msg_phase != message_phase::awaiting_beep);
      }
    }
  }
}
