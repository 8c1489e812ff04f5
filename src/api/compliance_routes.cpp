// The campaign compliance route: validate the id, ask the engine (SQL count), answer its figures.
#include "dialer/api/compliance_routes.hpp"

#include "dialer/api/errors.hpp"
#include "dialer/api/json_views.hpp"
#include "dialer/domain/pacing.hpp"

namespace dialer::api {

void add_compliance_routes(http::router& router, engine::engine& eng) {
  router.add(http::verb::get, "/api/campaigns/{id}/compliance",
             [&eng](http::request& req, const http::route_params& p) -> awaitable<http::response> {
               const std::string id(p.get("id"));
               if (!domain::is_campaign_id(id))
                 co_return error_reply(req, {engine::errc::invalid_input, "must be 1 to 64 of A-Z a-z 0-9 _ -", "id"});
               auto r = eng.compliance_of(id);
               if (!r) co_return error_reply(req, r.err());
               co_return http::json_response(req, http::status::ok, campaign_compliance_json(r.value()));
             });
}

}  // namespace dialer::api
