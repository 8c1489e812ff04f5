// GET /api/stats?agentId=&from=&to=: SPEC §5 statistics summed over sessions, recounted from the
// customer attempts whose dial started in [from, to) (all history by default).
#include "dialer/api/errors.hpp"
#include "dialer/api/json_views.hpp"
#include "dialer/api/query_params.hpp"
#include "dialer/api/service.hpp"

namespace dialer::api {
using http::status;
using http::verb;

void service::add_stats_routes() {
  router_.add(verb::get, "/api/stats", [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
    auto q = http::parse_query(req.target());
    store::stats_filter f;
    if (auto it = q.find("agentId"); it != q.end()) f.agent_id = it->second;
    auto from = time_param(q, "from");
    if (!from) co_return error_reply(req, from.err());
    auto to = time_param(q, "to");
    if (!to) co_return error_reply(req, to.err());
    f.from_ms = from.value();
    f.to_ms = to.value();
    if (f.from_ms && f.to_ms && *f.to_ms < *f.from_ms)
      co_return error_reply(req, {engine::errc::invalid_input, "must not be before from", "to"});
    co_return http::json_response(req, status::ok, stats_json(f, engine_.db().sum_stats(f)));
  });
}

}  // namespace dialer::api
