// The agent state machine: every cell of the table in agent_machine.hpp, with and without wrap-up,
// and availability with the API's busy flag.
#include <doctest/doctest.h>

#include <optional>
#include <vector>

#include "domain_printers.hpp"

using namespace dialer::domain;

namespace {
using S = agent_state;
using E = agent_event;

const std::vector<S> every_state{S::offline, S::connecting, S::ready, S::talking, S::wrap_up};
const std::vector<E> every_event{E::leg_dialed,    E::leg_answered, E::reserve,
                                 E::customer_done, E::wrap_up_done, E::leg_ended};

// The table in agent_machine.hpp; nullopt = "-" or "refused" (state kept, not accepted).
std::optional<S> expected(S s, E e, bool wrap_up) {
  switch (e) {
    case E::leg_dialed: return s == S::offline ? std::optional(S::connecting) : std::nullopt;
    case E::leg_answered:
      return (s == S::offline || s == S::connecting) ? std::optional(S::ready) : std::nullopt;
    case E::reserve: return s == S::ready ? std::optional(S::talking) : std::nullopt;
    case E::customer_done:
      return s == S::talking ? std::optional(wrap_up ? S::wrap_up : S::ready) : std::nullopt;
    case E::wrap_up_done: return s == S::wrap_up ? std::optional(S::ready) : std::nullopt;
    case E::leg_ended: return s != S::offline ? std::optional(S::offline) : std::nullopt;
  }
  return std::nullopt;
}
}  // namespace

TEST_CASE("every agent state and event follows the table, with and without wrap-up") {
  int cells = 0;
  for (bool wrap_up : {false, true}) {
    for (auto s : every_state) {
      for (auto e : every_event) {
        CAPTURE(wrap_up);
        CAPTURE(s);
        CAPTURE(e);
        auto t = apply(s, e, wrap_up);
        auto want = expected(s, e, wrap_up);
        if (want) {
          CHECK(t.accepted);
          CHECK(t.next == *want);
        } else {
          CHECK_FALSE(t.accepted);
          CHECK(t.next == s);
        }
        ++cells;
      }
    }
  }
  CHECK(cells == 60);
}

TEST_CASE("the agent answering moves it to ready whether or not connecting was seen") {
  CHECK(apply(S::connecting, E::leg_answered, false).next == S::ready);
  CHECK(apply(S::offline, E::leg_answered, false).next == S::ready);
}

TEST_CASE("a ready agent is reserved once and a second customer answering at the same time is refused") {
  auto first = apply(S::ready, E::reserve, false);
  REQUIRE(first.accepted);
  REQUIRE(first.next == S::talking);
  auto second = apply(first.next, E::reserve, false);
  CHECK_FALSE(second.accepted);
  CHECK(second.next == S::talking);
}

TEST_CASE("reserving an agent that is offline connecting talking or in wrap-up is refused") {
  for (auto s : {S::offline, S::connecting, S::talking, S::wrap_up}) {
    CAPTURE(s);
    auto t = apply(s, E::reserve, true);
    CHECK_FALSE(t.accepted);
    CHECK(t.next == s);
  }
}

TEST_CASE("a customer call ending sends the agent to wrap-up when wrap_up_s is set, else straight to ready") {
  CHECK(apply(S::talking, E::customer_done, true).next == S::wrap_up);
  CHECK(apply(S::talking, E::customer_done, false).next == S::ready);
  auto done = apply(S::wrap_up, E::wrap_up_done, true);
  CHECK(done.accepted);
  CHECK(done.next == S::ready);
}

TEST_CASE("a late customer_done or wrap_up_done never frees an agent that is not in that state") {
  CHECK_FALSE(apply(S::ready, E::customer_done, true).accepted);
  CHECK_FALSE(apply(S::wrap_up, E::customer_done, true).accepted);
  CHECK(apply(S::wrap_up, E::customer_done, false).next == S::wrap_up);
  CHECK_FALSE(apply(S::talking, E::wrap_up_done, true).accepted);
  CHECK(apply(S::talking, E::wrap_up_done, true).next == S::talking);
  CHECK_FALSE(apply(S::offline, E::customer_done, false).accepted);
  CHECK(apply(S::offline, E::wrap_up_done, false).next == S::offline);
}

TEST_CASE("the agent leg ending takes the agent offline from every state") {
  for (auto s : every_state) {
    CAPTURE(s);
    CHECK(apply(s, E::leg_ended, true).next == S::offline);
  }
  CHECK_FALSE(apply(S::offline, E::leg_ended, true).accepted);  // already offline: a no-op
}

TEST_CASE("a full session day: connect, two customers with wrap-up, the agent leaves") {
  S s = S::offline;
  bool wrap = true;
  for (auto e : {E::leg_dialed, E::leg_answered, E::reserve, E::customer_done, E::wrap_up_done, E::reserve,
                 E::customer_done, E::leg_ended}) {
    auto t = apply(s, e, wrap);
    CAPTURE(s);
    CAPTURE(e);
    CHECK(t.accepted);
    s = t.next;
  }
  CHECK(s == S::offline);
}

TEST_CASE("only a ready agent without the busy flag is available") {
  for (auto s : every_state) {
    for (bool busy : {false, true}) {
      CAPTURE(s);
      CAPTURE(busy);
      CHECK(is_available(s, busy) == (s == S::ready && !busy));
    }
  }
}

TEST_CASE("the busy flag does not change the agent state") {
  // Flagging busy is outside the machine: a ready agent stays ready and becomes available again
  // when the flag clears.
  CHECK(apply(S::ready, E::reserve, false).accepted);  // the engine must check is_available first
  CHECK_FALSE(is_available(S::ready, true));
  CHECK(is_available(S::ready, false));
}
