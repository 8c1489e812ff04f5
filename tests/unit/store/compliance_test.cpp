// The compliance tables and queries: the do-not-call list, dials to one number in the last 24 h, and
// the audit export's pages of calls in dial order.
#include <SQLiteCpp/Database.h>

#include <algorithm>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::make_call;
using dialer::store::test::make_session;
using dialer::store::test::temp_dir;

namespace {
struct fixture {
  temp_dir dir;
  store::store st{dir.db()};
};

call_record dial_to(std::string id, std::string to, std::int64_t started_at_ms,
                    domain::call_kind kind = domain::call_kind::customer) {
  auto c = make_call(std::move(id), kind == domain::call_kind::customer ? "s" : "", "", started_at_ms);
  c.to = std::move(to);
  c.kind = kind;
  return c;
}
}  // namespace

TEST_CASE("a number added to the do-not-call list is listed once, keeps its first time, and can be removed") {
  fixture f;
  f.st.insert_session(make_session("s"));
  CHECK_FALSE(f.st.is_dnc("+15550100001"));
  CHECK(f.st.add_dnc("+15550100001", 1000));
  CHECK_FALSE(f.st.add_dnc("+15550100001", 2000));  // a duplicate is harmless
  CHECK(f.st.is_dnc("+15550100001"));
  auto e = f.st.get_dnc("+15550100001");
  REQUIRE(e);
  CHECK(e->added_at_ms == 1000);
  CHECK_FALSE(f.st.is_dnc("+15550100002"));
  CHECK_FALSE(f.st.get_dnc("+15550100002"));
  CHECK(f.st.remove_dnc("+15550100001"));
  CHECK_FALSE(f.st.remove_dnc("+15550100001"));
  CHECK_FALSE(f.st.is_dnc("+15550100001"));
}

TEST_CASE("the do-not-call list pages in phone order after a cursor") {
  fixture f;
  for (auto p : {"+15550100003", "+15550100001", "+15550100005", "+15550100002", "+15550100004"})
    REQUIRE(f.st.add_dnc(p, 5));
  auto first = f.st.list_dnc("", 2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].phone == "+15550100001");
  CHECK(first[1].phone == "+15550100002");
  CHECK(first[1].added_at_ms == 5);
  auto rest = f.st.list_dnc(first.back().phone, 10);
  REQUIRE(rest.size() == 3);
  CHECK(rest[0].phone == "+15550100003");
  CHECK(rest[2].phone == "+15550100005");
  CHECK(f.st.list_dnc("+15550100005", 10).empty());
}

TEST_CASE("the list survives reopening the database") {
  temp_dir dir;
  { store::store st(dir.db()); st.add_dnc("+15550100001", 7); }
  store::store st(dir.db());
  CHECK(st.is_dnc("+15550100001"));
}

TEST_CASE("dials to one number in the last 24 h count customer and sent manual attempts of every session only") {
  fixture f;
  f.st.insert_session(make_session("s"));
  const std::string number = "+15550100009";
  const std::int64_t since = 100'000;
  f.st.insert_call(dial_to("old", number, since));                // at the window's edge: outside
  f.st.insert_call(dial_to("a", number, since + 30));
  f.st.insert_call(dial_to("b", number, since + 10));
  f.st.insert_call(dial_to("m", number, since + 20, domain::call_kind::manual));
  auto unsent = dial_to("unsent", number, since + 5, domain::call_kind::manual);
  unsent.command_id.clear();  // a manual call whose agent never answered: the customer was not dialed
  f.st.insert_call(unsent);
  f.st.insert_call(dial_to("agent", number, since + 40, domain::call_kind::agent));
  f.st.insert_call(dial_to("other", "+15550100010", since + 50));

  CHECK(f.st.count_dials_since(number, since) == 3);
  CHECK(f.st.count_dials_since(number, since + 10) == 2);
  CHECK(f.st.count_dials_since("+15550100011", 0) == 0);
  CHECK(f.st.nth_dial_since(number, since, 0) == since + 10);
  CHECK(f.st.nth_dial_since(number, since, 1) == since + 20);
  CHECK(f.st.nth_dial_since(number, since, 2) == since + 30);
  CHECK_FALSE(f.st.nth_dial_since(number, since, 3).has_value());
}

TEST_CASE("the 24 h dial count uses the to_number index") {
  fixture f;
  SQLite::Database db(f.dir.db());
  SQLite::Statement plan(db, "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM calls WHERE kind IN ('customer','manual') "
                             "AND command_id <> '' AND to_number = '+1' AND started_at > 5");
  std::string detail;
  while (plan.executeStep()) detail += plan.getColumn(3).getString() + "\n";
  CHECK_MESSAGE(detail.find("calls_by_to_number") != std::string::npos, detail);
}

TEST_CASE("calls are read in dial order page by page from `from` up to `to`, ties broken by insertion order") {
  fixture f;
  f.st.insert_session(make_session("s"));
  // Inserted out of order; c2 and c3 start in the same millisecond.
  for (auto [id, at] : std::vector<std::pair<std::string, std::int64_t>>{
           {"c4", 400}, {"c2", 200}, {"c3", 200}, {"c0", 50}, {"c1", 100}, {"c5", 500}, {"c6", 600}})
    f.st.insert_call(dial_to(id, "+15550100001", at));

  call_range range;
  range.from_ms = 100;
  range.to_ms = 600;  // c6 starts at the end: excluded
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    auto page = f.st.calls_in_range(range, 2);
    ++pages;
    for (const auto& c : page.calls) seen.push_back(c.id);
    if (!page.next) break;
    range.after = *page.next;
    REQUIRE(pages < 10);
  }
  CHECK(seen == std::vector<std::string>{"c1", "c2", "c3", "c4", "c5"});
  CHECK(pages == 3);

  call_range all;
  auto everything = f.st.calls_in_range(all, 100);
  CHECK(everything.calls.size() == 7);
  CHECK_FALSE(everything.next.has_value());
  CHECK(everything.calls.front().id == "c0");
  CHECK(everything.calls.back().id == "c6");
}
