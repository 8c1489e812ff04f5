// sum_stats (GET /api/stats) and count_calls_by_outcome (/metrics) against hand-counted calls.
#include <doctest/doctest.h>

#include <map>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using namespace dialer::store::test;

namespace {

// Two sessions of alice and one of bob; calls at t = 10 s (alice's first), 20 s (alice's second), 30 s (bob).
struct fixture {
  temp_dir dir;
  dialer::store::store db{dir.db()};
  fixture() {
    auto tx = db.begin();
    db.insert_session(make_session("s1", 1000, domain::session_status::completed, "alice"));
    db.insert_session(make_session("s2", 2000, domain::session_status::completed, "alice"));
    db.insert_session(make_session("s3", 3000, domain::session_status::completed, "bob"));
    for (auto [item, session] : std::vector<std::pair<const char*, const char*>>{
             {"i1", "s1"}, {"i2", "s1"}, {"i3", "s2"}, {"i4", "s3"}})
      db.insert_item(make_item(item, session, 1, std::string("+1555010000") + item[1]));
    auto at = [&](call_record c, std::int64_t t) {
      c.started_at_ms = t;
      db.insert_call(c);
    };
    at(ended_call("c1", "s1", "i1", domain::outcome::no_answer), 10'000);
    at(ended_call("c2", "s1", "i1", domain::outcome::connected, true, 30'000), 10'500);
    at(ended_call("c3", "s1", "i2", domain::outcome::busy), 11'000);
    at(ended_call("c4", "s2", "i3", domain::outcome::dropped_agent_busy, true), 20'000);
    at(ended_call("c5", "s3", "i4", domain::outcome::machine), 30'000);
    auto agent_leg = make_call("c6", "s1", "", 10'000);
    agent_leg.kind = domain::call_kind::agent;
    db.insert_call(agent_leg);  // not a customer attempt: never counted
    auto manual = make_call("c7", "", "", 15'000);
    manual.kind = domain::call_kind::manual;
    db.insert_call(manual);
    tx.commit();
  }
};

stats_filter filter(std::string agent, std::optional<std::int64_t> from, std::optional<std::int64_t> to) {
  stats_filter f;
  f.agent_id = std::move(agent);
  f.from_ms = from;
  f.to_ms = to;
  return f;
}

}  // namespace

TEST_CASE("sum_stats over all history equals the sum of every session's recount") {
  fixture f;
  auto total = f.db.sum_stats({});
  CHECK(total.sessions == 3);
  session_stats sum;
  for (auto id : {"s1", "s2", "s3"}) {
    auto k = f.db.recount_stats(id);
    sum.calls += k.calls;
    sum.contacted += k.contacted;
    sum.answered += k.answered;
    sum.no_answer += k.no_answer;
    sum.talk_ms += k.talk_ms;
    sum.connected += k.connected;
    sum.dropped += k.dropped;
    sum.machine += k.machine;
    sum.human_answers += k.human_answers;
  }
  CHECK(total.stats == sum);
  CHECK(total.stats.calls == 5);
  CHECK(total.stats.contacted == 4);
  CHECK(total.stats.answered == 2);
  CHECK(total.stats.no_answer == 2);
  CHECK(total.stats.connected == 1);
  CHECK(total.stats.dropped == 1);
  CHECK(total.stats.machine == 1);
  CHECK(total.stats.talk_ms == 30'000);
}

TEST_CASE("sum_stats keeps one agent's sessions, and only attempts dialed from 'from' up to but not including 'to'") {
  fixture f;
  auto alice = f.db.sum_stats(filter("alice", {}, {}));
  CHECK(alice.sessions == 2);
  CHECK(alice.stats.calls == 4);
  CHECK(alice.stats.machine == 0);
  CHECK(f.db.sum_stats(filter("carol", {}, {})).stats.calls == 0);

  auto window = f.db.sum_stats(filter("", 10'500, 20'000));
  CHECK(window.stats.calls == 2);  // c2 (at from) and c3; c4 starts at `to`, excluded
  CHECK(window.sessions == 1);
  CHECK(window.stats.connected == 1);
  CHECK(f.db.sum_stats(filter("bob", 30'000, {})).stats.calls == 1);
  CHECK(f.db.sum_stats(filter("", {}, 10'000)).stats.calls == 0);
}

TEST_CASE("count_calls_by_outcome counts every stored call by kind and outcome, live ones as none") {
  fixture f;
  std::map<std::pair<domain::call_kind, domain::outcome>, std::int64_t> n;
  for (const auto& c : f.db.count_calls_by_outcome()) n[std::make_pair(c.kind, c.result)] = c.count;
  CHECK(n[std::make_pair(domain::call_kind::customer, domain::outcome::no_answer)] == 1);
  CHECK(n[std::make_pair(domain::call_kind::customer, domain::outcome::connected)] == 1);
  CHECK(n[std::make_pair(domain::call_kind::customer, domain::outcome::machine)] == 1);
  CHECK(n[std::make_pair(domain::call_kind::agent, domain::outcome::none)] == 1);
  CHECK(n[std::make_pair(domain::call_kind::manual, domain::outcome::none)] == 1);
  std::int64_t total = 0;
  for (const auto& [k, v] : n) total += v;
  CHECK(total == 7);
}
