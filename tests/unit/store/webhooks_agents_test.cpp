// The small tables: webhook ids (de-duplication) and agents.
#include <SQLiteCpp/Database.h>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::temp_dir;
using domain::agent_state;

TEST_CASE("record_webhook returns true the first time an id is seen and false after") {
  temp_dir dir;
  store::store st(dir.db());
  CHECK(st.record_webhook("evt-1", "call.answered", "ctl-1", 1000));
  CHECK_FALSE(st.record_webhook("evt-1", "call.answered", "ctl-1", 1000));
  CHECK_FALSE(st.record_webhook("evt-1", "call.hangup", "", 2000));  // same id, other content
  CHECK(st.record_webhook("evt-2", "call.hangup", "", 2000));         // no call control id is fine
}

TEST_CASE("a recorded webhook id survives reopening the database") {
  temp_dir dir;
  { store::store st(dir.db()); CHECK(st.record_webhook("evt-1", "call.answered", "ctl-1", 1000)); }
  store::store st(dir.db());
  CHECK_FALSE(st.record_webhook("evt-1", "call.answered", "ctl-1", 1000));
}

TEST_CASE("a webhook id recorded in a rolled-back transaction can be recorded again") {
  temp_dir dir;
  store::store st(dir.db());
  {
    auto tx = st.begin();
    CHECK(st.record_webhook("evt-1", "call.answered", "ctl-1", 1000));
  }
  CHECK(st.record_webhook("evt-1", "call.answered", "ctl-1", 1000));
}

TEST_CASE("get_agent of an unknown id reads as an idle offline agent with that id") {
  temp_dir dir;
  store::store st(dir.db());
  auto a = st.get_agent("agent-x");
  CHECK(a.id == "agent-x");
  CHECK(a.state == agent_state::offline);
  CHECK_FALSE(a.busy);
  CHECK(a.session_id.empty());
  CHECK(a.leg_call_id.empty());
  CHECK(a.talking_call_id.empty());
  CHECK_FALSE(a.wrap_up_until_ms);
}

TEST_CASE("put_agent inserts then updates every field of an agent") {
  temp_dir dir;
  store::store st(dir.db());
  agent_record a;
  a.id = "agent-1";
  a.state = agent_state::wrap_up;
  a.busy = true;
  a.session_id = "s1";
  a.leg_call_id = "leg-1";
  a.talking_call_id = "cust-1";
  a.wrap_up_until_ms = 1'700'000'000'500;
  st.put_agent(a);
  auto got = st.get_agent("agent-1");
  CHECK(got.id == a.id);
  CHECK(got.state == a.state);
  CHECK(got.busy == a.busy);
  CHECK(got.session_id == a.session_id);
  CHECK(got.leg_call_id == a.leg_call_id);
  CHECK(got.talking_call_id == a.talking_call_id);
  CHECK(got.wrap_up_until_ms == a.wrap_up_until_ms);

  agent_record b;
  b.id = "agent-1";
  b.state = agent_state::ready;
  st.put_agent(b);
  got = st.get_agent("agent-1");
  CHECK(got.state == agent_state::ready);
  CHECK_FALSE(got.busy);
  CHECK(got.session_id.empty());
  CHECK(got.leg_call_id.empty());
  CHECK(got.talking_call_id.empty());
  CHECK_FALSE(got.wrap_up_until_ms);

  SQLite::Database other(dir.db(), SQLite::OPEN_READONLY);
  CHECK(other.execAndGet("SELECT COUNT(*) FROM agents").getInt() == 1);
}

TEST_CASE("every agent state round-trips and agents are kept apart") {
  temp_dir dir;
  store::store st(dir.db());
  int n = 0;
  for (auto s : {agent_state::offline, agent_state::connecting, agent_state::ready, agent_state::talking,
                 agent_state::wrap_up}) {
    agent_record a;
    a.id = "agent-" + std::to_string(n++);
    a.state = s;
    st.put_agent(a);
  }
  n = 0;
  for (auto s : {agent_state::offline, agent_state::connecting, agent_state::ready, agent_state::talking,
                 agent_state::wrap_up})
    CHECK(st.get_agent("agent-" + std::to_string(n++)).state == s);
}
