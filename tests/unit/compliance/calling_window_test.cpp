// The calling window in the contact's local time: across both 2026 DST changes in New York, in a zone
// without DST, with a state override and with zones that must all agree.
#include <doctest/doctest.h>

#include <string>

#include "dialer/common/time_format.hpp"
#include "dialer/compliance/calling_window.hpp"

namespace cp = dialer::compliance;
using dialer::sys_time;
using zones = std::vector<std::string>;

namespace {
sys_time utc(const std::string& iso) { return *dialer::parse_iso8601(iso); }
std::string opens(const cp::window_decision& d) { return d.opens ? dialer::format_iso8601(*d.opens) : "never"; }
const dialer::config::time_window us_window{8 * 60, 21 * 60};
}  // namespace

TEST_CASE("New York's window follows both 2026 DST changes") {
  struct row {
    std::string now;
    bool may_call;
    std::string opens;
  };
  const zones ny{"America/New_York"};
  const row rows[] = {
      // Saturday 7 March (EST, UTC-5): 08:00 local is 13:00Z.
      {"2026-03-07T12:59:00.000Z", false, "2026-03-07T13:00:00.000Z"},
      {"2026-03-07T13:00:00.000Z", true, "never"},
      // Sunday 8 March, clocks spring forward at 02:00: 07:59 EDT is 11:59Z, 08:00 EDT is 12:00Z.
      {"2026-03-08T11:59:00.000Z", false, "2026-03-08T12:00:00.000Z"},
      {"2026-03-08T12:00:00.000Z", true, "never"},
      {"2026-03-08T07:30:00.000Z", false, "2026-03-08T12:00:00.000Z"},  // 03:30 EDT, after the gap
      {"2026-03-09T00:59:00.000Z", true, "never"},                      // 20:59 EDT
      {"2026-03-09T01:00:00.000Z", false, "2026-03-09T12:00:00.000Z"},  // 21:00 EDT: tomorrow 08:00
      // Saturday 31 October (EDT): 20:59 local is 00:59Z; at 21:00 the window opens tomorrow 08:00 EST.
      {"2026-11-01T00:59:00.000Z", true, "never"},
      {"2026-11-01T01:00:00.000Z", false, "2026-11-01T13:00:00.000Z"},
      // Sunday 1 November, clocks fall back at 02:00: 07:59 EST is 12:59Z, 08:00 EST is 13:00Z.
      {"2026-11-01T12:00:00.000Z", false, "2026-11-01T13:00:00.000Z"},  // 07:00 EST, was 08:00 EDT
      {"2026-11-01T12:59:00.000Z", false, "2026-11-01T13:00:00.000Z"},
      {"2026-11-01T13:00:00.000Z", true, "never"},
      {"2026-11-02T01:59:00.000Z", true, "never"},                      // 20:59 EST
      {"2026-11-02T02:00:00.000Z", false, "2026-11-02T13:00:00.000Z"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.now);
    auto d = cp::check_window(utc(r.now), ny, us_window);
    CHECK(d.may_call == r.may_call);
    CHECK(opens(d) == r.opens);
  }
}

TEST_CASE("zones without DST keep the same UTC window all year") {
  for (const char* day : {"2026-03-08", "2026-07-01", "2026-11-01"}) {
    CAPTURE(day);
    std::string d(day);
    // Phoenix is UTC-7 all year: 08:00 local is 15:00Z.
    auto before = cp::check_window(utc(d + "T14:59:59.000Z"), {"America/Phoenix"}, us_window);
    CHECK_FALSE(before.may_call);
    CHECK(opens(before) == d + "T15:00:00.000Z");
    CHECK(cp::check_window(utc(d + "T15:00:00.000Z"), {"America/Phoenix"}, us_window).may_call);
  }
  // Tokyo is UTC+9: 21:00 local is 12:00Z, the window reopens at 23:00Z (08:00 next day local).
  CHECK(cp::check_window(utc("2026-03-08T11:59:00.000Z"), {"Asia/Tokyo"}, us_window).may_call);
  auto late = cp::check_window(utc("2026-03-08T12:00:00.000Z"), {"Asia/Tokyo"}, us_window);
  CHECK_FALSE(late.may_call);
  CHECK(opens(late) == "2026-03-08T23:00:00.000Z");
}

TEST_CASE("a window that closed today opens tomorrow, and a time before it opens today") {
  auto night = cp::check_window(utc("2026-07-15T03:30:00.000Z"), {"America/Chicago"}, us_window);  // 22:30 CDT
  CHECK(opens(night) == "2026-07-15T13:00:00.000Z");
  auto dawn = cp::check_window(utc("2026-07-15T10:00:00.000Z"), {"America/Chicago"}, us_window);   // 05:00 CDT
  CHECK(opens(dawn) == "2026-07-15T13:00:00.000Z");
}

TEST_CASE("a number spanning several zones is called only when every zone is inside the window") {
  const zones idaho{"America/Boise", "America/Los_Angeles"};  // MDT (UTC-6) and PDT (UTC-7) in July
  // 08:00 MDT is 14:00Z but 07:00 PDT: wait for 08:00 PDT, 15:00Z.
  auto early = cp::check_window(utc("2026-07-15T14:00:00.000Z"), idaho, us_window);
  CHECK_FALSE(early.may_call);
  CHECK(opens(early) == "2026-07-15T15:00:00.000Z");
  CHECK(cp::check_window(utc("2026-07-15T15:00:00.000Z"), idaho, us_window).may_call);
  // 20:59 PDT is 21:59 MDT: Boise closed at 03:00Z.
  auto late = cp::check_window(utc("2026-07-16T03:00:00.000Z"), idaho, us_window);
  CHECK_FALSE(late.may_call);
  CHECK(opens(late) == "2026-07-16T15:00:00.000Z");
  // Two 13-hour windows always overlap somewhere on the clock; 08:00-12:00 in Tokyo and New York never do.
  auto apart = cp::check_window(utc("2026-07-15T15:00:00.000Z"), {"Asia/Tokyo", "America/New_York"}, {8 * 60, 12 * 60});
  CHECK_FALSE(apart.may_call);
  CHECK(opens(apart) == "never");
}

TEST_CASE("the region override narrows the window for Florida numbers only") {
  dialer::config::calling_hours_settings hours;
  hours.regions["US-FL"] = {8 * 60, 20 * 60};
  hours.regions["US-OK"] = {8 * 60, 20 * 60};
  auto miami = cp::window_for(hours, "+13055550100");
  CHECK(miami.end_min == 20 * 60);
  CHECK(cp::window_for(hours, "+14055550100").end_min == 20 * 60);  // Oklahoma
  CHECK(cp::window_for(hours, "+12125550100").end_min == 21 * 60);  // New York
  CHECK(cp::window_for(hours, "+15550000001").end_min == 21 * 60);  // nowhere: the general window
  // 20:00 EDT in Miami: closed until tomorrow 08:00; New York is still open.
  auto fl = cp::check_window(utc("2026-07-16T00:00:00.000Z"), {"America/New_York"}, miami);
  CHECK_FALSE(fl.may_call);
  CHECK(opens(fl) == "2026-07-16T12:00:00.000Z");
  CHECK(cp::check_window(utc("2026-07-15T23:59:00.000Z"), {"America/New_York"}, miami).may_call);
  CHECK(cp::check_window(utc("2026-07-16T00:00:00.000Z"), {"America/New_York"}, us_window).may_call);
}

TEST_CASE("no known zone means no restriction to apply") {
  CHECK(cp::check_window(utc("2026-07-16T03:00:00.000Z"), {}, us_window).may_call);
  CHECK(cp::check_window(utc("2026-07-16T03:00:00.000Z"), {"Nowhere/Land"}, us_window).may_call);
}
