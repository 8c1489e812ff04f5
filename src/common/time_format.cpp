// ISO 8601 through Howard Hinnant's date library (Debian's libhowardhinnant-date-dev).
#include "dialer/common/time_format.hpp"

#include <date/date.h>

#include <sstream>

namespace dialer {

std::string format_iso8601(sys_time t) {
  auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  return date::format("%FT%TZ", ms);
}

namespace {
bool digits(std::string_view t, std::size_t pos, std::size_t n) {
  if (pos + n > t.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

// The exact shape, checked before date::parse sees the text: on a broken offset ("…27.5219-&Z") it
// negated minutes::min() (undefined behaviour, found by fuzz_webhook under UBSan), and it accepted
// trailing bytes.
bool has_iso8601_shape(std::string_view t) {
  if (!digits(t, 0, 4) || t.size() < 20 || t[4] != '-' || !digits(t, 5, 2) || t[7] != '-' || !digits(t, 8, 2) ||
      t[10] != 'T' || !digits(t, 11, 2) || t[13] != ':' || !digits(t, 14, 2) || t[16] != ':' || !digits(t, 17, 2))
    return false;
  std::size_t i = 19;
  if (t[i] == '.') {
    const std::size_t first = ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == first) return false;
  }
  const std::string_view zone = t.substr(i);
  if (zone == "Z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(t, i + 1, 2) && zone[3] == ':' &&
         digits(t, i + 4, 2);
}
}  // namespace

std::optional<sys_time> parse_iso8601(std::string_view text) {
  if (!has_iso8601_shape(text)) return std::nullopt;
  std::string s(text);
  for (const char* fmt : {"%FT%TZ", "%FT%T%Ez"}) {
    std::istringstream in(s);
    date::sys_time<std::chrono::microseconds> tp;
    in >> date::parse(fmt, tp);
    if (in.fail()) continue;
    // system_clock counts nanoseconds in an int64 (1677..2262): a later year overflowed in the cast
    // (undefined behaviour; UBSan: signed integer overflow). Such a time is not one we can hold.
    using micro = std::chrono::microseconds;
    if (tp < std::chrono::time_point_cast<micro>(sys_time::min()) ||
        tp > std::chrono::time_point_cast<micro>(sys_time::max()))
      return std::nullopt;
    return std::chrono::time_point_cast<sys_time::duration>(tp);
  }
  return std::nullopt;
}

}  // namespace dialer
