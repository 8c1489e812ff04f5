// A telnyx-sim app and a webhook receiver that verifies every signature, both on 127.0.0.1, for the
// sim's loopback tests. Bounded by io_context::run_for; nothing sleeps.
#pragma once
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialer/http/client.hpp"
#include "dialer/http/server.hpp"
#include "dialer/sim/app.hpp"
#include "dialer/telnyx/signature.hpp"
#include "dialer/telnyx/webhook_event.hpp"

using namespace dialer;
using namespace std::chrono_literals;

namespace {

http::server_options loopback_any_port() {
  http::server_options o;
  o.listen = "127.0.0.1:0";
  return o;
}

struct delivery {
  std::string event_type;
  std::string hangup_cause;
  std::string call_control_id;
  telnyx::signature_error signature = telnyx::signature_error::missing_header;
  int attempt = 0;
};

std::string header(const http::request& req, const char* name) {
  auto v = req[name];
  return std::string(v.data(), v.size());
}

// One simulator plus one webhook receiver on loopback; `on_event` runs for each verified delivery.
struct harness {
  net::io_context ioc{1};
  std::shared_ptr<const telnyx::signature_signer> signer = telnyx::signature_signer::generate();
  std::unique_ptr<telnyx::signature_verifier> verifier =
      telnyx::signature_verifier::from_base64(signer->public_key_base64(), 300s);
  std::vector<delivery> deliveries;
  std::function<void(const delivery&)> on_event;
  http::server receiver{ioc.get_executor(), loopback_any_port(),
                        [this](http::request& req) -> awaitable<http::response> {
                          delivery d;
                          d.signature = verifier->verify(header(req, "telnyx-signature-ed25519"),
                                                         header(req, "telnyx-timestamp"), req.body(),
                                                         std::chrono::system_clock::now());
                          auto parsed = telnyx::parse_webhook(req.body());
                          if (parsed.event) {
                            d.event_type = parsed.event->event_type;
                            d.hangup_cause = parsed.event->hangup_cause;
                            d.call_control_id = parsed.event->call_control_id;
                            d.attempt = parsed.event->attempt;
                          }
                          deliveries.push_back(d);
                          if (on_event) on_event(d);
                          co_return http::json_response(req, http::status::ok, "{}");
                        }};
  std::unique_ptr<sim::app> sim;
  std::unique_ptr<http::client> client;       // base /v2, like a Telnyx SDK
  std::unique_ptr<http::client> sim_control;  // base /, for /sim/*

  explicit harness(sim::scenario scene, sim::rest_options rest = {}, double time_scale = 20) {
    receiver.start();
    sim::app_options o;
    o.listen = "127.0.0.1:0";
    o.webhook_url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/webhooks/telnyx";
    o.scene = std::move(scene);
    o.time_scale = time_scale;
    o.signer = signer;
    o.rest = std::move(rest);
    sim = std::make_unique<sim::app>(ioc.get_executor(), std::move(o));
    sim->start();
    std::string base = "http://127.0.0.1:" + std::to_string(sim->port());
    client = std::make_unique<http::client>(ioc.get_executor(), base + "/v2");
    sim_control = std::make_unique<http::client>(ioc.get_executor(), base);
  }

  // Sends one request and runs the loop until it completes (bounded); the transport error, if any.
  std::pair<boost::system::error_code, http::client_response> send(http::verb method, std::string target,
                                                                   std::string body) {
    std::optional<std::pair<boost::system::error_code, http::client_response>> out;
    http::client_request req{method, std::move(target), std::move(body), {}};
    req.headers.emplace_back("authorization", "Bearer test-key");
    net::co_spawn(ioc, [&, req]() -> awaitable<void> { out = co_await client->send(req); }, net::detached);
    ioc.restart();
    for (int i = 0; i < 500 && !out; ++i) ioc.run_for(10ms);
    REQUIRE(out);
    return *out;
  }
  // Runs the loop until done() holds (bounded by about 5 s); returns done().
  template <class F>
  bool run_until(F done) {
    ioc.restart();
    for (int i = 0; i < 500 && !done(); ++i) ioc.run_for(10ms);
    return done();
  }

  // Sends one request and runs the loop until it is answered (bounded).
  http::client_response call(http::verb method, std::string target, std::string body, bool auth = true,
                             http::client* via = nullptr) {
    if (!via) via = client.get();
    std::optional<http::client_response> out;
    http::client_request req{method, std::move(target), std::move(body), {}};
    if (auth) req.headers.emplace_back("authorization", "Bearer test-key");
    net::co_spawn(ioc, [&, req]() -> awaitable<void> {
      auto [ec, res] = co_await via->send(req);
      REQUIRE_FALSE(ec);
      out = std::move(res);
    }, net::detached);
    ioc.restart();
    for (int i = 0; i < 500 && !out; ++i) ioc.run_for(10ms);
    REQUIRE(out);
    return *out;
  }
};

}  // namespace
