// Routes that change one queue item (priority, attempt limit, removal) or one call (notes and
// disposition from the agent's call dialog).
#include "dialer/api/errors.hpp"
#include "dialer/api/json_views.hpp"
#include "dialer/api/request_bodies.hpp"
#include "dialer/api/service.hpp"

namespace dialer::api {
using http::status;
using http::verb;

void service::add_item_routes() {
  router_.add(verb::patch, "/api/power-dialer/sessions/{id}/queue/{itemId}",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto patch = parse_item_patch(req.body());
                if (!patch) co_return error_reply(req, patch.err());
                auto r = engine_.update_item(std::string(p.get("id")), std::string(p.get("itemId")), patch.value());
                if (!r) co_return error_reply(req, r.err());
                co_return http::json_response(req, status::ok, queue_item_json(r.value()));
              });
  router_.add(verb::delete_, "/api/power-dialer/sessions/{id}/queue/{itemId}",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto r = engine_.cancel_item(std::string(p.get("id")), std::string(p.get("itemId")));
                if (!r) co_return error_reply(req, r.err());
                http::response res{status::no_content, req.version()};
                res.keep_alive(req.keep_alive());
                co_return res;
              });
  router_.add(verb::patch, "/api/calls/{id}",
              [this](http::request& req, const http::route_params& p) -> awaitable<http::response> {
                auto patch = parse_call_patch(req.body());
                if (!patch) co_return error_reply(req, patch.err());
                auto r = engine_.update_call(std::string(p.get("id")), patch.value());
                if (!r) co_return error_reply(req, r.err());
                co_return http::json_response(req, status::ok, call_json(r.value()));
              });
}

}  // namespace dialer::api
