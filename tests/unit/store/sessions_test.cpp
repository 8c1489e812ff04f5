// The sessions table: round trip, listing, active sessions, deletion.
#include <algorithm>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::make_session;
using dialer::store::test::temp_dir;
using domain::session_status;

namespace {

session_record full_session() {
  session_record s;
  s.id = "sess-full";
  s.agent_id = "agent-7";
  s.status = session_status::paused;
  s.pause_reason = "agent_left";
  s.concurrent_lines = 4;
  s.selected_numbers = {"+15550001111", "+15550002222", "+15550003333"};
  s.max_attempts = 5;
  s.created_at_ms = 1'700'000'000'123;
  s.started_at_ms = 1'700'000'001'456;
  s.ended_at_ms = 1'700'000'009'789;
  s.agent_call_id = "call-agent-leg";
  s.stats = {11, 9, 7, 3, 123'456, 5, 2, 1, 8};
  s.campaign_id = "spring-sale";
  return s;
}

void check_same(const session_record& got, const session_record& want) {
  CHECK(got.id == want.id);
  CHECK(got.agent_id == want.agent_id);
  CHECK(got.campaign_id == want.campaign_id);
  CHECK(got.status == want.status);
  CHECK(got.pause_reason == want.pause_reason);
  CHECK(got.concurrent_lines == want.concurrent_lines);
  CHECK(got.selected_numbers == want.selected_numbers);
  CHECK(got.max_attempts == want.max_attempts);
  CHECK(got.created_at_ms == want.created_at_ms);
  CHECK(got.started_at_ms == want.started_at_ms);
  CHECK(got.ended_at_ms == want.ended_at_ms);
  CHECK(got.agent_call_id == want.agent_call_id);
  CHECK(got.stats.calls == want.stats.calls);
  CHECK(got.stats.contacted == want.stats.contacted);
  CHECK(got.stats.answered == want.stats.answered);
  CHECK(got.stats.no_answer == want.stats.no_answer);
  CHECK(got.stats.talk_ms == want.stats.talk_ms);
  CHECK(got.stats.connected == want.stats.connected);
  CHECK(got.stats.dropped == want.stats.dropped);
  CHECK(got.stats.machine == want.stats.machine);
  CHECK(got.stats.human_answers == want.stats.human_answers);
  CHECK(got.stats == want.stats);
}

std::vector<std::string> ids(const std::vector<session_record>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.id);
  return out;
}

}  // namespace

TEST_CASE("a session round-trips every field including stats and selected numbers") {
  temp_dir dir;
  store::store st(dir.db());
  auto want = full_session();
  st.insert_session(want);
  auto got = st.get_session(want.id);
  REQUIRE(got);
  check_same(*got, want);

  SUBCASE("and an update rewrites every field") {
    session_record next = want;
    next.agent_id = "agent-8";
    next.status = session_status::completed;
    next.pause_reason = "";
    next.concurrent_lines = 2;
    next.selected_numbers = {"+15559998888"};
    next.max_attempts = 1;
    next.created_at_ms = 42;
    next.started_at_ms.reset();
    next.ended_at_ms = 99;
    next.agent_call_id = "";
    next.stats = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    st.update_session(next);
    auto again = st.get_session(want.id);
    REQUIRE(again);
    check_same(*again, next);
  }
}

TEST_CASE("a session with defaults round-trips empty optionals, strings and number list") {
  temp_dir dir;
  store::store st(dir.db());
  auto want = make_session("s-min");
  st.insert_session(want);
  auto got = st.get_session("s-min");
  REQUIRE(got);
  check_same(*got, want);
  CHECK_FALSE(got->started_at_ms);
  CHECK_FALSE(got->ended_at_ms);
  CHECK(got->selected_numbers.empty());
}

TEST_CASE("every session status round-trips") {
  temp_dir dir;
  store::store st(dir.db());
  int n = 0;
  for (auto status : {session_status::created, session_status::running, session_status::paused,
                      session_status::stopped, session_status::completed}) {
    auto s = make_session("s" + std::to_string(n++), 1000, status);
    st.insert_session(s);
    auto got = st.get_session(s.id);
    REQUIRE(got);
    CHECK(got->status == status);
  }
}

TEST_CASE("get_session of an unknown id is empty") {
  temp_dir dir;
  store::store st(dir.db());
  CHECK_FALSE(st.get_session("nope"));
}

TEST_CASE("inserting a session with an existing id throws and leaves the first row") {
  temp_dir dir;
  store::store st(dir.db());
  st.insert_session(make_session("s1", 1000, session_status::created, "agent-1"));
  CHECK_THROWS(st.insert_session(make_session("s1", 2000, session_status::running, "agent-2")));
  auto got = st.get_session("s1");
  REQUIRE(got);
  CHECK(got->agent_id == "agent-1");
}

TEST_CASE("list_sessions returns newest first, filtered by status and agent, up to the limit") {
  temp_dir dir;
  store::store st(dir.db());
  st.insert_session(make_session("a", 1000, session_status::running, "agent-1"));
  st.insert_session(make_session("b", 3000, session_status::stopped, "agent-1"));
  st.insert_session(make_session("c", 2000, session_status::running, "agent-2"));
  st.insert_session(make_session("d", 4000, session_status::completed, "agent-2"));
  st.insert_session(make_session("e", 5000, session_status::running, "agent-1"));

  SUBCASE("no filter") { CHECK(ids(st.list_sessions({})) == std::vector<std::string>{"e", "d", "b", "c", "a"}); }
  SUBCASE("limit") {
    session_filter f;
    f.limit = 2;
    CHECK(ids(st.list_sessions(f)) == std::vector<std::string>{"e", "d"});
  }
  SUBCASE("status") {
    session_filter f;
    f.status = session_status::running;
    CHECK(ids(st.list_sessions(f)) == std::vector<std::string>{"e", "c", "a"});
  }
  SUBCASE("agent") {
    session_filter f;
    f.agent_id = "agent-2";
    CHECK(ids(st.list_sessions(f)) == std::vector<std::string>{"d", "c"});
  }
  SUBCASE("status and agent and limit") {
    session_filter f;
    f.status = session_status::running;
    f.agent_id = "agent-1";
    f.limit = 1;
    CHECK(ids(st.list_sessions(f)) == std::vector<std::string>{"e"});
  }
  SUBCASE("a filter matching nothing") {
    session_filter f;
    f.status = session_status::paused;
    CHECK(st.list_sessions(f).empty());
  }
  SUBCASE("a filtered call followed by an unfiltered one does not keep the old filter") {
    session_filter f;
    f.status = session_status::stopped;
    f.agent_id = "agent-1";
    CHECK(ids(st.list_sessions(f)) == std::vector<std::string>{"b"});
    CHECK(st.list_sessions({}).size() == 5);
  }
}

TEST_CASE("list_sessions breaks a created_at tie by insertion order, newest first") {
  temp_dir dir;
  store::store st(dir.db());
  st.insert_session(make_session("first", 1000));
  st.insert_session(make_session("second", 1000));
  CHECK(ids(st.list_sessions({})) == std::vector<std::string>{"second", "first"});
}

TEST_CASE("active_sessions returns running and paused sessions only") {
  temp_dir dir;
  store::store st(dir.db());
  st.insert_session(make_session("created", 1, session_status::created));
  st.insert_session(make_session("running", 2, session_status::running));
  st.insert_session(make_session("paused", 3, session_status::paused));
  st.insert_session(make_session("stopped", 4, session_status::stopped));
  st.insert_session(make_session("completed", 5, session_status::completed));
  auto got = ids(st.active_sessions());
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"paused", "running"});
}

TEST_CASE("active_session_of_agent finds that agent's running or paused session and nothing else") {
  temp_dir dir;
  store::store st(dir.db());
  st.insert_session(make_session("alice-done", 1, session_status::completed, "alice"));
  st.insert_session(make_session("alice-new", 2, session_status::created, "alice"));
  st.insert_session(make_session("bob-running", 3, session_status::running, "bob"));
  st.insert_session(make_session("carol-paused", 4, session_status::paused, "carol"));
  CHECK_FALSE(st.active_session_of_agent("alice").has_value());
  CHECK_FALSE(st.active_session_of_agent("nobody").has_value());
  auto bob = st.active_session_of_agent("bob");
  REQUIRE(bob.has_value());
  CHECK(bob->id == "bob-running");
  auto carol = st.active_session_of_agent("carol");
  REQUIRE(carol.has_value());
  CHECK(carol->id == "carol-paused");
}

TEST_CASE("delete_session removes the session with its queue items and calls, and nothing else") {
  temp_dir dir;
  store::store st(dir.db());
  st.insert_session(make_session("gone"));
  st.insert_session(make_session("kept"));
  st.insert_item(test::make_item("g1", "gone", 1, "+15550000001"));
  st.insert_item(test::make_item("g2", "gone", 2, "+15550000002"));
  st.insert_item(test::make_item("k1", "kept", 1, "+15550000001"));
  st.insert_call(test::make_call("gc1", "gone", "g1", 100));
  st.insert_call(test::make_call("kc1", "kept", "k1", 100));
  st.insert_call(test::make_call("manual", "", "", 100));

  st.delete_session("gone");

  CHECK_FALSE(st.get_session("gone"));
  CHECK_FALSE(st.get_item("g1"));
  CHECK_FALSE(st.get_item("g2"));
  CHECK_FALSE(st.get_call("gc1"));
  CHECK(st.list_items("gone").empty());
  CHECK(st.count_items("gone").total() == 0);
  CHECK(st.list_session_calls("gone", 10).empty());

  CHECK(st.get_session("kept"));
  CHECK(st.get_item("k1"));
  CHECK(st.get_call("kc1"));
  CHECK(st.get_call("manual"));
}

TEST_CASE("delete_session of an unknown id changes nothing") {
  temp_dir dir;
  store::store st(dir.db());
  st.insert_session(make_session("kept"));
  CHECK_NOTHROW(st.delete_session("nope"));
  CHECK(st.get_session("kept"));
}
