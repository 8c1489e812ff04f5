// What /proc says about another process: CPU time used and memory high-water mark.
#pragma once
#include <cstdint>

namespace dialer::bench {

// User + system CPU time of process `pid` in microseconds (10 ms resolution: clock ticks), or -1
// when the process is gone.
std::int64_t process_cpu_us(int pid);
// The same for the main thread of `pid` only (dialerd's engine thread; the rest are its verifiers).
std::int64_t main_thread_cpu_us(int pid);
// VmHWM (peak resident set) in KiB, or -1 when unreadable.
std::int64_t peak_rss_kib(int pid);
// This process's own user + system CPU time in microseconds (getrusage).
std::int64_t self_cpu_us();

}  // namespace dialer::bench
