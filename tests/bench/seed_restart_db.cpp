// bench_seed_db: writes the restart benchmark's database directly through the store: N running
// sessions, each with its agent on the line (agent leg answered, agent ready) and its share of M pending
// queue items, as a dialerd that was stopped mid-day would leave it. Prints {"sessions","items","seconds"}.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "dialer/store/store.hpp"
#include "lib/args.hpp"

namespace {

using namespace dialer;

constexpr const char* usage =
    "usage: bench_seed_db --db FILE [--sessions 100] [--items 1000000] [--lines 4] [--agent-prefix bench-agent-]\n"
    "                     [--numbers +15550000001,+15550000002,...] [--agent-caller-id +15550000001]\n"
    "                     [--synchronous NORMAL]\n"
    "  The file must not exist yet.\n";

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= s.size()) {
    auto j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::args a(argc, argv, usage);
  const auto path = a.required("db");
  if (std::filesystem::exists(path)) {
    std::cerr << "bench_seed_db: " << path << " already exists\n";
    return 2;
  }
  const auto sessions = a.num("sessions", 100);
  const auto items = a.num("items", 1000000);
  const auto prefix = a.str("agent-prefix", "bench-agent-");
  const auto numbers = split(a.str("numbers", "+15550000001,+15550000002,+15550000003,+15550000004"));
  if (sessions < 1 || items < sessions || numbers.empty()) {
    std::cerr << "bench_seed_db: need --sessions >= 1, --items >= --sessions and at least one number\n";
    return 2;
  }
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto start = std::chrono::steady_clock::now();
  store::store db(path, a.str("synchronous", "NORMAL"));
  auto tx = db.begin();
  std::int64_t written = 0;
  for (std::int64_t s = 1; s <= sessions; ++s) {
    const auto sid = "ses_bench" + std::to_string(s);
    const auto agent_id = prefix + std::to_string(s);
    store::call_record leg;
    leg.id = "call_benchleg" + std::to_string(s);
    leg.session_id = sid;
    leg.kind = domain::call_kind::agent;
    leg.from = a.str("agent-caller-id", numbers.front());
    leg.to = "sip:" + agent_id + "@agents.bench.example.com";
    leg.call_control_id = "v3:bench-agent-leg-" + std::to_string(s);
    leg.command_id = "bench-agent-leg-" + std::to_string(s);
    leg.state.status = domain::call_status::answered;
    leg.state.answered_at_ms = now_ms - 60'000;
    leg.started_at_ms = now_ms - 65'000;

    store::session_record rec;
    rec.id = sid;
    rec.agent_id = agent_id;
    rec.status = domain::session_status::running;
    rec.concurrent_lines = static_cast<int>(std::min<std::int64_t>(a.num("lines", 4), static_cast<std::int64_t>(numbers.size())));
    rec.selected_numbers = numbers;
    rec.created_at_ms = now_ms - 120'000;
    rec.started_at_ms = now_ms - 65'000;
    rec.agent_call_id = leg.id;
    db.insert_session(rec);
    db.insert_call(leg);

    store::agent_record agent;
    agent.id = agent_id;
    agent.state = domain::agent_state::ready;
    agent.session_id = sid;
    agent.leg_call_id = leg.id;
    db.put_agent(agent);

    const auto share = items / sessions + (s <= items % sessions ? 1 : 0);
    for (std::int64_t k = 0; k < share; ++k, ++written) {
      store::queue_item_record item;
      item.id = "qi_bench" + std::to_string(written);
      item.session_id = sid;
      item.seq = k + 1;
      item.contact_id = "c" + std::to_string(written);
      item.name = "Contact " + std::to_string(written);
      item.phone = "+1" + std::to_string(2000000000LL + written);
      db.insert_item(item);
    }
  }
  tx.commit();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"sessions\":%lld,\"items\":%lld,\"seconds\":%.2f}\n", static_cast<long long>(sessions),
              static_cast<long long>(written), seconds);
  return 0;
}
