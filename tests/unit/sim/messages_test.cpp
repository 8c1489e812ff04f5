// Recorded messages in the simulated network: speak and playback_start durations and their webhooks,
// a callee who hangs up first (status call_hangup), the machine's greeting end per AMD mode, what the
// report counts, and the latency probe's answer-to-message samples.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dialer/common/json.hpp"
#include "dialer/sim/call_world.hpp"
#include "dialer/sim/report.hpp"
#include "dialer/telnyx/base64.hpp"

using namespace dialer::sim;
using namespace std::chrono_literals;

namespace {

constexpr const char* person = "+15551240001";   // answers after 2 s, patience 8 s
constexpr const char* machine = "+15551240002";  // a machine answers after 2 s, stays up 60 s

scenario messages_scenario() {
  scenario s;
  s.unbridged_patience_s = 8;
  s.amd_s = {1, 1};
  s.machine_greeting_s = {4, 4};
  s.playback_s = 3;
  s.numbers[person] = {outcome::answer, seconds_range{2, 2}, seconds_range{30, 30}};
  s.numbers[machine] = {outcome::machine, seconds_range{2, 2}, seconds_range{60, 60}};
  return s;
}

std::string customer_state() {
  return dialer::telnyx::base64_encode(R"({"s":"ses1","q":"q1","c":"c1","a":1,"k":"customer"})");
}

struct fixture {
  manual_scheduler clock;
  std::vector<webhook_out> events;
  call_world world{messages_scenario(), clock, 7, "http://127.0.0.1:9/webhooks", [this](webhook_out e) {
                     // What the webhook dispatcher does on each first delivery attempt.
                     world.probe().webhook_posted(e.call_control_id, e.event_type, 1, latency_probe::clock::now());
                     events.push_back(std::move(e));
                   }};

  std::string dial(const std::string& to, const std::string& amd = {}) {
    dial_params p;
    p.to = to;
    p.from = "+15550000001";
    p.connection_id = "conn1";
    p.client_state = customer_state();
    p.answering_machine_detection = amd;
    auto r = world.dial(p);
    REQUIRE_FALSE(r.error);
    return r.call->call_control_id;
  }
  std::vector<std::string> types(const std::string& id) const {
    std::vector<std::string> out;
    for (auto& e : events)
      if (e.call_control_id == id) out.push_back(e.event_type);
    return out;
  }
  bool sent(const std::string& id, const std::string& type) const {
    for (auto& t : types(id))
      if (t == type) return true;
    return false;
  }
  std::string field(const std::string& id, const std::string& type, const char* name) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->call_control_id != id || it->event_type != type) continue;
      rapidjson::Document d;
      d.Parse(it->payload_json.c_str());
      REQUIRE(d.IsObject());
      auto m = d.FindMember(name);
      if (m == d.MemberEnd()) return "<absent>";
      if (m->value.IsBool()) return m->value.GetBool() ? "true" : "false";
      return m->value.IsString() ? m->value.GetString() : "<non-string>";
    }
    return "<none>";
  }
  std::optional<api_error> speak(const std::string& id, std::string text) {
    action_params p;
    p.text = std::move(text);
    return world.action(id, "speak", p);
  }
};

}  // namespace

TEST_CASE("speak lasts its words at 2.5 a second, then call.speak.ended completed") {
  fixture f;
  auto id = f.dial(person);
  f.clock.advance(2s);
  REQUIRE_FALSE(f.speak(id, "one two three four five six seven eight nine ten"));  // 10 words: 4 s
  CHECK(f.types(id).back() == "call.speak.started");
  CHECK(f.field(id, "call.speak.started", "call_control_id") == id);
  f.clock.advance(3999ms);
  CHECK_FALSE(f.sent(id, "call.speak.ended"));
  f.clock.advance(1ms);
  CHECK(f.field(id, "call.speak.ended", "status") == "completed");
  CHECK(f.world.stats().messages.speak == 1);
  CHECK(f.world.stats().messages.completed == 1);
}

TEST_CASE("a speak issued while one plays waits in a queue and starts when the first one completes, as Telnyx documents") {
  fixture f;
  auto id = f.dial(person);
  f.clock.advance(2s);
  REQUIRE_FALSE(f.speak(id, "one two three four five"));  // 2 s
  f.clock.advance(500ms);
  REQUIRE_FALSE(f.speak(id, "six seven eight"));  // queued: 1.2 s once it starts
  CHECK(f.types(id).back() == "call.speak.started");
  CHECK(f.world.stats().messages.speak == 1);  // the second has not started
  f.clock.advance(1500ms);
  auto t = f.types(id);
  REQUIRE(t.size() >= 2);
  CHECK(t[t.size() - 2] == "call.speak.ended");
  CHECK(t.back() == "call.speak.started");
  CHECK(f.world.stats().messages.speak == 2);
  f.clock.advance(1200ms);
  CHECK(f.types(id).back() == "call.speak.ended");
  CHECK(f.world.stats().messages.completed == 2);
}

TEST_CASE("a playback_start issued while one plays is queued, and a hangup drops the queue with the call") {
  fixture f;
  auto id = f.dial(person);
  f.clock.advance(2s);
  action_params first, second;
  first.media_url = "https://media.example.com/one.mp3";
  second.media_url = "https://media.example.com/two.mp3";
  REQUIRE_FALSE(f.world.action(id, "playback_start", first));
  REQUIRE_FALSE(f.world.action(id, "playback_start", second));
  f.clock.advance(3s);  // playback_s: the first completes, the second starts
  CHECK(f.field(id, "call.playback.ended", "media_url") == "https://media.example.com/one.mp3");
  CHECK(f.field(id, "call.playback.started", "media_url") == "https://media.example.com/two.mp3");
  REQUIRE_FALSE(f.world.action(id, "playback_start", first));  // queued behind two
  REQUIRE_FALSE(f.world.action(id, "hangup", {}));
  CHECK(f.field(id, "call.playback.ended", "status") == "call_hangup");
  CHECK(f.types(id).back() == "call.hangup");
  CHECK(f.world.stats().messages.playback == 2);  // the third never started
}

TEST_CASE("a callee whose patience runs out during the message ends it with call_hangup, then hangs up") {
  fixture f;
  auto id = f.dial(person);
  f.clock.advance(2s);
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "word ";  // 16 s, patience is 8 s
  REQUIRE_FALSE(f.speak(id, long_text));
  f.clock.advance(8s);
  auto t = f.types(id);
  REQUIRE(t.size() >= 2);
  CHECK(t[t.size() - 2] == "call.speak.ended");
  CHECK(t.back() == "call.hangup");
  CHECK(f.field(id, "call.speak.ended", "status") == "call_hangup");
  CHECK(f.field(id, "call.hangup", "hangup_source") == "callee");
  const auto& m = f.world.stats().messages;
  CHECK(m.call_hangup == 1);
  CHECK(m.completed == 0);
  CHECK(m.unconnected_person_calls == 1);
  CHECK(m.unconnected_person_calls_with_message == 1);
}

TEST_CASE("a person hung up in silence counts as an unconnected call without a message") {
  fixture f;
  auto id = f.dial(person);
  f.clock.advance(2s);
  REQUIRE_FALSE(f.world.action(id, "hangup", {}));
  const auto& m = f.world.stats().messages;
  CHECK(m.unconnected_person_calls == 1);
  CHECK(m.unconnected_person_calls_with_message == 0);
}

TEST_CASE("playback_start plays the audio_url for playback_s and reports media_url and overlay as Telnyx does") {
  fixture f;
  auto id = f.dial(person);
  f.clock.advance(2s);
  action_params p;
  p.media_url = "https://media.example.com/drop.mp3";
  REQUIRE_FALSE(f.world.action(id, "playback_start", p));
  CHECK(f.field(id, "call.playback.started", "media_url") == "https://media.example.com/drop.mp3");
  CHECK(f.field(id, "call.playback.started", "overlay") == "false");
  f.clock.advance(2999ms);
  CHECK_FALSE(f.sent(id, "call.playback.ended"));
  f.clock.advance(1ms);
  CHECK(f.field(id, "call.playback.ended", "status") == "completed");
  CHECK(f.field(id, "call.playback.ended", "media_url") == "https://media.example.com/drop.mp3");
  CHECK(f.world.stats().messages.playback == 1);
}

TEST_CASE("a speak before the answer is 422 90034 and starts nothing") {
  fixture f;
  auto id = f.dial(person);
  auto e = f.speak(id, "too early");
  REQUIRE(e);
  CHECK(e->code == "90034");
  CHECK_FALSE(f.sent(id, "call.speak.started"));
}

TEST_CASE("with a greeting-end AMD mode a machine's greeting end follows its detection, with detect it never comes") {
  for (const char* mode : {"greeting_end", "detect_words", "detect_beep"}) {
    CAPTURE(mode);
    fixture f;
    auto id = f.dial(machine, mode);
    f.clock.advance(3s);  // answered at 2 s, detected at 3 s
    CHECK(f.field(id, "call.machine.detection.ended", "result") == "machine");
    CHECK_FALSE(f.sent(id, "call.machine.greeting.ended"));
    f.clock.advance(4s);
    CHECK(f.field(id, "call.machine.greeting.ended", "result") == "beep_detected");
    CHECK(f.field(id, "call.machine.greeting.ended", "call_control_id") == id);
  }
  fixture plain;
  auto id = plain.dial(machine, "detect");
  plain.clock.advance(30s);
  CHECK(plain.sent(id, "call.machine.detection.ended"));
  CHECK_FALSE(plain.sent(id, "call.machine.greeting.ended"));
  fixture premium;
  auto pid = premium.dial(machine, "premium");
  premium.clock.advance(7s);
  CHECK(premium.field(pid, "call.machine.premium.greeting.ended", "result") == "beep_detected");
}

TEST_CASE("a person gets no greeting end, whatever the AMD mode") {
  fixture f;
  auto id = f.dial(person, "greeting_end");
  f.clock.advance(7s);
  CHECK(f.field(id, "call.machine.detection.ended", "result") == "human");
  CHECK_FALSE(f.sent(id, "call.machine.greeting.ended"));
}

TEST_CASE("a message left after the machine's greeting counts as a voicemail, one before it does not") {
  fixture f;
  auto early = f.dial(machine, "greeting_end");
  auto late = f.dial(machine, "greeting_end");
  f.clock.advance(3s);
  REQUIRE_FALSE(f.speak(early, "talking over the greeting"));
  f.clock.advance(4s);
  REQUIRE_FALSE(f.speak(late, "Hi, this is Acme, please call us back"));
  CHECK(f.world.stats().messages.voicemails == 1);
  CHECK(f.world.probe().greeting_to_voicemail().count == 1);  // only a message after the beep is a sample
}

TEST_CASE("the probe samples the first message command of each answered person, and the report shows it") {
  fixture f;
  auto a = f.dial(person);
  auto b = f.dial(person);
  f.clock.advance(2s);
  REQUIRE_FALSE(f.speak(a, "sorry we missed you"));
  REQUIRE_FALSE(f.speak(a, "again"));  // a second message is not a second sample
  CHECK(f.world.probe().answer_to_message().count == 1);
  CHECK(f.world.probe().messages_late() == 0);
  rapidjson::Document report;
  auto text = report_json(f.world);
  report.Parse(text.c_str());
  REQUIRE(report.IsObject());
  CHECK(report["latency"]["answer_to_message_us"]["count"].GetUint64() == 1);
  CHECK(report["latency"]["messages_late"].GetUint64() == 0);
  CHECK(report["messages"]["speak"].GetUint64() == 1);  // started ones: the second waits behind the first
  (void)b;
}
