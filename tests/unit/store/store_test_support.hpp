// Test helpers for the store: a fresh temporary directory per test, and record builders with every field
// set to a non-default value so round trips catch a column that is not written or not read.
#pragma once
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "dialer/store/store.hpp"
#include "unit/domain/domain_printers.hpp"

namespace dialer::store::test {

// A directory under the system temp dir with a random name, removed (with its files) on destruction.
class temp_dir {
 public:
  temp_dir() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    auto name = "dialer-store-test-" + std::to_string(rd()) + "-" + std::to_string(counter++);
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string db() const { return (path_ / "dialer.db").string(); }

 private:
  std::filesystem::path path_;
};

inline session_record make_session(std::string id, std::int64_t created_at_ms = 1000,
                                   domain::session_status status = domain::session_status::created,
                                   std::string agent_id = "agent-1") {
  session_record s;
  s.id = std::move(id);
  s.agent_id = std::move(agent_id);
  s.status = status;
  s.created_at_ms = created_at_ms;
  return s;
}

inline queue_item_record make_item(std::string id, std::string session_id, std::int64_t seq, std::string phone) {
  queue_item_record q;
  q.id = std::move(id);
  q.session_id = std::move(session_id);
  q.seq = seq;
  q.phone = std::move(phone);
  q.state.max_attempts = 3;
  return q;
}

inline call_record make_call(std::string id, std::string session_id, std::string item_id,
                             std::int64_t started_at_ms) {
  call_record c;
  c.id = std::move(id);
  c.session_id = std::move(session_id);
  c.queue_item_id = std::move(item_id);
  c.from = "+15550000001";
  c.to = "+15550000002";
  c.command_id = "cmd-" + c.id;
  c.client_state = "cs-" + c.id;
  c.started_at_ms = started_at_ms;
  return c;
}

// A customer call that ended with `o`; connected calls get a bridged span of `talk_ms`.
inline call_record ended_call(std::string id, std::string session_id, std::string item_id, domain::outcome o,
                              bool person_answered = false, std::int64_t talk_ms = 0) {
  auto c = make_call(std::move(id), std::move(session_id), std::move(item_id), 10'000);
  c.state.status = domain::call_status::ended;
  c.state.result = o;
  c.state.person_answered = person_answered;
  if (person_answered || o == domain::outcome::machine) c.state.answered_at_ms = 11'000;
  if (o == domain::outcome::connected) c.state.bridged_at_ms = 12'000;
  c.state.ended_at_ms = 12'000 + talk_ms;
  return c;
}

}  // namespace dialer::store::test
