// A real telnyx-sim and a real dialerd on 127.0.0.1 for integration tests, with a synchronous
// client for dialerd's API and the sim's report.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "child_process.hpp"
#include "dialer/common/json.hpp"
#include "dialer/http/message.hpp"

namespace dialer::test {

struct stack_options {
  std::string scenario_json;      // telnyx-sim scenario
  double time_scale = 20;
  int numbers = 4;                // configured caller numbers +1555000000N
  double dials_per_second = 50;
  int ring_timeout_s = 15;
  int max_attempts = 3;
};

struct reply {
  unsigned status = 0;
  std::string body;
  rapidjson::Document json() const;
};

class stack {
 public:
  // Starts both programs; throws std::runtime_error when either does not come up.
  explicit stack(const stack_options& options);
  ~stack();

  reply api(http::verb method, const std::string& target, const std::string& body = {});
  reply sim(http::verb method, const std::string& target, const std::string& body = {});
  const std::filesystem::path& dir() const { return dir_; }
  std::string database() const { return (dir_ / "dialer.db").string(); }
  child_process& dialerd() { return *dialerd_; }
  // Stops dialerd with SIGTERM and returns its exit status.
  int stop_dialerd();

  static constexpr const char* token = "integration-test-token-0123456789";

 private:
  reply request(unsigned short port, http::verb method, const std::string& target, const std::string& body,
                bool auth);
  std::filesystem::path dir_;
  std::unique_ptr<child_process> sim_;
  std::unique_ptr<child_process> dialerd_;
  unsigned short sim_port_ = 0;
  unsigned short dialerd_port_ = 0;
};

// Polls `done()` every 20 ms until it returns true or `timeout` passes; returns its last value.
template <class F>
bool eventually(F done, std::chrono::milliseconds timeout);

}  // namespace dialer::test

#include <thread>
template <class F>
bool dialer::test::eventually(F done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling an outside process, bounded
  }
  return done();
}
