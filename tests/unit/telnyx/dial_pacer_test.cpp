// The REST client's dial pacing as pure arithmetic over given times: slots 1/rate apart, lateness
// within the tolerance caught up, a longer stall slipping every later slot so a backlog is not sent
// back to back.
#include <doctest/doctest.h>

#include "dialer/telnyx/dial_pacer.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using clock_type = telnyx::dial_pacer::clock;

TEST_CASE("dial slots are 1/rate apart, and after a quiet spell the schedule starts again from now") {
  telnyx::dial_pacer p(8);
  const clock_type::time_point t0{};
  const auto t = t0 + 10s;
  CHECK(p.take(t) == t);
  CHECK(p.take(t) == t + 125ms);
  CHECK(p.take(t + 10ms) == t + 250ms);
  CHECK(p.due(t + 250ms) == t + 250ms);
  CHECK(p.take(t + 5s) == t + 5s);  // nothing owed for the idle time
}

TEST_CASE("a dial late by no more than one interval slips nothing: the next one may follow at once") {
  telnyx::dial_pacer p(8);
  const clock_type::time_point t{10s};
  const auto first = p.take(t);
  const auto second = p.take(t);
  p.left(first, t + 120ms);  // the thread was busy: 120 ms late, under the 125 ms tolerance
  CHECK(p.due(second) == t + 125ms);
}

TEST_CASE("a dial late by more than the tolerance moves every later slot by the excess") {
  telnyx::dial_pacer p(8);
  const clock_type::time_point t{10s};
  const auto first = p.take(t);
  const auto second = p.take(t);
  const auto third = p.take(t);
  p.left(first, t + 400ms);  // a 400 ms stall: 275 ms past the tolerance
  CHECK(p.due(second) == t + 125ms + 275ms);
  CHECK(p.due(third) == t + 250ms + 275ms);
  // So the backlog leaves at most two at once (first at 400 ms, second at 400 ms), then 1/rate apart.
  p.left(second, p.due(second));
  CHECK(p.due(third) - p.due(second) == 125ms);
  // A new dial asked for now is placed after the queued ones, on the slipped schedule.
  CHECK(p.due(p.take(t + 400ms)) == t + 375ms + 275ms);
}

TEST_CASE("at high rates the tolerance is 50 ms, not one interval, and no rate means no pacing") {
  telnyx::dial_pacer fast(1000);
  CHECK(fast.tolerance() == 50ms);
  const clock_type::time_point t{10s};
  const auto a = fast.take(t);
  const auto b = fast.take(t);
  fast.left(a, t + 49ms);
  CHECK(fast.due(b) == t + 1ms);  // lateness under 50 ms is caught up: the rate holds
  fast.left(b, t + 61ms);
  CHECK(fast.due(fast.take(t)) == t + 2ms + 10ms);  // 60 ms late: the schedule slips by 10 ms
  telnyx::dial_pacer off(0);
  CHECK(off.take(t) == t);
  CHECK(off.take(t) == t);
  off.left(t, t + 1h);
  CHECK(off.due(t) == t);
}
