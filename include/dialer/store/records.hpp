// Rows of the dialer's tables as plain structs: what the store reads and writes, and what the engine
// and the API work with.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialer/domain/call_machine.hpp"
#include "dialer/domain/item_machine.hpp"
#include "dialer/domain/types.hpp"

namespace dialer::store {

// SPEC §5 statistics, kept as running counters on the session row.
struct session_stats {
  std::int64_t calls = 0;          // customer attempts placed
  std::int64_t contacted = 0;      // distinct contacts dialed
  std::int64_t answered = 0;       // distinct contacts answered by a person
  std::int64_t no_answer = 0;      // attempts ended no_answer/busy/rejected/invalid_number/failed
  std::int64_t talk_ms = 0;        // bridged talk time
  std::int64_t connected = 0;      // distinct contacts bridged to the agent
  std::int64_t dropped = 0;        // dropped_agent_busy attempts
  std::int64_t machine = 0;        // machine attempts
  std::int64_t human_answers = 0;  // attempts answered by a person
  bool operator==(const session_stats&) const = default;
};

// The campaign of a session created without campaignId.
inline constexpr const char* default_campaign_id = "default";

struct session_record {
  std::string id;
  std::string agent_id;
  domain::session_status status = domain::session_status::created;
  std::string pause_reason;
  int concurrent_lines = 1;
  std::vector<std::string> selected_numbers;
  int max_attempts = 3;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> ended_at_ms;
  std::string agent_call_id;
  session_stats stats;
  std::string campaign_id = default_campaign_id;  // whose 30-day abandon rate the session counts in
};

struct queue_item_record {
  std::string id;
  std::string session_id;
  std::int64_t seq = 0;
  std::string contact_id;
  std::string name;
  std::string phone;
  std::string timezone;
  int priority = 0;
  domain::item_state state;
};

struct call_record {
  std::string id;
  std::string session_id;       // empty for manual/inbound
  std::string queue_item_id;    // empty for agent/manual
  std::string contact_id;
  std::string direction = "outbound";
  domain::call_kind kind = domain::call_kind::customer;
  std::string from;
  std::string to;
  std::string call_control_id;  // empty until Telnyx answers the dial
  std::string command_id;
  std::string client_state;
  domain::call_state state;
  std::string error_detail;
  std::int64_t started_at_ms = 0;
  std::string notes;
  std::string disposition;
};

// A manual call (POST /api/calls): the customer leg `call_id`, dialed once the agent leg answers.
struct manual_call_record {
  std::string call_id;        // the customer leg (kind manual)
  std::string agent_id;
  std::string agent_call_id;  // the agent leg (kind agent, no session)
  std::string name;           // contact name, may be empty
};

struct agent_record {
  std::string id;
  domain::agent_state state = domain::agent_state::offline;
  bool busy = false;
  std::string session_id;
  std::string leg_call_id;
  std::string talking_call_id;
  std::optional<std::int64_t> wrap_up_until_ms;
};

struct queue_counts {
  std::int64_t pending = 0, calling = 0, completed = 0, failed = 0, cancelled = 0;
  std::int64_t total() const { return pending + calling + completed + failed + cancelled; }
};

struct session_filter {
  std::optional<domain::session_status> status;
  std::string agent_id;  // empty: any
  int limit = 50;
};

// Which customer attempts GET /api/stats sums: those of sessions of `agent_id` (empty: any) whose
// attempt started in [from_ms, to_ms) (unset: unbounded).
struct stats_filter {
  std::string agent_id;
  std::optional<std::int64_t> from_ms;
  std::optional<std::int64_t> to_ms;
};

struct stats_total {
  session_stats stats;
  std::int64_t sessions = 0;  // sessions with at least one counted attempt
};

// How many stored calls have one kind and outcome (outcome none: not ended yet).
struct outcome_count {
  domain::call_kind kind = domain::call_kind::customer;
  domain::outcome result = domain::outcome::none;
  std::int64_t count = 0;
};

// What the recorded messages of ended calls did (SPEC §10), for /metrics.
struct message_counts {
  std::int64_t drops_played = 0;      // dropped_agent_busy calls whose drop message started
  std::int64_t drops_not_played = 0;  // a drop message was issued but never started (callee gone, failure)
  std::int64_t drops_silent = 0;      // dropped_agent_busy calls without a message (drop_message off)
  std::int64_t drops_late = 0;        // drop message issued more than late_after_ms after call.answered
  std::int64_t voicemails_left = 0;   // machine calls whose voicemail message started
};

}  // namespace dialer::store
