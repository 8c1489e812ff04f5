// Starting telnyx-sim and dialerd as processes in a temporary directory, and talking to them.
#include "stack.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <csignal>
#include <fstream>
#include <random>
#include <stdexcept>

#include "dialer/http/client.hpp"

namespace dialer::test {
namespace {

unsigned short free_port() {
  net::io_context io;
  net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
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

}  // namespace

rapidjson::Document reply::json() const {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError()) throw std::runtime_error("reply is not JSON: " + body.substr(0, 200));
  return d;
}

stack::stack(const stack_options& o) : dir_(make_temp_dir()) {
  write_file(dir_ / "scenario.json", o.scenario_json);
  dialerd_port_ = free_port();
  const std::string webhook = "http://127.0.0.1:" + std::to_string(dialerd_port_) + "/webhooks/telnyx";
  sim_ = std::make_unique<child_process>(
      std::vector<std::string>{TELNYX_SIM_PATH, "--listen", "127.0.0.1:0", "--webhook-url", webhook, "--scenario",
                               (dir_ / "scenario.json").string(), "--time-scale", std::to_string(o.time_scale),
                               "--schema", std::string(DIALER_SOURCE_DIR) + "/config/telnyx-call-control-openapi.json",
                               "--seed", "7"},
      std::vector<std::string>{}, (dir_ / "sim.log").string());
  auto ready = sim_->wait_for_line("telnyx-sim ready", std::chrono::seconds(20));
  if (!ready) throw std::runtime_error("telnyx-sim did not start; see " + (dir_ / "sim.log").string());
  sim_port_ = static_cast<unsigned short>(std::stoi(field_of(*ready, "port")));
  const auto public_key = field_of(*ready, "public_key");

  std::string numbers;
  for (int i = 1; i <= o.numbers; ++i) numbers += (i > 1 ? ",\"" : "\"") + std::string("+1555000000") + std::to_string(i) + "\"";
  const std::string config = R"({
    "server": {"listen": "127.0.0.1:)" + std::to_string(dialerd_port_) + R"("},
    "database": ")" + database() + R"(",
    "database_synchronous": "NORMAL",
    "telnyx": {"api_base": "http://127.0.0.1:)" + std::to_string(sim_port_) + R"(/v2", "api_key_env": "IT_TELNYX_KEY",
               "connection_id": "it-connection", "webhook_url": ")" + webhook + R"(",
               "public_key": ")" + public_key + R"(", "dials_per_second": )" + std::to_string(o.dials_per_second) + R"(},
    "numbers": [)" + numbers + R"(],
    "agents": [{"id": "alice", "name": "Alice", "endpoint": "sip:alice@agents.example.com"},
               {"id": "bob", "name": "Bob", "endpoint": "sip:bob@agents.example.com"}],
    "dialing": {"max_attempts": )" + std::to_string(o.max_attempts) + R"(, "ring_timeout_s": )" +
                             std::to_string(o.ring_timeout_s) + R"(},
    "api": {"tokens": [")" + std::string(token) + R"("]}
  })";
  write_file(dir_ / "dialer.json", config);
  dialerd_ = std::make_unique<child_process>(
      std::vector<std::string>{DIALERD_PATH, "--config", (dir_ / "dialer.json").string()},
      std::vector<std::string>{"IT_TELNYX_KEY=KEY-it-secret"}, (dir_ / "dialerd.log").string());
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

reply stack::api(http::verb method, const std::string& target, const std::string& body) {
  return request(dialerd_port_, method, target, body, true);
}

reply stack::sim(http::verb method, const std::string& target, const std::string& body) {
  return request(sim_port_, method, target, body, false);
}

reply stack::request(unsigned short port, http::verb method, const std::string& target, const std::string& body,
                     bool auth) {
  net::io_context io;
  http::client client(io.get_executor(), "http://127.0.0.1:" + std::to_string(port));
  http::client_request req;
  req.method = method;
  req.target = target;
  req.body = body;
  if (auth) req.headers.emplace_back("Authorization", std::string("Bearer ") + token);
  reply out;
  boost::system::error_code error;
  net::co_spawn(io, [&]() -> awaitable<void> {
    auto r = co_await client.send(req);
    error = r.first;
    out.status = r.second.status;
    out.body = r.second.body;
  }, net::detached);
  io.run_for(std::chrono::seconds(15));
  if (error) throw std::runtime_error("request " + target + " failed: " + error.message());
  if (out.status == 0) throw std::runtime_error("request " + target + " got no reply");
  return out;
}

}  // namespace dialer::test
