// Parses the Telnyx v2 webhook envelope from untrusted bytes: every member is looked up with
// FindMember and type-checked, so wrong types and nulls read as absent and nothing throws.
#include "dialer/telnyx/webhook_event.hpp"

#include "dialer/common/json.hpp"
#include "dialer/common/time_format.hpp"

namespace dialer::telnyx {
namespace {
using value = rapidjson::Value;

using json::member;
using json::string_member;

std::optional<sys_time> time_member(const value& obj, const char* name) {
  const value* v = member(obj, name);
  if (!v || !v->IsString()) return std::nullopt;
  return parse_iso8601(std::string_view(v->GetString(), v->GetStringLength()));
}
}  // namespace

event_kind event_kind_from_type(std::string_view t) {
  if (t == "call.initiated") return event_kind::call_initiated;
  if (t == "call.answered") return event_kind::call_answered;
  if (t == "call.bridged") return event_kind::call_bridged;
  if (t == "call.hangup") return event_kind::call_hangup;
  if (t == "call.machine.detection.ended" || t == "call.machine.premium.detection.ended")
    return event_kind::machine_detection_ended;
  if (t == "call.machine.greeting.ended" || t == "call.machine.premium.greeting.ended")
    return event_kind::machine_greeting_ended;
  if (t == "call.speak.started") return event_kind::speak_started;
  if (t == "call.speak.ended") return event_kind::speak_ended;
  if (t == "call.playback.started") return event_kind::playback_started;
  if (t == "call.playback.ended") return event_kind::playback_ended;
  return event_kind::other;
}

webhook_parse_result parse_webhook(std::string_view body) {
  webhook_parse_result out;
  try {
    rapidjson::Document doc;
    // Iterative parsing: a body of a million '[' must not overflow the stack (the default parser
    // recurses per nesting level). kParseStopWhenDoneFlag is NOT set: trailing bytes are an error.
    // RapidJSON refuses numbers beyond double range (1e400) even in unused fields: such a body
    // is reported as invalid JSON, which no real Telnyx delivery contains. Bytes that are not UTF-8
    // are refused too: stored as they came, they would later make our own API replies invalid JSON.
    rapidjson::ParseResult parsed = doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
        body.data(), body.size());
    if (parsed.IsError()) {
      std::string message = rapidjson::GetParseError_En(parsed.Code());
      if (!message.empty() && message.back() == '.') message.pop_back();
      out.error = "invalid JSON: " + message + " at offset " + std::to_string(parsed.Offset());
      return out;
    }
    if (!doc.IsObject()) {
      out.error = "body: not an object";
      return out;
    }
    const value* data = member(doc, "data");
    if (!data) {
      out.error = "data: missing";
      return out;
    }
    if (!data->IsObject()) {
      out.error = "data: not an object";
      return out;
    }
    for (const char* required : {"id", "event_type"}) {
      const value* v = member(*data, required);
      if (!v || v->IsNull()) {
        out.error = std::string("data.") + required + ": missing";
        return out;
      }
      if (!v->IsString()) {
        out.error = std::string("data.") + required + ": not a string";
        return out;
      }
    }

    webhook_event ev;
    ev.id = string_member(*data, "id");
    ev.event_type = string_member(*data, "event_type");
    ev.kind = event_kind_from_type(ev.event_type);
    ev.occurred_at = time_member(*data, "occurred_at");

    static const value empty_object(rapidjson::kObjectType);
    const value* p = member(*data, "payload");
    const value& payload = (p && p->IsObject()) ? *p : empty_object;
    ev.call_control_id = string_member(payload, "call_control_id");
    ev.call_leg_id = string_member(payload, "call_leg_id");
    ev.call_session_id = string_member(payload, "call_session_id");
    ev.connection_id = string_member(payload, "connection_id");
    ev.client_state = string_member(payload, "client_state");
    ev.from = string_member(payload, "from");
    ev.to = string_member(payload, "to");
    ev.direction = string_member(payload, "direction");
    ev.state = string_member(payload, "state");
    ev.hangup_cause = string_member(payload, "hangup_cause");
    ev.hangup_source = string_member(payload, "hangup_source");
    ev.sip_hangup_cause = string_member(payload, "sip_hangup_cause");
    // The spec says string, but a numeric SIP code is unambiguous; keep it as text.
    if (const value* sip = member(payload, "sip_hangup_cause"); sip && sip->IsInt64())
      ev.sip_hangup_cause = std::to_string(sip->GetInt64());
    ev.start_time = time_member(payload, "start_time");
    ev.end_time = time_member(payload, "end_time");
    // AMD events report `result`; speak/playback ended report `status`. One field serves both.
    ev.result = string_member(payload, "result");
    if (ev.result.empty()) ev.result = string_member(payload, "status");

    if (const value* meta = member(doc, "meta")) {
      if (const value* attempt = member(*meta, "attempt"); attempt && attempt->IsInt()) ev.attempt = attempt->GetInt();
    }
    out.event = std::move(ev);
  } catch (const std::exception& e) {
    // RAPIDJSON_ASSERT throws; reaching here means a bug in the checks above, not bad input,
    // but one bad delivery must still only fail itself.
    out.event.reset();
    out.error = std::string("internal parse error: ") + e.what();
  }
  return out;
}

}  // namespace dialer::telnyx
