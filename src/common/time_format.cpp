// ISO 8601 through Howard Hinnant's date library (Debian's libhowardhinnant-date-dev).
#include "dialer/common/time_format.hpp"

#include <date/date.h>

#include <sstream>

namespace dialer {

// By hand: date::format goes through an ostringstream, ~35k instructions a call, and every live
// event and log line formats a time.
std::string format_iso8601(sys_time t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  const auto day = std::chrono::floor<date::days>(ms);
  const date::year_month_day ymd(day);
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return date::format("%FT%TZ", ms);
  const date::hh_mm_ss<std::chrono::milliseconds> hms(ms - day);
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](std::size_t end, long long value, int width) {
    for (int i = 0; i < width; ++i, value /= 10) out[end - static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(3, year, 4);
  put(6, static_cast<unsigned>(ymd.month()), 2);
  put(9, static_cast<unsigned>(ymd.day()), 2);
  put(12, hms.hours().count(), 2);
  put(15, hms.minutes().count(), 2);
  put(18, hms.seconds().count(), 2);
  put(22, hms.subseconds().count(), 3);
  return out;
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
