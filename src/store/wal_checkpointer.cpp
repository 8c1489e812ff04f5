// The checkpoint thread: waits until the writer's WAL crosses pages_per_checkpoint, then copies what
// it can into the database file with its own connection (PASSIVE: no lock the writer needs).
#include "wal_checkpointer.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include "dialer/common/log.hpp"

namespace dialer::store::detail {

wal_checkpointer::wal_checkpointer(sqlite3* writer, const std::string& path) : writer_(writer) {
  // A fresh connection knows the journal mode only once it has read the database: until then a
  // checkpoint through it does nothing. Asking for WAL (already set by the writer) reads it.
  if (sqlite3_open_v2(path.c_str(), &own_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK ||
      sqlite3_exec(own_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string why = own_ ? sqlite3_errmsg(own_) : "out of memory";
    sqlite3_close(own_);
    throw std::runtime_error("cannot open a checkpoint connection to " + path + ": " + why);
  }
  thread_ = std::thread([this] { run(); });
  sqlite3_wal_hook(writer_, &wal_checkpointer::on_commit, this);  // replaces the automatic checkpoint
}

wal_checkpointer::~wal_checkpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  sqlite3_close(own_);
}

int wal_checkpointer::on_commit(void* self, sqlite3* db, const char*, int wal_pages) {
  if (wal_pages < pages_per_checkpoint) return SQLITE_OK;
  auto& c = *static_cast<wal_checkpointer*>(self);
  std::unique_lock lock(c.mutex_);
  if (wal_pages < pages_before_inline_checkpoint) {
    c.due_ = true;
    lock.unlock();
    c.wake_.notify_all();
    return SQLITE_OK;
  }
  // Between two commits nothing is being appended, so this checkpoint copies every frame and the
  // next write restarts the WAL from its start. Two checkpoints cannot run at once: wait for the
  // thread's round to end, and keep it from starting another meanwhile.
  c.writer_checkpointing_ = true;
  c.wake_.wait(lock, [&c] { return !c.running_; });
  lock.unlock();
  sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  lock.lock();
  c.writer_checkpointing_ = false;
  return SQLITE_OK;
}

void wal_checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return (due_ && !writer_checkpointing_) || stopping_; });
    if (stopping_) return;
    due_ = false;
    running_ = true;
    lock.unlock();
    const int rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)  // busy: another checkpoint runs (an operator's shell)
      log::warn("store", "WAL checkpoint failed; tried again after the next commit", {{"error", sqlite3_errmsg(own_)}});
    lock.lock();
    running_ = false;
    wake_.notify_all();  // a writer waiting to checkpoint inline
  }
}

}  // namespace dialer::store::detail
