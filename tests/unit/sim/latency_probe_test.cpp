// The latency probe driven with hand-made time points: which events pair up, and the percentiles.
#include <doctest/doctest.h>

#include "dialer/common/json.hpp"
#include "dialer/sim/latency_probe.hpp"

using dialer::sim::latency_probe;
using namespace std::chrono_literals;

namespace {
const latency_probe::clock::time_point t0{};
}

TEST_CASE("answer to bridge is measured from the first call.answered post to the bridge naming that leg") {
  latency_probe p;
  p.dial_received("cust-1", "ses_1", true, t0);
  p.webhook_posted("cust-1", "call.initiated", 1, t0 + 1ms);
  p.webhook_posted("cust-1", "call.answered", 1, t0 + 10ms);
  p.webhook_posted("cust-1", "call.answered", 2, t0 + 20ms);  // a redelivery does not restart the clock
  p.bridge_received("cust-1", t0 + 13ms);
  p.bridge_received("cust-1", t0 + 50ms);  // a repeated bridge is not a second sample
  auto s = p.answer_to_bridge();
  CHECK(s.count == 1);
  CHECK(s.p50_us == 3000);
  CHECK(s.max_us == 3000);
}

TEST_CASE("agent legs and unknown legs give no samples") {
  latency_probe p;
  p.dial_received("agent-1", "ses_1", false, t0);
  p.webhook_posted("agent-1", "call.answered", 1, t0 + 1ms);
  p.bridge_received("agent-1", t0 + 2ms);
  p.webhook_posted("stranger", "call.answered", 1, t0 + 1ms);
  p.bridge_received("stranger", t0 + 2ms);
  p.webhook_posted("agent-1", "call.hangup", 1, t0 + 3ms);
  p.dial_received("cust-2", "ses_1", true, t0 + 4ms);
  CHECK(p.answer_to_bridge().count == 0);
  CHECK(p.hangup_to_next_dial().count == 0);
}

TEST_CASE("a customer hangup is paired with the next customer dial of the same session, oldest first") {
  latency_probe p;
  p.dial_received("a1", "ses_a", true, t0);
  p.dial_received("a2", "ses_a", true, t0);
  p.dial_received("b1", "ses_b", true, t0);
  p.webhook_posted("a1", "call.hangup", 1, t0 + 100ms);
  p.webhook_posted("a2", "call.hangup", 1, t0 + 200ms);
  p.dial_received("b2", "ses_b", true, t0 + 250ms);  // another session: no pending hangup there
  p.dial_received("a3", "ses_a", true, t0 + 300ms);  // pairs with a1 (200 ms)
  p.dial_received("a4", "ses_a", true, t0 + 301ms);  // pairs with a2 (101 ms)
  p.dial_received("a5", "ses_a", true, t0 + 400ms);  // nothing pending
  auto s = p.hangup_to_next_dial();
  CHECK(s.count == 2);
  CHECK(s.p50_us == 101000);
  CHECK(s.max_us == 200000);
}

TEST_CASE("percentiles are nearest-rank over all samples and the report names both measures") {
  latency_probe p;
  for (int i = 1; i <= 100; ++i) {
    std::string id = "c" + std::to_string(i);
    p.dial_received(id, "ses_1", true, t0);
    p.webhook_posted(id, "call.answered", 1, t0);
    p.bridge_received(id, t0 + std::chrono::microseconds(i));
  }
  auto s = p.answer_to_bridge();
  CHECK(s.count == 100);
  CHECK(s.p50_us == 50);
  CHECK(s.p90_us == 90);
  CHECK(s.p99_us == 99);
  CHECK(s.max_us == 100);
  CHECK(s.mean_us == 50);
  rapidjson::Document d;
  d.Parse(p.report_json().c_str());
  REQUIRE(d.IsObject());
  CHECK(d["answer_to_bridge_us"]["p99"].GetInt64() == 99);
  CHECK(d["hangup_to_next_dial_us"]["count"].GetUint64() == 0);
  CHECK(d["answers_waiting"].GetUint64() == 0);
}

TEST_CASE("answer to message is measured per person's leg, and messages over 2 s count as late") {
  latency_probe p;
  p.dial_received("cust-1", "ses_1", true, t0);
  p.dial_received("cust-2", "ses_1", true, t0);
  p.webhook_posted("cust-1", "call.answered", 1, t0 + 10ms);
  p.webhook_posted("cust-2", "call.answered", 1, t0 + 10ms);
  p.message_received("cust-1", true, t0 + 310ms);
  p.message_received("cust-1", true, t0 + 900ms);  // the same leg's next message: not a sample
  p.message_received("cust-2", true, t0 + 2'011ms);  // 2001 ms after its answer: late
  auto s = p.answer_to_message();
  CHECK(s.count == 2);
  CHECK(s.p50_us == 300'000);
  CHECK(s.max_us == 2'001'000);
  CHECK(p.messages_late() == 1);
  rapidjson::Document d;
  auto text = p.report_json();
  d.Parse(text.c_str());
  CHECK(d["messages_late"].GetUint64() == 1);
  CHECK(d["answer_to_message_us"]["count"].GetUint64() == 2);
}

TEST_CASE("a voicemail is measured from the machine's greeting end, and a message before it is no sample") {
  latency_probe p;
  p.dial_received("cust-1", "ses_1", true, t0);
  p.webhook_posted("cust-1", "call.answered", 1, t0);
  p.message_received("cust-1", false, t0 + 1s);  // over the greeting
  p.webhook_posted("cust-1", "call.machine.greeting.ended", 1, t0 + 5s);
  p.message_received("cust-1", false, t0 + 5s + 40ms);
  CHECK(p.greeting_to_voicemail().count == 1);
  CHECK(p.greeting_to_voicemail().max_us == 40'000);
  CHECK(p.answer_to_message().count == 0);
  p.dial_received("cust-2", "ses_1", true, t0);
  p.webhook_posted("cust-2", "call.answered", 1, t0);
  p.webhook_posted("cust-2", "call.hangup", 1, t0 + 1s);
  p.message_received("cust-2", true, t0 + 2s);  // after the hangup: nobody heard it
  CHECK(p.answer_to_message().count == 0);
}

TEST_CASE("restarting the samples forgets those taken, and a measurement under way still counts") {
  latency_probe p;
  p.dial_received("c1", "ses_1", true, t0);
  p.dial_received("c2", "ses_1", true, t0);
  p.webhook_posted("c1", "call.answered", 1, t0 + 1ms);
  p.bridge_received("c1", t0 + 9ms);  // 8 ms, before the restart: forgotten
  p.webhook_posted("c2", "call.answered", 1, t0 + 10ms);
  p.webhook_posted("c1", "call.hangup", 1, t0 + 20ms);
  p.restart_samples();
  p.bridge_received("c2", t0 + 12ms);        // started before, ends after: 2 ms
  p.dial_received("c3", "ses_1", true, t0 + 25ms);  // pairs with c1's hangup: 5 ms
  CHECK(p.answer_to_bridge().count == 1);
  CHECK(p.answer_to_bridge().max_us == 2000);
  CHECK(p.hangup_to_next_dial().count == 1);
  CHECK(p.hangup_to_next_dial().max_us == 5000);
}
