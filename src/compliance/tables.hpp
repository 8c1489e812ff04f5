// The generated lookup tables (build/generated/compliance_tables.cpp, by cmake/gen_compliance_tables.py
// from Debian's data), each sorted by its key for binary search.
#pragma once
#include <cstddef>
#include <string_view>

namespace dialer::compliance::tables {

struct prefix_row {
  std::string_view key;  // digits of an E.164 prefix ("1305"), or an ISO 3166-1 region ("US")
  int zone_list = 0;     // index into zone_lists
};
struct subdivision_row {
  std::string_view country;  // "US"
  std::string_view name;     // English name, "Florida"
  std::string_view code;     // ISO 3166-2, "US-FL"
};

extern const std::string_view zone_lists[];  // "America/Boise|America/Los_Angeles"
extern const prefix_row prefix_rows[];
extern const std::size_t prefix_row_count;
extern const prefix_row region_rows[];
extern const std::size_t region_row_count;
extern const subdivision_row subdivision_rows[];  // sorted by (country, name)
extern const std::size_t subdivision_row_count;

}  // namespace dialer::compliance::tables
