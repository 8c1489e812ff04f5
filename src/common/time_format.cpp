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
    if (!in.fail()) return std::chrono::time_point_cast<sys_time::duration>(tp);
  }
  return std::nullopt;
}

}  // namespace dialer
