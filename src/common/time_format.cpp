// ISO 8601 through Howard Hinnant's date library (Debian's libhowardhinnant-date-dev).
#include "dialer/common/time_format.hpp"

#include <date/date.h>

#include <sstream>

namespace dialer {

std::string format_iso8601(sys_time t) {
  auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  return date::format("%FT%TZ", ms);
}

std::optional<sys_time> parse_iso8601(std::string_view text) {
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
