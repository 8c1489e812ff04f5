// Opening the database, schema and transactions, plus the small tables (webhook ids, agents).
#include "dialer/store/store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "changed_columns.hpp"
#include "sql_util.hpp"
#include "wal_checkpointer.hpp"
#include "wal_syncer.hpp"

namespace dialer::store {
extern const char* const schema_sql;  // generated from schema.sql
using namespace detail;

namespace {
std::string savepoint_name(int depth) { return "sp" + std::to_string(depth); }
}  // namespace

store::transaction store::begin() {
  if (depth_ == 0) {
    run_control("BEGIN");
  } else {
    if (sqlite3_get_autocommit(db_->getHandle()) != 0)
      throw std::runtime_error("the transaction was rolled back by the database; nothing more is written in it");
    run_control("SAVEPOINT " + savepoint_name(depth_ + 1));
  }
  return transaction(*this, ++depth_);
}

store::transaction::transaction(store& owner, int depth) : owner_(&owner), depth_(depth) {}

store::transaction::transaction(transaction&& other) noexcept : owner_(other.owner_), depth_(other.depth_) {
  other.owner_ = nullptr;
}

store::transaction::~transaction() {
  if (owner_ != nullptr) rollback();
}

void store::transaction::commit() {
  const bool outermost = depth_ == 1;
  auto* owner = owner_;
  commit_leaving_sync();
  if (outermost && owner->syncer_) owner->syncer_->sync_now();
}

void store::after_durable(std::function<void()> done) {
  if (!syncer_) throw std::logic_error("after_durable() without a background sync");
  syncer_->sync_then(std::move(done));
}

void store::drop_durable_callbacks() {
  if (syncer_) syncer_->drop_callbacks();
}

void store::transaction::commit_leaving_sync() {
  if (owner_ == nullptr) throw std::logic_error("commit of a transaction that already ended");
  if (owner_->depth_ != depth_) throw std::logic_error("transactions must end in the reverse order of begin()");
  try {
    owner_->run_control(depth_ == 1 ? std::string("COMMIT") : "RELEASE " + savepoint_name(depth_));
  } catch (...) {
    rollback();  // a failed COMMIT (busy, full) can leave the transaction open: end it
    throw;
  }
  --owner_->depth_;
  owner_ = nullptr;
}

void store::transaction::rollback() noexcept {
  auto& db = *owner_->db_;
  try {
    if (depth_ == 1) {
      if (sqlite3_get_autocommit(db.getHandle()) == 0) db.exec("ROLLBACK");
    } else if (sqlite3_get_autocommit(db.getHandle()) == 0) {
      db.exec("ROLLBACK TO " + savepoint_name(depth_) + "; RELEASE " + savepoint_name(depth_));
    }
  } catch (const std::exception&) {
    // Already rolled back by SQLite (a full disk or I/O error ends the transaction itself).
  }
  owner_->depth_ = depth_ - 1;
  owner_ = nullptr;
}

namespace {

// Columns added after a table first shipped: CREATE TABLE IF NOT EXISTS leaves an existing table as it
// is, so a database made by an older dialerd gets them here. Append new columns; never reorder.
struct added_column {
  const char* table;
  const char* column;
  const char* declaration;
  const char* then = nullptr;  // SQL run once the column exists (an index on it), or nullptr
};
constexpr added_column added_columns[] = {
    {"queue_items", "blocked_reason", "TEXT"},
    {"sessions", "campaign_id", "TEXT NOT NULL DEFAULT 'default'",
     "CREATE INDEX IF NOT EXISTS sessions_by_campaign ON sessions(campaign_id)"},
    {"calls", "message_kind", "TEXT"},
    {"calls", "message_phase", "TEXT"},
    {"calls", "message_played", "INTEGER NOT NULL DEFAULT 0"},
    {"calls", "message_at", "INTEGER"},
    {"calls", "message_status", "TEXT"},
};

void add_missing_columns(SQLite::Database& db) {
  for (const auto& c : added_columns) {
    SQLite::Statement probe(db, std::string("SELECT 1 FROM pragma_table_info('") + c.table + "') WHERE name = ?");
    probe.bind(1, c.column);
    if (!probe.executeStep())
      db.exec(std::string("ALTER TABLE ") + c.table + " ADD COLUMN " + c.column + " " + c.declaration);
    if (c.then) db.exec(c.then);
  }
}

}  // namespace

store::store(const std::string& path, std::string_view synchronous) {
  if (synchronous != "FULL" && synchronous != "NORMAL")
    throw std::runtime_error("database synchronous mode must be FULL or NORMAL");
  try {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // dialerd is the only writer, so a lock held elsewhere (a backup, an operator's sqlite3 shell) is
    // worth only a short wait: the connection's thread also serves every webhook and API request, and
    // 2 s per blocked write stalled them all (Telnyx retries after 2 s). A write that gives up throws:
    // webhooks and the API answer 503 and are retried.
    db_->setBusyTimeout(200);
    const bool wal = db_->execAndGet("PRAGMA journal_mode=WAL").getString() == "wal";
    // FULL in WAL mode: NORMAL for the connection, the fdatasync of each commit done by syncer_.
    db_->exec("PRAGMA synchronous=" + std::string(wal ? std::string_view("NORMAL") : synchronous));
    // Measured at 250 sessions x 4 lines (scripts/bench --full --rows latency, /proc/<pid>/io): with
    // SQLite's default 2 MiB page cache the engine re-read ~12 pages per webhook from the OS (pread);
    // 32 MiB holds a calling day's working set. temp_store=MEMORY keeps each batch's savepoint journal
    // in memory: past 64 KiB SQLite spilled it to a temporary file (open, unlink, writes, close) in
    // most batches. Together: 14 -> 6 reads, 53 -> 38 writes and 946 -> 711 us of CPU per webhook.
    db_->exec("PRAGMA cache_size=-32768");
    db_->exec("PRAGMA temp_store=MEMORY");
    // Refuse a newer database before touching it: applying our schema could alter its layout.
    if (db_->tableExists("schema_version")) {
      SQLite::Statement v(*db_, "SELECT version FROM schema_version LIMIT 1");
      if (v.executeStep() && v.getColumn(0).getInt() > schema_version)
        throw std::runtime_error("database " + path + " has schema version " + v.getColumn(0).getString() +
                                 ", newer than this dialerd understands (" + std::to_string(schema_version) + ")");
    }
    db_->exec(schema_sql);
    add_missing_columns(*db_);
    SQLite::Statement v(*db_, "SELECT version FROM schema_version LIMIT 1");
    if (!v.executeStep())
      db_->exec("INSERT INTO schema_version(version) VALUES (" + std::to_string(schema_version) + ")");
    if (wal) checkpointer_ = std::make_unique<wal_checkpointer>(db_->getHandle(), path);
    if (wal && synchronous == "FULL") {
      syncer_ = std::make_unique<wal_syncer>(path + "-wal");
      syncer_->sync_now();  // the schema's writes above
    }
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("cannot open database " + path + ": " + e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    throw std::runtime_error("cannot create the database directory for " + path + ": " + e.what());
  }
}

store::~store() {
  checkpointer_.reset();
  statements_.clear();  // finalize statements before the connection closes
  control_statements_.clear();
}


void store::statement_resetter::operator()(SQLite::Statement* st) const {
  try {
    st->reset();
  } catch (const SQLite::Exception&) {
    // reset() reports the last step's error again; it was already thrown to the caller.
  }
}

// Prepared once: sqlite3_exec would parse "SAVEPOINT sp2" again for every nested transaction (about
// 5% of dialerd's instructions per webhook, callgrind).
void store::run_control(const std::string& sql) {
  auto it = control_statements_.find(sql);
  if (it == control_statements_.end())
    it = control_statements_.emplace(sql, std::make_unique<SQLite::Statement>(*db_, sql)).first;
  statement_handle st(it->second.get());  // reset afterwards, also when exec() throws
  st->exec();
}

store::statement_handle store::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) it = statements_.emplace(sql, std::make_unique<SQLite::Statement>(*db_, sql)).first;
  auto& st = *it->second;
  st.reset();
  st.clearBindings();
  return statement_handle(&st);
}

void store::update_changed(const row_columns& columns, const std::function<void(SQLite::Statement&)>& bind) {
  std::uint64_t changed = 0;
  {
    auto diff = prepare(columns.diff_sql().c_str());
    bind(*diff);
    if (!diff->executeStep()) return;
    changed = static_cast<std::uint64_t>(diff->getColumn(0).getInt64());
  }
  if (changed == 0) return;
  auto& cached = updates_[{&columns, changed}];
  if (!cached) cached = std::make_unique<SQLite::Statement>(*db_, columns.update_sql(changed));
  cached->reset();
  cached->clearBindings();
  statement_handle update(cached.get());
  bind(*update);
  update->exec();
}

bool store::healthy() {
  try {
    auto st = prepare("SELECT 1");
    return st->executeStep();
  } catch (const SQLite::Exception&) {
    return false;
  }
}

bool store::record_webhook(std::string_view id, std::string_view event_type, std::string_view call_control_id,
                           std::int64_t now_ms) {
  auto st = prepare(
      "INSERT OR IGNORE INTO webhook_events(id, event_type, call_control_id, received_at) VALUES (?,?,?,?)");
  bind_text(*st, 1, id);
  bind_text(*st, 2, event_type);
  bind_text_or_null(*st, 3, call_control_id);
  st->bind(4, static_cast<std::int64_t>(now_ms));
  return st->exec() == 1;
}

agent_record store::get_agent(std::string_view id) {
  auto st = prepare(
      "SELECT state, busy, session_id, leg_call_id, talking_call_id, wrap_up_until FROM agents WHERE id = ?");
  bind_text(*st, 1, id);
  agent_record a;
  a.id = std::string(id);
  if (st->executeStep()) {
    a.state = domain::agent_state_from(st->getColumn(0).getString()).value_or(domain::agent_state::offline);
    a.busy = st->getColumn(1).getInt() != 0;
    a.session_id = text(st->getColumn(2));
    a.leg_call_id = text(st->getColumn(3));
    a.talking_call_id = text(st->getColumn(4));
    a.wrap_up_until_ms = opt_int(st->getColumn(5));
  }
  return a;
}

void store::put_agent(const agent_record& a) {
  auto st = prepare(
      "INSERT INTO agents(id, state, busy, session_id, leg_call_id, talking_call_id, wrap_up_until) "
      "VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET state=excluded.state, busy=excluded.busy, "
      "session_id=excluded.session_id, leg_call_id=excluded.leg_call_id, "
      "talking_call_id=excluded.talking_call_id, wrap_up_until=excluded.wrap_up_until");
  bind_text(*st, 1, a.id);
  bind_text(*st, 2, domain::to_string(a.state));
  st->bind(3, a.busy ? 1 : 0);
  bind_text_or_null(*st, 4, a.session_id);
  bind_text_or_null(*st, 5, a.leg_call_id);
  bind_text_or_null(*st, 6, a.talking_call_id);
  bind_opt(*st, 7, a.wrap_up_until_ms);
  st->exec();
}

}  // namespace dialer::store
