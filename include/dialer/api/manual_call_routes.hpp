// POST /api/calls (SPEC §6): the manual dial route, registered on the service's router.
#pragma once
#include "dialer/engine/engine.hpp"
#include "dialer/http/router.hpp"

namespace dialer::api {

// Adds POST /api/calls to `router`: 201 with the customer call object, or the engine's error
// (400 naming the field, 404 unknown agent, 409 agent busy). `eng` must outlive `router`.
void add_manual_call_routes(http::router& router, engine::engine& eng);

}  // namespace dialer::api
