// Scenario parsing, the dial rate limiter and client_state decoding: small pure pieces of telnyx-sim.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "dialer/sim/client_state.hpp"
#include "dialer/sim/rate_limiter.hpp"
#include "dialer/sim/scenario.hpp"
#include "dialer/telnyx/base64.hpp"

using namespace dialer::sim;
using namespace std::chrono_literals;

TEST_CASE("the shipped scenario file parses with the documented default odds") {
  auto r = load_scenario_file(DIALER_SOURCE_DIR "/config/sim-scenario.json");
  REQUIRE_MESSAGE(r.value, r.error);
  CHECK(r.value->p_answer == doctest::Approx(0.25));
  CHECK(r.value->p_no_answer == doctest::Approx(0.60));
  CHECK(r.value->numbers.at("+15551230001").result == outcome::busy);
  CHECK(r.value->rate_limit.dials_per_window == 150);
}

TEST_CASE("a number override accepts a fixed time or a range, and a bad outcome names its path") {
  auto ok = parse_scenario(R"({"numbers":{"+15550001111":{"outcome":"answer","ring_s":2,"talk_s":{"min":5,"max":9}}}})");
  REQUIRE(ok.value);
  auto& n = ok.value->numbers.at("+15550001111");
  CHECK(n.ring_s->min == 2);
  CHECK(n.ring_s->max == 2);
  CHECK(n.talk_s->max == 9);
  auto bad = parse_scenario(R"({"numbers":{"+15550001111":{"outcome":"maybe"}}})");
  CHECK_FALSE(bad.value);
  CHECK(bad.error.find("numbers.+15550001111.outcome") == 0);
  auto neg = parse_scenario(R"({"faults":{"webhook_retry":{"max_attempts":0}}})");
  CHECK(neg.error.find("faults.webhook_retry.max_attempts") == 0);
  CHECK_FALSE(parse_scenario("{").value);
}

TEST_CASE("the dial limiter refuses the request over the limit in a rolling window and frees slots as it rolls") {
  rate_limiter limiter(3, 5000ms);
  auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  CHECK(limiter.try_acquire(t0).allowed);
  CHECK(limiter.try_acquire(t0 + 1s).allowed);
  auto third = limiter.try_acquire(t0 + 2s);
  CHECK(third.allowed);
  CHECK(third.remaining == 0);
  auto refused = limiter.try_acquire(t0 + 3s);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.reset_s == 2);
  CHECK(limiter.try_acquire(t0 + 5s).allowed);  // the first hit left the window
}

TEST_CASE("client_state from the dialer is attributed to its session and anything else is tolerated") {
  auto info = decode_client_state(dialer::telnyx::base64_encode(R"({"s":"ses_1","q":"qi_2","c":"call_3","a":2,"k":"customer"})"));
  CHECK(info.decoded);
  CHECK(info.session_id == "ses_1");
  CHECK(info.attempt == 2);
  CHECK(info.kind == "customer");
  CHECK_FALSE(decode_client_state("aGF2ZSBhIG5pY2UgZGF5ID1d").decoded);  // base64 of plain text
  CHECK(decode_client_state("aGF2ZSBhIG5pY2UgZGF5ID1d").present);
  CHECK_FALSE(decode_client_state("%%%").decoded);
  CHECK_FALSE(decode_client_state("").present);
}
