// An engine over a fresh SQLite file, constructed but never run: no socket is opened and the
// io_context never runs (tests of engine operations that send nothing to Telnyx).
#pragma once
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>

#include "dialer/common/ids.hpp"
#include "dialer/config/config.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/store/store.hpp"
#include "dialer/telnyx/rest_client.hpp"

namespace dialer::test {

struct engine_fixture {
  static config::config load_config() {
    auto loaded = config::parse(R"({
      "server": {"listen": "127.0.0.1:0"}, "database": "unused.db",
      "telnyx": {"api_base": "http://127.0.0.1:9/v2", "api_key": "KEY-unit", "connection_id": "c", "verify_signatures": false},
      "numbers": ["+15550000001", "+15550000002"],
      "agents": [{"id": "alice", "name": "Alice", "endpoint": "sip:alice@example.com"}, {"id": "bob", "endpoint": "+15550001002"}],
      "api": {"tokens": ["unit-test-token-0123456789"]}})", [](const char*) -> const char* { return nullptr; });
    if (!loaded.value) throw std::runtime_error("fixture config: " + loaded.error->to_string());
    return *loaded.value;
  }
  static std::filesystem::path fresh_dir() {
    std::random_device rd;
    auto dir = std::filesystem::temp_directory_path() / ("dialer-api-unit-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    return dir;
  }

  engine_fixture() = default;
  // "FULL": the store syncs in the background and batches wait for the disk before they are answered.
  explicit engine_fixture(std::string synchronous) : database_synchronous(std::move(synchronous)) {}

  std::string database_synchronous = "NORMAL";
  std::filesystem::path dir = fresh_dir();
  config::config cfg = load_config();
  store::store db{(dir / "dialer.db").string(), database_synchronous};
  net::io_context io{1};
  telnyx::rest_client rest{io.get_executor(), telnyx::rest_options{}};
  manual_clock clk{from_unix_ms(1'800'000'000'000)};
  sequential_id_generator ids;
  engine::engine eng{io.get_executor(), cfg, db, rest, clk, ids};

  ~engine_fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace dialer::test
