// A campaign's 30-day tally (SPEC §10): its sessions' ended, placed customer attempts since a time;
// person answers; drops (agent-busy drops, unconnected hang-ups after 2 s); other campaigns apart.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using namespace dialer::store::test;

namespace {

struct fixture {
  temp_dir dir;
  dialer::store::store db{dir.db()};
  int n = 0;
  fixture() {
    auto tx = db.begin();
    auto a = make_session("sa");
    a.campaign_id = "spring";
    auto b = make_session("sb");
    b.campaign_id = "spring";
    auto other = make_session("sc");
    other.campaign_id = "autumn";
    db.insert_session(a);
    db.insert_session(b);
    db.insert_session(other);
    db.insert_session(make_session("sd"));  // no campaignId: "default"
    tx.commit();
  }
  // An ended customer call of `session`, placed (with a call_control_id) unless `placed` is false.
  void call(const char* session, domain::outcome o, bool person, std::int64_t started_at,
            std::int64_t answer_to_end_ms = 500, bool placed = true) {
    auto id = "c" + std::to_string(++n);
    auto c = ended_call(id, session, "", o, person);
    c.started_at_ms = started_at;
    if (placed) c.call_control_id = "v3:" + id;
    if (c.state.answered_at_ms) c.state.ended_at_ms = *c.state.answered_at_ms + answer_to_end_ms;
    db.insert_call(c);
  }
};

}  // namespace

TEST_CASE("a campaign's tally counts its sessions' placed, ended attempts since the window start") {
  fixture f;
  using domain::outcome;
  f.call("sa", outcome::connected, true, 100'000);
  f.call("sa", outcome::no_answer, false, 100'000);
  f.call("sb", outcome::dropped_agent_busy, true, 100'000);
  f.call("sb", outcome::machine, false, 100'000);                // a machine is no person answer
  f.call("sb", outcome::abandoned, true, 100'000, 2500);         // hung up unconnected after 2.5 s: a drop
  f.call("sb", outcome::abandoned, true, 100'000, 1500);         // within 2 s: an answer, no drop
  f.call("sa", outcome::failed, false, 100'000, 0, false);       // refused dial: never placed
  f.call("sa", outcome::dropped_agent_busy, true, 50'000);       // before the window
  f.call("sc", outcome::dropped_agent_busy, true, 100'000);      // another campaign
  auto live = make_call("live", "sa", "", 100'000);               // not ended yet: counted when it ends
  live.call_control_id = "v3:live";
  f.db.insert_call(live);
  auto agent_leg = make_call("leg", "sa", "", 100'000);
  agent_leg.kind = domain::call_kind::agent;
  agent_leg.call_control_id = "v3:leg";
  agent_leg.state.status = domain::call_status::ended;
  f.db.insert_call(agent_leg);

  auto t = f.db.campaign_tally("spring", 60'000);
  CHECK(t.dials == 6);
  CHECK(t.human_answers == 4);
  CHECK(t.drops == 2);
  CHECK(f.db.campaign_tally("spring", 0).drops == 3);
  CHECK(f.db.campaign_tally("autumn", 60'000) == domain::campaign_tally{1, 1, 1});
  CHECK(f.db.campaign_tally("default", 0) == domain::campaign_tally{});
}

TEST_CASE("has_campaign is true once a session names the campaign, default included") {
  fixture f;
  CHECK(f.db.has_campaign("spring"));
  CHECK(f.db.has_campaign("default"));
  CHECK_FALSE(f.db.has_campaign("winter"));
}

TEST_CASE("a database made before campaigns gets campaign_id 'default' on its sessions") {
  temp_dir dir;
  {
    dialer::store::store s(dir.db());
    s.insert_session(make_session("s1"));
  }
  {
    SQLite::Database db(dir.db(), SQLite::OPEN_READWRITE);
    db.exec("DROP INDEX sessions_by_campaign");
    db.exec("ALTER TABLE sessions DROP COLUMN campaign_id");  // as an older dialerd made it
  }
  dialer::store::store s(dir.db());
  auto got = s.get_session("s1");
  REQUIRE(got);
  CHECK(got->campaign_id == "default");
  CHECK(s.has_campaign("default"));
}
