// The sessions table.
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "changed_columns.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;
namespace {

constexpr const char* session_columns =
    "id, agent_id, status, pause_reason, concurrent_lines, selected_numbers, max_attempts, created_at, "
    "started_at, ended_at, agent_call_id, stat_calls, stat_contacted, stat_answered, stat_no_answer, "
    "stat_talk_ms, stat_connected, stat_dropped, stat_machine, stat_human_answers, campaign_id";

std::string join_numbers(const std::vector<std::string>& numbers) {
  std::string out;
  for (const auto& n : numbers) {
    if (!out.empty()) out.push_back(',');
    out += n;
  }
  return out;
}

std::vector<std::string> split_numbers(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

session_record read_session(SQLite::Statement& st) {
  session_record s;
  s.id = st.getColumn(0).getString();
  s.agent_id = st.getColumn(1).getString();
  s.status = domain::session_status_from(st.getColumn(2).getString()).value_or(domain::session_status::stopped);
  s.pause_reason = text(st.getColumn(3));
  s.concurrent_lines = st.getColumn(4).getInt();
  s.selected_numbers = split_numbers(st.getColumn(5).getString());
  s.max_attempts = st.getColumn(6).getInt();
  s.created_at_ms = st.getColumn(7).getInt64();
  s.started_at_ms = opt_int(st.getColumn(8));
  s.ended_at_ms = opt_int(st.getColumn(9));
  s.agent_call_id = text(st.getColumn(10));
  auto& k = s.stats;
  k.calls = st.getColumn(11).getInt64();
  k.contacted = st.getColumn(12).getInt64();
  k.answered = st.getColumn(13).getInt64();
  k.no_answer = st.getColumn(14).getInt64();
  k.talk_ms = st.getColumn(15).getInt64();
  k.connected = st.getColumn(16).getInt64();
  k.dropped = st.getColumn(17).getInt64();
  k.machine = st.getColumn(18).getInt64();
  k.human_answers = st.getColumn(19).getInt64();
  s.campaign_id = st.getColumn(20).getString();
  return s;
}

// Binds every column but id, in session_columns order starting at index `first`.
void bind_session(SQLite::Statement& st, const session_record& s, int first) {
  int i = first;
  bind_text(st, i++, s.agent_id);
  bind_text(st, i++, domain::to_string(s.status));
  bind_text_or_null(st, i++, s.pause_reason);
  st.bind(i++, s.concurrent_lines);
  bind_text(st, i++, join_numbers(s.selected_numbers));
  st.bind(i++, s.max_attempts);
  st.bind(i++, static_cast<std::int64_t>(s.created_at_ms));
  bind_opt(st, i++, s.started_at_ms);
  bind_opt(st, i++, s.ended_at_ms);
  bind_text_or_null(st, i++, s.agent_call_id);
  const auto& k = s.stats;
  for (std::int64_t v : {k.calls, k.contacted, k.answered, k.no_answer, k.talk_ms, k.connected, k.dropped,
                         k.machine, k.human_answers})
    st.bind(i++, static_cast<std::int64_t>(v));
  bind_text(st, i++, s.campaign_id.empty() ? std::string_view(default_campaign_id) : std::string_view(s.campaign_id));
}

}  // namespace

void store::insert_session(const session_record& s) {
  auto st = prepare(
      "INSERT INTO sessions(agent_id, status, pause_reason, concurrent_lines, selected_numbers, max_attempts, "
      "created_at, started_at, ended_at, agent_call_id, stat_calls, stat_contacted, stat_answered, "
      "stat_no_answer, stat_talk_ms, stat_connected, stat_dropped, stat_machine, stat_human_answers, campaign_id, id) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  bind_session(*st, s, 1);
  bind_text(*st, 21, s.id);
  st->exec();
}

void store::update_session(const session_record& s) {
  // In bind_session's order.
  static const row_columns columns(
      "sessions", {"agent_id", "status", "pause_reason", "concurrent_lines", "selected_numbers", "max_attempts",
                   "created_at", "started_at", "ended_at", "agent_call_id", "stat_calls", "stat_contacted",
                   "stat_answered", "stat_no_answer", "stat_talk_ms", "stat_connected", "stat_dropped", "stat_machine",
                   "stat_human_answers", "campaign_id"});
  update_changed(columns, [&s](SQLite::Statement& st) {
    bind_session(st, s, 1);
    bind_text(st, 21, s.id);
  });
}

std::optional<session_record> store::get_session(std::string_view id) {
  static const std::string sql = std::string("SELECT ") + session_columns + " FROM sessions WHERE id = ?";
  auto st = prepare(sql.c_str());
  bind_text(*st, 1, id);
  if (!st->executeStep()) return std::nullopt;
  return read_session(*st);
}

std::vector<session_record> store::list_sessions(const session_filter& f) {
  static const std::string sql = std::string("SELECT ") + session_columns +
                                 " FROM sessions WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR agent_id = ?2)"
                                 " ORDER BY created_at DESC, rowid DESC LIMIT ?3";
  auto st = prepare(sql.c_str());
  if (f.status) bind_text(*st, 1, domain::to_string(*f.status));
  bind_text_or_null(*st, 2, f.agent_id);
  st->bind(3, f.limit);
  std::vector<session_record> out;
  while (st->executeStep()) out.push_back(read_session(*st));
  return out;
}

std::vector<session_record> store::active_sessions() {
  static const std::string sql =
      std::string("SELECT ") + session_columns + " FROM sessions WHERE status IN ('running','paused')";
  auto st = prepare(sql.c_str());
  std::vector<session_record> out;
  while (st->executeStep()) out.push_back(read_session(*st));
  return out;
}

std::optional<session_record> store::active_session_of_agent(std::string_view agent_id) {
  static const std::string sql = std::string("SELECT ") + session_columns +
                                 " FROM sessions WHERE agent_id = ? AND status IN ('running','paused') LIMIT 1";
  auto st = prepare(sql.c_str());
  bind_text(*st, 1, agent_id);
  if (!st->executeStep()) return std::nullopt;
  return read_session(*st);
}

void store::delete_session(std::string_view id) {
  auto calls = prepare("DELETE FROM calls WHERE session_id = ?");
  bind_text(*calls, 1, id);
  calls->exec();
  auto items = prepare("DELETE FROM queue_items WHERE session_id = ?");
  bind_text(*items, 1, id);
  items->exec();
  auto st = prepare("DELETE FROM sessions WHERE id = ?");
  bind_text(*st, 1, id);
  st->exec();
}

}  // namespace dialer::store
