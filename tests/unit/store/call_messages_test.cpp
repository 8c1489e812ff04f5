// Counting the recorded messages of ended calls for /metrics: drops with a message that played, one
// that never started, silent drops, late drop messages and voicemails left.
#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::ended_call;
using dialer::store::test::make_session;
using dialer::store::test::temp_dir;
using domain::outcome;

namespace {
call_record drop(std::string id, domain::message_kind kind, bool played, std::int64_t delay_ms) {
  auto c = ended_call(std::move(id), "s", "item", outcome::dropped_agent_busy, true);
  c.state.message = kind;
  if (kind != domain::message_kind::none) {
    c.state.msg_phase = domain::message_phase::done;
    c.state.message_at_ms = *c.state.answered_at_ms + delay_ms;
  }
  c.state.message_played = played;
  return c;
}
}  // namespace

TEST_CASE("count_messages counts drops by their message, late drop messages and voicemails, ended calls only") {
  temp_dir dir;
  store::store st{dir.db()};
  st.insert_session(make_session("s"));
  st.insert_call(drop("d1", domain::message_kind::drop, true, 150));
  st.insert_call(drop("d2", domain::message_kind::drop, true, 2001));    // late
  st.insert_call(drop("d3", domain::message_kind::drop, false, 2000));   // exactly 2 s: not late, never started
  st.insert_call(drop("d4", domain::message_kind::none, false, 0));      // silent
  auto live = drop("d5", domain::message_kind::drop, true, 100);
  live.state.status = domain::call_status::answered;
  live.state.result = outcome::none;
  st.insert_call(live);  // still playing: not counted yet
  auto vm = ended_call("m1", "s", "item", outcome::machine);
  vm.state.message = domain::message_kind::voicemail;
  vm.state.message_played = true;
  st.insert_call(vm);
  auto hung_up = ended_call("m2", "s", "item", outcome::machine);
  st.insert_call(hung_up);

  auto c = st.count_messages(2000);
  CHECK(c.drops_played == 2);
  CHECK(c.drops_not_played == 1);
  CHECK(c.drops_silent == 1);
  CHECK(c.drops_late == 1);
  CHECK(c.voicemails_left == 1);
}

TEST_CASE("count_messages of an empty database is all zeros") {
  temp_dir dir;
  store::store st{dir.db()};
  auto c = st.count_messages(2000);
  CHECK(c.drops_played == 0);
  CHECK(c.drops_not_played == 0);
  CHECK(c.drops_silent == 0);
  CHECK(c.drops_late == 0);
  CHECK(c.voicemails_left == 0);
}
