// GET /metrics (no token, like /healthz): Prometheus text with the service's counters, calls by
// outcome from the database, lines in use, sessions, event-stream clients and database health.
#include <boost/beast/http/field.hpp>

#include "dialer/api/message_metrics.hpp"
#include "dialer/api/service.hpp"

namespace dialer::api {
using http::status;
using http::verb;

void service::add_metrics_routes() {
  router_.add(verb::get, "/metrics", [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
    exposition out;
    metrics_.write(out);
    auto& db = engine_.db();
    const bool healthy = db.healthy();
    out.family("dialer_database_up", "gauge", "1 when the database answers a trivial query");
    out.sample("dialer_database_up", {}, healthy ? 1 : 0);
    out.family("dialer_calls", "gauge",
               "calls stored in the database by kind and outcome (outcome in_progress: not ended yet)");
    int lines = 0;
    if (healthy) {
      for (const auto& c : db.count_calls_by_outcome()) {
        const auto outcome = c.result == domain::outcome::none ? std::string_view("in_progress") : domain::to_string(c.result);
        out.sample("dialer_calls", {{"kind", std::string(domain::to_string(c.kind))}, {"outcome", std::string(outcome)}},
                   static_cast<double>(c.count));
      }
      int running = 0, paused = 0;
      for (const auto& s : db.active_sessions()) {
        (s.status == domain::session_status::running ? running : paused) += 1;
        lines += engine_.lines_in_use(s.id);
      }
      write_message_metrics(out, db);  // message_metrics.cpp
      out.family("dialer_sessions_active", "gauge", "sessions running or paused");
      out.sample("dialer_sessions_active", {{"status", "running"}}, running);
      out.sample("dialer_sessions_active", {{"status", "paused"}}, paused);
    }
    out.family("dialer_lines_in_use", "gauge", "customer calls in flight across sessions (caller numbers in use)");
    out.sample("dialer_lines_in_use", {}, lines);
    out.family("dialer_sse_clients", "gauge", "open GET /api/events streams");
    out.sample("dialer_sse_clients", {}, events_ ? static_cast<double>(events_->clients()) : 0);
    http::response res{status::ok, req.version()};
    res.set(http::bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.keep_alive(req.keep_alive());
    res.body() = out.text();
    res.prepare_payload();
    co_return res;
  });
}

}  // namespace dialer::api
