// GET /api/campaigns/{id}/compliance (SPEC §10): a campaign's 30-day abandon rate for compliance officers.
#pragma once
#include "dialer/engine/engine.hpp"
#include "dialer/http/router.hpp"

namespace dialer::api {

// Adds the campaign routes to `router`: 200 {campaignId, abandonRate30d, humanAnswers30d, drops30d,
// dials30d, target, warningAt}, 400 naming `id` for a malformed campaign id, 404 for a campaign no
// session ever had. `eng` must outlive `router`.
void add_compliance_routes(http::router& router, engine::engine& eng);

}  // namespace dialer::api
