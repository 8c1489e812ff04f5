// bench_fsync: the disk's floor under the latency rows. With synchronous=FULL every commit ends in one
// fdatasync of the WAL, and a webhook's reply, bridge and next dial wait for it; this times that
// fdatasync alone, after writing --pages 4 KB pages (a commit's WAL frames) at the file's next
// offsets, as SQLite appends them. Prints one JSON line: {"commits","pages","p50_us","p90_us","p99_us"}.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "lib/args.hpp"

namespace {
constexpr const char* usage = "usage: bench_fsync --file PATH [--commits 400] [--pages 12]\n";
constexpr std::size_t page = 4096;
}  // namespace

int main(int argc, char** argv) {
  dialer::bench::args a(argc, argv, usage);
  const std::string path = a.required("file");
  const auto commits = static_cast<std::size_t>(a.num("commits", 400));
  const auto pages = static_cast<std::size_t>(a.num("pages", 12));
  if (commits == 0 || pages == 0) {
    std::cerr << "bench_fsync: --commits and --pages must be at least 1\n";
    return 2;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    std::perror(("bench_fsync: " + path).c_str());
    return 2;
  }
  std::vector<char> buffer(page, 'w');
  std::vector<double> us;
  us.reserve(commits);
  off_t offset = 0;
  for (std::size_t i = 0; i < commits; ++i) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t p = 0; p < pages; ++p, offset += page)
      if (::pwrite(fd, buffer.data(), page, offset) != static_cast<ssize_t>(page)) {
        std::perror("bench_fsync: pwrite");
        return 1;
      }
    if (::fdatasync(fd) != 0) {
      std::perror("bench_fsync: fdatasync");
      return 1;
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    if (offset >= static_cast<off_t>(4000 * page)) offset = 0;  // a WAL restarted after its checkpoint
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
  std::printf("{\"commits\":%zu,\"pages\":%zu,\"p50_us\":%.0f,\"p90_us\":%.0f,\"p99_us\":%.0f}\n", commits, pages,
              at(0.5), at(0.9), at(0.99));
  return 0;
}
