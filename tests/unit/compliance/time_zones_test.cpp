// Zone resolution: the contact's own zone, else libphonenumber's prefix map (longest prefix), else the
// default region's zones from the tzdb.
#include <doctest/doctest.h>

#include <algorithm>

#include "dialer/compliance/time_zones.hpp"

namespace cp = dialer::compliance;
using zones = std::vector<std::string>;

TEST_CASE("a number's zones come from its longest prefix in the libphonenumber map") {
  CHECK(cp::zones_for_number("+13055550100") == zones{"America/New_York"});
  CHECK(cp::zones_for_number("+13125550100") == zones{"America/Chicago"});
  CHECK(cp::zones_for_number("+16025550100") == zones{"America/Denver", "America/Phoenix"});  // Arizona, Navajo Nation
  CHECK(cp::zones_for_number("+12082000000") == zones{"America/Boise", "America/Los_Angeles"});
  CHECK(cp::zones_for_number("+12082010000") == zones{"America/Denver"});  // a longer prefix wins
  CHECK(cp::zones_for_number("+819012345678") == zones{"Asia/Tokyo"});
  CHECK(cp::zones_for_number("+442079460958") == zones{"Europe/London"});
}

TEST_CASE("a number that only matches its multi-zone country code has no zones of its own") {
  CHECK(cp::zones_for_number("+15550000001").empty());
  CHECK(cp::zones_for_number("13055550100").empty());  // not E.164
  CHECK(cp::zones_for_number("+").empty());
}

TEST_CASE("a region's zones come from the tzdb's zone.tab") {
  auto us = cp::zones_for_region("US");
  CHECK(std::find(us.begin(), us.end(), "America/New_York") != us.end());
  CHECK(std::find(us.begin(), us.end(), "Pacific/Honolulu") != us.end());
  CHECK(std::find(us.begin(), us.end(), "Europe/London") == us.end());
  CHECK(cp::zones_for_region("JP") == zones{"Asia/Tokyo"});
  CHECK(cp::zones_for_region("XX").empty());
}

TEST_CASE("the contact's zone wins, then the number's, then the default region's") {
  CHECK(cp::contact_zones("America/Los_Angeles", "+13055550100", "US") == zones{"America/Los_Angeles"});
  CHECK(cp::contact_zones("", "+13055550100", "US") == zones{"America/New_York"});
  CHECK(cp::contact_zones("", "+15550000001", "JP") == zones{"Asia/Tokyo"});
  CHECK(cp::contact_zones("Mars/Olympus_Mons", "+13125550100", "US") == zones{"America/Chicago"});
}

TEST_CASE("time zone names are checked against the system tzdb") {
  CHECK(cp::is_known_time_zone("America/New_York"));
  CHECK(cp::is_known_time_zone("Asia/Tokyo"));
  CHECK(cp::is_known_time_zone("UTC"));
  CHECK_FALSE(cp::is_known_time_zone("America/Nowhere"));
  CHECK_FALSE(cp::is_known_time_zone("EST5EDT8"));
  CHECK_FALSE(cp::is_known_time_zone(""));
}
