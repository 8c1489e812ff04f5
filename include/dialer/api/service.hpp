// The HTTP face of dialerd: the CRM API (SPEC §6), the Telnyx webhook endpoint (§7), /healthz.
// One handler for the http::server; runs on the engine's thread.
#pragma once
#include <memory>

#include "dialer/api/event_stream.hpp"
#include "dialer/common/clock.hpp"
#include "dialer/config/config.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/http/router.hpp"
#include "dialer/telnyx/signature.hpp"

namespace dialer::api {

class service {
 public:
  // `verifier` may be null only when cfg.telnyx.verify_signatures is false.
  service(engine::engine& eng, const config::config& cfg, const clock& clk,
          std::unique_ptr<telnyx::signature_verifier> verifier);
  ~service();

  awaitable<http::response> handle(http::request& req);
  const http::router& routes() const { return router_; }
  // GET /api/events: connected SSE clients and the like (for /metrics).
  const event_stream& events() const { return *events_; }

 private:
  void add_session_routes();
  void add_queue_and_call_routes();
  awaitable<http::response> handle_webhook(http::request& req);
  bool authorized(const http::request& req) const;

  engine::engine& engine_;
  const config::config& cfg_;
  const clock& clock_;
  std::unique_ptr<telnyx::signature_verifier> verifier_;
  http::router router_;
  std::unique_ptr<event_stream> events_;
};

}  // namespace dialer::api
