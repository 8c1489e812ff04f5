// The store's WAL is checkpointed by its own thread: the database file receives the pages while the
// writer is idle, and the WAL stays bounded under writes that never pause.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store_test_support.hpp"

namespace dialer::store::test {
namespace {

constexpr std::uintmax_t page_size = 4096;

// One commit per webhook id of ~3 KB: about two pages (row and primary-key index) per commit.
void write_webhooks(store& db, int from, int count) {
  const std::string padding(3000, 'x');
  for (int i = from; i < from + count; ++i) {
    auto tx = db.begin();
    db.record_webhook("evt-" + std::to_string(i) + "-" + padding, "call.initiated", "", i);
    tx.commit();
  }
}

std::uintmax_t file_pages(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size / page_size;
}

}  // namespace

TEST_CASE("the WAL's pages reach the database file while the store is open and idle") {
  temp_dir dir;
  store db(dir.db(), "NORMAL");
  const auto pages_before = file_pages(dir.db());
  int written = 0;  // past the 1,000-page mark, however many pages a commit writes
  while (file_pages(dir.db() + "-wal") < 1100 && written < 20'000) {
    write_webhooks(db, written, 100);
    written += 100;
  }
  REQUIRE(file_pages(dir.db() + "-wal") >= 1100);
  // SQLite's own automatic checkpoint is off for this connection; without the store's thread the
  // database file keeps its size until the store closes.
  // The rows alone (~3 KB each) fill this many pages of the database file once checkpointed.
  const auto rows_pages = static_cast<std::uintmax_t>(written) * 3000 / page_size;
  std::uintmax_t pages_now = pages_before;
  for (int i = 0; i < 500 && pages_now < pages_before + rows_pages; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pages_now = file_pages(dir.db());
  }
  CHECK(pages_now >= pages_before + rows_pages);
  auto tx = db.begin();
  CHECK_FALSE(db.record_webhook("evt-0-" + std::string(3000, 'x'), "call.initiated", "", 0));  // data intact
  tx.commit();
}

TEST_CASE("the WAL stays bounded under commits that never pause") {
  temp_dir dir;
  store db(dir.db(), "NORMAL");
  write_webhooks(db, 0, 12'000);  // ~24,000 WAL frames: ~100 MB if it were never restarted
  const auto wal_pages = file_pages(dir.db() + "-wal");
  INFO("WAL file: " << wal_pages << " pages");
  CHECK(wal_pages > 0);
  CHECK(wal_pages < 10'000);
}

}  // namespace dialer::store::test
