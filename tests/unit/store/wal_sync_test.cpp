// synchronous=FULL in WAL mode kept by the store's sync thread: a commit that leaves its fdatasync to
// the thread is visible at once, and its after_durable() callbacks run on that thread, in order.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store_test_support.hpp"

namespace dialer::store::test {
namespace {

struct callback_log {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<int> order;
  std::vector<std::thread::id> threads;

  std::function<void()> entry(int n) {
    return [this, n] {
      std::lock_guard lock(mutex);
      order.push_back(n);
      threads.push_back(std::this_thread::get_id());
      changed.notify_all();
    };
  }
  bool wait_for(std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return order.size() >= count; });
  }
};

void record(store& db, const std::string& webhook_id) {
  auto tx = db.begin();
  db.record_webhook(webhook_id, "call.initiated", "", 1);
  tx.commit_leaving_sync();
}

}  // namespace

TEST_CASE("with synchronous FULL a commit leaves its fdatasync to the store's thread, which calls back in order") {
  temp_dir dir;
  store db(dir.db(), "FULL");
  REQUIRE(db.syncs_in_background());
  callback_log log;
  for (int i = 0; i < 3; ++i) {
    record(db, "evt-" + std::to_string(i));
    db.after_durable(log.entry(i));
  }
  // Committed, so another connection reads the rows whether or not the sync has ended.
  SQLite::Database reader(dir.db(), SQLite::OPEN_READONLY);
  CHECK(reader.execAndGet("SELECT count(*) FROM webhook_events").getInt() == 3);
  REQUIRE(log.wait_for(3));
  CHECK(log.order == std::vector<int>{0, 1, 2});
  for (auto id : log.threads) CHECK(id != std::this_thread::get_id());
}

TEST_CASE("callbacks given after drop_durable_callbacks still run") {
  temp_dir dir;
  store db(dir.db(), "FULL");
  db.drop_durable_callbacks();  // as a destroyed engine does; the store may serve a new one
  callback_log log;
  record(db, "evt-after-drop");
  db.after_durable(log.entry(7));
  REQUIRE(log.wait_for(1));
  CHECK(log.order == std::vector<int>{7});
}

TEST_CASE("with synchronous NORMAL nothing waits for a sync and after_durable is refused") {
  temp_dir dir;
  store db(dir.db(), "NORMAL");
  CHECK_FALSE(db.syncs_in_background());
  record(db, "evt-normal");
  CHECK_THROWS_AS(db.after_durable([] {}), std::logic_error);
}

}  // namespace dialer::store::test
