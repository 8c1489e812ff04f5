// The engine's private state and the operations its .cpp files share (engine-internal).
#pragma once
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dialer/domain/agent_machine.hpp"
#include "dialer/domain/call_machine.hpp"
#include "dialer/engine/crm_push.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/engine/events.hpp"
#include "pacing.hpp"

namespace dialer::engine {

// Telnyx ignores a repeated dial command_id for 60 s: within this much of the first send, a dial
// whose reply was lost can be re-sent as it was without risking a second call.
constexpr std::int64_t dial_resend_window_ms = 50'000;

// Work decided inside a transaction, done only after it commits.
struct effects {
  // A Telnyx command to send.
  struct command {
    // What to send.
    enum class kind {
      dial,      // POST /calls
      bridge,    // actions/bridge on the agent leg
      hangup,    // actions/hangup
      answer,    // actions/answer (an incoming call)
      transfer,  // actions/transfer to `target` (an answered incoming call)
      reject,    // actions/reject with cause `target` (an incoming call)
      message,   // actions/speak or actions/playback_start: the call's drop or voicemail message
    } type;
    store::call_record call;     // the call the command is about (customer leg for bridge)
    std::string agent_leg_ccid;  // bridge: the agent leg, in whose URL the bridge is sent
    std::string target = {};     // transfer: destination; reject: cause
  };
  std::vector<command> commands;
  std::set<std::string> pump_sessions;                          // sessions that may dial more
  std::vector<std::pair<std::string, std::int64_t>> wrap_ups;  // agent id, wrap-up end (ms)
  std::vector<event> events;                                   // published after the commit
  // A settled customer call, added to its campaign's cached tally after the commit.
  struct settled_count {
    std::string campaign_id, session_id;
    domain::campaign_tally delta;
  };
  std::vector<settled_count> settled_counts;
};

// What the engine keeps in memory for a running or paused session.
struct session_runtime {
  std::map<std::string, std::string> lines;  // caller number in use -> customer call id
  std::unique_ptr<net::steady_timer> retry_timer;
};

struct engine::impl {
  impl(net::any_io_executor ex, const config::config& cfg, store::store& db, telnyx::rest_client& telnyx,
       const clock& clk, id_generator& ids);

  net::any_io_executor ex_;
  const config::config& cfg_;
  store::store& db_;
  telnyx::rest_client& telnyx_;
  const clock& clock_;
  id_generator& ids_;
  std::map<std::string, session_runtime> runtimes_;
  std::map<std::string, std::unique_ptr<net::steady_timer>> wrap_up_timers_;
  net::steady_timer throttle_timer_;
  bool throttle_armed_ = false;
  std::set<std::string> throttled_sessions_;  // refused a dial slot: pumped again when the window has room
  std::deque<std::chrono::steady_clock::time_point> recent_dials_;  // dials taken in the last pacing window
  bool stopping_ = false;
  event_bus events_;
  std::unique_ptr<crm_push> crm_;  // set when the config has a crm block

  std::int64_t now_ms() const { return to_unix_ms(clock_.now()); }
  session_runtime& runtime(const std::string& session_id) { return runtimes_[session_id]; }

  // dialing.cpp
  void pump(const std::string& session_id);       // never throws: a failure is logged and retried in 1 s
  void pump_once(const std::string& session_id);  // throws on a database error
  void pump_later(const std::string& session_id);  // pump again in 1 s (after a database error)
  void pump_all();  // every running session, in one batch
  bool take_dial_slot(const std::string& session_id);  // false: wait (the session is pumped again later)
  void place_customer_dial(store::session_record& s, store::queue_item_record& item, const std::string& from);
  void place_agent_dial(store::session_record& s, effects& fx);
  void check_completion(store::session_record& s, effects& fx);
  void arm_retry_timer(const std::string& session_id);
  std::string make_client_state(const store::call_record& c, int attempt) const;

  // pacing.cpp (SPEC §10): campaigns' 30-day abandon tallies and the lines a session dials.
  campaign_cache campaigns_;
  int effective_lines(const store::session_record& s);  // (re)loads a stale tally only outside a transaction
  // The session's pacing view; inside a transaction (may_load false) an uncached campaign is counted
  // by SQL without caching it, since the open transaction's writes are not committed yet.
  session_pacing pacing_of(const store::session_record& s, bool may_load);
  // Counts a settled customer call in its campaign after `fx` commits (apply_settled_count, from run()).
  void count_settled_call(const store::session_record& s, const store::call_record& call, effects& fx);
  // Adds it to the cached tally; emits compliance.warning when the rate crosses the warning level.
  void apply_settled_count(const effects::settled_count& c);

  // dispatch_gates.cpp: the compliance checks an item passes at dispatch time (SPEC §10).
  struct dispatch_hold {
    domain::hold_reason reason = domain::hold_reason::none;
    std::int64_t until_ms = 0;  // the item waits until then (later than now)
  };
  // Why `item` may not be dialed now, or nullopt when it may. Reads the database; writes nothing.
  std::optional<dispatch_hold> dispatch_hold_for(const store::session_record& s, const store::queue_item_record& item);
  // When dispatch_hold_for holds `item`, makes it wait (committed, queue.updated) and returns true.
  bool hold_if_blocked(const store::session_record& s, store::queue_item_record& item);
  // Writes `item` in its own transaction (+ queue.updated) and runs the effects.
  void commit_item(const store::queue_item_record& item);

  // dnc.cpp: the do-not-call gate. refuse_if_listed: when item's number is listed, the item fails
  // with outcome dnc (committed, queue.updated) and true is returned; it is never dialed.
  // mark_if_listed: the same for an item about to be inserted (inside the caller's transaction).
  // list_if_do_not_call: a call given the do_not_call disposition lists its customer's number.
  bool refuse_if_listed(const store::session_record& s, store::queue_item_record& item);
  void mark_if_listed(store::queue_item_record& item);
  void list_if_do_not_call(const store::call_record& call);
  // daily_cap.cpp: the max_calls_per_number_24h gate of dispatch_hold_for.
  std::optional<dispatch_hold> daily_cap_hold(const store::queue_item_record& item);
  // When `phone` may be dialed again under compliance.max_calls_per_number_24h; nullopt: now (or no cap).
  std::optional<std::int64_t> daily_cap_reopens_at(const std::string& phone);

  // sessions.cpp: inside an open transaction; skips numbers already queued (or twice in `contacts`)
  add_contacts_result insert_contacts(const store::session_record& s, const checked_contacts& contacts);

  // Queues a live event inside the open transaction; run() publishes it after the commit. With CRM
  // push on, a pushed type is also written to the outbox in that transaction.
  void emit(effects& fx, std::string type, std::string session_id, std::string data_json);
  // event_points.cpp: inside an open transaction, write a record and queue its live event.
  void save_session(const store::session_record& s, effects& fx);  // + session.updated
  void save_item(const store::queue_item_record& q, effects& fx);  // + queue.updated
  void emit_call_updated(const store::call_record& c, effects& fx);  // call.updated
  void emit_call_connected(const store::call_record& c, effects& fx);
  void emit_call_ended(const store::call_record& c, const store::queue_item_record* item, const std::string& agent_id,
                       effects& fx);

  // webhook_batches.cpp: group commit
  struct queued_webhook {
    telnyx::webhook_event event;
    net::any_completion_handler<void(std::exception_ptr, webhook_outcome)> done;
    std::chrono::steady_clock::time_point queued_at;
  };
  // A deque, taken from the front: its elements are never move-assigned. Boost 1.81's
  // any_completion_handler move assignment recurses without end (it copies `other` as an lvalue
  // through its own converting constructor), which crashed dialerd once more than one batch waited.
  std::deque<queued_webhook> webhook_queue_;
  // Telnyx command replies to apply (on_dial_reply...): they join the next batch, so a reply costs no
  // commit (no fsync) of its own. Each runs in its own savepoint; a failure is logged, as guarded().
  std::vector<std::pair<const char*, std::function<void()>>> reply_queue_;
  void apply_reply_in_batch(const char* what, std::function<void()> work);
  bool webhook_flush_posted_ = false;
  std::function<void(const batch_report&)> batch_observer_;
  std::chrono::steady_clock::duration last_commit_{};  // in_batch's commit, for the batch report
  std::vector<effects>* deferred_ = nullptr;  // set while a batch is open: run() holds effects here
  void post_webhook_flush();
  void flush_webhooks();
  // Runs `work` in one transaction (the transactions it begins nest as savepoints) and hands back in
  // `deferred` the effects run() was given meanwhile, for the caller to release (release_when_durable)
  // after the commit. The commit leaves its fdatasync to the store's sync thread. On a failure nothing
  // of it is kept: rolled back, effects dropped, lines rebuilt from the store; rethrows.
  void in_batch(const std::function<void()>& work, std::vector<effects>& deferred);

  // A committed batch whose effects and replies wait for its fdatasync (synchronous FULL): the engine's
  // thread goes on with the next batch meanwhile. Released in commit order, one per after_durable().
  struct awaiting_disk {
    std::vector<effects> deferred;
    std::vector<queued_webhook> webhooks;  // answered when released
    std::vector<std::exception_ptr> errors;
    std::vector<webhook_outcome> outcomes;
    std::optional<batch_report> report;  // for the observer: apply and commit filled in
    std::chrono::steady_clock::time_point committed_at;
  };
  std::deque<awaiting_disk> awaiting_disk_;  // a deque, for the handlers in it (see webhook_queue_)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once the engine is destroyed
  // Releases `batch` now when the store has no sync to wait for, else once its commit is on disk.
  void release_when_durable(awaiting_disk batch);
  void release(awaiting_disk& batch);  // runs its effects, reports it, answers its webhooks
  // Dials for the sessions whose lines were freed, all in one batch.
  void pump_in_batch(const std::set<std::string>& session_ids);
  // The lines in use, from the live customer calls in the store.
  void rebuild_lines();

  // recovery.cpp: after a restart, inside engine::recover's transaction.
  // A dial written but maybe never sent: re-sent with its command_id while Telnyx de-duplicates it.
  void recover_unsent_dial(store::call_record& call, effects& fx);
  // A decision committed whose command may have died with the process: asked for again.
  void resume_decided_command(store::call_record& call, effects& fx);
  // The agent leg a customer call is bridged to (a session's agent, or a manual call's own leg).
  std::optional<store::call_record> bridge_leg_for(const store::call_record& customer);
  // engine::handle_webhook's work, inside the caller's transaction (webhooks.cpp).
  webhook_outcome apply_webhook(const telnyx::webhook_event& ev);

  // commands.cpp
  // While a batch is open (deferred_), held until its commit; while committed batches wait for the
  // disk, queued behind them (effects leave in commit order); else at once (run_now).
  void run(effects fx);
  void run_now(effects fx);
  awaitable<void> send(effects::command cmd);
  void on_dial_reply(const std::string& call_id, const telnyx::dial_result& r);
  void on_bridge_reply(const std::string& customer_call_id, const telnyx::command_result& r);
  // The customer cannot be bridged (its agent leg is gone): frees the agent and hangs the customer up.
  void give_up_bridge(const store::call_record& customer, effects& fx);
  void on_hangup_reply(const std::string& call_id, const telnyx::command_result& r);
  void guarded(const char* what, const std::function<void()>& f);

  // status_checks.cpp: closes calls whose webhooks were lost
  std::unique_ptr<net::steady_timer> status_timer_;
  std::set<std::string> status_checks_in_flight_;  // call ids
  void arm_status_checks();
  void run_status_checks();
  awaitable<void> check_call_status(store::call_record call);
  // Telnyx says the call is alive: hangs it up again when its hangup was decided (hangup_unconfirmed).
  void hang_up_again_if_unconfirmed(const std::string& call_id);

  // call_events.cpp: inside an open transaction
  void apply_call_event(store::call_record& call, const domain::call_event& ev, effects& fx);
  void apply_agent_leg_event(store::call_record& call, const domain::call_transition& t, effects& fx);
  void route_answered(store::call_record& call, effects& fx);
  void settle_customer_call(store::call_record& call, effects& fx);
  void release_agent(const std::string& agent_id, const std::string& call_id, effects& fx);
  void cancel_live_calls(const std::string& session_id, effects& fx, bool include_agent_leg);
  void arm_wrap_up(const std::string& agent_id, std::int64_t until_ms);

  // drop_messages.cpp: the recorded messages of SPEC §10 (drop message, voicemail); inside an open
  // transaction unless said otherwise.
  std::map<std::string, std::unique_ptr<net::steady_timer>> message_timers_;  // call id -> message timeout
  // The configured message of that kind, or nullptr when it is off.
  const config::message_settings* message_settings_for(domain::message_kind kind) const;
  // `ev` with with_message set when this call is to get a message (a session's customer call).
  domain::call_event with_message_flag(const store::call_record& call, domain::call_event ev) const;
  // The agent is busy: drops the answered call, with the drop message when it is configured.
  void drop_answered_call(store::call_record& call, effects& fx);
  // Carries out start_message (queues speak/playback_start) and await_greeting_end; arms the timeout.
  void start_message(const store::call_record& call, effects& fx);
  // When the call's message (or its wait for the beep) times out: its phase's start plus timeout_s.
  std::int64_t message_deadline_ms(const store::call_record& call) const;
  void arm_message_timeout(const store::call_record& call);
  void time_out_message(const std::string& call_id);  // opens its own transaction
  awaitable<void> send_message(effects::command cmd);
  void on_message_reply(const std::string& call_id, const telnyx::command_result& r);
  // The status sweep's part: true when a message runs on `call` (then it is not status-checked), and
  // times it out when past its deadline (its timer was lost in a restart). Opens its own transaction.
  bool sweep_message(store::call_record& call, std::int64_t now);
  void cancel_message_timers();

  // manual_calls.cpp: calls without a session (manual calls and their agent legs, inbound calls);
  // inside an open transaction.
  void apply_sessionless_event(store::call_record& call, const domain::call_transition& t, effects& fx);
  void apply_manual_event(store::call_record& call, const domain::call_transition& t, effects& fx);
  void end_sessionless_leg(const std::string& call_id, effects& fx);

  // inbound_calls.cpp
  // A call.initiated of an incoming call to a configured number: writes its row and queues the answer
  // (inbound.forward_to set) or the reject. nullopt when the call is not for one of our numbers.
  std::optional<store::call_record> record_inbound_call(const telnyx::webhook_event& ev, std::int64_t at_ms,
                                                        effects& fx);
  // A hangup of the new leg of a transfer (matched by its client_state): the transfer failed, so the
  // caller, still unbridged, is hung up. False when `ev` is not about such a leg.
  bool apply_transfer_leg_hangup(const telnyx::webhook_event& ev, const std::string& client_state_call_id,
                                 effects& fx);
  void apply_inbound_event(store::call_record& call, const domain::call_transition& t, effects& fx);
  awaitable<void> send_inbound_command(effects::command cmd);
};

}  // namespace dialer::engine
