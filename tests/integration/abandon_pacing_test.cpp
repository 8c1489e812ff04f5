// The abandon rate and adaptive pacing (SPEC §10) against real dialerd and telnyx-sim processes: a
// campaign whose contacts all answer falls to 1 line, one whose contacts never answer rises to its cap;
// the 30-day figures in the session stats and GET /api/campaigns/{id}/compliance equal a recount from
// the calls rows; compliance.warning arrives once on the event stream; fixed pacing is the seed's.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "dialer/common/time_format.hpp"
#include "support/session_checks.hpp"
#include "support/sse_reader.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

// Campaign "hot": every contact (+1555771nnnn) answers after 1 s and talks 20 s, so a second line's
// person is dropped while the agent talks. Campaign "cold": every contact (+1555772nnnn) rings out.
std::string scenario(int hot, int cold) {
  std::string numbers;
  auto add = [&](const std::string& phone, const std::string& spec) {
    numbers += (numbers.empty() ? "\"" : ",\"") + phone + "\": " + spec;
  };
  for (int i = 0; i < hot; ++i)
    add("+1555771" + std::to_string(10000 + i).substr(1),
        R"({"outcome": "answer", "ring_s": {"min": 1, "max": 1}, "talk_s": {"min": 20, "max": 20}})");
  for (int i = 0; i < cold; ++i) add("+1555772" + std::to_string(10000 + i).substr(1), R"({"outcome": "no_answer"})");
  return R"({"agent": {"answer_after_s": 1}, "unbridged_patience_s": 30, "numbers": {)" + numbers + "}}";
}

// Adaptive pacing with a 3% target, no margin, a prior of 5% (2 lines) and 6 dials before measuring;
// no calling hours or daily cap, so the test does not depend on the time of day.
constexpr const char* adaptive_compliance = R"("compliance": {
    "pacing": "adaptive", "abandon_target_pct": 3.0, "drop_message": null,
    "adaptive": {"margin_pct": 0, "prior_answer_rate": 0.05, "min_dials": 6},
    "calling_hours": null, "max_calls_per_number_24h": null })";

rapidjson::Document session(stack& s, const std::string& id) {
  auto r = s.api(verb::get, "/api/power-dialer/sessions/" + id);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.json();
}

std::int64_t ms(const rapidjson::Value& v) {
  REQUIRE(v.IsString());
  auto t = parse_iso8601(v.GetString());
  REQUIRE(t);
  return to_unix_ms(*t);
}

// The campaign's figures recounted here from the sessions' calls rows (GET .../calls), by SPEC §10's
// rule: a drop is an agent-busy drop or a person who hung up unconnected more than 2 s after answering.
domain::campaign_tally recount(stack& s, const std::vector<std::string>& session_ids) {
  domain::campaign_tally t;
  for (const auto& id : session_ids) {
    auto calls = s.api(verb::get, "/api/power-dialer/sessions/" + id + "/calls?limit=10000").json();
    for (const auto& c : calls["calls"].GetArray()) {
      if (std::string(c["kind"].GetString()) != "customer" || std::string(c["status"].GetString()) != "ended") continue;
      if (c["callControlId"].IsNull()) continue;  // never placed
      t.dials += 1;
      if (!c["answered"].GetBool()) continue;
      t.human_answers += 1;
      const std::string outcome = c["outcome"].GetString();
      const bool late_hangup = outcome == "abandoned" && ms(c["endedAt"]) - ms(c["answeredAt"]) > 2000;
      if (outcome == "dropped_agent_busy" || late_hangup) t.drops += 1;
    }
  }
  return t;
}

void check_figures(const rapidjson::Value& v, const domain::campaign_tally& want) {
  CHECK(v["humanAnswers30d"].GetInt64() == want.human_answers);
  CHECK(v["drops30d"].GetInt64() == want.drops);
  const double rate = want.human_answers ? 100.0 * static_cast<double>(want.drops) / static_cast<double>(want.human_answers) : 0;
  CHECK(v["abandonRate30d"].GetDouble() == doctest::Approx(rate).epsilon(0.0001));
}

}  // namespace

TEST_CASE("adaptive lines fall to 1 when every contact answers and rise to the cap when none does") {
  constexpr int hot = 8, cold = 14;
  stack s({.scenario_json = scenario(hot, cold), .time_scale = 20, .extra_config = adaptive_compliance});
  test::sse_reader events(s.dialerd_port(), "/api/events", {{"Authorization", std::string("Bearer ") + stack::token}});
  REQUIRE(test::eventually([&] { return events.status() == 200; }, 10s));

  // Hot: 3 lines allowed by the session, 2 by the prior (A(2, 0.05) = 2.5% < 3%, A(3, 0.05) = 4.9%).
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "campaignId": "hot", "concurrentLines": 3, "maxAttempts": 1,
                           "contacts": )" + test::numbered_contacts("771", hot) + "}");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  auto c = created.json();
  const std::string hot_id = c["id"].GetString();
  CHECK(std::string(c["campaignId"].GetString()) == "hot");
  CHECK(c["effectiveLines"].GetInt() == 2);
  CHECK(std::string(c["pacingReason"].GetString()) == "prior");
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + hot_id, R"({"action": "start"})").status == 200);

  // The second line's person is dropped while the agent talks: the rate passes 3% and lines fall to 1.
  std::string reason;
  CHECK(test::eventually([&] {
    auto v = session(s, hot_id);
    reason = v["pacingReason"].GetString();
    return v["effectiveLines"].GetInt() == 1;
  }, 60s));
  CHECK((reason == "abandon_target_reached" || reason == "measured"));
  REQUIRE(test::eventually([&] { return test::session_status(s, hot_id) == "completed"; }, 120s));
  auto hot_view = session(s, hot_id);
  CHECK(hot_view["effectiveLines"].GetInt() == 1);
  CHECK(std::string(hot_view["pacingReason"].GetString()) == "abandon_target_reached");

  // Once at 1 line the engine dials one call at a time: every later call starts after all earlier ones ended.
  {
    store::store db(s.database());
    auto calls = db.list_session_calls(hot_id, 1000);
    std::erase_if(calls, [](const auto& call) { return call.kind != domain::call_kind::customer; });  // the agent leg
    std::sort(calls.begin(), calls.end(), [](const auto& a, const auto& b) { return a.started_at_ms < b.started_at_ms; });
    REQUIRE(calls.size() >= 4);
    std::int64_t last_end = 0;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (i >= 2) CHECK_MESSAGE(calls[i].started_at_ms >= last_end, "call " << calls[i].id << " overlaps an earlier one");
      last_end = std::max(last_end, calls[i].state.ended_at_ms.value_or(INT64_MAX));
    }
  }

  // The 30-day figures in the stats and the compliance endpoint equal a recount from the calls rows.
  auto want_hot = recount(s, {hot_id});
  CHECK(want_hot.drops >= 1);
  CHECK(want_hot.human_answers == hot);
  check_figures(hot_view["stats"], want_hot);
  auto report = s.api(verb::get, "/api/campaigns/hot/compliance");
  REQUIRE_MESSAGE(report.status == 200, report.body);
  auto r = report.json();
  CHECK(std::string(r["campaignId"].GetString()) == "hot");
  check_figures(r, want_hot);
  CHECK(r["dials30d"].GetInt64() == want_hot.dials);
  CHECK(r["target"].GetDouble() == doctest::Approx(3.0));
  CHECK(r["warningAt"].GetDouble() == doctest::Approx(2.4));

  // Cold: the same prior (2 lines); after 6 dials nobody answered, so p = 0 and the cap (3) is used.
  const auto cold_id = test::create_and_start(
      s, "bob", R"(, "campaignId": "cold", "concurrentLines": 3, "maxAttempts": 1, "contacts": )" +
                    test::numbered_contacts("772", cold));
  CHECK(test::eventually([&] {
    auto v = session(s, cold_id);
    return v["effectiveLines"].GetInt() == 3 && std::string(v["pacingReason"].GetString()) == "measured";
  }, 60s));
  CHECK(test::eventually([&] { return session(s, cold_id)["linesInUse"].GetInt() == 3; }, 60s));
  REQUIRE(test::eventually([&] { return test::session_status(s, cold_id) == "completed"; }, 120s));
  auto cold_report = s.api(verb::get, "/api/campaigns/cold/compliance").json();
  check_figures(cold_report, recount(s, {cold_id}));
  CHECK(cold_report["dials30d"].GetInt64() == cold);
  CHECK(cold_report["humanAnswers30d"].GetInt64() == 0);

  // compliance.warning: once for the hot campaign as its rate crossed 2.4%, never for the cold one.
  REQUIRE(test::eventually([&] { return !events.events_of("compliance.warning").empty(); }, 10s));
  auto warnings = events.events_of("compliance.warning");
  REQUIRE(warnings.size() == 1);
  rapidjson::Document w;
  w.Parse(warnings[0].data.c_str());
  REQUIRE(w.IsObject());
  CHECK(std::string(w["campaignId"].GetString()) == "hot");
  CHECK(std::string(w["sessionId"].GetString()) == hot_id);
  CHECK(w["abandonRate30d"].GetDouble() >= 2.4);
  CHECK(w["target"].GetDouble() == doctest::Approx(3.0));
  // session.updated carries the same figures as the API.
  bool seen_hot_update = false;
  for (const auto& e : events.events_of("session.updated")) {
    rapidjson::Document d;
    d.Parse(e.data.c_str());
    if (!d.IsObject() || std::string(d["sessionId"].GetString()) != hot_id) continue;
    seen_hot_update = true;
    CHECK(std::string(d["campaignId"].GetString()) == "hot");
    CHECK(d["stats"].HasMember("abandonRate30d"));
    CHECK(d.HasMember("effectiveLines"));
  }
  CHECK(seen_hot_update);

  // After a restart the figures come from the calls table again: the same rate, still 1 line.
  REQUIRE(s.stop_dialerd() == 0);
  s.restart_dialerd();
  auto after = session(s, hot_id);
  check_figures(after["stats"], want_hot);
  CHECK(after["effectiveLines"].GetInt() == 1);
  CHECK(std::string(after["pacingReason"].GetString()) == "abandon_target_reached");
}

TEST_CASE("without a compliance block pacing is fixed and sessions count in the default campaign") {
  stack s({.scenario_json = "{}"});
  auto created = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "concurrentLines": 3})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  auto c = created.json();
  CHECK(std::string(c["campaignId"].GetString()) == "default");
  CHECK(c["effectiveLines"].GetInt() == 3);
  CHECK(std::string(c["pacingReason"].GetString()) == "fixed");
  CHECK(c["stats"]["abandonRate30d"].GetDouble() == 0.0);

  auto report = s.api(verb::get, "/api/campaigns/default/compliance");
  REQUIRE_MESSAGE(report.status == 200, report.body);
  auto r = report.json();
  CHECK(r["target"].IsNull());
  CHECK(r["humanAnswers30d"].GetInt64() == 0);

  auto unknown = s.api(verb::get, "/api/campaigns/nobody/compliance");
  CHECK(unknown.status == 404);
  auto bad_id = s.api(verb::get, "/api/campaigns/a%20b/compliance");
  CHECK(bad_id.status == 400);
  CHECK(std::string(bad_id.json()["error"]["field"].GetString()) == "id");
  auto bad_body = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "alice", "campaignId": "no spaces"})");
  CHECK(bad_body.status == 400);
  CHECK(std::string(bad_body.json()["error"]["field"].GetString()) == "campaignId");
}
