// /proc/<pid>/stat fields 14 and 15 (utime, stime in clock ticks) and /proc/<pid>/status VmHWM.
#include "proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace dialer::bench {

namespace {
std::int64_t stat_cpu_us(const std::string& stat_path) {
  std::ifstream in(stat_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may contain spaces
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  std::int64_t utime = 0, stime = 0;
  // After "pid (comm) " come state (field 3) ... utime is field 14, stime field 15.
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoll(f);
    if (i == 15) stime = std::stoll(f);
  }
  return (utime + stime) * 1'000'000 / sysconf(_SC_CLK_TCK);
}
}  // namespace

std::int64_t process_cpu_us(int pid) { return stat_cpu_us("/proc/" + std::to_string(pid) + "/stat"); }

std::int64_t main_thread_cpu_us(int pid) {
  return stat_cpu_us("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/stat");
}

std::int64_t peak_rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

std::int64_t self_cpu_us() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto us = [](const timeval& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_usec; };
  return us(u.ru_utime) + us(u.ru_stime);
}

}  // namespace dialer::bench
