// GET /api/agents (each configured agent with its live state) and PATCH /api/agents/{id} {busy}.
#include "dialer/api/errors.hpp"
#include "dialer/api/json_views.hpp"
#include "dialer/api/request_bodies.hpp"
#include "dialer/api/service.hpp"

namespace dialer::api {
using http::status;
using http::verb;

void service::add_agent_routes() {
  router_.add(verb::get, "/api/agents", [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
    std::vector<agent_view> agents;
    for (const auto& a : cfg_.agents) {
      agent_view view;
      view.config = a;
      view.live = engine_.db().get_agent(a.id);
      agents.push_back(std::move(view));
    }
    co_return http::json_response(req, status::ok, agents_json(agents));
  });
  router_.add(verb::patch, "/api/agents/{id}",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto busy = parse_agent_patch(req.body());
                if (!busy) co_return error_reply(req, busy.err());
                const std::string id(p.get("id"));
                auto r = engine_.set_agent_busy(id, busy.value());
                if (!r) co_return error_reply(req, r.err());
                agent_view view;
                for (const auto& a : cfg_.agents)
                  if (a.id == id) view.config = a;
                view.live = r.value();
                co_return http::json_response(req, status::ok, agent_json(view));
              });
}

}  // namespace dialer::api
