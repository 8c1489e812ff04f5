// The calls table (one row per attempt, agent leg or manual call) and the statistics recount.
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "changed_columns.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;
namespace {

#define CALL_COLUMNS                                                                                         \
  "id, session_id, queue_item_id, contact_id, direction, kind, from_number, to_number, call_control_id, "   \
  "command_id, client_state, status, outcome, pending_outcome, routing, amd_enabled, person_answered, "     \
  "amd_result, cancel_wanted, hangup_cause, sip_hangup_cause, error_detail, started_at, answered_at, "      \
  "bridged_at, ended_at, talk_ms, notes, disposition, message_kind, message_phase, message_played, message_at, " \
  "message_status"

std::string_view routing_name(domain::routing r) {
  switch (r) {
    case domain::routing::bridging: return "bridging";
    case domain::routing::dropping: return "dropping";
    case domain::routing::none: break;
  }
  return "none";
}
domain::routing routing_from(const std::string& s) {
  if (s == "bridging") return domain::routing::bridging;
  if (s == "dropping") return domain::routing::dropping;
  return domain::routing::none;
}

call_record read_call(SQLite::Statement& st) {
  call_record c;
  c.id = st.getColumn(0).getString();
  c.session_id = text(st.getColumn(1));
  c.queue_item_id = text(st.getColumn(2));
  c.contact_id = text(st.getColumn(3));
  c.direction = st.getColumn(4).getString();
  c.kind = domain::call_kind_from(st.getColumn(5).getString()).value_or(domain::call_kind::customer);
  c.from = st.getColumn(6).getString();
  c.to = st.getColumn(7).getString();
  c.call_control_id = text(st.getColumn(8));
  c.command_id = st.getColumn(9).getString();
  c.client_state = st.getColumn(10).getString();
  auto& s = c.state;
  s.status = domain::call_status_from(st.getColumn(11).getString()).value_or(domain::call_status::ended);
  s.result = domain::outcome_from(text(st.getColumn(12))).value_or(domain::outcome::none);
  s.pending = domain::outcome_from(text(st.getColumn(13))).value_or(domain::outcome::none);
  s.route = routing_from(st.getColumn(14).getString());
  s.amd_enabled = st.getColumn(15).getInt() != 0;
  s.person_answered = st.getColumn(16).getInt() != 0;
  s.amd = domain::amd_result_from(text(st.getColumn(17))).value_or(domain::amd_result::none);
  s.cancel_wanted = st.getColumn(18).getInt() != 0;
  s.hangup_cause = text(st.getColumn(19));
  s.sip_hangup_cause = text(st.getColumn(20));
  c.error_detail = text(st.getColumn(21));
  c.started_at_ms = st.getColumn(22).getInt64();
  s.answered_at_ms = opt_int(st.getColumn(23));
  s.bridged_at_ms = opt_int(st.getColumn(24));
  s.ended_at_ms = opt_int(st.getColumn(25));
  c.notes = text(st.getColumn(27));
  c.disposition = text(st.getColumn(28));
  s.message = domain::message_kind_from(text(st.getColumn(29))).value_or(domain::message_kind::none);
  s.msg_phase = domain::message_phase_from(text(st.getColumn(30))).value_or(domain::message_phase::none);
  s.message_played = st.getColumn(31).getInt() != 0;
  s.message_at_ms = opt_int(st.getColumn(32));
  s.message_status = text(st.getColumn(33));
  return c;
}

void bind_call(SQLite::Statement& st, const call_record& c) {
  const auto& s = c.state;
  int i = 1;
  bind_text_or_null(st, i++, c.session_id);
  bind_text_or_null(st, i++, c.queue_item_id);
  bind_text_or_null(st, i++, c.contact_id);
  bind_text(st, i++, c.direction);
  bind_text(st, i++, domain::to_string(c.kind));
  bind_text(st, i++, c.from);
  bind_text(st, i++, c.to);
  bind_text_or_null(st, i++, c.call_control_id);
  bind_text(st, i++, c.command_id);
  bind_text(st, i++, c.client_state);
  bind_text(st, i++, domain::to_string(s.status));
  bind_text_or_null(st, i++, domain::to_string(s.result));
  bind_text_or_null(st, i++, domain::to_string(s.pending));
  bind_text(st, i++, routing_name(s.route));
  st.bind(i++, s.amd_enabled ? 1 : 0);
  st.bind(i++, s.person_answered ? 1 : 0);
  bind_text_or_null(st, i++, domain::to_string(s.amd));
  st.bind(i++, s.cancel_wanted ? 1 : 0);
  bind_text_or_null(st, i++, s.hangup_cause);
  bind_text_or_null(st, i++, s.sip_hangup_cause);
  bind_text_or_null(st, i++, c.error_detail);
  st.bind(i++, static_cast<std::int64_t>(c.started_at_ms));
  bind_opt(st, i++, s.answered_at_ms);
  bind_opt(st, i++, s.bridged_at_ms);
  bind_opt(st, i++, s.ended_at_ms);
  st.bind(i++, static_cast<std::int64_t>(s.talk_ms()));
  bind_text_or_null(st, i++, c.notes);
  bind_text_or_null(st, i++, c.disposition);
  bind_text_or_null(st, i++, domain::to_string(s.message));
  bind_text_or_null(st, i++, domain::to_string(s.msg_phase));
  st.bind(i++, s.message_played ? 1 : 0);
  bind_opt(st, i++, s.message_at_ms);
  bind_text_or_null(st, i++, s.message_status);
  bind_text(st, i++, c.id);
}

std::vector<call_record> read_all(SQLite::Statement& st) {
  std::vector<call_record> out;
  while (st.executeStep()) out.push_back(read_call(st));
  return out;
}

}  // namespace

void store::insert_call(const call_record& c) {
  auto st = prepare(
      "INSERT INTO calls(session_id, queue_item_id, contact_id, direction, kind, from_number, to_number, "
      "call_control_id, command_id, client_state, status, outcome, pending_outcome, routing, amd_enabled, "
      "person_answered, amd_result, cancel_wanted, hangup_cause, sip_hangup_cause, error_detail, started_at, "
      "answered_at, bridged_at, ended_at, talk_ms, notes, disposition, message_kind, message_phase, "
      "message_played, message_at, message_status, id) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  bind_call(*st, c);
  st->exec();
}

void store::update_call(const call_record& c) {
  // In bind_call's order.
  static const row_columns columns(
      "calls", {"session_id", "queue_item_id", "contact_id", "direction", "kind", "from_number", "to_number",
                "call_control_id", "command_id", "client_state", "status", "outcome", "pending_outcome", "routing",
                "amd_enabled", "person_answered", "amd_result", "cancel_wanted", "hangup_cause", "sip_hangup_cause",
                "error_detail", "started_at", "answered_at", "bridged_at", "ended_at", "talk_ms", "notes",
                "disposition", "message_kind", "message_phase", "message_played", "message_at", "message_status"});
  update_changed(columns, [&c](SQLite::Statement& st) { bind_call(st, c); });
}

std::optional<call_record> store::get_call(std::string_view id) {
  auto st = prepare("SELECT " CALL_COLUMNS " FROM calls WHERE id = ?");
  bind_text(*st, 1, id);
  if (!st->executeStep()) return std::nullopt;
  return read_call(*st);
}

std::optional<call_record> store::find_call_by_control_id(std::string_view call_control_id) {
  auto st = prepare("SELECT " CALL_COLUMNS " FROM calls WHERE call_control_id = ?");
  bind_text(*st, 1, call_control_id);
  if (!st->executeStep()) return std::nullopt;
  return read_call(*st);
}

std::vector<call_record> store::list_session_calls(std::string_view session_id, int limit) {
  auto st = prepare("SELECT " CALL_COLUMNS " FROM calls WHERE session_id = ? "
                     "ORDER BY started_at DESC, rowid DESC LIMIT ?");
  bind_text(*st, 1, session_id);
  st->bind(2, limit);
  return read_all(*st);
}

std::vector<call_record> store::list_recent_calls(int limit) {
  auto st = prepare("SELECT " CALL_COLUMNS " FROM calls ORDER BY started_at DESC, rowid DESC LIMIT ?");
  st->bind(1, limit);
  return read_all(*st);
}

std::vector<call_record> store::live_calls() {
  auto st = prepare("SELECT " CALL_COLUMNS " FROM calls WHERE status <> 'ended'");
  return read_all(*st);
}

std::vector<call_record> store::live_calls_of_session(std::string_view session_id) {
  auto st = prepare("SELECT " CALL_COLUMNS " FROM calls WHERE session_id = ? AND status <> 'ended'");
  bind_text(*st, 1, session_id);
  return read_all(*st);
}

std::vector<call_record> store::calls_due_for_status_check(std::int64_t ringing_started_before_ms,
                                                           std::int64_t answered_before_ms) {
  auto st = prepare("SELECT " CALL_COLUMNS " FROM calls WHERE status IN ('dialing', 'ringing') AND started_at < ? "
                    "AND call_control_id IS NOT NULL "
                    "UNION ALL SELECT " CALL_COLUMNS " FROM calls WHERE status = 'answered' "
                    "AND COALESCE(answered_at, started_at) < ? AND call_control_id IS NOT NULL");
  st->bind(1, static_cast<std::int64_t>(ringing_started_before_ms));
  st->bind(2, static_cast<std::int64_t>(answered_before_ms));
  return read_all(*st);
}

namespace {
// One row of SPEC §5 statistics over the customer attempts a WHERE clause selects.
#define STATS_COLUMNS                                                                                  \
  "COUNT(*), COUNT(DISTINCT queue_item_id), "                                                          \
  "COUNT(DISTINCT CASE WHEN person_answered = 1 THEN queue_item_id END), "                            \
  "SUM(outcome IN ('no_answer','busy','rejected','invalid_number','failed')), "                       \
  "COALESCE(SUM(talk_ms), 0), COUNT(DISTINCT CASE WHEN outcome = 'connected' THEN queue_item_id END), " \
  "SUM(outcome = 'dropped_agent_busy'), SUM(outcome = 'machine'), SUM(person_answered = 1)"

session_stats read_stats(SQLite::Statement& st) {
  auto col = [&](int i) -> std::int64_t { return st.getColumn(i).isNull() ? 0 : st.getColumn(i).getInt64(); };
  session_stats k;
  k.calls = col(0);
  k.contacted = col(1);
  k.answered = col(2);
  k.no_answer = col(3);
  k.talk_ms = col(4);
  k.connected = col(5);
  k.dropped = col(6);
  k.machine = col(7);
  k.human_answers = col(8);
  return k;
}
}  // namespace

session_stats store::recount_stats(std::string_view session_id) {
  auto st = prepare("SELECT " STATS_COLUMNS " FROM calls WHERE session_id = ? AND kind = 'customer'");
  bind_text(*st, 1, session_id);
  return st->executeStep() ? read_stats(*st) : session_stats{};
}

stats_total store::sum_stats(const stats_filter& f) {
  // Queue item ids are unique across sessions, so the distinct counts are the sums of the per-session ones.
  auto st = prepare("SELECT " STATS_COLUMNS ", COUNT(DISTINCT session_id) FROM calls "
                    "WHERE kind = 'customer' AND session_id IS NOT NULL "
                    "AND (?1 IS NULL OR session_id IN (SELECT id FROM sessions WHERE agent_id = ?1)) "
                    "AND (?2 IS NULL OR started_at >= ?2) AND (?3 IS NULL OR started_at < ?3)");
  bind_text_or_null(*st, 1, f.agent_id);
  bind_opt(*st, 2, f.from_ms);
  bind_opt(*st, 3, f.to_ms);
  stats_total out;
  if (st->executeStep()) {
    out.stats = read_stats(*st);
    out.sessions = st->getColumn(9).getInt64();
  }
  return out;
}

std::vector<outcome_count> store::count_calls_by_outcome() {
  auto st = prepare("SELECT kind, outcome, COUNT(*) FROM calls GROUP BY kind, outcome");
  std::vector<outcome_count> out;
  while (st->executeStep()) {
    outcome_count c;
    c.kind = domain::call_kind_from(st->getColumn(0).getString()).value_or(domain::call_kind::customer);
    c.result = domain::outcome_from(text(st->getColumn(1))).value_or(domain::outcome::none);
    c.count = st->getColumn(2).getInt64();
    out.push_back(c);
  }
  return out;
}

}  // namespace dialer::store

namespace dialer::store {
using namespace detail;

namespace {
// A dial that reached a person's phone line: customer and manual attempts whose dial was sent (a
// manual call's customer gets its command_id only once the agent answered).
#define DIALS_TO_NUMBER "kind IN ('customer','manual') AND command_id <> '' AND to_number = ?1 AND started_at > ?2"
}  // namespace

std::int64_t store::count_dials_since(std::string_view phone, std::int64_t since_ms) {
  auto st = prepare("SELECT COUNT(*) FROM calls WHERE " DIALS_TO_NUMBER);
  bind_text(*st, 1, phone);
  st->bind(2, static_cast<std::int64_t>(since_ms));
  return st->executeStep() ? st->getColumn(0).getInt64() : 0;
}

std::optional<std::int64_t> store::nth_dial_since(std::string_view phone, std::int64_t since_ms, std::int64_t n) {
  auto st = prepare("SELECT started_at FROM calls WHERE " DIALS_TO_NUMBER " ORDER BY started_at LIMIT 1 OFFSET ?3");
  bind_text(*st, 1, phone);
  st->bind(2, static_cast<std::int64_t>(since_ms));
  st->bind(3, static_cast<std::int64_t>(n));
  if (!st->executeStep()) return std::nullopt;
  return st->getColumn(0).getInt64();
}

call_page store::calls_in_range(const call_range& range, int limit) {
  // Keyset paging on the calls_recent index (started_at, then rowid): each page is one short query.
  auto st = prepare("SELECT " CALL_COLUMNS ", rowid FROM calls "
                    "WHERE (?1 IS NULL OR started_at >= ?1) AND (?2 IS NULL OR started_at < ?2) "
                    "AND started_at >= ?3 AND (started_at > ?3 OR rowid > ?4) "
                    "ORDER BY started_at, rowid LIMIT ?5");
  bind_opt(*st, 1, range.from_ms);
  bind_opt(*st, 2, range.to_ms);
  st->bind(3, static_cast<std::int64_t>(range.after.started_at_ms));
  st->bind(4, static_cast<std::int64_t>(range.after.row));
  st->bind(5, limit);
  call_page page;
  call_cursor last;
  while (st->executeStep()) {
    page.calls.push_back(read_call(*st));
    last = {page.calls.back().started_at_ms, st->getColumn(st->getColumnCount() - 1).getInt64()};
  }
  if (static_cast<int>(page.calls.size()) == limit) page.next = last;
  return page;
}

}  // namespace dialer::store
