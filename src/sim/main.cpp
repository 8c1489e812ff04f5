// telnyx-sim: a Telnyx Call Control emulator (REST + signed webhooks). Parses the command line, loads
// the scenario, key and schema, prints one "ready" line and runs until SIGINT/SIGTERM.
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "dialer/common/log.hpp"
#include "dialer/sim/app.hpp"
#include "dialer/telnyx/openapi_validator.hpp"
#include "dialer/telnyx/signature.hpp"

namespace {

using namespace dialer;

constexpr const char* usage =
    "usage: telnyx-sim [--listen 127.0.0.1:0] [--webhook-url URL] [--scenario FILE] [--time-scale X]\n"
    "                  [--seed N] [--key-seed-file FILE] [--public-key-file FILE] [--api-key KEY]\n"
    "                  [--schema FILE] [--report-file FILE]\n";

struct cli {
  std::string listen = "127.0.0.1:0";
  std::string webhook_url = "http://127.0.0.1:8080/webhooks/telnyx";
  std::string scenario_file;
  double time_scale = 1;
  std::uint64_t seed = 42;
  std::string key_seed_file;
  std::string public_key_file;
  std::string api_key;
  std::string schema_file;
  std::string report_file;
};

// Exits with status 2 and a one-line message on a bad command line.
[[noreturn]] void fail(const std::string& message) {
  std::cerr << "telnyx-sim: " << message << "\n" << usage;
  std::exit(2);
}

cli parse_cli(int argc, char** argv) {
  cli c;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      std::exit(0);
    }
    if (i + 1 >= argc) fail("missing value for " + arg);
    std::string v = argv[++i];
    try {
      if (arg == "--listen") c.listen = v;
      else if (arg == "--webhook-url") c.webhook_url = v;
      else if (arg == "--scenario") c.scenario_file = v;
      else if (arg == "--time-scale") c.time_scale = std::stod(v);
      else if (arg == "--seed") c.seed = std::stoull(v);
      else if (arg == "--key-seed-file") c.key_seed_file = v;
      else if (arg == "--public-key-file") c.public_key_file = v;
      else if (arg == "--api-key") c.api_key = v;
      else if (arg == "--schema") c.schema_file = v;
      else if (arg == "--report-file") c.report_file = v;
      else fail("unknown option " + arg);
    } catch (const std::logic_error&) {
      fail("bad value for " + arg + ": " + v);
    }
  }
  if (c.time_scale <= 0) fail("--time-scale must be > 0");
  return c;
}

std::string read_trimmed(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

bool write_file(const std::string& path, const std::string& text) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// The signing key: from --key-seed-file when it exists, else fresh (and saved there, so a restarted
// simulator keeps the public key the dialer was configured with).
std::shared_ptr<const telnyx::signature_signer> load_key(const std::string& seed_file) {
  if (!seed_file.empty() && std::filesystem::exists(seed_file)) {
    auto signer = telnyx::signature_signer::from_seed_base64(read_trimmed(seed_file));
    if (!signer) fail("--key-seed-file " + seed_file + " does not hold a base64 32-byte Ed25519 seed");
    return signer;
  }
  std::shared_ptr<const telnyx::signature_signer> signer = telnyx::signature_signer::generate();
  if (!signer) fail("cannot generate an Ed25519 key");
  if (!seed_file.empty() && !write_file(seed_file, signer->seed_base64() + "\n")) {
    fail("cannot write --key-seed-file " + seed_file);
  }
  return signer;
}

}  // namespace

int main(int argc, char** argv) {
  cli c = parse_cli(argc, argv);
  sim::app_options o;
  o.listen = c.listen;
  o.webhook_url = c.webhook_url;
  o.time_scale = c.time_scale;
  o.seed = c.seed;
  o.rest.api_key = c.api_key;
  if (!c.scenario_file.empty()) {
    auto s = sim::load_scenario_file(c.scenario_file);
    if (!s.value) fail("scenario " + c.scenario_file + ": " + s.error);
    o.scene = std::move(*s.value);
  }
  if (!c.schema_file.empty()) {
    std::string err;
    std::shared_ptr<const telnyx::openapi_validator> v = telnyx::openapi_validator::load_file(c.schema_file, &err);
    if (!v) fail("--schema " + c.schema_file + ": " + err);
    o.rest.validate = [v](std::string_view method, std::string_view path, std::string_view body) {
      return v->validate_request(method, path, body);
    };
  } else {
    log::warn("sim", "no --schema given: request bodies are not checked against the Telnyx OpenAPI document");
  }
  o.signer = load_key(c.key_seed_file);
  if (!c.public_key_file.empty() && !write_file(c.public_key_file, o.signer->public_key_base64() + "\n")) {
    fail("cannot write --public-key-file " + c.public_key_file);
  }

  net::io_context ioc(1);
  std::unique_ptr<sim::app> app;
  try {
    app = std::make_unique<sim::app>(ioc.get_executor(), std::move(o));
    app->start();
  } catch (const std::exception& e) {
    log::error("sim", "cannot start", {{"error", e.what()}});
    return 1;
  }

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    log::info("sim", "stopping", {{"signal", std::to_string(sig)}});
    if (!c.report_file.empty() && !write_file(c.report_file, app->report_json() + "\n")) {
      log::error("sim", "cannot write report", {{"path", c.report_file}});
    }
    app->stop();
    ioc.stop();
  });

  std::printf("telnyx-sim ready port=%u public_key=%s\n", static_cast<unsigned>(app->port()),
              app->public_key_base64().c_str());
  std::fflush(stdout);
  log::info("sim", "listening",
            {{"port", std::to_string(app->port())},
             {"webhook_url", c.webhook_url},
             {"time_scale", std::to_string(c.time_scale)}});
  ioc.run();
  app.reset();
  return 0;
}
