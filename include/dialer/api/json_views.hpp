// The CRM-facing JSON shapes (SPEC §6): camelCase, ISO 8601 UTC times, opaque string ids.
#pragma once
#include <string>
#include <vector>

#include "dialer/config/config.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/engine/event_payloads.hpp"
#include "dialer/store/records.hpp"

namespace dialer::api {

// Extra live facts shown with a session.
struct session_extras {
  store::queue_counts queue;
  std::string agent_state;
  bool agent_busy = false;
  int lines_in_use = 0;
  engine::session_pacing pacing;  // campaign tally (stats.*30d), effectiveLines, pacingReason
};

std::string session_json(const store::session_record& s, const session_extras& extras);
std::string sessions_json(const std::vector<store::session_record>& sessions);
std::string queue_item_json(const store::queue_item_record& q);
std::string queue_json(const std::vector<store::queue_item_record>& items);
std::string call_json(const store::call_record& c);
std::string calls_json(const std::vector<store::call_record>& calls);
// A configured agent with its live row.
struct agent_view {
  config::agent config;
  store::agent_record live;
};
// {id, name, endpoint, state, busy, sessionId}
std::string agent_json(const agent_view& a);
// {"agents": [...]}
std::string agents_json(const std::vector<agent_view>& agents);
// {agentId, from, to, sessions, stats: {...}} (agentId, from and to null when not filtered).
std::string stats_json(const store::stats_filter& f, const store::stats_total& t);
// GET /api/campaigns/{id}/compliance: {campaignId, abandonRate30d, humanAnswers30d, drops30d, dials30d,
// target, warningAt} (target and warningAt null without an abandon target).
std::string campaign_compliance_json(const engine::campaign_compliance& c);
// {"added","duplicates","items":[...]}
std::string added_contacts_json(int added, int duplicates, const std::vector<store::queue_item_record>& items);

}  // namespace dialer::api
