// Webhook envelope parsing: every shared example and captured delivery, plus hostile input.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dialer/common/time_format.hpp"
#include "dialer/telnyx/webhook_event.hpp"

using namespace dialer::telnyx;
namespace fs = std::filesystem;

namespace {
const fs::path webhooks_dir = fs::path(TELNYX_SHARED_DIR) / "webhooks";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The *.data.json files hold only `data`; Telnyx wraps it in the envelope.
std::string delivered_body(const fs::path& p) {
  auto text = read_file(p);
  if (p.filename().string().ends_with(".data.json"))
    return R"({"data": )" + text + R"(, "meta": {"attempt":1,"delivered_to":"x"}})";
  return text;
}

webhook_event parse_ok(std::string_view body) {
  auto r = parse_webhook(body);
  INFO(r.error);
  REQUIRE(r.event);
  CHECK(r.error.empty());
  return *r.event;
}

std::string parse_error(std::string_view body) {
  auto r = parse_webhook(body);
  CHECK_FALSE(r.event);
  CHECK_FALSE(r.error.empty());
  return r.error;
}

std::string type_from_filename(const fs::path& p) {
  auto name = p.filename().string();
  for (const char* marker : {".openapi-example", ".docs-", ".captured"}) {
    if (auto pos = name.find(marker); pos != std::string::npos) return name.substr(0, pos);
  }
  return {};
}
}  // namespace

TEST_CASE("every shared webhook example parses with the event type its file name states") {
  int files = 0;
  for (const auto& dir : {webhooks_dir, webhooks_dir / "captured"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".json") continue;
      ++files;
      CAPTURE(entry.path().string());
      auto ev = parse_ok(delivered_body(entry.path()));
      auto type = type_from_filename(entry.path());
      REQUIRE_FALSE(type.empty());
      CHECK(ev.event_type == type);
      CHECK(ev.kind == event_kind_from_type(type));
      CHECK_FALSE(ev.id.empty());
      CHECK(ev.occurred_at.has_value());
      CHECK_FALSE(ev.call_leg_id.empty());
      CHECK(ev.attempt == 1);
    }
  }
  CHECK(files == 18);
}

TEST_CASE("event kinds map from their Telnyx names, premium AMD included") {
  CHECK(event_kind_from_type("call.initiated") == event_kind::call_initiated);
  CHECK(event_kind_from_type("call.answered") == event_kind::call_answered);
  CHECK(event_kind_from_type("call.bridged") == event_kind::call_bridged);
  CHECK(event_kind_from_type("call.hangup") == event_kind::call_hangup);
  CHECK(event_kind_from_type("call.machine.detection.ended") == event_kind::machine_detection_ended);
  CHECK(event_kind_from_type("call.machine.premium.detection.ended") == event_kind::machine_detection_ended);
  CHECK(event_kind_from_type("call.machine.greeting.ended") == event_kind::machine_greeting_ended);
  CHECK(event_kind_from_type("call.machine.premium.greeting.ended") == event_kind::machine_greeting_ended);
  CHECK(event_kind_from_type("call.speak.started") == event_kind::speak_started);
  CHECK(event_kind_from_type("call.speak.ended") == event_kind::speak_ended);
  CHECK(event_kind_from_type("call.playback.started") == event_kind::playback_started);
  CHECK(event_kind_from_type("call.playback.ended") == event_kind::playback_ended);
  CHECK(event_kind_from_type("call.dtmf.received") == event_kind::other);
  CHECK(event_kind_from_type("CALL.ANSWERED") == event_kind::other);
  CHECK(event_kind_from_type("") == event_kind::other);
}

TEST_CASE("the OpenAPI hangup example yields cause, source, SIP cause, times and client_state") {
  auto ev = parse_ok(delivered_body(webhooks_dir / "call.hangup.openapi-example.data.json"));
  CHECK(ev.kind == event_kind::call_hangup);
  CHECK(ev.id == "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
  CHECK(ev.call_control_id == "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg");
  CHECK(ev.call_leg_id == "428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  CHECK(ev.call_session_id == "428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  CHECK(ev.connection_id == "7267xxxxxxxxxxxxxx");
  CHECK(ev.client_state == "aGF2ZSBhIG5pY2UgZGF5ID1d");
  CHECK(ev.from == "+35319605860");
  CHECK(ev.to == "+35319605860");
  CHECK(ev.state == "hangup");
  CHECK(ev.hangup_cause == "call_rejected");
  CHECK(ev.hangup_source == "caller");
  CHECK(ev.sip_hangup_cause == "603");
  REQUIRE(ev.start_time);
  CHECK(*ev.start_time == *dialer::parse_iso8601("2018-02-02T22:20:27.521992Z"));
  REQUIRE(ev.occurred_at);
  CHECK(*ev.occurred_at == *dialer::parse_iso8601("2018-02-02T22:25:27.521992Z"));
  CHECK(*ev.occurred_at > *ev.start_time);
  CHECK_FALSE(ev.end_time);
}

TEST_CASE("the initiated examples carry direction and state") {
  auto ev = parse_ok(delivered_body(webhooks_dir / "call.initiated.docs-receiving-webhooks.full-body.json"));
  CHECK(ev.kind == event_kind::call_initiated);
  CHECK(ev.direction == "incoming");
  CHECK(ev.state == "parked");
  CHECK(ev.call_control_id == "d14dbcee-880b-11eb-8204-02420a0f7568");
  CHECK(ev.from == "+1-202-555-0133");
}

TEST_CASE("machine detection results come from payload.result") {
  CHECK(parse_ok(delivered_body(webhooks_dir / "call.machine.detection.ended.openapi-example.data.json")).result ==
        "human");
  auto premium = parse_ok(delivered_body(webhooks_dir / "call.machine.premium.detection.ended.openapi-example.data.json"));
  CHECK(premium.kind == event_kind::machine_detection_ended);
  CHECK(premium.result == "machine");
  CHECK(parse_ok(delivered_body(webhooks_dir / "call.machine.greeting.ended.openapi-example.data.json")).result ==
        "ended");
  CHECK(parse_ok(delivered_body(webhooks_dir / "call.machine.premium.greeting.ended.openapi-example.data.json"))
            .result == "beep_detected");
}

TEST_CASE("speak and playback ended report payload.status as the result") {
  CHECK(parse_ok(delivered_body(webhooks_dir / "call.speak.ended.openapi-example.data.json")).result == "completed");
  CHECK(parse_ok(delivered_body(webhooks_dir / "call.playback.ended.openapi-example.data.json")).result == "completed");
  CHECK(parse_ok(delivered_body(webhooks_dir / "call.speak.started.openapi-example.data.json")).result.empty());
}

TEST_CASE("captured deliveries with client_state null parse with an empty client_state") {
  auto hangup = parse_ok(read_file(webhooks_dir / "captured" / "call.hangup.captured.json"));
  CHECK(hangup.client_state.empty());
  CHECK(hangup.hangup_cause == "normal_clearing");
  CHECK(hangup.sip_hangup_cause == "200");
  REQUIRE(hangup.end_time);
  REQUIRE(hangup.start_time);
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(*hangup.end_time - *hangup.start_time).count() == 30);
  auto answered = parse_ok(read_file(webhooks_dir / "captured" / "call.answered.captured.json"));
  CHECK(answered.kind == event_kind::call_answered);
  CHECK(answered.client_state.empty());
  CHECK(answered.call_control_id == "v3:2EC-70CTEjlUq3tDM0CxKXIt5-5N4iP4wo7_-PfH-qub97Sk4EqO5w");
  auto speak = parse_ok(read_file(webhooks_dir / "captured" / "call.speak.ended.captured.json"));
  CHECK(speak.result == "completed");
}

TEST_CASE("an unknown event type parses as kind other") {
  auto ev = parse_ok(R"({"data":{"id":"e1","event_type":"call.recording.saved","payload":{"call_control_id":"v3:x"}}})");
  CHECK(ev.kind == event_kind::other);
  CHECK(ev.event_type == "call.recording.saved");
  CHECK(ev.call_control_id == "v3:x");
}

TEST_CASE("meta.attempt is read and defaults to 1") {
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.answered"},"meta":{"attempt":3}})").attempt == 3);
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.answered"}})").attempt == 1);
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.answered"},"meta":{"attempt":"3"}})").attempt == 1);
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.answered"},"meta":null})").attempt == 1);
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.answered"},"meta":{"attempt":1e300}})").attempt == 1);
}

TEST_CASE("malformed JSON at any depth is an error naming the offset") {
  for (const char* body : {"", "   ", "{", "{\"data\":", R"({"data":{"id":"a","event_type":"call.answered")",
                           R"({"data":{"id":"a","event_type":"call.answered","payload":{"to":}}})",
                           R"({"data":{"id":"a","event_type":"call.answered","payload":{"x":[1,2,}}})",
                           R"({"data":{"id":"a",}})", R"({"data":{"id":"a\q"}})", "nul", "{\"data\":{}} trailing",
                           R"({'data':1})"}) {
    CAPTURE(body);
    auto err = parse_error(body);
    CHECK(err.starts_with("invalid JSON: "));
    CHECK(err.find(" at offset ") != std::string::npos);
  }
  CHECK(parse_error("{\"data\":").ends_with("at offset 8"));
}

TEST_CASE("an envelope without an object data member is rejected naming the path") {
  CHECK(parse_error("[]") == "body: not an object");
  CHECK(parse_error("42") == "body: not an object");
  CHECK(parse_error("{}") == "data: missing");
  CHECK(parse_error(R"({"data":null})") == "data: not an object");
  CHECK(parse_error(R"({"data":[1]})") == "data: not an object");
  CHECK(parse_error(R"({"data":"x"})") == "data: not an object");
}

TEST_CASE("data.id and data.event_type must be strings") {
  CHECK(parse_error(R"({"data":{"event_type":"call.answered"}})") == "data.id: missing");
  CHECK(parse_error(R"({"data":{"id":null,"event_type":"call.answered"}})") == "data.id: missing");
  CHECK(parse_error(R"({"data":{"id":123,"event_type":"call.answered"}})") == "data.id: not a string");
  CHECK(parse_error(R"({"data":{"id":{"a":1},"event_type":"call.answered"}})") == "data.id: not a string");
  CHECK(parse_error(R"({"data":{"id":"a"}})") == "data.event_type: missing");
  CHECK(parse_error(R"({"data":{"id":"a","event_type":true}})") == "data.event_type: not a string");
}

TEST_CASE("optional fields of the wrong type or null read as absent") {
  auto ev = parse_ok(R"({"data":{"id":"a","event_type":"call.hangup","occurred_at":12,
    "payload":{"call_control_id":7,"client_state":null,"from":["x"],"to":{"a":1},"hangup_cause":false,
               "start_time":"not a time","end_time":null,"result":null,"status":"completed"}}})");
  CHECK(ev.call_control_id.empty());
  CHECK(ev.client_state.empty());
  CHECK(ev.from.empty());
  CHECK(ev.to.empty());
  CHECK(ev.hangup_cause.empty());
  CHECK_FALSE(ev.occurred_at);
  CHECK_FALSE(ev.start_time);
  CHECK_FALSE(ev.end_time);
  CHECK(ev.result == "completed");
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.hangup","payload":null}})").call_control_id.empty());
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.hangup","payload":"x"}})").call_control_id.empty());
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.hangup","payload":[]}})").call_control_id.empty());
}

TEST_CASE("a numeric sip_hangup_cause is kept as its text") {
  CHECK(parse_ok(R"({"data":{"id":"a","event_type":"call.hangup","payload":{"sip_hangup_cause":486}}})")
            .sip_hangup_cause == "486");
}

TEST_CASE("huge numbers anywhere do not break parsing") {
  auto ev = parse_ok(R"({"data":{"id":"a","event_type":"call.hangup","payload":{
      "sampling_rate":123456789012345678901234567890,"x":-1e-400,"y":1e308,"z":-9223372036854775809,"sip_hangup_cause":99999999999999999999}},
      "meta":{"attempt":99999999999999999999}})");
  CHECK(ev.attempt == 1);
  CHECK(ev.sip_hangup_cause.empty());
}

TEST_CASE("a number beyond double range is a clean JSON error, not a crash") {
  auto err = parse_error(R"({"data":{"id":"a","event_type":"call.hangup","payload":{"x":1e400}}})");
  CHECK(err.starts_with("invalid JSON: Number too big"));
}

TEST_CASE("non-UTF-8 bytes inside strings are a clean JSON error, not a crash") {
  // JSON is UTF-8 (RFC 8259); stored as they came, such bytes would make our own API replies invalid.
  std::string body = "{\"data\":{\"id\":\"a\xff\xfe\",\"event_type\":\"call.answered\",\"payload\":{\"from\":\"\xc3\x28\x80\"}}}";
  CHECK(parse_error(body).starts_with("invalid JSON: Invalid encoding in string"));
}

TEST_CASE("embedded NUL escapes in strings keep their full length") {
  auto ev = parse_ok(R"({"data":{"id":"a\u0000b","event_type":"call.answered"}})");
  CHECK(ev.id.size() == 3);
}

TEST_CASE("deeply nested unknown members parse without overflowing the stack") {
  std::string nested(500000, '[');
  nested += std::string(500000, ']');
  auto ev = parse_ok(R"({"data":{"id":"a","event_type":"call.answered","payload":{"deep":)" + nested + "}}}");
  CHECK(ev.kind == event_kind::call_answered);
  CHECK(parse_webhook(std::string(1 << 20, '[')).error.starts_with("invalid JSON: "));
}
