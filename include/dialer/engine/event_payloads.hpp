// The JSON `data` of each live event type (SPEC §6 `GET /api/events`, CRM push), built from store
// records: camelCase keys, ISO 8601 UTC times, null for what is unknown. Shared by the engine, manual
// and inbound calls and the CRM push, so every consumer sees the same shapes.
#pragma once
#include <string>

#include "dialer/common/json_writer.hpp"
#include "dialer/domain/pacing.hpp"
#include "dialer/store/records.hpp"

namespace dialer::engine {

// Event type names (engine::event::type).
namespace event_types {
inline constexpr const char* session_updated = "session.updated";
inline constexpr const char* queue_updated = "queue.updated";
inline constexpr const char* call_updated = "call.updated";
inline constexpr const char* call_connected = "call.connected";
inline constexpr const char* call_dropped = "call.dropped";
inline constexpr const char* call_ended = "call.ended";
inline constexpr const char* compliance_warning = "compliance.warning";
}  // namespace event_types

// Who a customer call is with, as the CRM knows them.
struct event_contact {
  std::string id;     // the CRM's contact id (the queue item id when the CRM gave none)
  std::string name;   // may be empty
  std::string phone;  // E.164
};

// The contact of call `c`: from its queue item when given (id, name, phone), else from the call
// (contact id, the far end's number: `to` for outbound, `from` for inbound).
event_contact contact_of(const store::call_record& c, const store::queue_item_record* item);

// A session's compliance facts (SPEC §10): its campaign's 30-day tally and the lines it dials.
struct session_pacing {
  domain::campaign_tally campaign;  // the campaign's rolling 30 days
  int effective_lines = 1;          // lines dialed at once now
  domain::pacing_reason reason = domain::pacing_reason::fixed;
};

// Writes `"stats": {calls, contacted, answered, noAnswer, uniqueRate, talkTimeSeconds, connected,
// dropped, machine, abandonRate}` (SPEC §5): the one shape of statistics in events and API replies.
// With `campaign` (a session's view), also abandonRate30d, drops30d and humanAnswers30d of its campaign.
void write_stats(json::writer& w, const store::session_stats& k, const domain::campaign_tally* campaign = nullptr);

// A percentage with two decimals (an abandon rate near a 3% limit needs more than one).
double rate_2dp(double pct);

// session.updated: {sessionId, agentId, campaignId, status, pauseReason, concurrentLines,
// effectiveLines, pacingReason, selectedNumbers, startedAt, endedAt, stats{calls, contacted, answered,
// noAnswer, uniqueRate, talkTimeSeconds, connected, dropped, machine, abandonRate, abandonRate30d,
// drops30d, humanAnswers30d}}.
std::string session_updated_json(const store::session_record& s, const session_pacing& pacing = {});

// compliance.warning (a campaign's 30-day abandon rate rose to warningAt, 80% of the target):
// {campaignId, sessionId (whose call crossed it), abandonRate30d, drops30d, humanAnswers30d, target, warningAt}.
std::string compliance_warning_json(const std::string& campaign_id, const std::string& session_id,
                                    const domain::campaign_tally& t, double target_pct);

// queue.updated: {sessionId, queueItemId, contactId, name, phone, status, attempts, maxAttempts,
// attemptsLeft, priority, boosted, nextAttemptAt, lastOutcome}.
std::string queue_updated_json(const store::queue_item_record& q);

// call.updated: {sessionId, callId, queueItemId, contactId, kind, direction, from, to, status,
// outcome, answeredAt, bridgedAt, endedAt, notes, disposition}.
std::string call_updated_json(const store::call_record& c);

// call.connected (what a CRM needs to open its call dialog): {sessionId, callId, queueItemId,
// contactId, name, phone, from, agentId, direction, callControlId, bridgedAt}.
std::string call_connected_json(const store::call_record& c, const event_contact& who, const std::string& agent_id);

// call.dropped (answered while the agent was busy, hung up; `item` is the queue item after the retry
// was scheduled): {sessionId, callId, queueItemId, contactId, name, phone, from, answeredAt,
// retry{status, attempts, maxAttempts, attemptsLeft, boosted, headOfQueue, nextAttemptAt}}.
// headOfQueue is true when the contact is dialed again before every normal item.
std::string call_dropped_json(const store::call_record& c, const event_contact& who,
                              const store::queue_item_record& item);

// call.ended (so a CRM can save the activity): {sessionId, callId, queueItemId, contactId, name,
// phone, from, to, agentId, kind, direction, outcome, hangupCause, startedAt, answeredAt, bridgedAt,
// endedAt, talkSeconds, durationSeconds, notes, disposition}. `agent_id` may be empty.
std::string call_ended_json(const store::call_record& c, const event_contact& who, const std::string& agent_id);

}  // namespace dialer::engine
