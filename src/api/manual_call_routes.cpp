// The manual dial route: parse, hand to the engine, answer with the call it created.
#include "dialer/api/manual_call_routes.hpp"

#include "dialer/api/errors.hpp"
#include "dialer/api/json_views.hpp"
#include "dialer/api/request_bodies.hpp"

namespace dialer::api {

void add_manual_call_routes(http::router& router, engine::engine& eng) {
  router.add(http::verb::post, "/api/calls",
             [&eng](http::request& req, const http::route_params&) -> awaitable<http::response> {
               auto parsed = parse_manual_call(req.body());
               if (!parsed) co_return error_reply(req, parsed.err());
               auto call = eng.place_manual_call(parsed.value());
               if (!call) co_return error_reply(req, call.err());
               co_return http::json_response(req, http::status::created, call_json(call.value()));
             });
}

}  // namespace dialer::api
