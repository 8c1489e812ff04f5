// The HTTP face of dialerd: the CRM API (SPEC §6), the Telnyx webhook endpoint (§7), /healthz.
// One handler for the http::server; runs on the engine's thread.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>

#include "dialer/api/contact_checker.hpp"
#include "dialer/api/metrics.hpp"
#include "dialer/api/event_stream.hpp"
#include "dialer/common/clock.hpp"
#include "dialer/config/config.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/http/router.hpp"
#include "dialer/telnyx/signature.hpp"
#include "dialer/telnyx/verifier_pool.hpp"

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
  void add_item_routes();     // item_routes.cpp: PATCH/DELETE a queue item, PATCH a call
  void add_agent_routes();    // agent_routes.cpp
  void add_stats_routes();    // stats_routes.cpp
  void add_metrics_routes();  // metrics_routes.cpp: /metrics
  awaitable<http::response> dispatch(http::request& req);
  awaitable<http::response> handle_webhook(http::request& req);
  bool authorized(const http::request& req) const;

  engine::engine& engine_;
  const config::config& cfg_;
  const clock& clock_;
  std::unique_ptr<telnyx::verifier_pool> verifier_;  // null when verification is off
  std::size_t webhooks_verifying_ = 0;                // signature checks under way (inline or pooled)
  contact_checker contacts_;                          // big contact batches are checked on its thread
  http::router router_;
  metrics metrics_;
  std::unique_ptr<event_stream> events_;
};

}  // namespace dialer::api
