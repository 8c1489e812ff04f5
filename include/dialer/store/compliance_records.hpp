// Rows the compliance features read and write (SPEC §10): do-not-call entries, and the keyset cursor
// that pages through the calls table for the audit export.
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "dialer/store/records.hpp"

namespace dialer::store {

// One number on the do-not-call list.
struct dnc_entry {
  std::string phone;          // E.164
  std::int64_t added_at_ms = 0;
};

// A position in the calls table in dial order (started_at, then insertion order).
struct call_cursor {
  std::int64_t started_at_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t row = 0;  // SQLite rowid: the tiebreak between calls started in the same millisecond
};

// Which calls the audit export reads: dial started in [from_ms, to_ms) (unset: unbounded), after `after`.
struct call_range {
  std::optional<std::int64_t> from_ms;
  std::optional<std::int64_t> to_ms;
  call_cursor after;
};

// One page of calls in dial order; `next` is where the following page starts (nullopt: this was the
// last one).
struct call_page {
  std::vector<call_record> calls;
  std::optional<call_cursor> next;
};

}  // namespace dialer::store
