// Campaigns (SPEC §10): the 30-day tally of a campaign's settled attempts behind its abandon rate.
// The drop rule here must match domain::counts_as_drop, which the engine applies to each call it settles.
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;

domain::campaign_tally store::campaign_tally(std::string_view campaign_id, std::int64_t since_ms) {
  // sessions_by_campaign finds the sessions, the covering calls_abandon_tally index their window.
  auto st = prepare(
      "SELECT COUNT(*), COALESCE(SUM(c.person_answered = 1), 0), "
      "COALESCE(SUM(c.person_answered = 1 AND (c.outcome = 'dropped_agent_busy' OR "
      "(c.outcome = 'abandoned' AND c.ended_at - c.answered_at > ?3))), 0) "
      "FROM sessions s JOIN calls c ON c.session_id = s.id "
      "WHERE s.campaign_id = ?1 AND c.started_at >= ?2 AND c.kind = 'customer' AND c.status = 'ended' "
      "AND c.call_control_id IS NOT NULL");
  bind_text(*st, 1, campaign_id);
  st->bind(2, static_cast<std::int64_t>(since_ms));
  st->bind(3, static_cast<std::int64_t>(domain::abandon_grace_ms));
  domain::campaign_tally t;
  if (st->executeStep()) {
    t.dials = st->getColumn(0).getInt64();
    t.human_answers = st->getColumn(1).getInt64();
    t.drops = st->getColumn(2).getInt64();
  }
  return t;
}

bool store::has_campaign(std::string_view campaign_id) {
  auto st = prepare("SELECT 1 FROM sessions WHERE campaign_id = ? LIMIT 1");
  bind_text(*st, 1, campaign_id);
  return st->executeStep();
}

}  // namespace dialer::store
