// Serialising records to the API's JSON with RapidJSON's Writer (strings are always escaped).
#include "dialer/api/json_views.hpp"


#include "dialer/common/json_writer.hpp"
#include "dialer/engine/event_payloads.hpp"
#include "dialer/engine/message_fields.hpp"
#include "dialer/common/time_format.hpp"

namespace dialer::api {
namespace {
using json::writer;
using json::str;
using json::str_or_null;
using json::time_or_null;
using engine::write_stats;  // the statistics shape is shared with the live events

void write_session(writer& w, const store::session_record& s, const session_extras* extras) {
  w.StartObject();
  str(w, "id", s.id);
  str(w, "agentId", s.agent_id);
  str(w, "campaignId", s.campaign_id);
  str(w, "status", domain::to_string(s.status));
  str_or_null(w, "pauseReason", s.pause_reason);
  w.Key("concurrentLines"); w.Int(s.concurrent_lines);
  if (extras) {
    w.Key("effectiveLines"); w.Int(extras->pacing.effective_lines);
    str(w, "pacingReason", domain::to_string(extras->pacing.reason));
  }
  w.Key("selectedNumbers");
  w.StartArray();
  for (const auto& n : s.selected_numbers) w.String(n);
  w.EndArray();
  w.Key("maxAttempts"); w.Int(s.max_attempts);
  time_or_null(w, "createdAt", s.created_at_ms);
  time_or_null(w, "startedAt", s.started_at_ms);
  time_or_null(w, "endedAt", s.ended_at_ms);
  write_stats(w, s.stats, extras ? &extras->pacing.campaign : nullptr);
  if (extras) {
    w.Key("queue");
    w.StartObject();
    w.Key("total"); w.Int64(extras->queue.total());
    w.Key("pending"); w.Int64(extras->queue.pending);
    w.Key("calling"); w.Int64(extras->queue.calling);
    w.Key("completed"); w.Int64(extras->queue.completed);
    w.Key("failed"); w.Int64(extras->queue.failed);
    w.Key("cancelled"); w.Int64(extras->queue.cancelled);
    w.EndObject();
    w.Key("agent");
    w.StartObject();
    str(w, "state", extras->agent_state);
    w.Key("busy"); w.Bool(extras->agent_busy);
    w.EndObject();
    w.Key("linesInUse"); w.Int(extras->lines_in_use);
  }
  w.EndObject();
}

void write_item(writer& w, const store::queue_item_record& q) {
  const auto& s = q.state;
  w.StartObject();
  str(w, "id", q.id);
  str_or_null(w, "contactId", q.contact_id);
  str_or_null(w, "name", q.name);
  str(w, "phone", q.phone);
  str_or_null(w, "timezone", q.timezone);
  str(w, "status", domain::to_string(s.status));
  w.Key("priority"); w.Int(q.priority);
  w.Key("boosted"); w.Bool(s.boosted);
  w.Key("attempts"); w.Int(s.attempts);
  w.Key("maxAttempts"); w.Int(s.max_attempts);
  str_or_null(w, "lastOutcome", domain::to_string(s.last_outcome));
  time_or_null(w, "nextAttemptAt", s.next_attempt_at_ms);
  str_or_null(w, "blockedReason", domain::to_string(s.blocked));
  w.Key("wasContacted"); w.Bool(s.was_contacted);
  w.Key("wasAnswered"); w.Bool(s.was_answered);
  w.EndObject();
}

void write_call(writer& w, const store::call_record& c) {
  const auto& s = c.state;
  w.StartObject();
  str(w, "id", c.id);
  str_or_null(w, "sessionId", c.session_id);
  str_or_null(w, "queueItemId", c.queue_item_id);
  str_or_null(w, "contactId", c.contact_id);
  str(w, "direction", c.direction);
  str(w, "kind", domain::to_string(c.kind));
  str(w, "from", c.from);
  str(w, "to", c.to);
  str_or_null(w, "callControlId", c.call_control_id);
  str(w, "status", domain::to_string(s.status));
  str_or_null(w, "outcome", domain::to_string(s.result));
  w.Key("answered"); w.Bool(s.person_answered);
  w.Key("droppedBusy"); w.Bool(s.result == domain::outcome::dropped_agent_busy);
  str_or_null(w, "amdResult", domain::to_string(s.amd));
  str_or_null(w, "hangupCause", s.hangup_cause);
  time_or_null(w, "startedAt", c.started_at_ms);
  time_or_null(w, "answeredAt", s.answered_at_ms);
  time_or_null(w, "bridgedAt", s.bridged_at_ms);
  time_or_null(w, "endedAt", s.ended_at_ms);
  w.Key("durationSeconds");
  if (s.ended_at_ms) w.Int64((*s.ended_at_ms - c.started_at_ms) / 1000); else w.Null();
  w.Key("talkSeconds"); w.Int64(s.talk_ms() / 1000);
  str_or_null(w, "notes", c.notes);
  str_or_null(w, "disposition", c.disposition);
  str_or_null(w, "error", c.error_detail);
  engine::write_message_fields(w, s);
  w.EndObject();
}

void write_agent(writer& w, const agent_view& a) {
  w.StartObject();
  str(w, "id", a.config.id);
  str(w, "name", a.config.name.empty() ? a.config.id : a.config.name);
  str_or_null(w, "endpoint", a.config.endpoint);
  str(w, "state", domain::to_string(a.live.state));
  w.Key("busy"); w.Bool(a.live.busy);
  str_or_null(w, "sessionId", a.live.session_id);
  w.EndObject();
}

template <class T, class F>
std::string array_json(const char* key, const std::vector<T>& rows, F write_one) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  w.Key(key);
  w.StartArray();
  for (const auto& r : rows) write_one(w, r);
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}
}  // namespace

std::string session_json(const store::session_record& s, const session_extras& extras) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  write_session(w, s, &extras);
  return {buf.GetString(), buf.GetSize()};
}

std::string campaign_compliance_json(const engine::campaign_compliance& c) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  str(w, "campaignId", c.campaign_id);
  w.Key("abandonRate30d"); w.Double(engine::rate_2dp(domain::abandon_rate_pct(c.tally)));
  w.Key("humanAnswers30d"); w.Int64(c.tally.human_answers);
  w.Key("drops30d"); w.Int64(c.tally.drops);
  w.Key("dials30d"); w.Int64(c.tally.dials);
  w.Key("target");
  if (c.target_pct) w.Double(*c.target_pct); else w.Null();
  w.Key("warningAt");
  if (c.target_pct) w.Double(engine::rate_2dp(domain::warning_threshold_pct(*c.target_pct))); else w.Null();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string sessions_json(const std::vector<store::session_record>& sessions) {
  return array_json("sessions", sessions, [](writer& w, const auto& s) { write_session(w, s, nullptr); });
}

std::string queue_item_json(const store::queue_item_record& q) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  write_item(w, q);
  return {buf.GetString(), buf.GetSize()};
}

std::string queue_json(const std::vector<store::queue_item_record>& items) {
  return array_json("items", items, write_item);
}

std::string call_json(const store::call_record& c) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  write_call(w, c);
  return {buf.GetString(), buf.GetSize()};
}

std::string calls_json(const std::vector<store::call_record>& calls) { return array_json("calls", calls, write_call); }

std::string agent_json(const agent_view& a) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  write_agent(w, a);
  return {buf.GetString(), buf.GetSize()};
}

std::string agents_json(const std::vector<agent_view>& agents) { return array_json("agents", agents, write_agent); }

std::string stats_json(const store::stats_filter& f, const store::stats_total& t) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  str_or_null(w, "agentId", f.agent_id);
  time_or_null(w, "from", f.from_ms);
  time_or_null(w, "to", f.to_ms);
  w.Key("sessions"); w.Int64(t.sessions);
  write_stats(w, t.stats);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string added_contacts_json(int added, int duplicates, const std::vector<store::queue_item_record>& items) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  w.Key("added"); w.Int(added);
  w.Key("duplicates"); w.Int(duplicates);
  w.Key("items");
  w.StartArray();
  for (const auto& q : items) write_item(w, q);
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace dialer::api
