// The sync thread: takes every callback given so far, runs one fdatasync of the WAL, then calls them.
#include "wal_syncer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "dialer/common/log.hpp"

namespace dialer::store::detail {

wal_syncer::wal_syncer(const std::string& wal_path) : path_(wal_path) {
  fd_ = ::open(wal_path.c_str(), O_RDONLY | O_CLOEXEC);  // fdatasync needs no write access
  if (fd_ < 0) throw std::runtime_error("cannot open the WAL " + wal_path + " to sync it: " + std::strerror(errno));
  thread_ = std::thread([this] { run(); });
}

wal_syncer::~wal_syncer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  ::close(fd_);
}

void wal_syncer::sync_now() { sync_or_die(); }

void wal_syncer::sync_then(std::function<void()> done) {
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back(std::move(done));
  }
  wake_.notify_all();
}

void wal_syncer::drop_callbacks() {
  std::lock_guard lock(mutex_);  // the thread calls back only while holding it
  waiting_.clear();
  ++epoch_;
}

void wal_syncer::sync_or_die() {
  if (::fdatasync(fd_) == 0) return;
  // After a failed fdatasync the kernel may already have dropped the dirty pages, and a retry would
  // report success for what is lost; going on could acknowledge webhooks that are not on disk. Stop,
  // so a restart recovers from what the disk holds and Telnyx redelivers what was not acknowledged.
  log::error("store", "fdatasync of the WAL failed; stopping", {{"file", path_}, {"error", std::strerror(errno)}});
  std::abort();
}

void wal_syncer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return !waiting_.empty() || stopping_; });
    if (stopping_) return;
    auto covered = std::move(waiting_);
    waiting_.clear();
    const auto epoch = epoch_;
    lock.unlock();
    sync_or_die();
    lock.lock();
    if (epoch != epoch_) continue;
    for (auto& done : covered) done();
  }
}

}  // namespace dialer::store::detail
