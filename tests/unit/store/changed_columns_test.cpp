// Updates write only the columns that changed: an unchanged row costs no page, a change to a column no
// index covers costs one (a full-row UPDATE rewrote every index entry of the row: ~5 pages for a call).
#include <doctest/doctest.h>

#include <filesystem>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::make_call;
using dialer::store::test::make_item;
using dialer::store::test::make_session;
using dialer::store::test::temp_dir;

namespace {

// Pages in the WAL file (each frame: a 24-byte header and one 4 KiB page, after a 32-byte file header).
std::uintmax_t wal_frames(const temp_dir& dir) {
  const auto wal = dir.db() + "-wal";
  const auto size = std::filesystem::exists(wal) ? std::filesystem::file_size(wal) : 0;
  return size <= 32 ? 0 : (size - 32) / (4096 + 24);
}

struct fixture {
  temp_dir dir;
  store::store st{dir.db()};
  session_record session = make_session("s");
  queue_item_record item = make_item("i", "s", 1, "+15550000009");
  call_record call = make_call("c", "s", "i", 100);
  fixture() {
    auto tx = st.begin();
    st.insert_session(session);
    st.insert_item(item);
    call.call_control_id = "v3:c";
    st.insert_call(call);
    tx.commit();
  }
  // WAL pages written by committing `change` alone.
  template <class Change>
  std::uintmax_t pages_written_by(Change change) {
    const auto before = wal_frames(dir);
    auto tx = st.begin();
    change();
    tx.commit();
    return wal_frames(dir) - before;
  }
};

}  // namespace

TEST_CASE("an update that changes nothing writes no page") {
  fixture f;
  CHECK(f.pages_written_by([&] { f.st.update_call(f.call); }) == 0);
  CHECK(f.pages_written_by([&] { f.st.update_item(f.item); }) == 0);
  CHECK(f.pages_written_by([&] { f.st.update_session(f.session); }) == 0);
}

TEST_CASE("an update of columns no index covers writes only the row's page, and the change is stored") {
  fixture f;
  f.call.notes = "call back after lunch";
  f.call.state.hangup_cause = "normal_clearing";
  CHECK(f.pages_written_by([&] { f.st.update_call(f.call); }) == 1);
  f.item.name = "Ada";
  f.item.state.was_contacted = true;
  CHECK(f.pages_written_by([&] { f.st.update_item(f.item); }) == 1);
  f.session.stats.calls = 7;
  f.session.stats.talk_ms = 1234;
  CHECK(f.pages_written_by([&] { f.st.update_session(f.session); }) == 1);

  CHECK(f.st.get_call("c")->notes == "call back after lunch");
  CHECK(f.st.get_call("c")->state.hangup_cause == "normal_clearing");
  CHECK(f.st.get_item("i")->name == "Ada");
  CHECK(f.st.get_item("i")->state.was_contacted);
  CHECK(f.st.get_session("s")->stats.calls == 7);
  CHECK(f.st.get_session("s")->stats.talk_ms == 1234);
}

TEST_CASE("an update that changes indexed columns keeps the indexes right") {
  fixture f;
  f.call.state.status = domain::call_status::ended;
  f.call.state.result = domain::outcome::no_answer;
  f.call.state.ended_at_ms = 200;
  f.st.update_call(f.call);
  CHECK(f.st.live_calls().empty());                       // calls_live_by_start
  CHECK(f.st.live_calls_of_session("s").empty());         // calls_live_by_session
  CHECK(f.st.find_call_by_control_id("v3:c")->id == "c");  // the unique call_control_id
  f.call.call_control_id.clear();
  f.st.update_call(f.call);
  CHECK_FALSE(f.st.find_call_by_control_id("v3:c"));

  f.item.state.status = domain::item_status::pending;
  f.item.state.attempts = 1;
  f.st.update_item(f.item);
  CHECK(f.st.next_dialable("s", 1000)->id == "i");  // queue_dial_order
  f.item.state.status = domain::item_status::completed;
  f.st.update_item(f.item);
  CHECK_FALSE(f.st.next_dialable("s", 1000));

  f.session.status = domain::session_status::running;
  f.st.update_session(f.session);
  REQUIRE(f.st.active_sessions().size() == 1);  // sessions_by_status
  CHECK(f.st.active_sessions()[0].id == "s");
}

TEST_CASE("an update of a row that does not exist writes nothing and creates no row") {
  fixture f;
  auto ghost = make_call("ghost", "s", "i", 100);
  CHECK(f.pages_written_by([&] { f.st.update_call(ghost); }) == 0);
  CHECK_FALSE(f.st.get_call("ghost"));
}
