// Zone names for a contact: the generated prefix and region tables, and the tzdb for validation.
#include "dialer/compliance/time_zones.hpp"

#include <date/tz.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <stdexcept>

#include "tables.hpp"

namespace dialer::compliance {
namespace {

std::vector<std::string> split_zones(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto bar = list.find('|');
    out.emplace_back(list.substr(0, bar));
    list = bar == std::string_view::npos ? std::string_view{} : list.substr(bar + 1);
  }
  return out;
}

const tables::prefix_row* find_row(const tables::prefix_row* begin, std::size_t count, std::string_view key) {
  const auto* end = begin + count;
  auto it = std::lower_bound(begin, end, key, [](const tables::prefix_row& r, std::string_view k) { return r.key < k; });
  return it != end && it->key == key ? it : nullptr;
}

// The number of digits of the country calling code of `digits` (E.164 without '+'), 0 when unknown.
std::size_t country_code_length(std::string_view digits) {
  const auto& util = *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
  for (std::size_t n = 1; n <= 3 && n <= digits.size(); ++n) {
    std::string region;
    util.GetRegionCodeForCountryCode(std::stoi(std::string(digits.substr(0, n))), &region);
    if (region != "ZZ") return n;
  }
  return 0;
}
}  // namespace

bool is_known_time_zone(std::string_view name) {
  if (name.empty()) return false;
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::runtime_error&) {  // date throws for a name the tzdb does not have
    return false;
  }
}

std::vector<std::string> zones_for_number(std::string_view e164) {
  if (e164.size() < 2 || e164[0] != '+') return {};
  std::string_view digits = e164.substr(1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return {};
  const std::size_t cc = country_code_length(digits);
  for (std::size_t len = std::min<std::size_t>(digits.size(), 10); len >= 1; --len) {
    const auto* row = find_row(tables::prefix_rows, tables::prefix_row_count, digits.substr(0, len));
    if (!row) continue;
    auto zones = split_zones(tables::zone_lists[row->zone_list]);
    // A match on the country code alone says only "somewhere in this country": useful when the
    // country has one zone, not when it spans many (+1 covers Guam to Newfoundland).
    if (len <= cc && zones.size() > 1) return {};
    return zones;
  }
  return {};
}

std::vector<std::string> zones_for_region(std::string_view region) {
  const auto* row = find_row(tables::region_rows, tables::region_row_count, region);
  return row ? split_zones(tables::zone_lists[row->zone_list]) : std::vector<std::string>{};
}

std::vector<std::string> contact_zones(std::string_view timezone, std::string_view e164,
                                       std::string_view default_region) {
  if (is_known_time_zone(timezone)) return {std::string(timezone)};
  if (auto zones = zones_for_number(e164); !zones.empty()) return zones;
  return zones_for_region(default_region);
}

}  // namespace dialer::compliance
