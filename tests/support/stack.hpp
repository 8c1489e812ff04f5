// A real telnyx-sim and a real dialerd on 127.0.0.1 for integration tests, with a synchronous
// client for dialerd's API and the sim's report.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"
#include "dialer/common/json.hpp"
#include "dialer/http/message.hpp"
#include "dialer/telnyx/signature.hpp"

namespace dialer::test {

struct stack_options {
  std::string scenario_json;      // telnyx-sim scenario
  double time_scale = 20;
  int numbers = 4;                // configured caller numbers +1555000000N
  double dials_per_second = 50;
  int ring_timeout_s = 15;
  int max_attempts = 3;
  int status_check_after_s = 15;  // dialing.status_check_after_s
  int request_timeout_ms = 5000;  // telnyx.request_timeout_ms
  std::string api_tokens_env{};   // not empty: also api.tokens_env = "IT_API_TOKENS", set to this value
  std::string crm_json{};         // dialerd's "crm" block (a JSON object); empty: no CRM push
  int events_heartbeat_s = 15;    // api.events_heartbeat_s
  int wrap_up_s = 0;              // dialing.wrap_up_s
  int retry_delay_s = 0;          // dialing.retry_delay_s
  std::string machine_detection = "disabled";  // dialing.machine_detection
  std::string server_extra{};     // more members of dialerd's "server" object: `, "read_timeout_ms": 500`
  bool https = false;             // the stack talks HTTPS to dialerd (server.tls in server_extra), no peer check
  std::string extra_config = {};  // more top-level members of dialerd's config, e.g. R"("inbound": {...})"
  std::vector<std::string> dialerd_env{};  // more "NAME=value" for dialerd: "DIALERD_TEST_CLOCK_START=..."
  // NORMAL saves an fdatasync per commit; FULL (the product's default) holds replies and commands
  // until their commit is on disk (the store's sync thread).
  std::string database_synchronous = "NORMAL";
};

struct reply {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  // A new document parsed from body: keep it in a named variable before holding a view into it
  // (`auto err = r.json()["error"].GetObject();` dangles; ASan finds it).
  rapidjson::Document json() const;
  // The value of header `name` (lower-case), or empty.
  std::string header(const std::string& name) const;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

// What a program run to its end left behind.
struct run_result {
  int exit_code = -1;  // -1 when it did not exit in time and was killed
  std::string out;     // everything it wrote on stdout
  std::string err;     // everything it wrote on stderr
};

// Runs DIALERD_PATH with `args` (and extra `env` entries "NAME=value") until it exits or `timeout`
// passes (then it is killed and exit_code is -1). `scratch_dir` holds the stderr capture.
run_result run_dialerd(const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const std::filesystem::path& scratch_dir, std::chrono::milliseconds timeout);
// A fresh empty directory under the system temp dir (callers remove it).
std::filesystem::path make_scratch_dir();
// Writes `text` to `path`, replacing it.
void write_text_file(const std::filesystem::path& path, const std::string& text);
// A port on 127.0.0.1 that was free a moment ago.
unsigned short free_loopback_port();

class stack {
 public:
  // Starts both programs; throws std::runtime_error when either does not come up.
  explicit stack(const stack_options& options);
  ~stack();

  reply api(http::verb method, const std::string& target, const std::string& body = {});
  reply sim(http::verb method, const std::string& target, const std::string& body = {});
  // A request to dialerd exactly as given: no Authorization header unless `headers` has one, and
  // `headers` override the client's defaults (Content-Type is application/json when body is not empty).
  reply raw(http::verb method, const std::string& target, const std::string& body, const header_list& headers);
  // The key telnyx-sim signs its webhooks with (started with --key-seed-file), the one dialerd trusts.
  const telnyx::signature_signer& sim_signer() const { return *sim_signer_; }
  unsigned short dialerd_port() const { return dialerd_port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string database() const { return (dir_ / "dialer.db").string(); }
  child_process& dialerd() { return *dialerd_; }
  // Starts dialerd again with the same config and database (after stop_dialerd()).
  void restart_dialerd();
  // Stops dialerd with SIGTERM and returns its exit status.
  int stop_dialerd();
  // Kills dialerd with SIGKILL (a crash: no cleanup at all) and reaps it.
  void kill_dialerd();

  static constexpr const char* token = "integration-test-token-0123456789";

 private:
  reply request(unsigned short port, http::verb method, const std::string& target, const std::string& body,
                bool auth, const header_list& headers = {});
  std::filesystem::path dir_;
  std::unique_ptr<child_process> sim_;
  std::unique_ptr<child_process> dialerd_;
  unsigned short sim_port_ = 0;
  unsigned short dialerd_port_ = 0;
  bool https_ = false;
  std::unique_ptr<telnyx::signature_signer> sim_signer_;
  std::string api_tokens_env_;
  std::vector<std::string> dialerd_env_;
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
