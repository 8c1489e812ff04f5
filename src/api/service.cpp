// Routes of the CRM API and the webhook endpoint, wired to the engine.
#include "dialer/api/service.hpp"

#include <SQLiteCpp/Exception.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include "dialer/api/compliance_routes.hpp"
#include "dialer/api/call_export.hpp"
#include "dialer/api/dnc_routes.hpp"
#include "dialer/api/errors.hpp"
#include "dialer/api/json_views.hpp"
#include "dialer/api/query_params.hpp"
#include "dialer/api/manual_call_routes.hpp"
#include "dialer/api/request_bodies.hpp"
#include "dialer/common/log.hpp"

namespace dialer::api {
using http::status;
using http::verb;

namespace {

// The media type (before any ";" parameters) is application/json, compared case-insensitively.
bool is_json(const http::request& req) {
  auto ct = req[http::bhttp::field::content_type];
  auto media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return beast::iequals(media, "application/json");
}

std::string_view webhook_result_name(engine::webhook_outcome o) {
  switch (o) {
    case engine::webhook_outcome::applied: return "applied";
    case engine::webhook_outcome::duplicate: return "duplicate";
    case engine::webhook_outcome::unmatched: return "unmatched";
    case engine::webhook_outcome::ignored: return "ignored";
  }
  return "error";
}

http::response ok_json(const http::request& req, std::string body, status s = status::ok) {
  return http::json_response(req, s, std::move(body));
}

}  // namespace

service::service(engine::engine& eng, const config::config& cfg, const clock& clk,
                 std::unique_ptr<telnyx::signature_verifier> verifier)
    : engine_(eng), cfg_(cfg), clock_(clk), verifier_(verifier ? std::make_unique<telnyx::verifier_pool>(std::move(verifier),
                                                                          telnyx::verifier_pool::default_threads())
                                : nullptr),
      contacts_(cfg) {
  engine_.on_batch([this](const engine::batch_report& r) {
    const auto seconds = [](engine::batch_report::duration d) { return std::chrono::duration<double>(d).count(); };
    for (const auto wait : r.queue_waits) metrics_.observe_webhook_stage("queue", seconds(wait));
    metrics_.observe_batch(r.queue_waits.size(), seconds(r.apply), seconds(r.commit), seconds(r.sync), seconds(r.send));
  });
  router_.add(verb::get, "/healthz", [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
    bool ok = engine_.db().healthy();
    co_return http::json_response(req, ok ? status::ok : status::service_unavailable,
                                  ok ? R"({"status":"ok","database":"ok"})" : R"({"status":"unavailable","database":"error"})");
  });
  router_.add(verb::post, "/webhooks/telnyx", [this](http::request& req, const http::route_params&) {
    return handle_webhook(req);
  });
  router_.add(verb::get, "/api/numbers", [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
    std::string body = R"({"numbers":[)";
    for (std::size_t i = 0; i < cfg_.numbers.size(); ++i) body += (i ? ",\"" : "\"") + cfg_.numbers[i] + "\"";
    co_return ok_json(req, body + "]}");
  });
  add_session_routes();
  add_queue_and_call_routes();
  add_call_export_routes(router_, engine_, clock_);  // before /api/calls/{id}: its metrics label
  add_item_routes();
  add_agent_routes();
  add_stats_routes();
  add_metrics_routes();
  events_ = std::make_unique<event_stream>(
      engine_.events(), [this](const std::string& id) { return engine_.db().get_session(id).has_value(); },
      event_stream_options::from(cfg_));
  events_->add_routes(router_);
  add_manual_call_routes(router_, engine_);
  add_compliance_routes(router_, engine_);
  add_dnc_routes(router_, engine_);
}

service::~service() { engine_.on_batch(nullptr); }

bool service::authorized(const http::request& req) const {
  auto auth = req[http::bhttp::field::authorization];
  constexpr std::string_view prefix = "Bearer ";
  if (auth.size() <= prefix.size() || auth.substr(0, prefix.size()) != prefix) return false;
  auto token = auth.substr(prefix.size());
  bool match = false;
  for (const auto& t : cfg_.api_tokens)  // every token compared, in constant time
    match |= t.size() == token.size() && CRYPTO_memcmp(t.data(), token.data(), t.size()) == 0;
  return match;
}

awaitable<http::response> service::handle(http::request& req) {
  const auto started = std::chrono::steady_clock::now();
  auto res = co_await dispatch(req);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  const auto* pattern = router_.pattern_for(req.target());
  // Labels come from fixed sets only (known verbs, route patterns), so no client can grow the series.
  const auto raw_method = req.method_string();
  const std::string_view method = req.method() == verb::unknown ? std::string_view("other") : std::string_view(raw_method.data(), raw_method.size());
  metrics_.observe_request(method, pattern ? std::string_view(*pattern) : "unmatched", res.result_int(), took.count());
  co_return res;
}

awaitable<http::response> service::dispatch(http::request& req) {
  auto path = http::path_of(req.target());
  if (path.substr(0, 5) == "/api/") {
    if (!authorized(req)) {
      auto res = http::error_response(req, status::unauthorized, "unauthorized", "a valid Bearer token is required");
      res.set(http::bhttp::field::www_authenticate, "Bearer");
      co_return res;
    }
    if ((req.method() == verb::post || req.method() == verb::patch) && !is_json(req))
      co_return http::error_response(req, status::unsupported_media_type, "unsupported_media_type",
                                     "send Content-Type: application/json");
  }
  try {
    co_return co_await router_.dispatch(req);
  } catch (const SQLite::Exception& e) {
    log::error("api", "database error", {{"path", std::string(path)}, {"error", e.what()}});
    co_return http::error_response(req, status::service_unavailable, "unavailable", "the database is unavailable; retry");
  }
}

void service::add_session_routes() {
  auto session_reply = [this](const http::request& req, const store::session_record& s, status st = status::ok) {
    session_extras x;
    x.queue = engine_.db().count_items(s.id);
    auto agent = engine_.db().get_agent(s.agent_id);
    x.agent_state = std::string(domain::to_string(agent.session_id == s.id ? agent.state : domain::agent_state::offline));
    x.agent_busy = agent.busy;
    x.lines_in_use = engine_.lines_in_use(s.id);
    x.pacing = engine_.pacing(s);
    return ok_json(req, session_json(s, x), st);
  };

  router_.add(verb::post, "/api/power-dialer/sessions",
              [this, session_reply](http::request& req, const http::route_params&) -> awaitable<http::response> {
                auto parsed = parse_create_session(req.body());
                if (!parsed) co_return error_reply(req, parsed.err());
                auto& request = parsed.value();
                if (auto settings = engine_.session_settings(request); !settings)
                  co_return error_reply(req, settings.err());
                std::string field = "contacts";
                auto contacts = co_await contacts_.check(std::move(request.contacts), std::move(field));
                if (!contacts) co_return error_reply(req, contacts.err());
                auto r = engine_.create_session(request, contacts.value());
                if (!r) co_return error_reply(req, r.err());
                co_return session_reply(req, r.value(), status::created);
              });
  router_.add(verb::get, "/api/power-dialer/sessions",
              [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
                auto q = http::parse_query(req.target());
                store::session_filter f;
                auto limit = limit_param(q, 50, 500);
                if (!limit) co_return error_reply(req, limit.err());
                f.limit = limit.value();
                if (auto it = q.find("agentId"); it != q.end()) f.agent_id = it->second;
                if (auto it = q.find("status"); it != q.end()) {
                  f.status = domain::session_status_from(it->second);
                  if (!f.status) co_return error_reply(req, {engine::errc::invalid_input, "unknown status", "status"});
                }
                co_return ok_json(req, sessions_json(engine_.db().list_sessions(f)));
              });
  router_.add(verb::get, "/api/power-dialer/sessions/{id}",
              [this, session_reply](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto s = engine_.db().get_session(p.get("id"));
                if (!s) co_return error_reply(req, {engine::errc::not_found, "session not found", {}});
                co_return session_reply(req, *s);
              });
  router_.add(verb::patch, "/api/power-dialer/sessions/{id}",
              [this, session_reply](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto patch = parse_session_patch(req.body());
                if (!patch) co_return error_reply(req, patch.err());
                std::string id(p.get("id"));
                const auto& pv = patch.value();
                if (!pv.action) {
                  auto r = engine_.update_settings(id, pv.concurrent_lines, pv.selected_numbers);
                  if (!r) co_return error_reply(req, r.err());
                  co_return session_reply(req, r.value());
                }
                const auto& a = *pv.action;
                auto r = a == "start" ? engine_.start_session(id)
                         : a == "pause" ? engine_.pause_session(id)
                         : a == "resume" ? engine_.resume_session(id)
                                         : engine_.stop_session(id);
                if (!r) co_return error_reply(req, r.err());
                co_return session_reply(req, r.value());
              });
  router_.add(verb::delete_, "/api/power-dialer/sessions/{id}",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto r = engine_.delete_session(std::string(p.get("id")));
                if (!r) co_return error_reply(req, r.err());
                http::response res{status::no_content, req.version()};
                res.keep_alive(req.keep_alive());
                co_return res;
              });
}

void service::add_queue_and_call_routes() {
  router_.add(verb::get, "/api/power-dialer/sessions/{id}/queue",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                if (!engine_.db().get_session(p.get("id")))
                  co_return error_reply(req, {engine::errc::not_found, "session not found", {}});
                co_return ok_json(req, queue_json(engine_.db().list_items(p.get("id"))));
              });
  router_.add(verb::post, "/api/power-dialer/sessions/{id}/queue",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto parsed = parse_add_contacts(req.body());
                if (!parsed) co_return error_reply(req, parsed.err());
                std::string field = "contacts";
                auto contacts = co_await contacts_.check(std::move(parsed.value()), std::move(field));
                if (!contacts) co_return error_reply(req, contacts.err());
                auto r = engine_.add_contacts(std::string(p.get("id")), contacts.value());
                if (!r) co_return error_reply(req, r.err());
                co_return ok_json(req, added_contacts_json(r.value().added, r.value().duplicates, r.value().items),
                                  status::created);
              });
  router_.add(verb::get, "/api/power-dialer/sessions/{id}/calls",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                if (!engine_.db().get_session(p.get("id")))
                  co_return error_reply(req, {engine::errc::not_found, "session not found", {}});
                auto limit = limit_param(http::parse_query(req.target()), 100, 10000);
                if (!limit) co_return error_reply(req, limit.err());
                co_return ok_json(req, calls_json(engine_.db().list_session_calls(p.get("id"), limit.value())));
              });
  router_.add(verb::get, "/api/calls", [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
    auto limit = limit_param(http::parse_query(req.target()), 20, 500);
    if (!limit) co_return error_reply(req, limit.err());
    co_return ok_json(req, calls_json(engine_.db().list_recent_calls(limit.value())));
  });
}

awaitable<http::response> service::handle_webhook(http::request& req) {
  using steady = std::chrono::steady_clock;
  const auto seconds_since = [](steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); };
  const auto now = clock_.now();
  auto stage_started = steady::now();
  if (verifier_) {
    // Ahead of this webhook on the engine's thread: the others being verified and those waiting for a batch.
    const std::size_t backlog = webhooks_verifying_ + engine_.webhooks_waiting();
    struct verifying {
      std::size_t& n;
      explicit verifying(std::size_t& count) : n(count) { ++n; }
      ~verifying() { --n; }
    } counted(webhooks_verifying_);
    const auto verdict =
        co_await verifier_->verify(req["telnyx-signature-ed25519"], req["telnyx-timestamp"], req.body(), now, backlog);
    metrics_.observe_webhook_stage("verify", seconds_since(stage_started));
    stage_started = steady::now();
    if (verdict != telnyx::signature_error::none) {
      log::warn("webhook", "rejected", {{"reason", telnyx::to_string(verdict)}});
      metrics_.count_webhook("unknown", "rejected");  // an unverified body's type is not trusted as a label
      co_return http::error_response(req, status::unauthorized, "invalid_signature", telnyx::to_string(verdict));
    }
  }
  auto parsed = telnyx::parse_webhook(req.body());
  metrics_.observe_webhook_stage("parse", seconds_since(stage_started));
  if (!parsed.event) {
    log::warn("webhook", "malformed", {{"error", parsed.error}});
    metrics_.count_webhook("unknown", "rejected");
    co_return http::error_response(req, status::bad_request, "invalid_webhook", parsed.error);
  }
  const std::string event_type = parsed.event->event_type;
  engine::webhook_outcome outcome{};
  stage_started = steady::now();
  try {
    outcome = co_await engine_.handle_webhook_batched(std::move(*parsed.event));
    metrics_.observe_webhook_stage("engine", seconds_since(stage_started));
  } catch (...) {  // a database error: 503 from handle(), and Telnyx retries
    metrics_.count_webhook(event_type, "error");
    throw;
  }
  metrics_.count_webhook(event_type, webhook_result_name(outcome));
  co_return http::json_response(req, status::ok, R"({"status":"ok"})");
}

}  // namespace dialer::api
