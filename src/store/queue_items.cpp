// The queue_items table.
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "changed_columns.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;
namespace {

#define ITEM_COLUMNS                                                                                    \
  "id, session_id, seq, contact_id, name, phone, timezone, status, priority, boosted, attempts, "      \
  "max_attempts, last_outcome, next_attempt_at, was_contacted, was_answered, blocked_reason"

queue_item_record read_item(SQLite::Statement& st) {
  queue_item_record q;
  q.id = st.getColumn(0).getString();
  q.session_id = st.getColumn(1).getString();
  q.seq = st.getColumn(2).getInt64();
  q.contact_id = text(st.getColumn(3));
  q.name = text(st.getColumn(4));
  q.phone = st.getColumn(5).getString();
  q.timezone = text(st.getColumn(6));
  auto& s = q.state;
  s.status = domain::item_status_from(st.getColumn(7).getString()).value_or(domain::item_status::failed);
  q.priority = st.getColumn(8).getInt();
  s.boosted = st.getColumn(9).getInt() != 0;
  s.attempts = st.getColumn(10).getInt();
  s.max_attempts = st.getColumn(11).getInt();
  s.last_outcome = domain::outcome_from(text(st.getColumn(12))).value_or(domain::outcome::none);
  s.next_attempt_at_ms = opt_int(st.getColumn(13));
  s.was_contacted = st.getColumn(14).getInt() != 0;
  s.was_answered = st.getColumn(15).getInt() != 0;
  s.blocked = domain::hold_reason_from(text(st.getColumn(16))).value_or(domain::hold_reason::none);
  return q;
}

void bind_item(SQLite::Statement& st, const queue_item_record& q) {
  const auto& s = q.state;
  bind_text(st, 1, q.session_id);
  st.bind(2, static_cast<std::int64_t>(q.seq));
  bind_text_or_null(st, 3, q.contact_id);
  bind_text_or_null(st, 4, q.name);
  bind_text(st, 5, q.phone);
  bind_text_or_null(st, 6, q.timezone);
  bind_text(st, 7, domain::to_string(s.status));
  st.bind(8, q.priority);
  st.bind(9, s.boosted ? 1 : 0);
  st.bind(10, s.attempts);
  st.bind(11, s.max_attempts);
  bind_text_or_null(st, 12, domain::to_string(s.last_outcome));
  bind_opt(st, 13, s.next_attempt_at_ms);
  st.bind(14, s.was_contacted ? 1 : 0);
  st.bind(15, s.was_answered ? 1 : 0);
  bind_text_or_null(st, 16, domain::to_string(s.blocked));
  bind_text(st, 17, q.id);
}

}  // namespace

void store::insert_item(const queue_item_record& q) {
  auto st = prepare(
      "INSERT INTO queue_items(session_id, seq, contact_id, name, phone, timezone, status, priority, boosted, "
      "attempts, max_attempts, last_outcome, next_attempt_at, was_contacted, was_answered, blocked_reason, id) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  bind_item(*st, q);
  st->exec();
}

void store::update_item(const queue_item_record& q) {
  // In bind_item's order.
  static const row_columns columns(
      "queue_items", {"session_id", "seq", "contact_id", "name", "phone", "timezone", "status", "priority", "boosted",
                      "attempts", "max_attempts", "last_outcome", "next_attempt_at", "was_contacted", "was_answered",
                      "blocked_reason"});
  update_changed(columns, [&q](SQLite::Statement& st) { bind_item(st, q); });
}

std::optional<queue_item_record> store::get_item(std::string_view id) {
  auto st = prepare("SELECT " ITEM_COLUMNS " FROM queue_items WHERE id = ?");
  bind_text(*st, 1, id);
  if (!st->executeStep()) return std::nullopt;
  return read_item(*st);
}

std::vector<queue_item_record> store::list_items(std::string_view session_id) {
  auto st = prepare("SELECT " ITEM_COLUMNS " FROM queue_items WHERE session_id = ? "
                     "ORDER BY CASE status WHEN 'calling' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, "
                     "boosted DESC, priority DESC, seq");
  bind_text(*st, 1, session_id);
  std::vector<queue_item_record> out;
  while (st->executeStep()) out.push_back(read_item(*st));
  return out;
}

std::optional<queue_item_record> store::next_dialable(std::string_view session_id, std::int64_t now_ms) {
  auto st = prepare("SELECT " ITEM_COLUMNS " FROM queue_items "
                     "WHERE session_id = ? AND status = 'pending' AND attempts < max_attempts "
                     "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
                     "ORDER BY boosted DESC, priority DESC, seq LIMIT 1");
  bind_text(*st, 1, session_id);
  st->bind(2, static_cast<std::int64_t>(now_ms));
  if (!st->executeStep()) return std::nullopt;
  return read_item(*st);
}

std::optional<std::int64_t> store::next_retry_at(std::string_view session_id) {
  // In queue_retry_due's order: the first pending item with attempts left is the earliest.
  auto st = prepare("SELECT next_attempt_at FROM queue_items WHERE session_id = ? AND status = 'pending' "
                     "AND next_attempt_at IS NOT NULL AND attempts < max_attempts ORDER BY next_attempt_at LIMIT 1");
  bind_text(*st, 1, session_id);
  if (!st->executeStep()) return std::nullopt;
  return opt_int(st->getColumn(0));
}

bool store::has_open_items(std::string_view session_id) {
  auto st = prepare("SELECT EXISTS(SELECT 1 FROM queue_items WHERE session_id = ? AND status IN ('pending', 'calling'))");
  bind_text(*st, 1, session_id);
  return st->executeStep() && st->getColumn(0).getInt() != 0;
}

queue_counts store::count_items(std::string_view session_id) {
  auto st = prepare("SELECT status, COUNT(*) FROM queue_items WHERE session_id = ? GROUP BY status");
  bind_text(*st, 1, session_id);
  queue_counts c;
  while (st->executeStep()) {
    auto status = domain::item_status_from(st->getColumn(0).getString());
    auto n = st->getColumn(1).getInt64();
    if (!status) continue;
    switch (*status) {
      case domain::item_status::pending: c.pending = n; break;
      case domain::item_status::calling: c.calling = n; break;
      case domain::item_status::completed: c.completed = n; break;
      case domain::item_status::failed: c.failed = n; break;
      case domain::item_status::cancelled: c.cancelled = n; break;
    }
  }
  return c;
}

bool store::has_phone(std::string_view session_id, std::string_view phone) {
  auto st = prepare("SELECT 1 FROM queue_items WHERE session_id = ? AND phone = ?");
  bind_text(*st, 1, session_id);
  bind_text(*st, 2, phone);
  return st->executeStep();
}

std::int64_t store::next_seq(std::string_view session_id) {
  auto st = prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM queue_items WHERE session_id = ?");
  bind_text(*st, 1, session_id);
  st->executeStep();
  return st->getColumn(0).getInt64();
}

}  // namespace dialer::store
