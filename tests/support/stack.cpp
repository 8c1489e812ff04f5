// Starting telnyx-sim and dialerd as processes in a temporary directory, and talking to them.
#include "stack.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <csignal>
#include <fstream>
#include <sstream>
#include <random>
#include <stdexcept>

#include "dialer/http/client.hpp"

namespace dialer::test {
namespace {

// A loopback port nobody listens on now, below Linux's ephemeral range (32768-60999). A port from a
// port-0 bind was in that range, where any other test's connection or port-0 listener could take it
// before dialerd bound it ("bind: Address already in use" under the full suite).
unsigned short free_port() {
  static std::mt19937 rng{std::random_device{}()};
  net::io_context io;
  for (int tries = 0; tries < 500; ++tries) {
    const auto port = static_cast<unsigned short>(std::uniform_int_distribution<int>(12000, 31999)(rng));
    net::ip::tcp::acceptor a(io);
    boost::system::error_code ec;
    a.open(net::ip::tcp::v4(), ec);
    if (!ec) a.bind({net::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) return port;
  }
  throw std::runtime_error("no free loopback port below the ephemeral range");
}

std::filesystem::path make_temp_dir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("dialer-it-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::filesystem::path make_scratch_dir() { return make_temp_dir(); }
void write_text_file(const std::filesystem::path& path, const std::string& text) { write_file(path, text); }
unsigned short free_loopback_port() { return free_port(); }

std::string reply::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

run_result run_dialerd(const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const std::filesystem::path& scratch_dir, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{DIALERD_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::random_device rd;
  const auto err_path = scratch_dir / ("dialerd-run-" + std::to_string(rd()) + ".stderr");
  run_result out;
  {
    child_process child(argv, env, err_path.string());
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // Every stdout line until the program closes stdout (exits) or the time is up.
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      auto line = child.wait_for_line("", left);
      if (!line) break;
      out.out += *line + "\n";
    }
    // Signal 0 sends nothing: this only reaps the exit, or kills the program when it overstays.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    out.exit_code = child.stop(0, std::max(left, std::chrono::milliseconds(1)));
  }
  out.err = read_file(err_path);
  return out;
}
rapidjson::Document reply::json() const {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError()) throw std::runtime_error("reply is not JSON: " + body.substr(0, 200));
  return d;
}

stack::stack(const stack_options& o) : dir_(make_temp_dir()), https_(o.https) {
  write_file(dir_ / "scenario.json", o.scenario_json);
  dialerd_port_ = free_port();
  const std::string webhook = "http://127.0.0.1:" + std::to_string(dialerd_port_) + "/webhooks/telnyx";
  sim_ = std::make_unique<child_process>(
      std::vector<std::string>{TELNYX_SIM_PATH, "--listen", "127.0.0.1:0", "--webhook-url", webhook, "--scenario",
                               (dir_ / "scenario.json").string(), "--time-scale", std::to_string(o.time_scale),
                               "--schema", std::string(DIALER_SOURCE_DIR) + "/config/telnyx-call-control-openapi.json",
                               "--seed", "7", "--key-seed-file", (dir_ / "sim.seed").string()},
      std::vector<std::string>{}, (dir_ / "sim.log").string());
  auto ready = sim_->wait_for_line("telnyx-sim ready", std::chrono::seconds(20));
  if (!ready) throw std::runtime_error("telnyx-sim did not start; see " + (dir_ / "sim.log").string());
  sim_port_ = static_cast<unsigned short>(std::stoi(field_of(*ready, "port")));
  const auto public_key = field_of(*ready, "public_key");
  sim_signer_ = telnyx::signature_signer::from_seed_base64(trimmed(read_file(dir_ / "sim.seed")));
  if (!sim_signer_ || sim_signer_->public_key_base64() != public_key)
    throw std::runtime_error("telnyx-sim's --key-seed-file does not hold the key it announced");

  std::string numbers;
  for (int i = 1; i <= o.numbers; ++i) numbers += (i > 1 ? ",\"" : "\"") + std::string("+1555000000") + std::to_string(i) + "\"";
  const std::string config = R"({
    "server": {"listen": "127.0.0.1:)" + std::to_string(dialerd_port_) + R"(")" + o.server_extra + R"(},
    "database": ")" + database() + R"(",
    "database_synchronous": ")" + o.database_synchronous + R"(",
    "telnyx": {"api_base": "http://127.0.0.1:)" + std::to_string(sim_port_) + R"(/v2", "api_key_env": "IT_TELNYX_KEY",
               "connection_id": "it-connection", "webhook_url": ")" + webhook + R"(",
               "public_key": ")" + public_key + R"(", "dials_per_second": )" + std::to_string(o.dials_per_second) + R"(,
               "request_timeout_ms": )" + std::to_string(o.request_timeout_ms) + R"(},
    "numbers": [)" + numbers + R"(],
    "agents": [{"id": "alice", "name": "Alice", "endpoint": "sip:alice@agents.example.com"},
               {"id": "bob", "name": "Bob", "endpoint": "sip:bob@agents.example.com"}],
    "dialing": {"max_attempts": )" + std::to_string(o.max_attempts) + R"(, "ring_timeout_s": )" +
                             std::to_string(o.ring_timeout_s) + R"(, "status_check_after_s": )" +
                             std::to_string(o.status_check_after_s) + R"(, "wrap_up_s": )" + std::to_string(o.wrap_up_s) +
                             R"(, "retry_delay_s": )" + std::to_string(o.retry_delay_s) +
                             R"(, "machine_detection": ")" + o.machine_detection + R"("},
    "api": {"tokens": [")" + std::string(token) + R"("], "events_heartbeat_s": )" +
                             std::to_string(o.events_heartbeat_s) +
                             (o.api_tokens_env.empty() ? "" : R"(, "tokens_env": "IT_API_TOKENS")") + "}" +
                             (o.crm_json.empty() ? "" : ",\n    \"crm\": " + o.crm_json) +
                             (o.extra_config.empty() ? std::string() : ",\n    " + o.extra_config) + R"(
  })";
  api_tokens_env_ = o.api_tokens_env;
  dialerd_env_ = o.dialerd_env;
  write_file(dir_ / "dialer.json", config);
  restart_dialerd();
}

void stack::restart_dialerd() {
  dialerd_.reset();
  std::vector<std::string> env{"IT_TELNYX_KEY=KEY-it-secret", "IT_API_TOKENS=" + api_tokens_env_};
  env.insert(env.end(), dialerd_env_.begin(), dialerd_env_.end());
  dialerd_ = std::make_unique<child_process>(
      std::vector<std::string>{DIALERD_PATH, "--config", (dir_ / "dialer.json").string()},
      env, (dir_ / "dialerd.log").string());
  if (!dialerd_->wait_for_line("dialerd ready", std::chrono::seconds(20)))
    throw std::runtime_error("dialerd did not start; see " + (dir_ / "dialerd.log").string());
}

stack::~stack() {
  if (dialerd_) dialerd_->stop(SIGTERM, std::chrono::seconds(10));
  if (sim_) sim_->stop(SIGTERM, std::chrono::seconds(10));
  std::error_code ec;
  if (!std::getenv("KEEP_TEST_DIRS")) std::filesystem::remove_all(dir_, ec);
}

int stack::stop_dialerd() { return dialerd_->stop(SIGTERM, std::chrono::seconds(15)); }

void stack::kill_dialerd() { dialerd_->stop(SIGKILL, std::chrono::seconds(10)); }

reply stack::api(http::verb method, const std::string& target, const std::string& body) {
  return request(dialerd_port_, method, target, body, true);
}

reply stack::sim(http::verb method, const std::string& target, const std::string& body) {
  return request(sim_port_, method, target, body, false);
}

reply stack::raw(http::verb method, const std::string& target, const std::string& body, const header_list& headers) {
  return request(dialerd_port_, method, target, body, false, headers);
}

reply stack::request(unsigned short port, http::verb method, const std::string& target, const std::string& body,
                     bool auth, const header_list& headers) {
  net::io_context io;
  const bool https = https_ && port == dialerd_port_;
  http::client_options options;
  options.verify_peer = false;  // only with https: the test's throwaway self-signed certificate
  http::client client(io.get_executor(), (https ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port),
                      options);
  http::client_request req;
  req.method = method;
  req.target = target;
  req.body = body;
  if (auth) req.headers.emplace_back("Authorization", std::string("Bearer ") + token);
  for (const auto& h : headers) req.headers.push_back(h);
  reply out;
  boost::system::error_code error;
  net::co_spawn(io, [&]() -> awaitable<void> {
    auto r = co_await client.send(req);
    error = r.first;
    out.status = r.second.status;
    out.body = r.second.body;
    out.headers = r.second.headers;
  }, net::detached);
  io.run_for(std::chrono::seconds(15));
  if (error) throw std::runtime_error("request " + target + " failed: " + error.message());
  if (out.status == 0) throw std::runtime_error("request " + target + " got no reply");
  return out;
}

}  // namespace dialer::test
