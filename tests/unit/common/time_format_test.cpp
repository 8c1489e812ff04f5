// ISO 8601 parsing and formatting: round trips, and times that system_clock cannot hold.
#include "dialer/common/time_format.hpp"

#include <doctest/doctest.h>
#include <date/date.h>

#include <random>
#include <vector>

using dialer::format_iso8601;
using dialer::parse_iso8601;

TEST_CASE("a webhook timestamp parses and formats back at millisecond precision") {
  auto t = parse_iso8601("2018-02-02T22:25:27.521992Z");
  REQUIRE(t);
  CHECK(format_iso8601(*t) == "2018-02-02T22:25:27.521Z");
  auto offset = parse_iso8601("2018-02-02T23:25:27+01:00");
  REQUIRE(offset);
  CHECK(format_iso8601(*offset) == "2018-02-02T22:25:27.000Z");
  CHECK_FALSE(parse_iso8601("yesterday"));
}

// system_clock counts nanoseconds in an int64, so it ends in 2262;
// converting a parsed year 2300 to it overflowed (undefined behaviour, in practice a wrapped time).
TEST_CASE("a time outside what system_clock can hold is not a time, not a wrapped one") {
  CHECK_FALSE(parse_iso8601("2300-01-01T00:00:00Z"));
  CHECK_FALSE(parse_iso8601("9999-12-31T23:59:59.999999Z"));
  CHECK_FALSE(parse_iso8601("1600-01-01T00:00:00Z"));
  auto last_day = parse_iso8601("2262-04-11T00:00:00Z");
  REQUIRE(last_day);
  CHECK(format_iso8601(*last_day) == "2262-04-11T00:00:00.000Z");
}

// Found by fuzz_webhook under UBSan: date::parse negated minutes::min() on a broken offset.
TEST_CASE("a time with a broken offset or trailing bytes is not a time") {
  CHECK_FALSE(parse_iso8601("2018-02-02T22:25:27.5219-&Z"));
  CHECK_FALSE(parse_iso8601("2018-02-02T22:25:27+01"));
  CHECK_FALSE(parse_iso8601("2018-02-02T22:25:27Zjunk"));
  CHECK_FALSE(parse_iso8601("2018-02-02T22:25:27."));
  CHECK_FALSE(parse_iso8601("2018-02-02 22:25:27Z"));
  CHECK(parse_iso8601("2018-02-02T22:25:27-05:30"));
}

TEST_CASE("formatting by hand gives what date::format gives, before 1970 and across leap days") {
  std::mt19937_64 rng(20261201);
  // 1900-01-01 .. 2200-01-01 in milliseconds, plus the edges of a leap day and of the epoch.
  std::uniform_int_distribution<std::int64_t> any_ms(-2'208'988'800'000LL, 7'258'118'400'000LL);
  std::vector<std::int64_t> samples = {0, -1, 951'782'399'999, 951'782'400'000, 951'868'799'999, 1'709'251'199'999};
  for (int i = 0; i < 5000; ++i) samples.push_back(any_ms(rng));
  for (auto ms : samples) {
    const dialer::sys_time t{std::chrono::milliseconds(ms)};
    INFO("ms since the epoch: " << ms);
    CHECK(format_iso8601(t) == date::format("%FT%TZ", std::chrono::floor<std::chrono::milliseconds>(t)));
  }
}
