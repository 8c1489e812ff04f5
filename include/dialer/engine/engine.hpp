// The dialing engine: sessions, the agent leg, lines, pacing, and the reaction to every Telnyx webhook
// and command reply. It turns the pure domain machines' actions into effects (store writes, Telnyx
// commands, timers). One thread owns it together with the store: no locks inside.
//
// Every state change is written in one transaction with the statistics it moves; Telnyx commands are
// sent only after that transaction commits.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dialer/common/clock.hpp"
#include "dialer/common/ids.hpp"
#include "dialer/common/net.hpp"
#include "dialer/config/config.hpp"
#include "dialer/engine/errors.hpp"
#include "dialer/engine/event_payloads.hpp"
#include "dialer/engine/events.hpp"
#include "dialer/store/store.hpp"
#include "dialer/telnyx/rest_client.hpp"
#include "dialer/telnyx/webhook_event.hpp"

namespace dialer::engine {

struct contact {
  std::string id;
  std::string name;
  std::string phone;
  std::string timezone;
};

// Contacts whose phones are E.164 and whose time zones are known. Only check_contacts makes them; it
// reads nothing but the config, so it may run on any thread (the API checks a big batch off the
// engine's: libphonenumber takes ~60 µs a number).
class checked_contacts {
 public:
  checked_contacts() = default;  // none
  const std::vector<contact>& list() const { return list_; }

 private:
  friend result<checked_contacts> check_contacts(std::vector<contact> contacts, const std::string& field_prefix,
                                                 const config::config& cfg);
  std::vector<contact> list_;
};

// Every phone to E.164 (libphonenumber, read in the default region), every time zone empty or in the
// tzdb; else the first error, naming "<field_prefix>[i].phone" or "<field_prefix>[i].timezone".
result<checked_contacts> check_contacts(std::vector<contact> contacts, const std::string& field_prefix,
                                        const config::config& cfg);

struct create_session_request {
  std::string agent_id;
  std::vector<contact> contacts;
  std::optional<std::vector<std::string>> selected_numbers;
  std::optional<int> concurrent_lines;
  std::optional<int> max_attempts;
  std::string campaign_id;  // empty: "default"
};

// GET /api/campaigns/{id}/compliance (SPEC §10).
struct campaign_compliance {
  std::string campaign_id;
  domain::campaign_tally tally;      // the rolling 30 days, counted by SQL when asked
  std::optional<double> target_pct;  // compliance.abandon_target_pct; nullopt when there is none
};

struct add_contacts_result {
  int added = 0;
  int duplicates = 0;
  std::vector<store::queue_item_record> items;
};

// PATCH of one queue item; unset fields stay as they are.
struct item_patch {
  std::optional<int> priority;      // higher is dialed earlier (after boosted items)
  std::optional<int> max_attempts;  // 1..20
};

// PATCH of one call from the agent's call dialog; unset fields stay, an empty string clears.
struct call_patch {
  std::optional<std::string> notes;
  std::optional<std::string> disposition;
};

// POST /api/calls: dial the agent, then `to` from `from` once the agent answers, and bridge them.
struct manual_call_request {
  std::string agent_id;
  std::string from;        // one of the configured numbers
  std::string to;          // E.164
  std::string contact_id;  // optional
  std::string name;        // optional
};

// What a bulk change of the do-not-call list did.
struct dnc_change {
  int changed = 0;    // numbers newly listed (add) or removed (remove)
  int unchanged = 0;  // numbers listed already (add) or not listed (remove), and repeats in the batch
};

// How a webhook was handled.
enum class webhook_outcome {
  applied,    // matched a call and recorded
  duplicate,  // data.id seen before: nothing changed
  unmatched,  // no call of ours (recorded so a retry is a duplicate)
  ignored,    // an event type the dialer does not act on
};

// What one group-commit batch took (webhook_batches.cpp), for /metrics.
struct batch_report {
  using duration = std::chrono::steady_clock::duration;
  std::vector<duration> queue_waits;  // one per webhook: from its arrival at the engine to the batch's start
  duration apply{};                   // the transaction's work: webhooks, command replies, dials
  duration commit{};
  duration sync{};  // from the commit to its fdatasync's end (synchronous=FULL), off the engine's thread
  duration send{};  // Telnyx commands and live events, once the commit is on disk
};

class engine {
 public:
  engine(net::any_io_executor ex, const config::config& cfg, store::store& db, telnyx::rest_client& telnyx,
         const clock& clk, id_generator& ids);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Restores running sessions after a start (lines in use, pumping). Call once before serving.
  void recover();
  // Stops timers; in-flight commands complete on their own.
  void shutdown();

  // Sessions (SPEC §5-6).
  result<store::session_record> create_session(const create_session_request& req);
  // The same with req.contacts already checked (req.contacts itself is not read).
  result<store::session_record> create_session(const create_session_request& req, const checked_contacts& contacts);
  // The session `req` asks for, without id or creation time, or the first bad field among agentId,
  // campaignId, maxAttempts, selectedNumbers and concurrentLines. Checked before the contacts, so a bad
  // field is named whatever the contacts hold (and a long list is not checked for a request refused anyway).
  result<store::session_record> session_settings(const create_session_request& req) const;
  result<store::session_record> start_session(const std::string& id);
  result<store::session_record> pause_session(const std::string& id);
  result<store::session_record> resume_session(const std::string& id);
  result<store::session_record> stop_session(const std::string& id);
  result<store::session_record> update_settings(const std::string& id, std::optional<int> concurrent_lines,
                                                std::optional<std::vector<std::string>> selected_numbers);
  result<done> delete_session(const std::string& id);
  result<add_contacts_result> add_contacts(const std::string& session_id, const std::vector<contact>& contacts,
                                           const std::string& field_prefix = "contacts");
  result<add_contacts_result> add_contacts(const std::string& session_id, const checked_contacts& contacts);

  // Queue items, calls and agents from the API (queue_ops.cpp, call_notes.cpp, agents.cpp).
  // update_item: 404 unknown session or item (or an item of another session), 409 for a terminal
  // item, 400 naming maxAttempts when it would leave a pending item no attempt (or below the attempts
  // already made). cancel_item: pending -> cancelled (an already cancelled item is fine), 409 while
  // its call is live or when it is completed/failed. update_call: 404 unknown call; emits
  // `call.updated`. set_agent_busy: 404 for an agent not in the config; a busy agent gets no new
  // customer from the next answered call on (the call is dropped as agent busy).
  result<store::queue_item_record> update_item(const std::string& session_id, const std::string& item_id,
                                               const item_patch& patch);
  result<store::queue_item_record> cancel_item(const std::string& session_id, const std::string& item_id);
  result<store::call_record> update_call(const std::string& call_id, const call_patch& patch);
  result<store::agent_record> set_agent_busy(const std::string& agent_id, bool busy);
  // Manual call (SPEC §6): returns the customer call (kind manual, status dialing until the agent
  // answers). not_found for an unknown agent (field agentId), invalid_input naming from/to, conflict
  // while the agent has an active session, is on another call or is flagged busy.
  result<store::call_record> place_manual_call(const manual_call_request& req);

  // Do-not-call list (dnc.cpp, SPEC §10). Every phone is checked first: the first bad one is a 400
  // naming `<field>[i]` and nothing is written. A listed number is never dialed from then on (checked
  // at dispatch): pending items for it fail with outcome dnc when their turn comes.
  result<dnc_change> add_dnc(const std::vector<std::string>& phones, const std::string& field = "phones");
  result<dnc_change> remove_dnc(const std::vector<std::string>& phones, const std::string& field = "phones");
  // `text` as the list stores it (E.164), or a 400 naming `field`: the one place DNC phones are parsed.
  result<std::string> dnc_phone(const std::string& text, const std::string& field) const;

  // Applies one verified, parsed Telnyx webhook. Throws on a database error (nothing committed).
  webhook_outcome handle_webhook(const telnyx::webhook_event& ev);
  // The same with group commit (webhook_batches.cpp), for the server: every webhook that arrives while
  // the engine is busy joins the next batch, applied in ONE transaction (each webhook in its own
  // savepoint), so a burst costs one commit, one fsync with synchronous=FULL. Completes after that
  // commit, Telnyx commands and live events go out after it too; throws what failed the webhook or
  // the batch (a database error: nothing of it was kept, answer 503 and Telnyx retries).
  awaitable<webhook_outcome> handle_webhook_batched(telnyx::webhook_event ev);
  // Webhooks handed to handle_webhook_batched whose batch has not started: how far the engine's thread
  // is behind (the verifier pool's signal).
  std::size_t webhooks_waiting() const;
  // Called after every batch of webhooks (not for batches of replies or dials alone).
  void on_batch(std::function<void(const batch_report&)> observer);

  // Live events (published after each commit, on the engine's thread).
  event_bus& events();

  // Read access for the API (same thread).
  store::store& db() { return db_; }
  const config::config& settings() const { return cfg_; }
  // Customer calls currently in flight for a session.
  int lines_in_use(const std::string& session_id) const;
  // The session's campaign tally and the lines it dials now (pacing.cpp).
  session_pacing pacing(const store::session_record& s);
  // A campaign's 30-day abandon figures; not_found when no session ever had that campaignId.
  result<campaign_compliance> compliance_of(const std::string& campaign_id);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  const config::config& cfg_;
  store::store& db_;
};

}  // namespace dialer::engine
