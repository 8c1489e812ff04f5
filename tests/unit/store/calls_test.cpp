// The calls table: round trip of call_record and domain::call_state, lookups and listings, and the
// statistics recount.
#include <SQLiteCpp/Database.h>

#include <algorithm>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::ended_call;
using dialer::store::test::make_call;
using dialer::store::test::make_session;
using dialer::store::test::temp_dir;
using domain::call_status;
using domain::outcome;

namespace {

void check_same(const call_record& got, const call_record& want) {
  CHECK(got.id == want.id);
  CHECK(got.session_id == want.session_id);
  CHECK(got.queue_item_id == want.queue_item_id);
  CHECK(got.contact_id == want.contact_id);
  CHECK(got.direction == want.direction);
  CHECK(got.kind == want.kind);
  CHECK(got.from == want.from);
  CHECK(got.to == want.to);
  CHECK(got.call_control_id == want.call_control_id);
  CHECK(got.command_id == want.command_id);
  CHECK(got.client_state == want.client_state);
  CHECK(got.error_detail == want.error_detail);
  CHECK(got.started_at_ms == want.started_at_ms);
  CHECK(got.notes == want.notes);
  CHECK(got.disposition == want.disposition);
  const auto& g = got.state;
  const auto& w = want.state;
  CHECK(g.status == w.status);
  CHECK(g.result == w.result);
  CHECK(g.pending == w.pending);
  CHECK(g.route == w.route);
  CHECK(g.amd_enabled == w.amd_enabled);
  CHECK(g.person_answered == w.person_answered);
  CHECK(g.amd == w.amd);
  CHECK(g.cancel_wanted == w.cancel_wanted);
  CHECK(g.answered_at_ms == w.answered_at_ms);
  CHECK(g.bridged_at_ms == w.bridged_at_ms);
  CHECK(g.ended_at_ms == w.ended_at_ms);
  CHECK(g.hangup_cause == w.hangup_cause);
  CHECK(g.sip_hangup_cause == w.sip_hangup_cause);
  CHECK(g.talk_ms() == w.talk_ms());
  CHECK(g.message == w.message);
  CHECK(g.msg_phase == w.msg_phase);
  CHECK(g.message_played == w.message_played);
  CHECK(g.message_at_ms == w.message_at_ms);
  CHECK(g.message_status == w.message_status);
}

call_record full_call() {
  call_record c;
  c.id = "call-full";
  c.session_id = "s";
  c.queue_item_id = "item-3";
  c.contact_id = "contact-3";
  c.direction = "inbound";
  c.kind = domain::call_kind::customer;
  c.from = "+15551230000";
  c.to = "+15559870000";
  c.call_control_id = "v3:ctl-abc";
  c.command_id = "cmd-123";
  c.client_state = "eyJjYWxsIjoiY2FsbC1mdWxsIn0=";
  c.error_detail = "90018 call already ended";
  c.started_at_ms = 1'700'000'000'000;
  c.notes = "call back tomorrow, \"urgent\"; o'clock";
  c.disposition = "interested";
  auto& s = c.state;
  s.status = call_status::ended;
  s.result = outcome::connected;
  s.pending = outcome::abandoned;
  s.route = domain::routing::bridging;
  s.amd_enabled = true;
  s.person_answered = true;
  s.amd = domain::amd_result::not_sure;
  s.cancel_wanted = true;
  s.answered_at_ms = 1'700'000'001'000;
  s.bridged_at_ms = 1'700'000'002'000;
  s.ended_at_ms = 1'700'000'062'500;
  s.hangup_cause = "normal_clearing";
  s.sip_hangup_cause = "200";
  s.message = domain::message_kind::drop;
  s.msg_phase = domain::message_phase::done;
  s.message_played = true;
  s.message_at_ms = 1'700'000'001'150;
  s.message_status = "completed";
  return c;
}

std::vector<std::string> ids(const std::vector<call_record>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.id);
  return out;
}

struct fixture {
  temp_dir dir;
  store::store st{dir.db()};
  fixture() { st.insert_session(make_session("s")); }
};

}  // namespace

TEST_CASE("a call round-trips every field of call_record and call_state") {
  fixture f;
  auto want = full_call();
  REQUIRE(want.state.talk_ms() == 60'500);
  f.st.insert_call(want);
  auto got = f.st.get_call(want.id);
  REQUIRE(got);
  check_same(*got, want);

  SUBCASE("the stored talk_ms column is the bridged time") {
    SQLite::Database other(f.dir.db(), SQLite::OPEN_READONLY);
    CHECK(other.execAndGet("SELECT talk_ms FROM calls WHERE id = 'call-full'").getInt64() == 60'500);
  }
  SUBCASE("an update rewrites every field, including clearing optional ones") {
    call_record next;
    next.id = want.id;
    next.kind = domain::call_kind::agent;
    next.direction = "outbound";
    next.from = "+15550000000";
    next.to = "sip:agent@example.com";
    next.command_id = "cmd-2";
    next.client_state = "cs-2";
    next.started_at_ms = 5;
    next.state.status = call_status::ringing;
    f.st.update_call(next);
    auto again = f.st.get_call(want.id);
    REQUIRE(again);
    check_same(*again, next);
    CHECK(again->session_id.empty());
    CHECK_FALSE(again->state.answered_at_ms);
    CHECK_FALSE(again->state.bridged_at_ms);
    CHECK_FALSE(again->state.ended_at_ms);
    CHECK(again->state.talk_ms() == 0);
  }
}

TEST_CASE("a dialing call round-trips with no times, no outcome and no call control id") {
  fixture f;
  auto want = make_call("c1", "s", "item-1", 100);
  f.st.insert_call(want);
  auto got = f.st.get_call("c1");
  REQUIRE(got);
  check_same(*got, want);
  CHECK(got->state.status == call_status::dialing);
  CHECK(got->state.result == outcome::none);
  CHECK(got->call_control_id.empty());
}

TEST_CASE("every call status, kind, routing, amd result and outcome round-trips") {
  fixture f;
  int n = 0;
  auto round_trip = [&](auto mutate) {
    auto c = make_call("c" + std::to_string(n++), "s", "i", 100);
    mutate(c);
    f.st.insert_call(c);
    auto got = f.st.get_call(c.id);
    REQUIRE(got);
    check_same(*got, c);
  };
  for (auto v : {call_status::dialing, call_status::ringing, call_status::answered, call_status::bridged,
                 call_status::ended})
    round_trip([&](call_record& c) { c.state.status = v; });
  for (auto v : {domain::call_kind::customer, domain::call_kind::agent, domain::call_kind::manual})
    round_trip([&](call_record& c) { c.kind = v; });
  for (auto v : {domain::routing::none, domain::routing::bridging, domain::routing::dropping})
    round_trip([&](call_record& c) { c.state.route = v; });
  for (auto v : {domain::amd_result::none, domain::amd_result::human, domain::amd_result::machine,
                 domain::amd_result::not_sure})
    round_trip([&](call_record& c) { c.state.amd = v; });
  for (auto v : {outcome::none, outcome::connected, outcome::no_answer, outcome::busy, outcome::rejected,
                 outcome::invalid_number, outcome::dropped_agent_busy, outcome::machine, outcome::abandoned,
                 outcome::failed, outcome::cancelled}) {
    round_trip([&](call_record& c) { c.state.result = v; });
    round_trip([&](call_record& c) { c.state.pending = v; });
  }
}

TEST_CASE("find_call_by_control_id finds the call with that id and nothing for an unknown one") {
  fixture f;
  auto a = make_call("a", "s", "i1", 100);
  a.call_control_id = "ctl-a";
  auto b = make_call("b", "s", "i2", 200);
  b.call_control_id = "ctl-b";
  f.st.insert_call(a);
  f.st.insert_call(b);
  f.st.insert_call(make_call("no-ctl", "s", "i3", 300));
  auto got = f.st.find_call_by_control_id("ctl-b");
  REQUIRE(got);
  CHECK(got->id == "b");
  CHECK_FALSE(f.st.find_call_by_control_id("ctl-x"));
  CHECK_FALSE(f.st.find_call_by_control_id(""));
}

TEST_CASE("two calls without a call control id may coexist, two with the same one may not") {
  fixture f;
  f.st.insert_call(make_call("a", "s", "i1", 100));
  CHECK_NOTHROW(f.st.insert_call(make_call("b", "s", "i2", 100)));
  auto c = make_call("c", "s", "i3", 100);
  c.call_control_id = "ctl";
  f.st.insert_call(c);
  auto d = make_call("d", "s", "i4", 100);
  d.call_control_id = "ctl";
  CHECK_THROWS(f.st.insert_call(d));
}

TEST_CASE("live_calls returns calls of any session that have not ended") {
  fixture f;
  f.st.insert_session(make_session("t"));
  int n = 0;
  for (auto status : {call_status::dialing, call_status::ringing, call_status::answered, call_status::bridged,
                      call_status::ended}) {
    auto c = make_call(std::string(domain::to_string(status)), n % 2 ? "s" : "t", "i", 100 + n);
    c.state.status = status;
    f.st.insert_call(c);
    ++n;
  }
  auto manual = make_call("manual", "", "", 50);
  manual.kind = domain::call_kind::manual;
  manual.state.status = call_status::answered;
  f.st.insert_call(manual);
  auto got = ids(f.st.live_calls());
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"answered", "bridged", "dialing", "manual", "ringing"});
}

TEST_CASE("live_calls_of_session returns only that session's calls that have not ended") {
  fixture f;
  f.st.insert_session(make_session("t"));
  auto live = make_call("s-live", "s", "i", 100);
  live.state.status = call_status::ringing;
  f.st.insert_call(live);
  auto ended = make_call("s-ended", "s", "i", 100);
  ended.state.status = call_status::ended;
  f.st.insert_call(ended);
  auto other = make_call("t-live", "t", "i", 100);
  other.state.status = call_status::bridged;
  f.st.insert_call(other);
  CHECK(ids(f.st.live_calls_of_session("s")) == std::vector<std::string>{"s-live"});
  CHECK(ids(f.st.live_calls_of_session("t")) == std::vector<std::string>{"t-live"});
}

TEST_CASE("calls_due_for_status_check returns ringing calls started and answered calls answered before the limits") {
  fixture f;
  struct row {
    const char* id;
    call_status status;
    std::int64_t started, answered;
    bool has_ccid;
  };
  const row rows[] = {
      {"ringing-old", call_status::ringing, 100, 0, true},   {"ringing-new", call_status::ringing, 900, 0, true},
      {"dialing-old", call_status::dialing, 100, 0, true},   {"dialing-no-ccid", call_status::dialing, 100, 0, false},
      {"answered-old", call_status::answered, 100, 400, true}, {"answered-new", call_status::answered, 100, 800, true},
      {"bridged-old", call_status::bridged, 100, 200, true},  {"ended-old", call_status::ended, 100, 200, true},
  };
  for (const auto& r : rows) {
    auto c = make_call(r.id, "s", "i", r.started);
    c.state.status = r.status;
    if (r.answered) c.state.answered_at_ms = r.answered;
    c.call_control_id = r.has_ccid ? std::string("v3:") + r.id : "";
    f.st.insert_call(c);
  }
  auto got = ids(f.st.calls_due_for_status_check(500, 600));
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"answered-old", "dialing-old", "ringing-old"});
}

TEST_CASE("list_session_calls returns that session's calls newest first, up to the limit") {
  fixture f;
  f.st.insert_session(make_session("t"));
  f.st.insert_call(make_call("s-100", "s", "i", 100));
  f.st.insert_call(make_call("s-300", "s", "i", 300));
  f.st.insert_call(make_call("t-400", "t", "i", 400));
  f.st.insert_call(make_call("s-200", "s", "i", 200));
  f.st.insert_call(make_call("s-300b", "s", "i", 300));  // same start: inserted later lists first
  CHECK(ids(f.st.list_session_calls("s", 10)) == std::vector<std::string>{"s-300b", "s-300", "s-200", "s-100"});
  CHECK(ids(f.st.list_session_calls("s", 2)) == std::vector<std::string>{"s-300b", "s-300"});
  CHECK(ids(f.st.list_session_calls("t", 10)) == std::vector<std::string>{"t-400"});
  CHECK(f.st.list_session_calls("unknown", 10).empty());
}

TEST_CASE("list_recent_calls returns calls of every session and manual calls newest first, up to the limit") {
  fixture f;
  f.st.insert_session(make_session("t"));
  f.st.insert_call(make_call("s-100", "s", "i", 100));
  f.st.insert_call(make_call("manual-250", "", "", 250));
  f.st.insert_call(make_call("t-400", "t", "i", 400));
  f.st.insert_call(make_call("s-200", "s", "i", 200));
  CHECK(ids(f.st.list_recent_calls(10)) == std::vector<std::string>{"t-400", "manual-250", "s-200", "s-100"});
  CHECK(ids(f.st.list_recent_calls(3)) == std::vector<std::string>{"t-400", "manual-250", "s-200"});
  CHECK(f.st.list_recent_calls(0).empty());
}

TEST_CASE("recount_stats matches hand-computed statistics for a small set of calls") {
  fixture f;
  f.st.insert_session(make_session("t"));
  // Item A: no answer, then busy, then answered by a person and connected for 30 s.
  f.st.insert_call(ended_call("a1", "s", "A", outcome::no_answer));
  f.st.insert_call(ended_call("a2", "s", "A", outcome::busy));
  f.st.insert_call(ended_call("a3", "s", "A", outcome::connected, true, 30'000));
  // Item B: answered by a person while the agent was busy (dropped), then connected for 45 s.
  f.st.insert_call(ended_call("b1", "s", "B", outcome::dropped_agent_busy, true));
  f.st.insert_call(ended_call("b2", "s", "B", outcome::connected, true, 45'000));
  // Item C: a machine, then rejected, then invalid number.
  f.st.insert_call(ended_call("c1", "s", "C", outcome::machine));
  f.st.insert_call(ended_call("c2", "s", "C", outcome::rejected));
  f.st.insert_call(ended_call("c3", "s", "C", outcome::invalid_number));
  // Item D: the dial failed; then a person answered and hung up before being connected.
  f.st.insert_call(ended_call("d1", "s", "D", outcome::failed));
  f.st.insert_call(ended_call("d2", "s", "D", outcome::abandoned, true));
  // Item E: cancelled by a pause; then a call still ringing.
  f.st.insert_call(ended_call("e1", "s", "E", outcome::cancelled));
  auto ringing = make_call("e2", "s", "E", 20'000);
  ringing.state.status = call_status::ringing;
  f.st.insert_call(ringing);
  // Not counted: the agent's own leg (bridged, long), a manual call, and another session's call.
  auto agent_leg = ended_call("agent", "s", "", outcome::connected, true, 600'000);
  agent_leg.kind = domain::call_kind::agent;
  f.st.insert_call(agent_leg);
  auto manual = ended_call("manual", "", "", outcome::connected, true, 10'000);
  manual.kind = domain::call_kind::manual;
  f.st.insert_call(manual);
  f.st.insert_call(ended_call("t1", "t", "T", outcome::connected, true, 99'000));

  session_stats want;
  want.calls = 12;          // a1..a3, b1, b2, c1..c3, d1, d2, e1, e2
  want.contacted = 5;       // A B C D E
  want.answered = 3;        // A B D (by a person)
  want.no_answer = 5;       // a1 a2 c2 c3 d1
  want.talk_ms = 75'000;    // a3 + b2
  want.connected = 2;       // A B
  want.dropped = 1;         // b1
  want.machine = 1;         // c1
  want.human_answers = 4;   // a3 b1 b2 d2
  auto got = f.st.recount_stats("s");
  CHECK(got.calls == want.calls);
  CHECK(got.contacted == want.contacted);
  CHECK(got.answered == want.answered);
  CHECK(got.no_answer == want.no_answer);
  CHECK(got.talk_ms == want.talk_ms);
  CHECK(got.connected == want.connected);
  CHECK(got.dropped == want.dropped);
  CHECK(got.machine == want.machine);
  CHECK(got.human_answers == want.human_answers);

  session_stats t_want;
  t_want.calls = 1;
  t_want.contacted = 1;
  t_want.answered = 1;
  t_want.talk_ms = 99'000;
  t_want.connected = 1;
  t_want.human_answers = 1;
  CHECK(f.st.recount_stats("t") == t_want);
}

TEST_CASE("recount_stats of a session without calls is all zeros") {
  fixture f;
  CHECK(f.st.recount_stats("s") == session_stats{});
  CHECK(f.st.recount_stats("unknown") == session_stats{});
}
