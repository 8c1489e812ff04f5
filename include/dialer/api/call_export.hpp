// GET /api/calls/export?from=&to= (SPEC §10): every call attempt as CSV for record keeping, streamed
// page by page so the whole table never sits in memory, with the route registered on the router.
#pragma once
#include <string>

#include "dialer/common/clock.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/http/router.hpp"
#include "dialer/store/records.hpp"

namespace dialer::api {

// The header row of the export, CRLF-terminated.
std::string call_csv_header();
// Appends the row of `c` (times ISO 8601 UTC, empty for unknown; seconds as integers; message_played
// true/false) to `out`. `campaign_id`: the campaign of the call's session, empty without a session.
void append_call_csv(std::string& out, const store::call_record& c, const std::string& campaign_id = {});

// Adds GET /api/calls/export to `router`: 200 text/csv streamed, the calls whose dial started in
// [from, to) in dial order (from absent: all history; to absent: up to the request), 400 naming from
// or to when one is not an ISO 8601 time or to is before from. `eng` and `clk` must outlive `router`.
void add_call_export_routes(http::router& router, engine::engine& eng, const clock& clk);

}  // namespace dialer::api
