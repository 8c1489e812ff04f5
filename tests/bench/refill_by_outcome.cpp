// bench_refill: after a latency row, dialerd's own part of "hangup -> next dial", from its database:
// for each customer call that ended (at or after --since-ms, unix ms), the time until the next call
// was started on the same caller number of the same session (both stamped by dialerd, in ms), by the
// ended call's outcome. Prints {"outcome": {"count","p50_ms","p90_ms","p99_ms","max_ms"}, ...}.
// The sim's figure adds the webhook's delivery and the dial's REST round trip to this.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "dialer/store/store.hpp"
#include "lib/args.hpp"

namespace {
constexpr const char* usage = "usage: bench_refill --db FILE [--since-ms UNIX_MS]   (with dialerd stopped)\n";

std::int64_t rank(const std::vector<std::int64_t>& sorted, double p) {
  auto n = static_cast<std::size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<std::size_t>(n, 1, sorted.size()) - 1];
}
}  // namespace

int main(int argc, char** argv) {
  using namespace dialer;
  bench::args a(argc, argv, usage);
  const std::int64_t since_ms = a.num("since-ms", 0);
  store::store db(a.required("db"), "NORMAL");
  store::session_filter all;
  all.limit = 1'000'000;
  std::map<std::string, std::vector<std::int64_t>> gaps;  // outcome -> ms
  for (const auto& s : db.list_sessions(all)) {
    std::map<std::string, std::vector<store::call_record>> by_line;
    for (auto& c : db.list_session_calls(s.id, 10'000'000))
      if (c.kind == domain::call_kind::customer) by_line[c.from].push_back(std::move(c));
    for (auto& [line, calls] : by_line) {
      std::sort(calls.begin(), calls.end(), [](const auto& x, const auto& y) { return x.started_at_ms < y.started_at_ms; });
      for (std::size_t i = 0; i + 1 < calls.size(); ++i) {
        const auto& ended = calls[i].state.ended_at_ms;
        if (!ended || *ended < since_ms) continue;
        gaps[std::string(domain::to_string(calls[i].state.result))].push_back(calls[i + 1].started_at_ms - *ended);
      }
    }
  }
  std::printf("{");
  bool first = true;
  for (auto& [outcome, v] : gaps) {
    std::sort(v.begin(), v.end());
    std::printf("%s\"%s\":{\"count\":%zu,\"p50_ms\":%lld,\"p90_ms\":%lld,\"p99_ms\":%lld,\"max_ms\":%lld}", first ? "" : ",",
                outcome.c_str(), v.size(), static_cast<long long>(rank(v, 0.5)), static_cast<long long>(rank(v, 0.9)),
                static_cast<long long>(rank(v, 0.99)), static_cast<long long>(v.back()));
    first = false;
  }
  std::printf("}\n");
  return 0;
}
