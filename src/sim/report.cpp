// Serialisation of the simulator's state; read-only over call_world.
#include "dialer/sim/report.hpp"

#include <date/date.h>

#include "dialer/common/json.hpp"

namespace dialer::sim {

namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string iso_micro(sys_time t) { return date::format("%FT%TZ", std::chrono::floor<std::chrono::microseconds>(t)); }

void kv(writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void kv_or_null(writer& w, const char* key, const std::string& value) {
  w.Key(key);
  if (value.empty()) {
    w.Null();
  } else {
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
}
template <class Map>
void map_object(writer& w, const char* key, const Map& m) {
  w.Key(key);
  w.StartObject();
  for (auto& [k, v] : m) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.Int64(static_cast<std::int64_t>(v));
  }
  w.EndObject();
}

void time_or_null(writer& w, const char* key, sys_time t) {
  w.Key(key);
  if (t == sys_time{}) {
    w.Null();
  } else {
    auto s = iso_micro(t);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }
}

}  // namespace

std::string report_json(const call_world& world) {
  const counters& c = world.stats();
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  w.Key("dials"); w.Uint64(c.dials);
  map_object(w, "actions_by_type", c.actions_by_type);
  map_object(w, "rejected_requests_by_status", c.rejected_requests_by_status);
  w.Key("webhooks_sent"); w.Uint64(c.webhooks_sent);
  w.Key("webhook_attempts"); w.Uint64(c.webhook_attempts);
  w.Key("webhook_failures"); w.Uint64(c.webhook_failures);
  w.Key("webhooks_redelivered"); w.Uint64(c.webhooks_redelivered);
  w.Key("webhooks_dropped"); w.Uint64(c.webhooks_dropped);
  w.Key("webhooks_duplicated"); w.Uint64(c.webhooks_duplicated);
  w.Key("duplicate_commands_ignored"); w.Uint64(c.duplicate_commands_ignored);
  w.Key("double_dials"); w.Uint64(c.double_dials);
  map_object(w, "max_concurrent_customer_calls_by_session", c.max_concurrent_customer_calls_by_session);
  map_object(w, "max_concurrent_calls_per_from_number", c.max_concurrent_calls_per_from_number);
  w.Key("overlapping_calls_to_number"); w.Uint64(c.overlapping_calls_to_number);
  map_object(w, "max_concurrent_calls_per_to_number", c.max_concurrent_calls_per_to_number);
  w.Key("max_dials_in_1s"); w.Uint64(c.max_dials_in_1s);
  w.Key("max_dial_requests_in_1s"); w.Uint64(c.max_dial_requests_in_1s);
  map_object(w, "rejected_actions", c.rejected_actions);
  w.Key("live_calls"); w.Int(world.live_calls());
  w.Key("max_live_calls"); w.Int(c.max_live_calls);
  const auto& f = c.faults;
  w.Key("faults_injected");
  w.StartObject();
  w.Key("webhook_duplicated"); w.Uint64(c.webhooks_duplicated);
  w.Key("webhook_dropped_first"); w.Uint64(f.webhook_dropped_first);
  w.Key("webhook_delayed"); w.Uint64(f.webhook_delayed);
  w.Key("webhook_reordered"); w.Uint64(f.webhook_reordered);
  w.Key("webhook_lost_calls"); w.Uint64(f.webhook_lost_calls);
  w.Key("webhook_lost_events"); w.Uint64(f.webhook_lost_events);
  w.Key("rest_5xx"); w.Uint64(f.rest_5xx);
  w.Key("rest_429"); w.Uint64(f.rest_429);
  w.Key("rest_slow"); w.Uint64(f.rest_slow);
  w.Key("rest_reset_before"); w.Uint64(f.rest_reset_before);
  w.Key("rest_reset_after"); w.Uint64(f.rest_reset_after);
  w.Key("dial_replies_lost"); w.Uint64(f.dial_replies_lost);
  w.Key("commands_lost"); w.Uint64(f.commands_lost);
  w.EndObject();
  const auto& m = c.messages;
  w.Key("messages");
  w.StartObject();
  w.Key("speak"); w.Uint64(m.speak);
  w.Key("playback"); w.Uint64(m.playback);
  w.Key("completed"); w.Uint64(m.completed);
  w.Key("call_hangup"); w.Uint64(m.call_hangup);
  w.Key("unconnected_person_calls"); w.Uint64(m.unconnected_person_calls);
  w.Key("unconnected_person_calls_with_message"); w.Uint64(m.unconnected_person_calls_with_message);
  w.Key("voicemails"); w.Uint64(m.voicemails);
  w.EndObject();
  map_object(w, "calls_by_outcome", c.calls_by_outcome);
  map_object(w, "hangups_by_cause", c.hangups_by_cause);
  auto latency = world.probe().report_json();
  w.Key("latency"); w.RawValue(latency.data(), latency.size(), rapidjson::kObjectType);
  w.EndObject();
  return buf.GetString();
}

std::string calls_json(const call_world& world) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  w.Key("data");
  w.StartArray();
  for (const sim_call* c : world.all_calls()) {
    w.StartObject();
    kv(w, "call_control_id", c->call_control_id);
    kv(w, "call_leg_id", c->call_leg_id);
    kv(w, "call_session_id", c->call_session_id);
    kv(w, "from", c->from);
    kv(w, "to", c->to);
    kv(w, "kind", c->kind);
    kv(w, "outcome", c->planned);
    kv(w, "state", to_string(c->state));
    w.Key("is_alive"); w.Bool(c->alive());
    kv_or_null(w, "client_state", c->dial_client_state);
    w.Key("client_state_decoded");
    if (c->origin.decoded) {
      w.StartObject();
      kv(w, "s", c->origin.session_id);
      kv(w, "q", c->origin.queue_item);
      kv(w, "c", c->origin.call_id);
      w.Key("a"); w.Int(c->origin.attempt);
      kv(w, "k", c->origin.kind);
      w.EndObject();
    } else {
      w.Null();
    }
    w.Key("amd"); w.Bool(c->amd);
    w.Key("ring_ms"); w.Int64(c->ring.count());
    w.Key("talk_ms"); w.Int64(c->talk.count());
    time_or_null(w, "start_time", c->start_wall);
    time_or_null(w, "answered_at", c->answered_wall);
    time_or_null(w, "bridged_at", c->bridged_wall);
    time_or_null(w, "end_time", c->end_wall);
    kv_or_null(w, "bridged_with", c->alive() ? c->bridged_with : c->last_bridged_with);
    kv_or_null(w, "hangup_cause", c->hangup_cause);
    kv_or_null(w, "hangup_source", c->hangup_source);
    kv_or_null(w, "sip_hangup_cause", c->sip_hangup_cause);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

// Writes {"data": {...}} where `fields` writes the members of the inner object: the shape of every
// Telnyx call resource reply.
template <class F>
std::string data_object(F fields) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  w.Key("data");
  w.StartObject();
  fields(w);
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

std::string call_status_json(const sim_call& c) {
  return data_object([&](writer& w) {
    kv(w, "call_control_id", c.call_control_id);
    if (!c.alive()) {
      auto seconds = std::chrono::duration_cast<std::chrono::seconds>(c.end_wall - c.start_wall).count();
      w.Key("call_duration"); w.Int64(seconds);
    }
    kv(w, "call_leg_id", c.call_leg_id);
    kv(w, "call_session_id", c.call_session_id);
    if (!c.client_state.empty()) kv(w, "client_state", c.client_state);
    if (!c.alive()) kv(w, "end_time", iso_micro(c.end_wall));
    w.Key("is_alive"); w.Bool(c.alive());
    kv(w, "record_type", "call");
    kv(w, "start_time", iso_micro(c.start_wall));
  });
}

std::string dial_reply_json(const sim_call& c) {
  return data_object([&](writer& w) {
    kv(w, "call_control_id", c.call_control_id);
    kv(w, "call_leg_id", c.call_leg_id);
    kv(w, "call_session_id", c.call_session_id);
    w.Key("is_alive"); w.Bool(false);
    kv(w, "record_type", "call");
  });
}

std::string errors_json(const std::vector<api_error>& errors) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  for (auto& e : errors) {
    w.StartObject();
    kv(w, "code", e.code);
    kv(w, "title", e.title);
    kv(w, "detail", e.detail);
    if (!e.pointer.empty()) {
      w.Key("source");
      w.StartObject();
      kv(w, "pointer", e.pointer);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

}  // namespace dialer::sim
