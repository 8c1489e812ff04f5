// Durability of commits without holding the writer's thread in fdatasync. With synchronous=FULL in WAL
// mode SQLite fsyncs the WAL inside every COMMIT, on the engine's thread: ~0.4 ms at the median here and
// tens of ms now and then, during which no webhook is read and no command sent. Instead the writer's
// connection runs at NORMAL (a commit is written to the WAL, which survives a crash of the process but
// not a power cut) and this class makes commits durable with an fdatasync of the WAL file: inline for
// a caller that must not go on before (sync_now), or on its own thread for one that only has to hold
// back what it shows the world (sync_then). One fdatasync covers every commit written before it began,
// so commits made while one runs share the next: group commit without a wait on the writer.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dialer::store::detail {

class wal_syncer {
 public:
  // Opens `wal_path` (the WAL of a database open in WAL mode: SQLite keeps that file, never replaces
  // it, while a connection is open). Throws std::runtime_error naming the file when it cannot.
  explicit wal_syncer(const std::string& wal_path);
  ~wal_syncer();  // joins the thread; callbacks not yet called are dropped
  wal_syncer(const wal_syncer&) = delete;
  wal_syncer& operator=(const wal_syncer&) = delete;

  // Every commit written so far is on disk when this returns.
  void sync_now();
  // `done` runs on the syncer's thread once every commit written before this call is on disk.
  // Callbacks run in the order they were given.
  void sync_then(std::function<void()> done);
  // No callback given before this call runs after it returns (their owner is going away).
  void drop_callbacks();

 private:
  void run();
  void sync_or_die();

  int fd_ = -1;
  std::string path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::function<void()>> waiting_;  // given since the last fdatasync began
  std::uint64_t epoch_ = 0;                     // drop_callbacks() moves it on
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dialer::store::detail
