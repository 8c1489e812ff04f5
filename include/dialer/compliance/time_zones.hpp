// Where a contact is, in time: its IANA zone names from the contact, else from its number
// (libphonenumber's time-zone prefix map), else from the default region (the tzdb's zone.tab).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace dialer::compliance {

// True when `name` is a zone of the system's tzdb ("America/New_York", "Asia/Tokyo", "UTC").
bool is_known_time_zone(std::string_view name);

// The zones libphonenumber maps an E.164 number to, by longest prefix ("+13055550100" ->
// {"America/New_York"}; "+12082..." -> {"America/Boise", "America/Los_Angeles"}). Empty when the number
// matches no prefix, or only its country code and that country spans several zones (+1 555 ...).
std::vector<std::string> zones_for_number(std::string_view e164);

// The zones of an ISO 3166-1 region from the tzdb's zone.tab ("US" -> America/New_York ... Pacific/Honolulu);
// empty for an unknown region.
std::vector<std::string> zones_for_region(std::string_view region);

// The zones a contact's calling window is checked in: {timezone} when it is set (and known), else
// zones_for_number(phone), else zones_for_region(default_region). Empty only when all three are.
std::vector<std::string> contact_zones(std::string_view timezone, std::string_view e164,
                                       std::string_view default_region);

}  // namespace dialer::compliance
