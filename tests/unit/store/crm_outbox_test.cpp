// The CRM push outbox on a real SQLite file: insert, due order, updates, counts, pruning, and rows that
// survive reopening the database (a restart).
#include <doctest/doctest.h>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::temp_dir;

TEST_CASE("an inserted outbox row reads back pending and due at once") {
  temp_dir dir;
  store::store db(dir.db());
  auto tx = db.begin();
  const auto seq = db.insert_outbox("evt_1", "call.connected", R"({"id":"evt_1"})", 5'000);
  tx.commit();
  auto r = db.get_outbox("evt_1");
  REQUIRE(r);
  CHECK(r->seq == seq);
  CHECK(r->event_type == "call.connected");
  CHECK(r->body == R"({"id":"evt_1"})");
  CHECK(r->state == outbox_state::pending);
  CHECK(r->attempts == 0);
  CHECK(r->next_attempt_at_ms == 5'000);
  CHECK(r->created_at_ms == 5'000);
  CHECK_FALSE(r->finished_at_ms);
  CHECK(r->last_error.empty());
  CHECK_FALSE(db.get_outbox("evt_unknown"));
}

TEST_CASE("a second row with the same event id is refused") {
  temp_dir dir;
  store::store db(dir.db());
  db.insert_outbox("evt_1", "call.ended", "{}", 1);
  CHECK_THROWS(db.insert_outbox("evt_1", "call.ended", "{}", 2));
  CHECK(db.count_outbox().pending == 1);
}

TEST_CASE("due rows come earliest first, only pending and due, at most the limit") {
  temp_dir dir;
  store::store db(dir.db());
  db.insert_outbox("evt_a", "call.connected", "{}", 100);
  db.insert_outbox("evt_b", "call.ended", "{}", 100);
  db.insert_outbox("evt_c", "call.ended", "{}", 100);
  db.insert_outbox("evt_d", "call.ended", "{}", 100);
  auto a = *db.get_outbox("evt_a");
  a.next_attempt_at_ms = 900;  // retry later
  a.attempts = 1;
  a.last_error = "HTTP 503";
  db.update_outbox(a);
  auto c = *db.get_outbox("evt_c");
  c.state = outbox_state::delivered;
  c.finished_at_ms = 150;
  db.update_outbox(c);

  auto due = db.due_outbox(500, 10);
  REQUIRE(due.size() == 2);
  CHECK(due[0].event_id == "evt_b");
  CHECK(due[1].event_id == "evt_d");
  CHECK(db.due_outbox(500, 1).size() == 1);
  auto later = db.due_outbox(1'000, 10);
  REQUIRE(later.size() == 3);
  CHECK(later[2].event_id == "evt_a");
  CHECK(later[2].attempts == 1);
  CHECK(later[2].last_error == "HTTP 503");
  CHECK(db.next_outbox_at() == 100);
}

TEST_CASE("next_outbox_at is the earliest pending row and none when nothing is pending") {
  temp_dir dir;
  store::store db(dir.db());
  CHECK_FALSE(db.next_outbox_at());
  db.insert_outbox("evt_a", "call.ended", "{}", 700);
  db.insert_outbox("evt_b", "call.ended", "{}", 300);
  CHECK(db.next_outbox_at() == 300);
  auto b = *db.get_outbox("evt_b");
  b.state = outbox_state::failed;
  b.finished_at_ms = 400;
  db.update_outbox(b);
  CHECK(db.next_outbox_at() == 700);
  auto a = *db.get_outbox("evt_a");
  a.state = outbox_state::delivered;
  a.finished_at_ms = 800;
  db.update_outbox(a);
  CHECK_FALSE(db.next_outbox_at());
  auto counts = db.count_outbox();
  CHECK(counts.pending == 0);
  CHECK(counts.delivered == 1);
  CHECK(counts.failed == 1);
}

TEST_CASE("pruning deletes only delivered rows finished before the cut") {
  temp_dir dir;
  store::store db(dir.db());
  for (const char* id : {"evt_old", "evt_new", "evt_failed", "evt_pending"}) db.insert_outbox(id, "call.ended", "{}", 1);
  auto finish = [&](const char* id, outbox_state s, std::int64_t at) {
    auto r = *db.get_outbox(id);
    r.state = s;
    r.finished_at_ms = at;
    db.update_outbox(r);
  };
  finish("evt_old", outbox_state::delivered, 100);
  finish("evt_new", outbox_state::delivered, 900);
  finish("evt_failed", outbox_state::failed, 100);
  CHECK(db.prune_outbox(500) == 1);
  CHECK_FALSE(db.get_outbox("evt_old"));
  CHECK(db.get_outbox("evt_new"));
  CHECK(db.get_outbox("evt_failed"));
  CHECK(db.get_outbox("evt_pending"));
}

TEST_CASE("a row written in a rolled-back transaction is not there and a committed one survives reopening") {
  temp_dir dir;
  {
    store::store db(dir.db());
    {
      auto tx = db.begin();
      db.insert_outbox("evt_rolled_back", "call.ended", "{}", 1);
    }
    auto tx = db.begin();
    db.insert_outbox("evt_kept", "call.ended", R"({"x":1})", 2);
    tx.commit();
  }
  store::store reopened(dir.db());
  CHECK_FALSE(reopened.get_outbox("evt_rolled_back"));
  auto kept = reopened.get_outbox("evt_kept");
  REQUIRE(kept);
  CHECK(kept->body == R"({"x":1})");
  CHECK(reopened.due_outbox(10, 10).size() == 1);
}

TEST_CASE("outbox states print and parse") {
  for (auto s : {outbox_state::pending, outbox_state::delivered, outbox_state::failed})
    CHECK(outbox_state_from(to_string(s)) == s);
  CHECK_FALSE(outbox_state_from("sent"));
}
