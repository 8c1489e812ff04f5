// Counting what the recorded messages of ended calls did (drop message, voicemail) for /metrics.
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;

message_counts store::count_messages(std::int64_t late_after_ms) {
  auto st = prepare(
      "SELECT "
      "COALESCE(SUM(outcome = 'dropped_agent_busy' AND message_kind = 'drop' AND message_played = 1), 0), "
      "COALESCE(SUM(outcome = 'dropped_agent_busy' AND message_kind = 'drop' AND message_played = 0), 0), "
      "COALESCE(SUM(outcome = 'dropped_agent_busy' AND message_kind IS NULL), 0), "
      "COALESCE(SUM(outcome = 'dropped_agent_busy' AND message_kind = 'drop' AND message_at - answered_at > ?), 0), "
      "COALESCE(SUM(outcome = 'machine' AND message_kind = 'voicemail' AND message_played = 1), 0) "
      "FROM calls WHERE status = 'ended' AND kind = 'customer'");
  st->bind(1, static_cast<std::int64_t>(late_after_ms));
  message_counts out;
  if (st->executeStep()) {
    out.drops_played = st->getColumn(0).getInt64();
    out.drops_not_played = st->getColumn(1).getInt64();
    out.drops_silent = st->getColumn(2).getInt64();
    out.drops_late = st->getColumn(3).getInt64();
    out.voicemails_left = st->getColumn(4).getInt64();
  }
  return out;
}

}  // namespace dialer::store
