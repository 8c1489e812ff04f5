// The queue_items table: round trip, dial order, retry timer, counts, phone lookup, sequence numbers.
#include <algorithm>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::make_item;
using dialer::store::test::make_session;
using dialer::store::test::temp_dir;
using domain::item_status;

namespace {

void check_same(const queue_item_record& got, const queue_item_record& want) {
  CHECK(got.id == want.id);
  CHECK(got.session_id == want.session_id);
  CHECK(got.seq == want.seq);
  CHECK(got.contact_id == want.contact_id);
  CHECK(got.name == want.name);
  CHECK(got.phone == want.phone);
  CHECK(got.timezone == want.timezone);
  CHECK(got.priority == want.priority);
  CHECK(got.state.status == want.state.status);
  CHECK(got.state.attempts == want.state.attempts);
  CHECK(got.state.max_attempts == want.state.max_attempts);
  CHECK(got.state.boosted == want.state.boosted);
  CHECK(got.state.next_attempt_at_ms == want.state.next_attempt_at_ms);
  CHECK(got.state.last_outcome == want.state.last_outcome);
  CHECK(got.state.was_contacted == want.state.was_contacted);
  CHECK(got.state.was_answered == want.state.was_answered);
}

// A store with session "s" in it.
struct fixture {
  temp_dir dir;
  store::store st{dir.db()};
  fixture() { st.insert_session(make_session("s")); }
};

std::string next_id(store::store& st, std::int64_t now_ms) {
  auto q = st.next_dialable("s", now_ms);
  return q ? q->id : std::string("<none>");
}

}  // namespace

TEST_CASE("a queue item round-trips every field") {
  fixture f;
  queue_item_record q;
  q.id = "item-1";
  q.session_id = "s";
  q.seq = 17;
  q.contact_id = "contact-9";
  q.name = "Ada Lovelace";
  q.phone = "+442071234567";
  q.timezone = "Europe/London";
  q.priority = 7;
  q.state.status = item_status::calling;
  q.state.attempts = 2;
  q.state.max_attempts = 4;
  q.state.boosted = true;
  q.state.next_attempt_at_ms = 1'700'000'000'999;
  q.state.last_outcome = domain::outcome::busy;
  q.state.was_contacted = true;
  q.state.was_answered = true;
  f.st.insert_item(q);
  auto got = f.st.get_item("item-1");
  REQUIRE(got);
  check_same(*got, q);

  SUBCASE("and an update rewrites every field") {
    auto next = q;
    next.seq = 30;
    next.contact_id = "";
    next.name = "";
    next.phone = "+15550001234";
    next.timezone = "";
    next.priority = -1;
    next.state.status = item_status::failed;
    next.state.attempts = 4;
    next.state.max_attempts = 4;
    next.state.boosted = false;
    next.state.next_attempt_at_ms.reset();
    next.state.last_outcome = domain::outcome::invalid_number;
    next.state.was_contacted = false;
    next.state.was_answered = false;
    f.st.update_item(next);
    auto again = f.st.get_item("item-1");
    REQUIRE(again);
    check_same(*again, next);
  }
}

TEST_CASE("a queue item with defaults round-trips empty optional text and no retry time") {
  fixture f;
  auto q = make_item("i", "s", 1, "+15550000001");
  f.st.insert_item(q);
  auto got = f.st.get_item("i");
  REQUIRE(got);
  check_same(*got, q);
}

TEST_CASE("every item status and last outcome round-trips") {
  fixture f;
  int n = 0;
  for (auto status : {item_status::pending, item_status::calling, item_status::completed, item_status::failed,
                      item_status::cancelled}) {
    auto q = make_item("st" + std::to_string(n), "s", n, "+1555000" + std::to_string(1000 + n));
    q.state.status = status;
    ++n;
    f.st.insert_item(q);
    auto got = f.st.get_item(q.id);
    REQUIRE(got);
    CHECK(got->state.status == status);
  }
  for (auto o : {domain::outcome::none, domain::outcome::connected, domain::outcome::no_answer,
                 domain::outcome::busy, domain::outcome::rejected, domain::outcome::invalid_number,
                 domain::outcome::dropped_agent_busy, domain::outcome::machine, domain::outcome::abandoned,
                 domain::outcome::failed, domain::outcome::cancelled}) {
    auto q = make_item("o" + std::to_string(n), "s", n, "+1555000" + std::to_string(1000 + n));
    q.state.last_outcome = o;
    ++n;
    f.st.insert_item(q);
    auto got = f.st.get_item(q.id);
    REQUIRE(got);
    CHECK(got->state.last_outcome == o);
  }
}

TEST_CASE("the same phone twice in one session is refused, in two sessions it is allowed") {
  fixture f;
  f.st.insert_session(make_session("t"));
  f.st.insert_item(make_item("a", "s", 1, "+15550000001"));
  CHECK_THROWS(f.st.insert_item(make_item("b", "s", 2, "+15550000001")));
  CHECK_NOTHROW(f.st.insert_item(make_item("c", "t", 1, "+15550000001")));
}

TEST_CASE("next_dialable takes boosted items first, then higher priority, then lower seq") {
  fixture f;
  auto add = [&](std::string id, std::int64_t seq, int priority, bool boosted) {
    auto q = make_item(id, "s", seq, "+1555" + std::to_string(1'000'000 + seq));
    q.priority = priority;
    q.state.boosted = boosted;
    f.st.insert_item(q);
  };
  add("low-early", 1, 0, false);
  add("high-late", 5, 9, false);
  add("high-early", 3, 9, false);
  add("boosted-low", 8, 0, true);
  add("boosted-high", 9, 1, true);
  add("low-late", 2, 0, false);

  std::vector<std::string> order;
  for (int guard = 0; guard < 10; ++guard) {
    auto q = f.st.next_dialable("s", 0);
    if (!q) break;
    order.push_back(q->id);
    q->state.status = item_status::calling;
    f.st.update_item(*q);
  }
  CHECK(order == std::vector<std::string>{"boosted-high", "boosted-low", "high-early", "high-late", "low-early",
                                          "low-late"});
  // list_items shows the same dial order (all calling now).
  std::vector<std::string> listed;
  for (const auto& q : f.st.list_items("s")) listed.push_back(q.id);
  CHECK(listed == order);
}

TEST_CASE("next_dialable skips items out of attempts, not pending, or not yet due, and takes them once due") {
  fixture f;
  auto exhausted = make_item("exhausted", "s", 1, "+15550000001");
  exhausted.state.attempts = 3;
  exhausted.state.max_attempts = 3;
  exhausted.priority = 100;
  f.st.insert_item(exhausted);
  int n = 2;
  for (auto status : {item_status::calling, item_status::completed, item_status::failed, item_status::cancelled}) {
    auto q = make_item(std::string(domain::to_string(status)), "s", n, "+1555000000" + std::to_string(n));
    q.state.status = status;
    q.priority = 100;
    f.st.insert_item(q);
    ++n;
  }
  auto later = make_item("later", "s", 10, "+15550000010");
  later.state.next_attempt_at_ms = 5000;
  later.state.boosted = true;
  f.st.insert_item(later);

  CHECK_FALSE(f.st.next_dialable("s", 0));
  CHECK_FALSE(f.st.next_dialable("s", 4999));
  CHECK(next_id(f.st, 5000) == "later");  // due exactly at next_attempt_at
  CHECK(next_id(f.st, 9000) == "later");

  SUBCASE("an item with attempts left is dialable again") {
    exhausted.state.max_attempts = 4;
    f.st.update_item(exhausted);
    CHECK(next_id(f.st, 0) == "exhausted");
  }
  SUBCASE("another session's items are not offered") {
    f.st.insert_session(make_session("t"));
    f.st.insert_item(make_item("other", "t", 1, "+15550000099"));
    CHECK(next_id(f.st, 0) == "<none>");
    auto q = f.st.next_dialable("t", 0);
    REQUIRE(q);
    CHECK(q->id == "other");
  }
}

TEST_CASE("next_retry_at is the earliest retry time of pending items with attempts left") {
  fixture f;
  CHECK_FALSE(f.st.next_retry_at("s"));
  auto now = make_item("now", "s", 1, "+15550000001");  // no retry time
  f.st.insert_item(now);
  CHECK_FALSE(f.st.next_retry_at("s"));

  auto a = make_item("a", "s", 2, "+15550000002");
  a.state.next_attempt_at_ms = 9000;
  f.st.insert_item(a);
  auto b = make_item("b", "s", 3, "+15550000003");
  b.state.next_attempt_at_ms = 7000;
  f.st.insert_item(b);
  auto calling = make_item("calling", "s", 4, "+15550000004");
  calling.state.status = item_status::calling;
  calling.state.next_attempt_at_ms = 1000;
  f.st.insert_item(calling);
  auto spent = make_item("spent", "s", 5, "+15550000005");
  spent.state.attempts = 3;
  spent.state.next_attempt_at_ms = 2000;
  f.st.insert_item(spent);
  f.st.insert_session(make_session("t"));
  auto other = make_item("other", "t", 1, "+15550000006");
  other.state.next_attempt_at_ms = 500;
  f.st.insert_item(other);

  CHECK(f.st.next_retry_at("s") == std::optional<std::int64_t>(7000));
  CHECK(f.st.next_retry_at("t") == std::optional<std::int64_t>(500));
  CHECK_FALSE(f.st.next_retry_at("unknown"));
}

TEST_CASE("count_items counts a session's items by status") {
  fixture f;
  f.st.insert_session(make_session("t"));
  struct row {
    item_status status;
    int count;
  };
  int n = 0;
  for (auto [status, count] : {row{item_status::pending, 3}, row{item_status::calling, 1},
                               row{item_status::completed, 2}, row{item_status::failed, 4},
                               row{item_status::cancelled, 1}}) {
    for (int i = 0; i < count; ++i, ++n) {
      auto q = make_item("i" + std::to_string(n), "s", n, "+1555" + std::to_string(1'000'000 + n));
      q.state.status = status;
      f.st.insert_item(q);
    }
  }
  f.st.insert_item(make_item("t1", "t", 1, "+15559999999"));
  auto c = f.st.count_items("s");
  CHECK(c.pending == 3);
  CHECK(c.calling == 1);
  CHECK(c.completed == 2);
  CHECK(c.failed == 4);
  CHECK(c.cancelled == 1);
  CHECK(c.total() == 11);
  CHECK(f.st.count_items("t").total() == 1);
  CHECK(f.st.count_items("unknown").total() == 0);
}

TEST_CASE("has_open_items is true only while an item is pending or calling") {
  fixture f;
  auto q = make_item("i1", "s", 1, "+15551000001");
  f.st.insert_item(q);
  CHECK(f.st.has_open_items("s"));
  for (auto status : {item_status::calling, item_status::completed, item_status::failed, item_status::cancelled}) {
    q.state.status = status;
    f.st.update_item(q);
    CAPTURE(status);
    CHECK(f.st.has_open_items("s") == (status == item_status::calling));
  }
  CHECK_FALSE(f.st.has_open_items("unknown"));
}

TEST_CASE("has_phone is true only for a phone queued in that session") {
  fixture f;
  f.st.insert_session(make_session("t"));
  f.st.insert_item(make_item("a", "s", 1, "+15550000001"));
  CHECK(f.st.has_phone("s", "+15550000001"));
  CHECK_FALSE(f.st.has_phone("s", "+15550000002"));
  CHECK_FALSE(f.st.has_phone("t", "+15550000001"));
}

TEST_CASE("next_seq is one more than the session's highest seq, starting at 1") {
  fixture f;
  f.st.insert_session(make_session("t"));
  CHECK(f.st.next_seq("s") == 1);
  f.st.insert_item(make_item("a", "s", 1, "+15550000001"));
  CHECK(f.st.next_seq("s") == 2);
  f.st.insert_item(make_item("b", "s", 41, "+15550000002"));
  f.st.insert_item(make_item("c", "s", 7, "+15550000003"));
  CHECK(f.st.next_seq("s") == 42);
  CHECK(f.st.next_seq("t") == 1);
}

TEST_CASE("list_items lists calling, then pending in dial order, then finished items") {
  fixture f;
  auto add = [&](std::string id, std::int64_t seq, item_status status, int priority = 0) {
    auto q = make_item(id, "s", seq, "+1555" + std::to_string(1'000'000 + seq));
    q.state.status = status;
    q.priority = priority;
    f.st.insert_item(q);
  };
  add("done", 1, item_status::completed);
  add("p-low", 2, item_status::pending);
  add("p-high", 3, item_status::pending, 5);
  add("calling", 4, item_status::calling);
  add("failed", 5, item_status::failed, 9);
  std::vector<std::string> listed;
  for (const auto& q : f.st.list_items("s")) listed.push_back(q.id);
  REQUIRE(listed.size() == 5);
  CHECK(listed[0] == "calling");
  CHECK(listed[1] == "p-high");
  CHECK(listed[2] == "p-low");
  std::vector<std::string> tail(listed.begin() + 3, listed.end());
  std::sort(tail.begin(), tail.end());
  CHECK(tail == std::vector<std::string>{"done", "failed"});
}
