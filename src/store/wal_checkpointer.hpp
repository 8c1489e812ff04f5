// WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the COMMIT that
// crosses 1,000 WAL pages: that commit copies ~4 MB into the database file and fsyncs it on the
// engine's thread, a stall of milliseconds for every webhook waiting behind it. Here the writer's
// connection only counts pages (sqlite3_wal_hook) and a second connection checkpoints PASSIVE, which
// never blocks the writer: frames appended meanwhile wait for the next round.
#pragma once
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace dialer::store::detail {

class wal_checkpointer {
 public:
  // Takes over checkpoints of `writer` (its automatic checkpoint is replaced) for the database at
  // `path` (already open in WAL mode by `writer`). Throws std::runtime_error when its own connection
  // cannot be opened.
  wal_checkpointer(sqlite3* writer, const std::string& path);
  ~wal_checkpointer();  // stops the thread; the writer's connection checkpoints when it closes
  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  // The WAL pages after which a checkpoint is started (SQLite's own default). Each complete checkpoint
  // costs the engine's thread one inline fdatasync: the commit that then restarts the WAL syncs its new
  // header first (SQLite's rule, in every synchronous mode). 4,000 pages quartered those stalls but made
  // latency worse at 250x4 (larger checkpoints competing for the disk and the cores), so 1,000 stays.
  static constexpr int pages_per_checkpoint = 1000;
  // Under writes without a pause the thread's checkpoint never catches up with the last frame, so the
  // WAL is never restarted and grows. Past this many pages the writer checkpoints inline after its
  // commit, as SQLite's automatic checkpoint would, which bounds the WAL (~32 MB).
  static constexpr int pages_before_inline_checkpoint = 8 * pages_per_checkpoint;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();

  sqlite3* writer_;
  sqlite3* own_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;  // both ways: the thread waits for work, an inline checkpoint for the thread
  bool due_ = false;                   // the WAL crossed pages_per_checkpoint since the last round began
  bool running_ = false;               // the thread is checkpointing
  bool writer_checkpointing_ = false;  // the writer checkpoints inline; the thread waits
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dialer::store::detail
