// Opening the store: the file, WAL, the schema version, refusals, and transactions.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <fstream>
#include <stdexcept>

#include "store_test_support.hpp"

using namespace dialer;
using namespace dialer::store;
using dialer::store::test::make_session;
using dialer::store::test::temp_dir;

TEST_CASE("opening a store creates the database file") {
  temp_dir dir;
  REQUIRE_FALSE(std::filesystem::exists(dir.db()));
  store::store s(dir.db());
  CHECK(std::filesystem::exists(dir.db()));
  CHECK(s.healthy());
}

TEST_CASE("opening a store creates a missing parent directory") {
  temp_dir dir;
  auto path = (dir.path() / "nested" / "deeper" / "dialer.db").string();
  store::store s(path);
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("the database is in WAL mode as seen by another connection") {
  temp_dir dir;
  for (const char* sync : {"FULL", "NORMAL"}) {
    CAPTURE(sync);
    store::store s(dir.db(), sync);
    SQLite::Database other(dir.db(), SQLite::OPEN_READONLY);
    CHECK(other.execAndGet("PRAGMA journal_mode").getString() == "wal");
  }
}

TEST_CASE("opening a new database writes the current schema_version row") {
  temp_dir dir;
  { store::store s(dir.db()); }
  SQLite::Database other(dir.db(), SQLite::OPEN_READONLY);
  CHECK(other.execAndGet("SELECT COUNT(*) FROM schema_version").getInt() == 1);
  CHECK(other.execAndGet("SELECT version FROM schema_version").getInt() == schema_version);
}

TEST_CASE("reopening an existing database keeps its data and writes no second version row") {
  temp_dir dir;
  {
    store::store s(dir.db());
    auto tx = s.begin();
    s.insert_session(make_session("s1"));
    tx.commit();
  }
  store::store s(dir.db());
  auto got = s.get_session("s1");
  REQUIRE(got);
  CHECK(got->agent_id == "agent-1");
  SQLite::Database other(dir.db(), SQLite::OPEN_READONLY);
  CHECK(other.execAndGet("SELECT COUNT(*) FROM schema_version").getInt() == 1);
}

TEST_CASE("a database with a newer schema_version is refused with a message naming the version") {
  temp_dir dir;
  { store::store s(dir.db()); }
  {
    SQLite::Database db(dir.db(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE schema_version SET version = " + std::to_string(schema_version + 1));
  }
  std::string message;
  try {
    store::store s(dir.db());
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CAPTURE(message);
  CHECK(message.find("schema version " + std::to_string(schema_version + 1)) != std::string::npos);
  CHECK(message.find(dir.db()) != std::string::npos);
}

TEST_CASE("a database with a newer schema_version is refused without being modified") {
  // A newer dialerd may have dropped or reshaped a table; refusing must not recreate v1 tables in it.
  temp_dir dir;
  { store::store s(dir.db()); }
  {
    SQLite::Database db(dir.db(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE schema_version SET version = " + std::to_string(schema_version + 1));
    db.exec("DROP TABLE agents");
  }
  CHECK_THROWS_AS(store::store{dir.db()}, std::runtime_error);
  SQLite::Database db(dir.db(), SQLite::OPEN_READONLY);
  CHECK_FALSE(db.tableExists("agents"));
}

TEST_CASE("a file that is not a SQLite database is refused with a message naming it") {
  temp_dir dir;
  { std::ofstream(dir.db()) << "this is not a database, just some text long enough to be a header\n"; }
  CHECK_THROWS_WITH_AS(store::store{dir.db()}, doctest::Contains(dir.db().c_str()), std::runtime_error);
}

TEST_CASE("a synchronous mode other than FULL or NORMAL is refused") {
  temp_dir dir;
  for (const char* sync : {"OFF", "EXTRA", "full", "", "NORMAL; DROP TABLE sessions"}) {
    CAPTURE(sync);
    CHECK_THROWS_WITH_AS(store::store(dir.db(), sync), doctest::Contains("synchronous"), std::runtime_error);
  }
  CHECK_FALSE(std::filesystem::exists(dir.db()));
}

TEST_CASE("a path that cannot be opened is refused with a message naming it") {
  temp_dir dir;
  // The database path is an existing directory: SQLite cannot open it as a file.
  auto path = (dir.path() / "is-a-dir").string();
  std::filesystem::create_directories(path);
  CHECK_THROWS_WITH_AS(store::store{path}, doctest::Contains(path.c_str()), std::runtime_error);
}

TEST_CASE("a transaction that is not committed is rolled back") {
  temp_dir dir;
  store::store s(dir.db());
  {
    auto tx = s.begin();
    s.insert_session(make_session("s1"));
    CHECK(s.get_session("s1"));  // visible inside its own transaction
  }
  CHECK_FALSE(s.get_session("s1"));
  SQLite::Database other(dir.db(), SQLite::OPEN_READONLY);
  CHECK(other.execAndGet("SELECT COUNT(*) FROM sessions").getInt() == 0);
}

TEST_CASE("a committed transaction is visible to another connection") {
  temp_dir dir;
  store::store s(dir.db());
  {
    auto tx = s.begin();
    s.insert_session(make_session("s1"));
    tx.commit();
  }
  SQLite::Database other(dir.db(), SQLite::OPEN_READONLY);
  CHECK(other.execAndGet("SELECT COUNT(*) FROM sessions").getInt() == 1);
}

TEST_CASE("a moved transaction still rolls back once, from its new owner") {
  temp_dir dir;
  store::store s(dir.db());
  {
    auto tx = s.begin();
    auto moved = std::move(tx);
    s.insert_session(make_session("s1"));
  }
  CHECK_FALSE(s.get_session("s1"));
  auto tx = s.begin();  // the connection is free for a new transaction
  s.insert_session(make_session("s2"));
  tx.commit();
  CHECK(s.get_session("s2"));
}

TEST_CASE("a second store on the same file sees commits made after the first store ran queries") {
  // Regression: a cached statement left un-reset keeps a read snapshot open and hides later commits.
  temp_dir dir;
  store::store a(dir.db());
  store::store b(dir.db());
  {
    auto tx = a.begin();
    a.insert_session(make_session("s1", 1000, domain::session_status::running));
    a.insert_item(test::make_item("i1", "s1", 1, "+15551110001"));
    tx.commit();
  }
  // b runs every kind of read (leaving its cached statements behind) ...
  CHECK(b.get_session("s1"));
  CHECK(b.list_sessions({}).size() == 1);
  CHECK(b.active_sessions().size() == 1);
  CHECK(b.get_item("i1"));
  CHECK(b.list_items("s1").size() == 1);
  CHECK(b.next_dialable("s1", 0));
  CHECK(b.count_items("s1").pending == 1);
  CHECK(b.has_phone("s1", "+15551110001"));
  CHECK(b.next_seq("s1") == 2);
  CHECK_FALSE(b.next_retry_at("s1"));
  CHECK(b.live_calls().empty());
  CHECK(b.list_recent_calls(10).empty());
  CHECK(b.list_session_calls("s1", 10).empty());
  CHECK_FALSE(b.get_call("c1"));
  CHECK_FALSE(b.find_call_by_control_id("ctl-1"));
  CHECK(b.recount_stats("s1").calls == 0);
  CHECK(b.get_agent("agent-1").state == domain::agent_state::offline);
  CHECK(b.healthy());
  // ... a also reads, then commits more.
  CHECK(a.get_session("s1"));
  CHECK(a.next_dialable("s1", 0));
  {
    auto tx = a.begin();
    auto s2 = make_session("s2", 2000, domain::session_status::paused);
    a.insert_session(s2);
    a.insert_item(test::make_item("i2", "s1", 2, "+15551110002"));
    auto c = test::make_call("c1", "s1", "i1", 5000);
    c.call_control_id = "ctl-1";
    a.insert_call(c);
    agent_record ag;
    ag.id = "agent-1";
    ag.state = domain::agent_state::ready;
    a.put_agent(ag);
    tx.commit();
  }
  CHECK(b.get_session("s2"));
  CHECK(b.list_sessions({}).size() == 2);
  CHECK(b.active_sessions().size() == 2);
  CHECK(b.get_item("i2"));
  CHECK(b.list_items("s1").size() == 2);
  CHECK(b.count_items("s1").pending == 2);
  CHECK(b.has_phone("s1", "+15551110002"));
  CHECK(b.next_seq("s1") == 3);
  CHECK(b.live_calls().size() == 1);
  CHECK(b.list_recent_calls(10).size() == 1);
  CHECK(b.list_session_calls("s1", 10).size() == 1);
  CHECK(b.get_call("c1"));
  CHECK(b.find_call_by_control_id("ctl-1"));
  CHECK(b.recount_stats("s1").calls == 1);
  CHECK(b.get_agent("agent-1").state == domain::agent_state::ready);
  // And the other way round: b writes, a sees it.
  {
    auto tx = b.begin();
    b.delete_session("s2");
    tx.commit();
  }
  CHECK_FALSE(a.get_session("s2"));
  CHECK(a.list_sessions({}).size() == 1);
}

TEST_CASE("a store reads a change another connection committed after the store's last read") {
  temp_dir dir;
  store::store a(dir.db());
  { auto tx = a.begin(); a.insert_session(make_session("s1")); tx.commit(); }
  CHECK(a.list_sessions({}).size() == 1);
  SQLite::Database other(dir.db(), SQLite::OPEN_READWRITE);
  other.exec("UPDATE sessions SET agent_id = 'agent-9' WHERE id = 's1'");
  auto got = a.get_session("s1");
  REQUIRE(got);
  CHECK(got->agent_id == "agent-9");
}

TEST_CASE("a database made before a column was added gets the column and keeps its rows") {
  temp_dir dir;
  {
    store::store s(dir.db());
    s.insert_session(make_session("s1"));
    s.insert_item(dialer::store::test::make_item("q1", "s1", 1, "+15550001001"));
  }
  {
    SQLite::Database db(dir.db(), SQLite::OPEN_READWRITE);
    db.exec("ALTER TABLE queue_items DROP COLUMN blocked_reason");  // as an older dialerd made it
  }
  store::store s(dir.db());
  auto item = s.get_item("q1");
  REQUIRE(item);
  CHECK(item->state.blocked == domain::hold_reason::none);
  item->state.blocked = domain::hold_reason::daily_cap;
  s.update_item(*item);
  CHECK(s.get_item("q1")->state.blocked == domain::hold_reason::daily_cap);
}

TEST_CASE("a nested transaction commits into its outer one, and nothing is durable before the outer commit") {
  temp_dir dir;
  store::store s(dir.db());
  {
    auto outer = s.begin();
    s.insert_session(make_session("s1"));
    {
      auto inner = s.begin();
      s.insert_session(make_session("s2"));
      inner.commit();
    }
    SQLite::Database other(dir.db(), SQLite::OPEN_READONLY);
    CHECK(other.execAndGet("SELECT COUNT(*) FROM sessions").getInt() == 0);
    outer.commit();
    CHECK(other.execAndGet("SELECT COUNT(*) FROM sessions").getInt() == 2);
  }
  CHECK_FALSE(s.in_transaction());
}

TEST_CASE("a nested transaction rolled back undoes only its own writes") {
  temp_dir dir;
  store::store s(dir.db());
  {
    auto outer = s.begin();
    s.insert_session(make_session("s1"));
    {
      auto inner = s.begin();
      s.insert_session(make_session("s2"));
    }  // not committed
    {
      auto inner = s.begin();
      s.insert_session(make_session("s3"));
      inner.commit();
    }
    outer.commit();
  }
  CHECK(s.get_session("s1"));
  CHECK_FALSE(s.get_session("s2"));
  CHECK(s.get_session("s3"));
}

TEST_CASE("an outer transaction rolled back undoes its committed nested transactions") {
  temp_dir dir;
  store::store s(dir.db());
  {
    auto outer = s.begin();
    auto inner = s.begin();
    s.insert_session(make_session("s1"));
    inner.commit();
  }
  CHECK_FALSE(s.get_session("s1"));
  CHECK_FALSE(s.in_transaction());
}

TEST_CASE("nested transactions must end in the reverse order of begin") {
  temp_dir dir;
  store::store s(dir.db());
  auto outer = s.begin();
  auto inner = s.begin();
  CHECK_THROWS_AS(outer.commit(), std::logic_error);
  inner.commit();
  outer.commit();
  CHECK_FALSE(s.in_transaction());
}

namespace {
// Files this process has open that SQLite created as temporary files (named etilqs_*, unlinked at once).
int open_sqlite_temp_files() {
  int n = 0;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.find("etilqs_") != std::string::npos) ++n;
  }
  return n;
}
}  // namespace

TEST_CASE("a savepoint's undo pages stay in memory: a large nested transaction opens no temporary file") {
  // SQLite spills a savepoint's journal past 64 KiB to a temporary file unless temp_store is MEMORY:
  // an open, an unlink, writes and a close on the engine's thread in most webhook batches.
  temp_dir dir;
  store::store s(dir.db());
  {
    auto tx = s.begin();
    for (int i = 0; i < 2000; ++i) s.insert_session(make_session("s" + std::to_string(i)));
    tx.commit();
  }
  auto outer = s.begin();
  {
    auto inner = s.begin();
    for (int i = 0; i < 2000; ++i) {
      auto rec = *s.get_session("s" + std::to_string(i));
      rec.stats.calls = i + 1;
      rec.status = domain::session_status::running;
      s.update_session(rec);
    }
    CHECK(open_sqlite_temp_files() == 0);
    inner.commit();
  }
  outer.commit();
  CHECK(s.get_session("s1999")->stats.calls == 2000);
}
