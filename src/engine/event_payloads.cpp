// Live event payloads written with RapidJSON's Writer (strings always escaped), one function per type.
#include "dialer/engine/event_payloads.hpp"

#include <algorithm>
#include <cmath>

#include "dialer/common/json.hpp"
#include "dialer/common/time_format.hpp"
#include "dialer/engine/message_fields.hpp"

namespace dialer::engine {
namespace {
using json::writer;
using json::str;
using json::str_or_null;
using json::time_or_null;
int attempts_left(const domain::item_state& s) {
  if (domain::is_terminal(s.status)) return 0;
  return std::max(0, s.max_attempts - s.attempts);
}

void write_contact(writer& w, const event_contact& who) {
  str_or_null(w, "contactId", who.id);
  str_or_null(w, "name", who.name);
  str_or_null(w, "phone", who.phone);
}

// The fields every call.* event starts with.
void write_call_head(writer& w, const store::call_record& c) {
  str_or_null(w, "sessionId", c.session_id);
  str(w, "callId", c.id);
  str_or_null(w, "queueItemId", c.queue_item_id);
}

template <class F>
std::string object_json(F body) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  body(w);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}
}  // namespace

event_contact contact_of(const store::call_record& c, const store::queue_item_record* item) {
  if (item) return {item->contact_id.empty() ? item->id : item->contact_id, item->name, item->phone};
  return {c.contact_id, {}, c.direction == "inbound" ? c.from : c.to};
}

double rate_2dp(double pct) { return std::round(pct * 100.0) / 100.0; }

void write_stats(json::writer& w, const store::session_stats& k, const domain::campaign_tally* campaign) {
  w.Key("stats");
  w.StartObject();
  w.Key("calls"); w.Int64(k.calls);
  w.Key("contacted"); w.Int64(k.contacted);
  w.Key("answered"); w.Int64(k.answered);
  w.Key("noAnswer"); w.Int64(k.no_answer);
  w.Key("uniqueRate"); w.Double(json::percent(k.answered, k.contacted));
  w.Key("talkTimeSeconds"); w.Int64(k.talk_ms / 1000);
  w.Key("connected"); w.Int64(k.connected);
  w.Key("dropped"); w.Int64(k.dropped);
  w.Key("machine"); w.Int64(k.machine);
  w.Key("abandonRate"); w.Double(json::percent(k.dropped, k.human_answers));
  if (campaign) {
    w.Key("abandonRate30d"); w.Double(rate_2dp(domain::abandon_rate_pct(*campaign)));
    w.Key("drops30d"); w.Int64(campaign->drops);
    w.Key("humanAnswers30d"); w.Int64(campaign->human_answers);
  }
  w.EndObject();
}

std::string session_updated_json(const store::session_record& s, const session_pacing& pacing) {
  return object_json([&](writer& w) {
    str(w, "sessionId", s.id);
    str(w, "agentId", s.agent_id);
    str(w, "campaignId", s.campaign_id);
    str(w, "status", domain::to_string(s.status));
    str_or_null(w, "pauseReason", s.pause_reason);
    w.Key("concurrentLines"); w.Int(s.concurrent_lines);
    w.Key("effectiveLines"); w.Int(pacing.effective_lines);
    str(w, "pacingReason", domain::to_string(pacing.reason));
    w.Key("selectedNumbers");
    w.StartArray();
    for (const auto& n : s.selected_numbers) w.String(n);
    w.EndArray();
    time_or_null(w, "startedAt", s.started_at_ms);
    time_or_null(w, "endedAt", s.ended_at_ms);
    write_stats(w, s.stats, &pacing.campaign);
  });
}

std::string compliance_warning_json(const std::string& campaign_id, const std::string& session_id,
                                    const domain::campaign_tally& t, double target_pct) {
  return object_json([&](writer& w) {
    str(w, "campaignId", campaign_id);
    str_or_null(w, "sessionId", session_id);
    w.Key("abandonRate30d"); w.Double(rate_2dp(domain::abandon_rate_pct(t)));
    w.Key("drops30d"); w.Int64(t.drops);
    w.Key("humanAnswers30d"); w.Int64(t.human_answers);
    w.Key("target"); w.Double(target_pct);
    w.Key("warningAt"); w.Double(rate_2dp(domain::warning_threshold_pct(target_pct)));
  });
}

std::string queue_updated_json(const store::queue_item_record& q) {
  return object_json([&](writer& w) {
    const auto& s = q.state;
    str(w, "sessionId", q.session_id);
    str(w, "queueItemId", q.id);
    write_contact(w, contact_of({}, &q));
    str(w, "status", domain::to_string(s.status));
    w.Key("attempts"); w.Int(s.attempts);
    w.Key("maxAttempts"); w.Int(s.max_attempts);
    w.Key("attemptsLeft"); w.Int(attempts_left(s));
    w.Key("priority"); w.Int(q.priority);
    w.Key("boosted"); w.Bool(s.boosted);
    time_or_null(w, "nextAttemptAt", s.next_attempt_at_ms);
    str_or_null(w, "blockedReason", domain::to_string(s.blocked));
    str_or_null(w, "lastOutcome", domain::to_string(s.last_outcome));
  });
}

std::string call_updated_json(const store::call_record& c) {
  return object_json([&](writer& w) {
    const auto& s = c.state;
    write_call_head(w, c);
    str_or_null(w, "contactId", c.contact_id);
    str(w, "kind", domain::to_string(c.kind));
    str(w, "direction", c.direction);
    str(w, "from", c.from);
    str(w, "to", c.to);
    str(w, "status", domain::to_string(s.status));
    str_or_null(w, "outcome", domain::to_string(s.result));
    time_or_null(w, "answeredAt", s.answered_at_ms);
    time_or_null(w, "bridgedAt", s.bridged_at_ms);
    time_or_null(w, "endedAt", s.ended_at_ms);
    str_or_null(w, "notes", c.notes);
    str_or_null(w, "disposition", c.disposition);
    write_message_fields(w, s);
  });
}

std::string call_connected_json(const store::call_record& c, const event_contact& who, const std::string& agent_id) {
  return object_json([&](writer& w) {
    write_call_head(w, c);
    write_contact(w, who);
    str(w, "from", c.from);
    str_or_null(w, "agentId", agent_id);
    str(w, "direction", c.direction);
    str_or_null(w, "callControlId", c.call_control_id);
    time_or_null(w, "bridgedAt", c.state.bridged_at_ms);
  });
}

std::string call_dropped_json(const store::call_record& c, const event_contact& who,
                              const store::queue_item_record& item) {
  return object_json([&](writer& w) {
    const auto& s = item.state;
    write_call_head(w, c);
    write_contact(w, who);
    str(w, "from", c.from);
    time_or_null(w, "answeredAt", c.state.answered_at_ms);
    w.Key("retry");
    w.StartObject();
    str(w, "status", domain::to_string(s.status));
    w.Key("attempts"); w.Int(s.attempts);
    w.Key("maxAttempts"); w.Int(s.max_attempts);
    w.Key("attemptsLeft"); w.Int(attempts_left(s));
    w.Key("boosted"); w.Bool(s.boosted);
    w.Key("headOfQueue"); w.Bool(s.status == domain::item_status::pending && s.boosted);
    time_or_null(w, "nextAttemptAt", s.next_attempt_at_ms);
    w.EndObject();
  });
}

std::string call_ended_json(const store::call_record& c, const event_contact& who, const std::string& agent_id) {
  return object_json([&](writer& w) {
    const auto& s = c.state;
    write_call_head(w, c);
    write_contact(w, who);
    str(w, "from", c.from);
    str(w, "to", c.to);
    str_or_null(w, "agentId", agent_id);
    str(w, "kind", domain::to_string(c.kind));
    str(w, "direction", c.direction);
    str_or_null(w, "outcome", domain::to_string(s.result));
    str_or_null(w, "hangupCause", s.hangup_cause);
    time_or_null(w, "startedAt", c.started_at_ms);
    time_or_null(w, "answeredAt", s.answered_at_ms);
    time_or_null(w, "bridgedAt", s.bridged_at_ms);
    time_or_null(w, "endedAt", s.ended_at_ms);
    w.Key("talkSeconds"); w.Int64(s.talk_ms() / 1000);
    w.Key("durationSeconds");
    if (s.ended_at_ms) w.Int64(std::max<std::int64_t>(0, *s.ended_at_ms - c.started_at_ms) / 1000); else w.Null();
    str_or_null(w, "notes", c.notes);
    str_or_null(w, "disposition", c.disposition);
    write_message_fields(w, s);
  });
}

}  // namespace dialer::engine
