// telnyx-sim assembled: scheduler, call model, webhook delivery, REST handler and HTTP server on one
// executor. main() and the loopback tests both build one of these.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "dialer/common/net.hpp"
#include "dialer/sim/rest_api.hpp"
#include "dialer/sim/scenario.hpp"

namespace dialer::telnyx {
class signature_signer;
}

namespace dialer::sim {

class call_world;

struct app_options {
  std::string listen = "127.0.0.1:0";
  std::string webhook_url = "http://127.0.0.1:8080/webhooks/telnyx";  // when a dial has no webhook_url
  scenario scene;
  double time_scale = 1;     // simulated seconds per real second
  std::uint64_t seed = 42;   // outcome and fault draws
  std::shared_ptr<const telnyx::signature_signer> signer;  // required
  rest_options rest;         // api key and schema validator
};

class app {
 public:
  // Throws std::invalid_argument when options.signer is missing, std::runtime_error on a bad listen address.
  app(net::any_io_executor ex, app_options options);
  ~app();
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  // Binds and accepts. Throws boost::system::system_error when the address cannot be bound.
  void start();
  unsigned short port() const;
  std::string public_key_base64() const;
  // Stops accepting, cancels simulated timers and webhook retries. Idempotent.
  void stop();
  // The /sim/report JSON.
  std::string report_json() const;
  call_world& world();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dialer::sim
