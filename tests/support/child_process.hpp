// Runs a program of ours (dialerd, telnyx-sim) as a real child process for integration tests:
// stdout is read line by line, stderr goes to a log file, and the child is killed on destruction.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dialer::test {

class child_process {
 public:
  // Starts `argv[0]` with `argv`; extra `env` entries ("NAME=value") are added to the environment.
  // Throws std::runtime_error when the program cannot be started.
  child_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                const std::string& stderr_path);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  // The next stdout line that starts with `prefix`, or nullopt when the child exits or `timeout` passes.
  std::optional<std::string> wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout);
  // Sends `sig` and waits (bounded) for the exit; returns the exit status (-1 if it had to be killed).
  int stop(int sig, std::chrono::milliseconds timeout);
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  bool exited_ = false;
};

// The value of `key=` in a "a=1 key=value b=2" line, or empty.
std::string field_of(const std::string& line, const std::string& key);

}  // namespace dialer::test
