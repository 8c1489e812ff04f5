// bench_recount: after a run, compares every session's persisted statistics with a recount from the
// calls table (store::recount_stats). Prints {"sessions","equal","mismatched":[ids],"totals":{...}} and
// exits 1 when any session differs.
#include <cstdio>
#include <iostream>

#include "dialer/store/store.hpp"
#include "lib/args.hpp"

namespace {
constexpr const char* usage = "usage: bench_recount --db FILE   (with dialerd stopped)\n";
}

int main(int argc, char** argv) {
  using namespace dialer;
  bench::args a(argc, argv, usage);
  store::store db(a.required("db"), "NORMAL");
  store::session_filter all;
  all.limit = 1'000'000;
  store::session_stats total;
  std::vector<std::string> mismatched;
  std::size_t equal = 0, completed = 0;
  auto sessions = db.list_sessions(all);
  for (const auto& s : sessions) {
    auto recount = db.recount_stats(s.id);
    if (recount == s.stats) {
      ++equal;
    } else {
      mismatched.push_back(s.id);
    }
    if (s.status == domain::session_status::completed) ++completed;
    total.calls += s.stats.calls;
    total.contacted += s.stats.contacted;
    total.answered += s.stats.answered;
    total.no_answer += s.stats.no_answer;
    total.connected += s.stats.connected;
    total.dropped += s.stats.dropped;
    total.talk_ms += s.stats.talk_ms;
  }
  std::printf("{\"sessions\":%zu,\"completed\":%zu,\"equal\":%zu,\"mismatched\":[", sessions.size(), completed, equal);
  for (std::size_t i = 0; i < mismatched.size(); ++i) std::printf("%s\"%s\"", i ? "," : "", mismatched[i].c_str());
  std::printf("],\"totals\":{\"calls\":%lld,\"contacted\":%lld,\"answered\":%lld,\"noAnswer\":%lld,"
              "\"connected\":%lld,\"dropped\":%lld,\"talkSeconds\":%lld}}\n",
              static_cast<long long>(total.calls), static_cast<long long>(total.contacted),
              static_cast<long long>(total.answered), static_cast<long long>(total.no_answer),
              static_cast<long long>(total.connected), static_cast<long long>(total.dropped),
              static_cast<long long>(total.talk_ms / 1000));
  return mismatched.empty() ? 0 : 1;
}
