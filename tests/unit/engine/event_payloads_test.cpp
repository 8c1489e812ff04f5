// The live event payloads: each builder's fields, camelCase, ISO 8601 UTC times and nulls.
#include <doctest/doctest.h>

#include "dialer/common/json.hpp"
#include "dialer/engine/event_payloads.hpp"

using namespace dialer;
using namespace dialer::engine;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  REQUIRE(d.IsObject());
  return d;
}

std::string s(const rapidjson::Value& obj, const char* key) {
  auto* v = json::member(obj, key);
  REQUIRE_MESSAGE(v != nullptr, key);
  REQUIRE_MESSAGE(v->IsString(), key);
  return v->GetString();
}

bool is_null(const rapidjson::Value& obj, const char* key) {
  auto* v = json::member(obj, key);
  return v && v->IsNull();
}

std::int64_t n(const rapidjson::Value& obj, const char* key) {
  auto* v = json::member(obj, key);
  REQUIRE_MESSAGE((v && v->IsInt64()), key);
  return v->GetInt64();
}

constexpr std::int64_t t0 = 1'764'584'400'000;  // 2025-12-01T10:20:00.000Z

store::queue_item_record item() {
  store::queue_item_record q;
  q.id = "itm_1";
  q.session_id = "ses_1";
  q.contact_id = "crm-42";
  q.name = "Ada \"the\" Lovelace";
  q.phone = "+15551230001";
  q.priority = 5;
  q.state.max_attempts = 3;
  return q;
}

store::call_record customer_call() {
  store::call_record c;
  c.id = "call_1";
  c.session_id = "ses_1";
  c.queue_item_id = "itm_1";
  c.contact_id = "crm-42";
  c.from = "+15550000001";
  c.to = "+15551230001";
  c.call_control_id = "v3:abc";
  c.started_at_ms = t0;
  return c;
}

}  // namespace

TEST_CASE("session.updated carries status, pause reason, lines and the statistics") {
  store::session_record ses;
  ses.id = "ses_1";
  ses.agent_id = "alice";
  ses.status = domain::session_status::paused;
  ses.pause_reason = "agent_left";
  ses.concurrent_lines = 2;
  ses.selected_numbers = {"+15550000001", "+15550000002"};
  ses.started_at_ms = t0;
  ses.stats.calls = 4;
  ses.stats.contacted = 3;
  ses.stats.answered = 2;
  ses.stats.human_answers = 4;
  ses.stats.dropped = 1;
  ses.stats.talk_ms = 61'500;
  auto d = parse(session_updated_json(ses));
  CHECK(s(d, "sessionId") == "ses_1");
  CHECK(s(d, "agentId") == "alice");
  CHECK(s(d, "status") == "paused");
  CHECK(s(d, "pauseReason") == "agent_left");
  CHECK(n(d, "concurrentLines") == 2);
  CHECK(d["selectedNumbers"].Size() == 2);
  CHECK(s(d, "startedAt") == "2025-12-01T10:20:00.000Z");
  CHECK(is_null(d, "endedAt"));
  const auto& k = d["stats"];
  CHECK(n(k, "calls") == 4);
  CHECK(n(k, "talkTimeSeconds") == 61);
  CHECK(k["uniqueRate"].GetDouble() == doctest::Approx(66.7));
  CHECK(k["abandonRate"].GetDouble() == doctest::Approx(25.0));

  ses.pause_reason.clear();
  CHECK(is_null(parse(session_updated_json(ses)), "pauseReason"));
}

TEST_CASE("session.updated carries the campaign, its 30-day abandon rate and the pacing") {
  store::session_record ses;
  ses.id = "ses_1";
  ses.campaign_id = "spring";
  ses.concurrent_lines = 3;
  engine::session_pacing p;
  p.campaign = {400, 90, 2};
  p.effective_lines = 2;
  p.reason = domain::pacing_reason::measured;
  auto d = parse(session_updated_json(ses, p));
  CHECK(s(d, "campaignId") == "spring");
  CHECK(n(d, "concurrentLines") == 3);
  CHECK(n(d, "effectiveLines") == 2);
  CHECK(s(d, "pacingReason") == "measured");
  const auto& k = d["stats"];
  CHECK(k["abandonRate30d"].GetDouble() == doctest::Approx(2.22));  // 2 / 90, two decimals
  CHECK(n(k, "drops30d") == 2);
  CHECK(n(k, "humanAnswers30d") == 90);
}

TEST_CASE("compliance.warning names the campaign, the session, the rate, the target and the threshold") {
  auto d = parse(compliance_warning_json("spring", "ses_1", {100, 40, 1}, 3.0));
  CHECK(s(d, "campaignId") == "spring");
  CHECK(s(d, "sessionId") == "ses_1");
  CHECK(d["abandonRate30d"].GetDouble() == doctest::Approx(2.5));
  CHECK(n(d, "drops30d") == 1);
  CHECK(n(d, "humanAnswers30d") == 40);
  CHECK(d["target"].GetDouble() == doctest::Approx(3.0));
  CHECK(d["warningAt"].GetDouble() == doctest::Approx(2.4));
}

TEST_CASE("queue.updated carries status, attempts left, priority and the next attempt time") {
  auto q = item();
  q.state.status = domain::item_status::pending;
  q.state.attempts = 1;
  q.state.boosted = true;
  q.state.last_outcome = domain::outcome::dropped_agent_busy;
  q.state.next_attempt_at_ms = t0 + 1500;
  auto d = parse(queue_updated_json(q));
  CHECK(s(d, "sessionId") == "ses_1");
  CHECK(s(d, "queueItemId") == "itm_1");
  CHECK(s(d, "contactId") == "crm-42");
  CHECK(s(d, "name") == "Ada \"the\" Lovelace");
  CHECK(s(d, "status") == "pending");
  CHECK(n(d, "attempts") == 1);
  CHECK(n(d, "attemptsLeft") == 2);
  CHECK(n(d, "priority") == 5);
  CHECK(d["boosted"].GetBool());
  CHECK(s(d, "nextAttemptAt") == "2025-12-01T10:20:01.500Z");
  CHECK(s(d, "lastOutcome") == "dropped_agent_busy");

  SUBCASE("a terminal item has no attempts left and no outcome yet reads null") {
    q.state.status = domain::item_status::failed;
    q.state.last_outcome = domain::outcome::none;
    q.state.next_attempt_at_ms.reset();
    auto f = parse(queue_updated_json(q));
    CHECK(n(f, "attemptsLeft") == 0);
    CHECK(is_null(f, "lastOutcome"));
    CHECK(is_null(f, "nextAttemptAt"));
  }
}

TEST_CASE("call.updated carries the call's status and kind") {
  auto c = customer_call();
  c.state.status = domain::call_status::ringing;
  auto d = parse(call_updated_json(c));
  CHECK(s(d, "callId") == "call_1");
  CHECK(s(d, "sessionId") == "ses_1");
  CHECK(s(d, "status") == "ringing");
  CHECK(s(d, "kind") == "customer");
  CHECK(s(d, "direction") == "outbound");
  CHECK(is_null(d, "outcome"));
  CHECK(is_null(d, "answeredAt"));

  SUBCASE("a manual call has no session or queue item: null") {
    c.session_id.clear();
    c.queue_item_id.clear();
    c.kind = domain::call_kind::manual;
    auto m = parse(call_updated_json(c));
    CHECK(is_null(m, "sessionId"));
    CHECK(is_null(m, "queueItemId"));
    CHECK(s(m, "kind") == "manual");
  }
}

TEST_CASE("call.connected names the contact, the caller number and the agent") {
  auto c = customer_call();
  c.state.status = domain::call_status::bridged;
  c.state.bridged_at_ms = t0 + 9000;
  auto q = item();
  auto d = parse(call_connected_json(c, contact_of(c, &q), "alice"));
  CHECK(s(d, "sessionId") == "ses_1");
  CHECK(s(d, "callId") == "call_1");
  CHECK(s(d, "queueItemId") == "itm_1");
  CHECK(s(d, "contactId") == "crm-42");
  CHECK(s(d, "name") == "Ada \"the\" Lovelace");
  CHECK(s(d, "phone") == "+15551230001");
  CHECK(s(d, "from") == "+15550000001");
  CHECK(s(d, "agentId") == "alice");
  CHECK(s(d, "bridgedAt") == "2025-12-01T10:20:09.000Z");
}

TEST_CASE("call.dropped describes the retry that was scheduled") {
  auto c = customer_call();
  c.state.status = domain::call_status::ended;
  c.state.result = domain::outcome::dropped_agent_busy;
  c.state.answered_at_ms = t0 + 4000;
  auto q = item();
  q.state.status = domain::item_status::pending;
  q.state.attempts = 1;
  q.state.boosted = true;
  auto d = parse(call_dropped_json(c, contact_of(c, &q), q));
  CHECK(s(d, "contactId") == "crm-42");
  CHECK(s(d, "phone") == "+15551230001");
  CHECK(s(d, "answeredAt") == "2025-12-01T10:20:04.000Z");
  const auto& r = d["retry"];
  CHECK(s(r, "status") == "pending");
  CHECK(n(r, "attempts") == 1);
  CHECK(n(r, "attemptsLeft") == 2);
  CHECK(r["boosted"].GetBool());
  CHECK(r["headOfQueue"].GetBool());
  CHECK(is_null(r, "nextAttemptAt"));

  SUBCASE("the last attempt dropped: the item failed, nothing is retried") {
    q.state.status = domain::item_status::failed;
    q.state.attempts = 3;
    q.state.boosted = false;
    auto f = parse(call_dropped_json(c, contact_of(c, &q), q));
    CHECK(s(f["retry"], "status") == "failed");
    CHECK(n(f["retry"], "attemptsLeft") == 0);
    CHECK_FALSE(f["retry"]["headOfQueue"].GetBool());
  }
}

TEST_CASE("call.ended has the outcome, talk and duration seconds for the CRM's activity") {
  auto c = customer_call();
  c.state.status = domain::call_status::ended;
  c.state.result = domain::outcome::connected;
  c.state.hangup_cause = "normal_clearing";
  c.state.answered_at_ms = t0 + 5000;
  c.state.bridged_at_ms = t0 + 6000;
  c.state.ended_at_ms = t0 + 96'900;
  auto q = item();
  auto d = parse(call_ended_json(c, contact_of(c, &q), "alice"));
  CHECK(s(d, "outcome") == "connected");
  CHECK(s(d, "hangupCause") == "normal_clearing");
  CHECK(n(d, "talkSeconds") == 90);
  CHECK(n(d, "durationSeconds") == 96);
  CHECK(s(d, "endedAt") == "2025-12-01T10:21:36.900Z");
  CHECK(s(d, "agentId") == "alice");
  CHECK(s(d, "contactId") == "crm-42");
}

TEST_CASE("the contact of a call without a queue item is the far end's number") {
  auto c = customer_call();
  c.queue_item_id.clear();
  c.contact_id = "crm-7";
  CHECK(contact_of(c, nullptr).phone == "+15551230001");
  c.direction = "inbound";
  c.from = "+15559990000";
  auto who = contact_of(c, nullptr);
  CHECK(who.phone == "+15559990000");
  CHECK(who.id == "crm-7");
  CHECK(who.name.empty());

  SUBCASE("an item without a CRM contact id is named by the item id") {
    auto q = item();
    q.contact_id.clear();
    CHECK(contact_of(c, &q).id == "itm_1");
  }
}
