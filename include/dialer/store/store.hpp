// The SQLite store: the only code that knows SQL. One connection, owned by the engine's thread; WAL,
// checkpointed by a thread of the store's own (wal_checkpointer) and, with synchronous FULL, synced by
// another (wal_syncer); prepared statements reused. Writes happen inside a transaction opened with
// begin() (a write outside one would not be synced); every method throws SQLite::Exception on a
// database error (the caller maps it to 503 and nothing is committed).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/domain/pacing.hpp"
#include "dialer/store/compliance_records.hpp"
#include "dialer/store/crm_outbox.hpp"
#include "dialer/store/records.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace dialer::store {
namespace detail {
class row_columns;
class wal_checkpointer;
class wal_syncer;
}

inline constexpr int schema_version = 1;

class store {
 public:
  // Opens (creating if needed) the database at `path`, sets WAL and `synchronous` ("FULL"|"NORMAL"),
  // applies schema.sql and checks the schema version. Throws std::runtime_error naming the problem.
  // FULL in WAL mode is kept by the store itself (wal_syncer.hpp): the connection runs at NORMAL and
  // commit() returns after an fdatasync of the WAL, or commit_leaving_sync() leaves it to after_durable().
  store(const std::string& path, std::string_view synchronous = "FULL");
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  // A write transaction; rolled back unless commit() is called. Transactions nest: begin() while one
  // is open starts a SAVEPOINT inside it, whose commit() only releases it into the outer one (nothing
  // is durable before the outermost commit) and whose rollback undoes just its own writes. Nested
  // transactions end in the reverse order of their begin(). begin() throws when the outer transaction
  // was already rolled back by SQLite (a full disk or I/O error), so no later write runs outside it.
  class transaction {
   public:
    ~transaction();
    transaction(transaction&& other) noexcept;
    transaction& operator=(transaction&&) = delete;
    // Durable when it returns (for the outermost transaction with synchronous FULL).
    void commit();
    // The outermost commit, written (it survives a crash of the process) but with its fdatasync left
    // to the caller: nothing of it may be shown outside (a reply, a command) before after_durable()
    // says so. The same as commit() when the store syncs nothing itself (see syncs_in_background()).
    void commit_leaving_sync();

   private:
    friend class store;
    transaction(store& owner, int depth);
    void rollback() noexcept;
    store* owner_;
    int depth_;  // 1: the outermost BEGIN ... COMMIT; deeper: SAVEPOINT sp<depth>
  };
  transaction begin();
  // True while a transaction is open.
  bool in_transaction() const { return depth_ > 0; }
  // True when commit_leaving_sync() leaves an fdatasync to wait for (synchronous FULL in WAL mode).
  bool syncs_in_background() const { return syncer_ != nullptr; }
  // Only when syncs_in_background(): `done` runs on the store's sync thread once every commit made so
  // far is on disk, in the order given. It must only hand work to the caller's own thread.
  void after_durable(std::function<void()> done);
  // No after_durable() callback given before this call runs after it returns.
  void drop_durable_callbacks();

  // True when a trivial query succeeds.
  bool healthy();

  // Sessions.
  void insert_session(const session_record& s);
  void update_session(const session_record& s);
  std::optional<session_record> get_session(std::string_view id);
  std::vector<session_record> list_sessions(const session_filter& f);
  std::vector<session_record> active_sessions();  // running or paused
  std::optional<session_record> active_session_of_agent(std::string_view agent_id);  // running or paused
  void delete_session(std::string_view id);        // with its queue items and calls

  // Queue items.
  void insert_item(const queue_item_record& item);
  void update_item(const queue_item_record& item);
  std::optional<queue_item_record> get_item(std::string_view id);
  std::vector<queue_item_record> list_items(std::string_view session_id);  // in dial order
  // The next item to dial: pending, attempts left, due by now_ms; boosted, then priority, then seq.
  std::optional<queue_item_record> next_dialable(std::string_view session_id, std::int64_t now_ms);
  // The earliest next_attempt_at of pending items still waiting (for the retry timer).
  std::optional<std::int64_t> next_retry_at(std::string_view session_id);
  queue_counts count_items(std::string_view session_id);  // reads every item of the session
  // True while the session has an item pending or calling: an index seek, cheap on any queue size.
  bool has_open_items(std::string_view session_id);
  bool has_phone(std::string_view session_id, std::string_view phone);
  std::int64_t next_seq(std::string_view session_id);

  // Calls.
  void insert_call(const call_record& c);
  void update_call(const call_record& c);
  std::optional<call_record> get_call(std::string_view id);
  std::optional<call_record> find_call_by_control_id(std::string_view call_control_id);
  std::vector<call_record> list_session_calls(std::string_view session_id, int limit);  // newest first
  std::vector<call_record> list_recent_calls(int limit);                                // newest first
  std::vector<call_record> live_calls();  // not ended, any session
  std::vector<call_record> live_calls_of_session(std::string_view session_id);
  // Live calls with a call_control_id that heard nothing for too long (the lost-webhook sweep): ringing
  // or dialing and started before `ringing_started_before_ms`, or answered (not bridged) before
  // `answered_before_ms`. Reads only those rows, however many calls are live.
  std::vector<call_record> calls_due_for_status_check(std::int64_t ringing_started_before_ms,
                                                      std::int64_t answered_before_ms);

  // Manual calls (manual_calls.cpp).
  void insert_manual_call(const manual_call_record& m);
  // The manual call whose customer leg or agent leg is `call_id`; nullopt when neither.
  std::optional<manual_call_record> find_manual_call(std::string_view call_id);

  // Records a webhook id; false when it was already recorded (a duplicate).
  bool record_webhook(std::string_view id, std::string_view event_type, std::string_view call_control_id,
                      std::int64_t now_ms);

  // Agents (a missing row reads as offline).
  agent_record get_agent(std::string_view id);
  void put_agent(const agent_record& a);

  // CRM push outbox (crm_outbox.cpp).
  // Inserts a pending row due at once (created_at = next_attempt_at = now_ms) and returns its seq.
  // Throws on a duplicate event_id.
  std::int64_t insert_outbox(std::string_view event_id, std::string_view event_type, std::string_view body,
                             std::int64_t now_ms);
  // Writes state, attempts, next_attempt_at, finished_at and last_error of the row `r.seq`.
  void update_outbox(const outbox_record& r);
  std::optional<outbox_record> get_outbox(std::string_view event_id);
  // Pending rows due by now_ms, earliest due first (then seq), at most `limit`.
  std::vector<outbox_record> due_outbox(std::int64_t now_ms, int limit);
  // The earliest next_attempt_at of pending rows, or nullopt when none is pending.
  std::optional<std::int64_t> next_outbox_at();
  outbox_counts count_outbox();
  // Deletes delivered rows finished before `before_ms`; returns how many. Pending and failed rows stay.
  int prune_outbox(std::int64_t before_ms);

  // Do-not-call list (dnc.cpp) and per-number dial counts (calls.cpp), SPEC §10. Phones are compared as
  // stored: the API normalises them before they get here.
  // Adds `phone` at now_ms; false when it was listed already (its first added_at stays).
  bool add_dnc(std::string_view phone, std::int64_t now_ms);
  // Removes `phone`; false when it was not listed.
  bool remove_dnc(std::string_view phone);
  bool is_dnc(std::string_view phone);
  // Listed numbers in ascending order, those after `after` only (empty: from the first), at most `limit`.
  std::vector<dnc_entry> list_dnc(std::string_view after, int limit);
  std::optional<dnc_entry> get_dnc(std::string_view phone);
  // Dials to `phone` (customer and manual attempts whose dial was sent, any session) started after
  // since_ms; and the start of the n-th oldest of them (0: the oldest), nullopt when there are fewer.
  std::int64_t count_dials_since(std::string_view phone, std::int64_t since_ms);
  std::optional<std::int64_t> nth_dial_since(std::string_view phone, std::int64_t since_ms, std::int64_t n);
  // Up to `limit` calls of every kind in dial order from `range` (GET /api/calls/export reads them page
  // by page, so no statement or snapshot stays open between pages).
  call_page calls_in_range(const call_range& range, int limit);

  // Statistics recounted from the calls table (tests and audits compare them to the counters).
  session_stats recount_stats(std::string_view session_id);
  // The same statistics summed over sessions, recounted from the calls table (GET /api/stats).
  stats_total sum_stats(const stats_filter& f);
  // Campaigns (campaigns.cpp). The tally of the campaign's ended customer attempts that Telnyx placed
  // (a call_control_id) and that started at or after since_ms: dials, person answers, drops (the rule
  // of domain::counts_as_drop). Zeros for a campaign without calls.
  domain::campaign_tally campaign_tally(std::string_view campaign_id, std::int64_t since_ms);
  // True when at least one session (of any status) belongs to the campaign.
  bool has_campaign(std::string_view campaign_id);
  // Stored calls by kind and outcome (/metrics).
  std::vector<outcome_count> count_calls_by_outcome();
  // Ended drops and voicemails by what their recorded message did (/metrics; call_messages.cpp).
  message_counts count_messages(std::int64_t late_after_ms);

 private:
  // A cached prepared statement, reset when the handle goes out of scope so no read snapshot stays
  // open between calls (an un-reset statement would pin the WAL and hide other connections' commits).
  struct statement_resetter {
    void operator()(SQLite::Statement* st) const;
  };
  using statement_handle = std::unique_ptr<SQLite::Statement, statement_resetter>;
  statement_handle prepare(const char* sql);
  std::unique_ptr<SQLite::Database> db_;
  int depth_ = 0;  // open transactions (outermost plus savepoints)
  std::map<const char*, std::unique_ptr<SQLite::Statement>> statements_;
  // BEGIN, COMMIT, SAVEPOINT spN, RELEASE spN, by text.
  void run_control(const std::string& sql);
  std::map<std::string, std::unique_ptr<SQLite::Statement>, std::less<>> control_statements_;
  // Writes to the row of `columns`' table that `bind` names (?N+1) only the columns whose new value
  // (?1..?N) differs from the stored one (changed_columns.hpp); nothing when none differs or the row is absent.
  void update_changed(const detail::row_columns& columns, const std::function<void(SQLite::Statement&)>& bind);
  // The UPDATE of each table and set of changed columns, prepared once.
  std::map<std::pair<const detail::row_columns*, std::uint64_t>, std::unique_ptr<SQLite::Statement>> updates_;
  std::unique_ptr<detail::wal_checkpointer> checkpointer_;  // destroyed first: it uses db_'s handle
  std::unique_ptr<detail::wal_syncer> syncer_;              // null unless FULL in WAL mode
};

}  // namespace dialer::store
