// /api/dnc (SPEC §10): the do-not-call list, listed, added to and removed from in bulk.
#pragma once
#include <string>
#include <vector>

#include "dialer/engine/engine.hpp"
#include "dialer/http/router.hpp"
#include "dialer/store/compliance_records.hpp"

namespace dialer::api {

// {"entries": [{"phone", "addedAt"}...], "next": <the `after` of the next page> | null}
std::string dnc_list_json(const std::vector<store::dnc_entry>& entries, const std::string& next);

// Adds to `router`:
// GET /api/dnc?limit=&after=&phone=: listed numbers in ascending order (limit 1..1000, default 100;
//   `after` the previous page's `next`); `phone=` looks one number up (entries empty when not listed);
// POST /api/dnc {phones: [...]}: lists every phone -> {added, alreadyListed};
// DELETE /api/dnc {phones: [...]}: unlists them -> {removed, notListed}.
// A bad phone is a 400 naming phones[i] (or the phone parameter) and nothing changes. `eng` must
// outlive `router`.
void add_dnc_routes(http::router& router, engine::engine& eng);

}  // namespace dialer::api
