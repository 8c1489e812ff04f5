// dialerd: loads the config, opens the store, and serves the CRM API and Telnyx webhooks on one thread.
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "dialer/api/service.hpp"
#include "dialer/common/log.hpp"
#include "dialer/common/time_format.hpp"
#include "dialer/config/config.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/http/server.hpp"
#include "dialer/store/store.hpp"
#include "dialer/telnyx/rest_client.hpp"
#include "dialer/telnyx/signature.hpp"

namespace {

using namespace dialer;

// Ends the loop once no connection is open (but not before `not_before`), or at `deadline`.
void stop_when_drained(net::io_context& io, const http::server& server, std::shared_ptr<net::steady_timer> timer,
                       std::chrono::steady_clock::time_point not_before, std::chrono::steady_clock::time_point deadline) {
  const auto now = std::chrono::steady_clock::now();
  if ((now >= not_before && server.open_connections() == 0) || now >= deadline) {
    io.stop();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(50));
  timer->async_wait([&io, &server, timer, not_before, deadline](boost::system::error_code) {
    stop_when_drained(io, server, timer, not_before, deadline);
  });
}

int usage() {
  std::fprintf(stderr,
               "usage: dialerd --config FILE [--check-config]\n"
               "       dialerd --version\n");
  return 2;
}

const char* env_lookup(const char* name) { return std::getenv(name); }

// The engine's clock: the system clock, or (tests only) one started at DIALERD_TEST_CLOCK_START, an
// ISO 8601 UTC time, so an integration test can place "now" just before a calling window opens. The
// webhook signature check keeps the real clock. Throws on a malformed value.
std::unique_ptr<dialer::clock> engine_clock() {
  const char* start = std::getenv("DIALERD_TEST_CLOCK_START");
  if (start == nullptr || *start == '\0') return std::make_unique<system_clock>();
  auto t = parse_iso8601(start);
  if (!t) throw std::runtime_error("DIALERD_TEST_CLOCK_START: not an ISO 8601 UTC time");
  log::warn("main", "TEST CLOCK: the engine's clock starts at DIALERD_TEST_CLOCK_START (tests only)", {{"start", start}});
  return std::make_unique<shifted_clock>(*t);
}

int serve(const config::config& cfg) {
  if (!cfg.server.tls) log::warn("main", "no server.tls: serving plain HTTP (put a TLS proxy in front)");
  if (auto off = config::protections_off(cfg.compliance ? &*cfg.compliance : nullptr); !off.empty()) {
    std::string list;
    for (const auto& p : off) list += (list.empty() ? "" : "; ") + p;
    log::warn("main", "compliance protections off (SPEC section 10)", {{"off", list}});
  }
  std::unique_ptr<telnyx::signature_verifier> verifier;
  if (cfg.telnyx.verify_signatures) {
    verifier = telnyx::signature_verifier::from_base64(cfg.telnyx.public_key, cfg.telnyx.signature_tolerance);
    if (!verifier) {
      std::fprintf(stderr, "dialerd: telnyx.public_key: not a base64 32-byte Ed25519 key\n");
      return 2;
    }
  } else {
    log::warn("main", "WEBHOOK SIGNATURE VERIFICATION IS OFF (telnyx.verify_signatures=false): local use only");
  }

  store::store db(cfg.database, cfg.database_synchronous);
  net::io_context io(1);
  telnyx::rest_options rest;
  rest.api_base = cfg.telnyx.api_base;
  rest.api_key = cfg.telnyx.api_key;
  rest.request_timeout = cfg.telnyx.request_timeout;
  rest.verify_peer = cfg.telnyx.verify_tls_peer;
  rest.dials_per_second = cfg.telnyx.dials_per_second;
  telnyx::rest_client telnyx_client(io.get_executor(), rest);
  system_clock clk;
  random_id_generator ids;
  auto eng_clk = engine_clock();
  engine::engine eng(io.get_executor(), cfg, db, telnyx_client, *eng_clk, ids);
  api::service svc(eng, cfg, clk, std::move(verifier));
  http::server server(io.get_executor(), cfg.server, [&svc](http::request& req) { return svc.handle(req); });

  server.start();
  eng.recover();
  log::info("main", "dialerd listening", {{"listen", cfg.server.listen}, {"port", std::to_string(server.port())},
                                          {"database", cfg.database}, {"version", DIALER_VERSION}});

  // One machine-readable line on stdout for scripts and tests (logs go to stderr).
  std::printf("dialerd ready port=%u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    log::info("main", "stopping", {{"signal", std::to_string(sig)}});
    server.stop();  // stop accepting; in-flight requests finish
    eng.shutdown();
    // In-flight Telnyx commands get 2 s; requests still being received or handled get up to 10 s
    // (a fixed 2 s cut off a half-received webhook on a loaded machine); then the loop ends.
    const auto now = std::chrono::steady_clock::now();
    stop_when_drained(io, server, std::make_shared<net::steady_timer>(io), now + std::chrono::seconds(2),
                      now + std::chrono::seconds(10));
  });
  io.run();
  log::info("main", "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (RLIMIT_FSIZE) must fail the write like a full disk (SQLITE_FULL -> 503, retried
  // later), not kill the process with SIGXFSZ in the middle of a transaction.
  std::signal(SIGXFSZ, SIG_IGN);
  std::string config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--version")) {
      std::printf("dialerd %s\n", DIALER_VERSION);
      return 0;
    } else if (!std::strcmp(argv[i], "--check-config")) {
      check_only = true;
    } else if (!std::strcmp(argv[i], "--config") && i + 1 < argc) {
      config_path = argv[++i];
    } else {
      return usage();
    }
  }
  if (config_path.empty()) return usage();
  auto loaded = config::load_file(config_path, env_lookup);
  if (!loaded.value) {
    std::fprintf(stderr, "dialerd: bad config %s: %s\n", config_path.c_str(), loaded.error->to_string().c_str());
    return 2;
  }
  if (check_only) {
    std::printf("config ok: %s\n", config_path.c_str());
    return 0;
  }
  try {
    return serve(*loaded.value);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dialerd: %s\n", e.what());
    return 1;
  }
}
