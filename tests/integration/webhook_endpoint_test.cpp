// POST /webhooks/telnyx against a real dialerd: signature checks, size and JSON limits, unknown events,
// and de-duplication. Webhooks are signed with telnyx-sim's own key (the key dialerd trusts).
#include <doctest/doctest.h>

#include "dialer/common/time_format.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

// Every contact rings until the ring timeout (15 s / 5 = 3 s), so a session keeps running for a while.
constexpr const char* ringing_scenario = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                             "agent": {"answer_after_s": 1}})";

std::string unix_now(std::chrono::seconds shift = 0s) {
  auto t = std::chrono::system_clock::now() + shift;
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::string iso_now(std::chrono::milliseconds shift = 0ms) { return format_iso8601(std::chrono::system_clock::now() + shift); }

std::string event_json(const std::string& id, const std::string& type, const std::string& call_control_id,
                       const std::string& occurred_at, const std::string& extra_payload = {}) {
  return R"({"data": {"record_type": "event", "event_type": ")" + type + R"(", "id": ")" + id +
         R"(", "occurred_at": ")" + occurred_at + R"(", "payload": {"call_control_id": ")" + call_control_id +
         R"(", "call_leg_id": "leg-)" + id + R"(", "call_session_id": "cs-)" + id +
         R"(", "connection_id": "it-connection", "client_state": null)" + extra_payload +
         R"(}}, "meta": {"attempt": 1, "delivered_to": "http://127.0.0.1/webhooks/telnyx"}})";
}

std::string hangup_json(const std::string& id, const std::string& call_control_id, const std::string& cause,
                        const std::string& occurred_at) {
  return event_json(id, "call.hangup", call_control_id, occurred_at,
                    R"(, "hangup_cause": ")" + cause + R"(", "hangup_source": "callee", "sip_hangup_cause": "unspecified")");
}

// Posts `body` with Telnyx's two signature headers, signed by `signer` over `timestamp`.
test::reply deliver(stack& s, const std::string& body, const telnyx::signature_signer& signer,
                    const std::string& timestamp, const char* sig_header = "telnyx-signature-ed25519",
                    const char* ts_header = "telnyx-timestamp") {
  return s.raw(verb::post, "/webhooks/telnyx", body,
               {{sig_header, signer.sign(timestamp, body)}, {ts_header, timestamp}});
}

test::reply deliver_signed(stack& s, const std::string& body) {
  return deliver(s, body, s.sim_signer(), unix_now());
}

rapidjson::Document get_session(stack& s, const std::string& id) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions/" + id);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json();
}

// The session's call rows of `kind`, newest first, as JSON.
std::vector<rapidjson::Document> calls_of_kind(stack& s, const std::string& session_id, const std::string& kind) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions/" + session_id + "/calls");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = r.json();
  std::vector<rapidjson::Document> out;
  for (auto& c : doc["calls"].GetArray()) {
    if (c["kind"].GetString() != kind) continue;
    rapidjson::Document copy;
    copy.CopyFrom(c, copy.GetAllocator());
    out.push_back(std::move(copy));
  }
  return out;
}

struct ready_session {
  std::string id;
  std::string agent_call_id;          // our call row id
  std::string agent_call_control_id;  // Telnyx's (the sim's) id of the agent leg
};

// A running session whose agent leg the sim has answered (agent state ready).
ready_session start_ready_session(stack& s) {
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 1, "contacts": [
                             {"phone": "+15550301001"}, {"phone": "+15550301002"}, {"phone": "+15550301003"}]})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  ready_session out;
  out.id = created.json()["id"].GetString();
  auto started = s.api(verb::patch, "/api/power-dialer/sessions/" + out.id, R"({"action": "start"})");
  REQUIRE_MESSAGE(started.status == 200, started.body);
  REQUIRE(test::eventually([&] {
    return std::string(get_session(s, out.id)["agent"]["state"].GetString()) == "ready";
  }, 20s));
  auto agents = calls_of_kind(s, out.id, "agent");
  REQUIRE(agents.size() == 1);
  REQUIRE(agents[0]["callControlId"].IsString());
  out.agent_call_id = agents[0]["id"].GetString();
  out.agent_call_control_id = agents[0]["callControlId"].GetString();
  return out;
}

// The session still runs and its agent leg is still live: a rejected webhook changed nothing.
void check_unchanged(stack& s, const ready_session& rs) {
  auto session = get_session(s, rs.id);
  CHECK(std::string(session["status"].GetString()) == "running");
  CHECK(session["pauseReason"].IsNull());
  auto agents = calls_of_kind(s, rs.id, "agent");
  REQUIRE(agents.size() == 1);
  CHECK(std::string(agents[0]["status"].GetString()) != "ended");
  CHECK(agents[0]["endedAt"].IsNull());
}

// The agent leg's hangup was applied: the session paused because the agent left.
void check_agent_left(stack& s, const ready_session& rs) {
  auto session = get_session(s, rs.id);
  CHECK(std::string(session["status"].GetString()) == "paused");
  REQUIRE(session["pauseReason"].IsString());
  CHECK(std::string(session["pauseReason"].GetString()) == "agent_left");
  auto agents = calls_of_kind(s, rs.id, "agent");
  REQUIRE(agents.size() == 1);
  CHECK(std::string(agents[0]["status"].GetString()) == "ended");
}

}  // namespace

TEST_CASE("an unsigned webhook is rejected with 401 and changes nothing") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  auto body = hangup_json("evt-unsigned-1", rs.agent_call_control_id, "normal_clearing", iso_now());
  auto r = s.raw(verb::post, "/webhooks/telnyx", body, {});
  CHECK_MESSAGE(r.status == 401, r.body);
  SUBCASE("also when only the timestamp header is present") {
    auto r2 = s.raw(verb::post, "/webhooks/telnyx", body, {{"telnyx-timestamp", unix_now()}});
    CHECK_MESSAGE(r2.status == 401, r2.body);
  }
  check_unchanged(s, rs);
}

TEST_CASE("a webhook signed by another key is rejected with 401 and changes nothing") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  auto other = telnyx::signature_signer::generate();
  REQUIRE(other->public_key_base64() != s.sim_signer().public_key_base64());
  auto r = deliver(s, hangup_json("evt-otherkey-1", rs.agent_call_control_id, "normal_clearing", iso_now()), *other,
                   unix_now());
  CHECK_MESSAGE(r.status == 401, r.body);
  check_unchanged(s, rs);
}

TEST_CASE("a correctly signed webhook whose timestamp is 10 minutes old is rejected with 401 and changes nothing") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  auto body = hangup_json("evt-old-1", rs.agent_call_control_id, "normal_clearing", iso_now(-600s));
  auto r = deliver(s, body, s.sim_signer(), unix_now(-600s));
  CHECK_MESSAGE(r.status == 401, r.body);
  SUBCASE("and so is one 10 minutes in the future") {
    auto r2 = deliver(s, body, s.sim_signer(), unix_now(600s));
    CHECK_MESSAGE(r2.status == 401, r2.body);
  }
  check_unchanged(s, rs);
}

TEST_CASE("a webhook whose body was altered after signing is rejected with 401") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  const auto ts = unix_now();
  auto signed_body = event_json("evt-alter-1", "call.answered", rs.agent_call_control_id, iso_now());
  auto sent_body = hangup_json("evt-alter-1", rs.agent_call_control_id, "normal_clearing", iso_now());
  auto r = s.raw(verb::post, "/webhooks/telnyx", sent_body,
                 {{"telnyx-signature-ed25519", s.sim_signer().sign(ts, signed_body)}, {"telnyx-timestamp", ts}});
  CHECK_MESSAGE(r.status == 401, r.body);
  check_unchanged(s, rs);
}

TEST_CASE("signature header names in another letter case are accepted and the event is applied") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  auto r = deliver(s, hangup_json("evt-case-1", rs.agent_call_control_id, "normal_clearing", iso_now()),
                   s.sim_signer(), unix_now(), "Telnyx-Signature-Ed25519", "Telnyx-Timestamp");
  CHECK_MESSAGE(r.status == 200, r.body);
  check_agent_left(s, rs);
}

TEST_CASE("a correctly signed webhook that is not JSON is rejected with 400 and changes nothing") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  // A hangup for the agent leg, cut short: valid up to the point where it stops.
  auto whole = hangup_json("evt-malformed-1", rs.agent_call_control_id, "normal_clearing", iso_now());
  auto r = deliver_signed(s, whole.substr(0, whole.size() - 2));
  CHECK_MESSAGE(r.status == 400, r.body);
  auto error = r.json();
  CHECK(error["error"]["code"].IsString());
  check_unchanged(s, rs);
}

TEST_CASE("a correctly signed webhook body over 1 MiB is rejected with 413 and changes nothing") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  // A valid hangup for the agent leg, padded with an unknown field to exactly 1 MiB + 1 byte.
  auto head = hangup_json("evt-big-1", rs.agent_call_control_id, "normal_clearing", iso_now());
  head.pop_back();  // the closing brace
  const std::string pad_open = R"(, "padding": ")", pad_close = "\"}";
  const std::size_t target = 1024 * 1024 + 1;
  std::string body = head + pad_open + std::string(target - head.size() - pad_open.size() - pad_close.size(), 'x') + pad_close;
  REQUIRE(body.size() == target);
  auto r = deliver_signed(s, body);
  CHECK_MESSAGE(r.status == 413, r.body.substr(0, 300));
  check_unchanged(s, rs);
}

TEST_CASE("a correctly signed webhook of exactly 1 MiB is accepted and applied") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  auto head = hangup_json("evt-1mib-1", rs.agent_call_control_id, "normal_clearing", iso_now());
  head.pop_back();
  const std::string pad_open = R"(, "padding": ")", pad_close = "\"}";
  const std::size_t target = 1024 * 1024;
  std::string body = head + pad_open + std::string(target - head.size() - pad_open.size() - pad_close.size(), 'x') + pad_close;
  REQUIRE(body.size() == target);
  auto r = deliver_signed(s, body);
  CHECK_MESSAGE(r.status == 200, r.body.substr(0, 300));
  check_agent_left(s, rs);
}

TEST_CASE("a correctly signed webhook of an unknown event type is acknowledged with 200 and changes nothing") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);
  auto r = deliver_signed(s, event_json("evt-unknown-1", "call.conversation.insights.generated",
                                        rs.agent_call_control_id, iso_now(), R"(, "novel_field": {"x": [1, null]})"));
  CHECK_MESSAGE(r.status == 200, r.body);
  check_unchanged(s, rs);
}

TEST_CASE("the same signed call.hangup for an unknown call is acknowledged with 200 both times it is delivered") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto body = hangup_json("evt-unknown-call-1", "v3:never-dialed-by-dialerd", "normal_clearing", iso_now());
  const auto ts = unix_now();
  const auto sig = s.sim_signer().sign(ts, body);
  for (int delivery = 1; delivery <= 2; ++delivery) {
    CAPTURE(delivery);
    auto r = s.raw(verb::post, "/webhooks/telnyx", body, {{"telnyx-signature-ed25519", sig}, {"telnyx-timestamp", ts}});
    CHECK_MESSAGE(r.status == 200, r.body);
  }
  auto health = s.raw(verb::get, "/healthz", {}, {});
  CHECK(health.status == 200);
}

TEST_CASE("a signed call.hangup for the agent leg changes state once however often it is delivered") {
  stack s({.scenario_json = ringing_scenario, .time_scale = 5});
  auto rs = start_ready_session(s);

  // First delivery: the agent left, so the session pauses and the agent's call row ends.
  const auto first_at = iso_now(-2s);
  const auto first = hangup_json("evt-agent-hangup-1", rs.agent_call_control_id, "normal_clearing", first_at);
  const auto ts = unix_now();
  const auto sig = s.sim_signer().sign(ts, first);
  auto r1 = s.raw(verb::post, "/webhooks/telnyx", first, {{"telnyx-signature-ed25519", sig}, {"telnyx-timestamp", ts}});
  REQUIRE_MESSAGE(r1.status == 200, r1.body);
  check_agent_left(s, rs);
  auto ended = calls_of_kind(s, rs.id, "agent");
  REQUIRE(ended.size() == 1);
  REQUIRE(ended[0]["endedAt"].IsString());
  const std::string ended_at = ended[0]["endedAt"].GetString();
  REQUIRE(ended[0]["hangupCause"].IsString());
  CHECK(std::string(ended[0]["hangupCause"].GetString()) == "normal_clearing");

  // The user resumes; dialerd dials the agent again and the sim answers the new leg.
  auto resumed = s.api(verb::patch, "/api/power-dialer/sessions/" + rs.id, R"({"action": "resume"})");
  REQUIRE_MESSAGE(resumed.status == 200, resumed.body);
  REQUIRE(test::eventually([&] {
    return std::string(get_session(s, rs.id)["agent"]["state"].GetString()) == "ready";
  }, 20s));

  auto expect_no_change = [&] {
    auto session = get_session(s, rs.id);
    CHECK(std::string(session["status"].GetString()) == "running");
    CHECK(session["pauseReason"].IsNull());
    CHECK(std::string(session["agent"]["state"].GetString()) == "ready");
    auto agents = calls_of_kind(s, rs.id, "agent");
    REQUIRE(agents.size() == 2);
    int ended_rows = 0;
    for (const auto& a : agents) {
      if (std::string(a["id"].GetString()) != rs.agent_call_id) {
        CHECK(std::string(a["status"].GetString()) != "ended");  // the new leg is untouched
        continue;
      }
      ended_rows += std::string(a["status"].GetString()) == "ended";
      REQUIRE(a["endedAt"].IsString());
      CHECK(std::string(a["endedAt"].GetString()) == ended_at);
      REQUIRE(a["hangupCause"].IsString());
      CHECK(std::string(a["hangupCause"].GetString()) == "normal_clearing");
    }
    CHECK(ended_rows == 1);
  };

  SUBCASE("a redelivery with the same data.id is acknowledged and ignored") {
    auto r2 = s.raw(verb::post, "/webhooks/telnyx", first, {{"telnyx-signature-ed25519", sig}, {"telnyx-timestamp", ts}});
    CHECK_MESSAGE(r2.status == 200, r2.body);
    expect_no_change();
  }
  SUBCASE("a later hangup with a new data.id for the ended leg is acknowledged and ignored") {
    auto r3 = deliver_signed(s, hangup_json("evt-agent-hangup-2", rs.agent_call_control_id, "user_busy", iso_now()));
    CHECK_MESSAGE(r3.status == 200, r3.body);
    expect_no_change();
  }
  auto stopped = s.api(verb::patch, "/api/power-dialer/sessions/" + rs.id, R"({"action": "stop"})");
  CHECK_MESSAGE(stopped.status == 200, stopped.body);
}
