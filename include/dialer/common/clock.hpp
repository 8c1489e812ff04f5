// Time as a dependency: code that needs "now" takes a clock, so tests control time.
#pragma once
#include <chrono>
#include <cstdint>

namespace dialer {

using sys_time = std::chrono::system_clock::time_point;
using ms_time = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// Source of wall-clock time.
class clock {
 public:
  virtual ~clock() = default;
  virtual sys_time now() const = 0;
};

// The real system clock.
class system_clock final : public clock {
 public:
  sys_time now() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to (tests).
class manual_clock final : public clock {
 public:
  explicit manual_clock(sys_time start = sys_time{}) : now_(start) {}
  sys_time now() const override { return now_; }
  void set(sys_time t) { now_ = t; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  sys_time now_;
};

// The system clock moved so that it read `start` when constructed; it runs at the real rate. Test-only
// (dialerd's DIALERD_TEST_CLOCK_START): places "now" just before a calling window opens.
class shifted_clock final : public clock {
 public:
  explicit shifted_clock(sys_time start) : offset_(start - std::chrono::system_clock::now()) {}
  sys_time now() const override { return std::chrono::system_clock::now() + offset_; }

 private:
  std::chrono::system_clock::duration offset_;
};

// Milliseconds since the Unix epoch; the store's time representation.
inline std::int64_t to_unix_ms(sys_time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline sys_time from_unix_ms(std::int64_t ms) { return sys_time{std::chrono::milliseconds{ms}}; }

}  // namespace dialer
