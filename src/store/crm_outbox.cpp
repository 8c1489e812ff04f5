// The CRM push outbox: rows written in the engine's transactions, read and updated by the dispatcher.
#include "dialer/store/crm_outbox.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "dialer/store/store.hpp"
#include "sql_util.hpp"

namespace dialer::store {
using namespace detail;

std::string_view to_string(outbox_state s) {
  switch (s) {
    case outbox_state::pending: return "pending";
    case outbox_state::delivered: return "delivered";
    case outbox_state::failed: return "failed";
  }
  return "pending";
}

std::optional<outbox_state> outbox_state_from(std::string_view s) {
  for (auto v : {outbox_state::pending, outbox_state::delivered, outbox_state::failed})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

namespace {

constexpr const char* outbox_columns =
    "seq, event_id, event_type, body, state, attempts, next_attempt_at, created_at, finished_at, last_error";

outbox_record read_outbox(SQLite::Statement& st) {
  outbox_record r;
  r.seq = st.getColumn(0).getInt64();
  r.event_id = st.getColumn(1).getString();
  r.event_type = st.getColumn(2).getString();
  r.body = st.getColumn(3).getString();
  r.state = outbox_state_from(st.getColumn(4).getString()).value_or(outbox_state::failed);
  r.attempts = st.getColumn(5).getInt();
  r.next_attempt_at_ms = st.getColumn(6).getInt64();
  r.created_at_ms = st.getColumn(7).getInt64();
  r.finished_at_ms = opt_int(st.getColumn(8));
  r.last_error = text(st.getColumn(9));
  return r;
}

}  // namespace

std::int64_t store::insert_outbox(std::string_view event_id, std::string_view event_type, std::string_view body,
                                  std::int64_t now_ms) {
  auto st = prepare(
      "INSERT INTO crm_outbox(event_id, event_type, body, next_attempt_at, created_at) VALUES (?,?,?,?,?)");
  bind_text(*st, 1, event_id);
  bind_text(*st, 2, event_type);
  bind_text(*st, 3, body);
  st->bind(4, static_cast<std::int64_t>(now_ms));
  st->bind(5, static_cast<std::int64_t>(now_ms));
  st->exec();
  return db_->getLastInsertRowid();
}

void store::update_outbox(const outbox_record& r) {
  auto st = prepare(
      "UPDATE crm_outbox SET state = ?, attempts = ?, next_attempt_at = ?, finished_at = ?, last_error = ? "
      "WHERE seq = ?");
  bind_text(*st, 1, to_string(r.state));
  st->bind(2, r.attempts);
  st->bind(3, static_cast<std::int64_t>(r.next_attempt_at_ms));
  bind_opt(*st, 4, r.finished_at_ms);
  bind_text_or_null(*st, 5, r.last_error);
  st->bind(6, static_cast<std::int64_t>(r.seq));
  st->exec();
}

std::optional<outbox_record> store::get_outbox(std::string_view event_id) {
  static const std::string sql = std::string("SELECT ") + outbox_columns + " FROM crm_outbox WHERE event_id = ?";
  auto st = prepare(sql.c_str());
  bind_text(*st, 1, event_id);
  if (!st->executeStep()) return std::nullopt;
  return read_outbox(*st);
}

std::vector<outbox_record> store::due_outbox(std::int64_t now_ms, int limit) {
  static const std::string sql = std::string("SELECT ") + outbox_columns +
                                 " FROM crm_outbox WHERE state = 'pending' AND next_attempt_at <= ? "
                                 "ORDER BY next_attempt_at, seq LIMIT ?";
  auto st = prepare(sql.c_str());
  st->bind(1, static_cast<std::int64_t>(now_ms));
  st->bind(2, limit);
  std::vector<outbox_record> out;
  while (st->executeStep()) out.push_back(read_outbox(*st));
  return out;
}

std::optional<std::int64_t> store::next_outbox_at() {
  auto st = prepare("SELECT MIN(next_attempt_at) FROM crm_outbox WHERE state = 'pending'");
  if (!st->executeStep()) return std::nullopt;
  return opt_int(st->getColumn(0));
}

outbox_counts store::count_outbox() {
  auto st = prepare("SELECT state, COUNT(*) FROM crm_outbox GROUP BY state");
  outbox_counts c;
  while (st->executeStep()) {
    const auto n = st->getColumn(1).getInt64();
    switch (outbox_state_from(st->getColumn(0).getString()).value_or(outbox_state::failed)) {
      case outbox_state::pending: c.pending += n; break;
      case outbox_state::delivered: c.delivered += n; break;
      case outbox_state::failed: c.failed += n; break;
    }
  }
  return c;
}

int store::prune_outbox(std::int64_t before_ms) {
  auto st = prepare("DELETE FROM crm_outbox WHERE state = 'delivered' AND finished_at < ?");
  st->bind(1, static_cast<std::int64_t>(before_ms));
  return st->exec();
}

}  // namespace dialer::store
