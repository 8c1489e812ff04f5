// dialerd as a program: --version, --check-config, a bad config refused before any port is bound,
// and SIGTERM ending a running server with exit status 0.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <csignal>

#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

// A scratch directory removed at the end of the test.
struct scratch {
  std::filesystem::path dir = test::make_scratch_dir();
  ~scratch() {
    std::error_code ec;
    if (!std::getenv("KEEP_TEST_DIRS")) std::filesystem::remove_all(dir, ec);
  }
};

// A complete, valid config except for `agents`, listening on `port`.
std::string config_with_agents(unsigned short port, const std::filesystem::path& db, const std::string& agents) {
  return R"({
    "server": {"listen": "127.0.0.1:)" + std::to_string(port) + R"("},
    "database": ")" + db.string() + R"(",
    "telnyx": {"api_base": "http://127.0.0.1:9/v2", "api_key": "KEY-cli-test", "connection_id": "cli-connection",
               "public_key": "+7E99DXiiQXvceNX4nHm3Lbm5mqPWad5RhDr2ufuCik="},
    "numbers": ["+15550000001", "+15550000002"],
    "agents": )" + agents + R"(,
    "api": {"tokens": ["cli-test-token-0123456789"]}
  })";
}

}  // namespace

TEST_CASE("dialerd --version prints its version and exits 0") {
  scratch tmp;
  auto r = test::run_dialerd({"--version"}, {}, tmp.dir, 10s);
  CHECK(r.exit_code == 0);
  CHECK_MESSAGE(r.out == std::string("dialerd ") + DIALER_VERSION + "\n", r.out);
}

TEST_CASE("dialerd --check-config accepts the example config when its environment variables are set") {
  scratch tmp;
  const std::string example = std::string(DIALER_SOURCE_DIR) + "/config/dialer.example.json";
  auto r = test::run_dialerd({"--config", example, "--check-config"},
                             {"TELNYX_API_KEY=KEY-cli-check", "DIALER_API_TOKENS=cli-check-token-0123456789"}, tmp.dir, 10s);
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("config ok") != std::string::npos);
  CHECK(r.out.find("dialerd ready") == std::string::npos);
  // The secrets from the environment appear nowhere in the output.
  CHECK(r.out.find("KEY-cli-check") == std::string::npos);
  CHECK(r.err.find("KEY-cli-check") == std::string::npos);
  CHECK(r.err.find("cli-check-token-0123456789") == std::string::npos);
}

TEST_CASE("dialerd --check-config accepts a valid config and rejects one with a bad field, naming its path") {
  scratch tmp;
  const auto port = test::free_loopback_port();
  const auto db = tmp.dir / "dialer.db";
  test::write_text_file(tmp.dir / "good.json", config_with_agents(port, db, R"([{"id": "alice", "endpoint": "+15550001001"}])"));
  test::write_text_file(tmp.dir / "bad.json", config_with_agents(port, db, R"([{"id": "alice", "endpoint": "+15550001001"},
                                                                               {"id": "bob", "endpoint": "bob at home"}])"));
  auto good = test::run_dialerd({"--config", (tmp.dir / "good.json").string(), "--check-config"}, {}, tmp.dir, 10s);
  CHECK_MESSAGE(good.exit_code == 0, good.err);
  auto bad = test::run_dialerd({"--config", (tmp.dir / "bad.json").string(), "--check-config"}, {}, tmp.dir, 10s);
  CHECK(bad.exit_code == 2);
  CHECK_MESSAGE(bad.err.find("agents[1].endpoint") != std::string::npos, bad.err);
  CHECK(!std::filesystem::exists(db));
}

TEST_CASE("a config with a bad field makes dialerd exit 2 naming the JSON path before it binds any port") {
  scratch tmp;
  // Hold the configured port: had dialerd tried to bind before validating, it would fail on the bind instead.
  net::io_context io;
  net::ip::tcp::acceptor held(io, {net::ip::make_address("127.0.0.1"), 0});
  const auto port = held.local_endpoint().port();
  const auto db = tmp.dir / "dialer.db";

  SUBCASE("a bad agent endpoint") {
    test::write_text_file(tmp.dir / "bad.json",
                          config_with_agents(port, db, R"([{"id": "alice", "endpoint": "+15550001001"},
                                                          {"id": "bob", "endpoint": "bob at home"}])"));
    auto r = test::run_dialerd({"--config", (tmp.dir / "bad.json").string()}, {}, tmp.dir, 15s);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find("agents[1].endpoint") != std::string::npos, r.err);
    CHECK(r.out.find("dialerd ready") == std::string::npos);
    CHECK(r.err.find("in use") == std::string::npos);
  }
  SUBCASE("a misspelled key") {
    auto text = config_with_agents(port, db, R"([{"id": "alice", "endpoint": "+15550001001"}])");
    text.replace(text.find("\"numbers\""), 9, "\"nmubers\"");
    test::write_text_file(tmp.dir / "typo.json", text);
    auto r = test::run_dialerd({"--config", (tmp.dir / "typo.json").string()}, {}, tmp.dir, 15s);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find("nmubers") != std::string::npos, r.err);
    CHECK(r.out.find("dialerd ready") == std::string::npos);
  }
  // Nothing was started: no database file was created.
  CHECK(!std::filesystem::exists(db));
}

TEST_CASE("an unknown command-line argument makes dialerd exit 2 with its usage") {
  scratch tmp;
  auto r = test::run_dialerd({"--no-such-flag"}, {}, tmp.dir, 10s);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("usage") != std::string::npos);
}

TEST_CASE("SIGTERM makes a running dialerd with live calls exit 0 and close its port") {
  stack s({.scenario_json = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                "agent": {"answer_after_s": 1}})",
           .time_scale = 5});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 2, "contacts": [
                             {"phone": "+15550501001"}, {"phone": "+15550501002"}, {"phone": "+15550501003"}]})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);
  REQUIRE(test::eventually([&] {
    return s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["linesInUse"].GetInt() > 0;
  }, 20s));

  CHECK(s.stop_dialerd() == 0);  // -1 would mean it had to be killed
  net::io_context io;
  net::ip::tcp::socket sock(io);
  boost::system::error_code ec;
  sock.connect({net::ip::make_address("127.0.0.1"), s.dialerd_port()}, ec);
  CHECK(ec);
}
