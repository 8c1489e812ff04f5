// JSON views of the simulator: the run report (/sim/report, --report-file), the call list
// (/sim/calls) and Telnyx's call status object (GET /v2/calls/{id}).
#pragma once
#include <string>

#include "dialer/sim/call_world.hpp"

namespace dialer::sim {

// {dials, actions_by_type, rejected_requests_by_status, webhooks_sent, webhook_failures, ...}.
std::string report_json(const call_world& world);
// {"data":[{call_control_id, to, from, kind, outcome, state, client_state (decoded), times, ...}]}.
std::string calls_json(const call_world& world);
// {"data":{call_control_id, call_leg_id, call_session_id, client_state, is_alive, record_type:"call", ...}}.
std::string call_status_json(const sim_call& call);
// {"data":{call_control_id, call_leg_id, call_session_id, is_alive:false, record_type:"call"}}: the dial reply.
std::string dial_reply_json(const sim_call& call);
// {"errors":[{code, title, detail, source:{pointer}}]}.
std::string errors_json(const std::vector<api_error>& errors);

}  // namespace dialer::sim
