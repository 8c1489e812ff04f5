// Do-not-call, the per-number daily cap and the audit export against telnyx-sim (SPEC §10): a listed
// contact is never dialed (the sim's record of dials has no call to it), also when listed while its
// item waits; the cap holds an item with blockedReason daily_cap across sessions; the CSV export holds
// every attempt, quoted per RFC 4180, across pages.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <map>
#include <set>

#include "dialer/common/time_format.hpp"
#include "dialer/store/store.hpp"
#include "support/api_contract.hpp"
#include "support/session_checks.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;

namespace {

constexpr const char* answers = "+15550401001";    // answers after 1 s, talks 20 s
constexpr const char* listed = "+15550401002";     // on the do-not-call list
constexpr const char* long_talk = "+15550401003";  // answers after 1 s, talks until hung up (600 s)
constexpr const char* no_answer = "+15550401004";  // rings until the dial's timeout

std::string scenario() {
  return std::string(R"({"agent": {"answer_after_s": 1}, "unbridged_patience_s": 30,
      "outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0}, "numbers": {
      ")") + answers + R"(": {"outcome": "answer", "ring_s": 1, "talk_s": 20},
      ")" + long_talk + R"(": {"outcome": "answer", "ring_s": 1, "talk_s": 600},
      ")" + no_answer + R"(": {"outcome": "no_answer"}}})";
}

// Only the protection under test is on: the others are null, so the wall clock (calling hours) or the
// answer rate (abandon target) cannot hold anything here.
std::string compliance(const std::string& cap) {
  return R"("compliance": {"drop_message": null, "pacing": "fixed", "abandon_target_pct": null,
                           "calling_hours": null, "max_calls_per_number_24h": )" + cap + "}";
}

test::reply call(stack& s, verb method, const std::string& target, const std::string& body = {}) {
  return test::checked_call(s, method, target, body);
}
std::string field_of(const test::reply& r) { return test::error_field(r); }

// How many calls the sim saw to `phone`.
int sim_dials_to(stack& s, const std::string& phone) {
  auto calls = s.sim(verb::get, "/sim/calls").json();
  int n = 0;
  for (auto& c : calls["data"].GetArray())
    if (phone == c["to"].GetString()) ++n;
  return n;
}

// The session's queue item for `phone`, through the API.
rapidjson::Document item_of(stack& s, const std::string& session, const std::string& phone) {
  auto q = call(s, verb::get, "/api/power-dialer/sessions/" + session + "/queue").json();
  rapidjson::Document out;
  for (auto& i : q["items"].GetArray())
    if (phone == i["phone"].GetString()) out.CopyFrom(i, out.GetAllocator());
  REQUIRE_MESSAGE(out.IsObject(), "no item for " << phone);
  return out;
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : "<null>"; }

// RFC 4180: rows of fields; quoted fields may hold commas, CRLF and doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string f;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') { f += '"'; ++i; }
      else if (c == '"') quoted = false;
      else f += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(f));
      f.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(f));
      f.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      f += c;
    }
  }
  REQUIRE_MESSAGE(!quoted, "unterminated quoted field");
  REQUIRE_MESSAGE((row.empty() && f.empty()), "the last row does not end with CRLF");
  return rows;
}

// The export as rows keyed by column name, with every row as wide as the header.
struct csv_export {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};
csv_export read_export(const test::reply& r) {
  auto rows = parse_csv(r.body);
  REQUIRE(!rows.empty());
  csv_export out;
  out.header = rows[0];
  for (std::size_t i = 1; i < rows.size(); ++i) {
    REQUIRE_MESSAGE(rows[i].size() == out.header.size(), "row " << i << " has " << rows[i].size() << " fields");
    std::map<std::string, std::string> m;
    for (std::size_t j = 0; j < rows[i].size(); ++j) m[out.header[j]] = rows[i][j];
    out.rows.push_back(std::move(m));
  }
  return out;
}

std::string iso(const std::optional<std::int64_t>& ms) { return ms ? format_iso8601(from_unix_ms(*ms)) : ""; }

}  // namespace

TEST_CASE("a contact on the do-not-call list is never dialed: its item is failed with outcome dnc") {
  stack s({.scenario_json = scenario(), .time_scale = 20});
  auto added = call(s, verb::post, "/api/dnc", std::string(R"({"phones": [")") + listed + R"(", ")" + listed + "\"]}");
  REQUIRE_MESSAGE(added.status == 200, added.body);
  CHECK(added.json()["added"].GetInt() == 1);
  CHECK(added.json()["alreadyListed"].GetInt() == 1);
  auto looked_up = call(s, verb::get, std::string("/api/dnc?phone=%2B") + (listed + 1)).json();
  REQUIRE(looked_up["entries"].Size() == 1);
  CHECK(str(looked_up["entries"][0]["phone"]) == listed);

  auto id = test::create_and_start(s, "alice", std::string(R"(, "concurrentLines": 2, "contacts": [{"phone": ")") +
                                                   answers + R"("}, {"phone": ")" + listed + R"("}])");
  // Refused when queued: failed at once, before any dial.
  auto item = item_of(s, id, listed);
  CHECK(str(item["status"]) == "failed");
  CHECK(str(item["lastOutcome"]) == "dnc");
  CHECK(item["attempts"].GetInt() == 0);
  REQUIRE(test::eventually([&] { return test::session_status(s, id) == "completed"; }, 60s));
  CHECK(sim_dials_to(s, answers) == 1);
  CHECK(sim_dials_to(s, listed) == 0);
  CHECK(item_of(s, id, listed)["attempts"].GetInt() == 0);
  store::store db(s.database(), "NORMAL");
  test::check_finished_session(s, db, id, 3);

  // A manual call to the listed number is refused too, and none is placed.
  auto manual = call(s, verb::post, "/api/calls",
                     std::string(R"({"agentId": "bob", "from": "+15550000001", "to": ")") + listed + "\"}");
  CHECK(manual.status == 409);
  CHECK(field_of(manual) == "to");
  CHECK(sim_dials_to(s, listed) == 0);
}

TEST_CASE("a number added to the do-not-call list while its item is pending is never dialed") {
  stack s({.scenario_json = scenario(), .time_scale = 20});
  // One line: the first contact talks until the sim hangs it up, the second waits its turn.
  auto id = test::create_and_start(s, "alice", std::string(R"(, "concurrentLines": 1, "contacts": [{"phone": ")") +
                                                   long_talk + R"("}, {"phone": ")" + no_answer + R"("}])");
  std::string talking_ccid;
  REQUIRE(test::eventually([&] {
    auto calls = s.sim(verb::get, "/sim/calls").json();
    for (auto& c : calls["data"].GetArray())
      if (long_talk == std::string(c["to"].GetString()) && c.HasMember("bridged_with") && c["bridged_with"].IsString())
        talking_ccid = c["call_control_id"].GetString();
    return !talking_ccid.empty();
  }, 30s));
  CHECK(str(item_of(s, id, no_answer)["status"]) == "pending");
  REQUIRE(call(s, verb::post, "/api/dnc", std::string(R"({"phones": [")") + no_answer + "\"]}").status == 200);
  REQUIRE(s.sim(verb::post, "/sim/calls/" + talking_ccid + "/hangup").status < 300);

  REQUIRE(test::eventually([&] { return test::session_status(s, id) == "completed"; }, 60s));
  auto item = item_of(s, id, no_answer);
  CHECK(str(item["status"]) == "failed");
  CHECK(str(item["lastOutcome"]) == "dnc");
  CHECK(item["attempts"].GetInt() == 0);
  CHECK(sim_dials_to(s, no_answer) == 0);
  CHECK(sim_dials_to(s, long_talk) == 1);

  // Removed again, the number may be dialed in a new session.
  auto removed = call(s, verb::delete_, "/api/dnc", std::string(R"({"phones": [")") + no_answer + R"(", "+15550409999"]})");
  REQUIRE(removed.status == 200);
  CHECK(removed.json()["removed"].GetInt() == 1);
  CHECK(removed.json()["notListed"].GetInt() == 1);
  CHECK(call(s, verb::get, std::string("/api/dnc?phone=%2B") + (no_answer + 1)).json()["entries"].Size() == 0);
}

TEST_CASE("the do-not-call routes page the list in order and name a bad phone without changing anything") {
  stack s({.scenario_json = scenario(), .time_scale = 20});
  auto bad = call(s, verb::post, "/api/dnc", R"({"phones": ["+15550402001", "555-0100"]})");
  CHECK(bad.status == 400);
  CHECK(field_of(bad) == "phones[1]");
  CHECK(call(s, verb::get, "/api/dnc").json()["entries"].Size() == 0);  // all or nothing
  CHECK(field_of(call(s, verb::post, "/api/dnc", R"({"phones": []})")) == "phones");
  CHECK(field_of(call(s, verb::delete_, "/api/dnc", R"({"phones": [7]})")) == "phones[0]");
  CHECK(field_of(call(s, verb::get, "/api/dnc?phone=12")) == "phone");
  CHECK(field_of(call(s, verb::get, "/api/dnc?limit=0")) == "limit");

  REQUIRE(call(s, verb::post, "/api/dnc", R"({"phones": ["+15550402003", "+15550402001", "+15550402002"]})").status == 200);
  auto first = call(s, verb::get, "/api/dnc?limit=2").json();
  REQUIRE(first["entries"].Size() == 2);
  CHECK(str(first["entries"][0]["phone"]) == "+15550402001");
  CHECK(str(first["entries"][1]["phone"]) == "+15550402002");
  CHECK(parse_iso8601(str(first["entries"][0]["addedAt"])).has_value());
  REQUIRE(first["next"].IsString());
  auto second = call(s, verb::get, "/api/dnc?limit=2&after=%2B" + std::string(first["next"].GetString() + 1)).json();
  REQUIRE(second["entries"].Size() == 1);
  CHECK(str(second["entries"][0]["phone"]) == "+15550402003");
  CHECK(second["next"].IsNull());
}

TEST_CASE("the daily cap holds an item with blockedReason daily_cap across sessions until the oldest dial is 24 h old") {
  stack s({.scenario_json = scenario(), .time_scale = 20, .extra_config = compliance("2")});
  // Alice's session dials the number twice (no answer, two attempts): the cap of 2 is reached.
  auto first = test::create_and_start(s, "alice", std::string(R"(, "maxAttempts": 2, "contacts": [{"phone": ")") +
                                                      no_answer + R"("}])");
  REQUIRE(test::eventually([&] { return test::session_status(s, first) == "completed"; }, 60s));
  REQUIRE(sim_dials_to(s, no_answer) == 2);

  // Bob's session holds the same number; its other contact is dialed.
  auto second = test::create_and_start(s, "bob", std::string(R"(, "contacts": [{"phone": ")") + no_answer +
                                                     R"("}, {"phone": ")" + answers + R"("}])");
  REQUIRE(test::eventually([&] { return str(item_of(s, second, no_answer)["blockedReason"]) == "daily_cap"; }, 30s));
  REQUIRE(test::eventually([&] { return sim_dials_to(s, answers) == 1; }, 30s));
  auto held = item_of(s, second, no_answer);
  CHECK(str(held["status"]) == "pending");
  CHECK(held["attempts"].GetInt() == 0);
  store::store db(s.database(), "NORMAL");
  std::vector<std::int64_t> dial_starts;
  for (const auto& c : db.list_session_calls(first, 10))
    if (c.kind == domain::call_kind::customer) dial_starts.push_back(c.started_at_ms);
  REQUIRE(dial_starts.size() == 2);
  const auto oldest = *std::min_element(dial_starts.begin(), dial_starts.end());
  CHECK(str(held["nextAttemptAt"]) == format_iso8601(from_unix_ms(oldest + 24LL * 3600 * 1000)));
  // It waits: the session stays running with nothing dialed to the capped number.
  REQUIRE(test::eventually([&] { return str(item_of(s, second, answers)["status"]) == "completed"; }, 60s));
  CHECK(test::session_status(s, second) == "running");
  CHECK(sim_dials_to(s, no_answer) == 2);
  CHECK(str(item_of(s, second, no_answer)["blockedReason"]) == "daily_cap");

  // A manual call to the capped number is refused too, saying when it may be dialed, and none is placed.
  auto manual = call(s, verb::post, "/api/calls",
                     std::string(R"({"agentId": "alice", "from": "+15550000001", "to": ")") + no_answer + "\"}");
  CHECK_MESSAGE(manual.status == 409, manual.body);
  CHECK(field_of(manual) == "to");
  CHECK(manual.body.find(format_iso8601(from_unix_ms(oldest + 24LL * 3600 * 1000))) != std::string::npos);
  CHECK(sim_dials_to(s, no_answer) == 2);
}

TEST_CASE("the call export streams every attempt as quoted CSV in dial order, and checks from and to") {
  stack s({.scenario_json = scenario(), .time_scale = 20});
  auto id = test::create_and_start(s, "alice", std::string(R"(, "concurrentLines": 2, "contacts": [{"phone": ")") +
                                                   answers + R"("}, {"phone": ")" + no_answer + R"("}])");
  REQUIRE(test::eventually([&] { return test::session_status(s, id) == "completed"; }, 60s));
  store::store db(s.database(), "NORMAL");
  const auto session_calls = db.list_session_calls(id, 100);
  std::string answered_id;
  for (const auto& c : session_calls)
    if (c.to == answers) answered_id = c.id;
  REQUIRE(!answered_id.empty());
  const std::string notes = "said \"call back, after 5\"\nand hung up";
  REQUIRE(call(s, verb::patch, "/api/calls/" + answered_id,
               R"({"notes": "said \"call back, after 5\"\nand hung up", "disposition": "callback"})").status == 200);

  auto r = call(s, verb::get, "/api/calls/export");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").rfind("text/csv", 0) == 0);
  auto csv = read_export(r);
  for (auto column : {"call_id", "session_id", "kind", "from", "to", "started_at", "answered_at", "bridged_at",
                      "ended_at", "duration_seconds", "talk_seconds", "outcome", "hangup_cause", "message_played",
                      "campaign", "notes"})
    CHECK_MESSAGE(std::count(csv.header.begin(), csv.header.end(), column) == 1, column);
  // Every call row of the database (the agent leg included), each once, in dial order.
  const auto all = db.list_recent_calls(1000);
  REQUIRE(csv.rows.size() == all.size());
  std::map<std::string, store::call_record> by_id;
  for (const auto& c : all) by_id[c.id] = c;
  std::string previous_start;
  for (const auto& row : csv.rows) {
    auto it = by_id.find(row.at("call_id"));
    REQUIRE_MESSAGE(it != by_id.end(), "unknown call " << row.at("call_id"));
    const auto& c = it->second;
    CHECK(row.at("session_id") == c.session_id);
    CHECK(row.at("to") == c.to);
    CHECK(row.at("from") == c.from);
    CHECK(row.at("started_at") == iso(c.started_at_ms));
    CHECK(row.at("answered_at") == iso(c.state.answered_at_ms));
    CHECK(row.at("bridged_at") == iso(c.state.bridged_at_ms));
    CHECK(row.at("ended_at") == iso(c.state.ended_at_ms));
    CHECK(row.at("outcome") == std::string(domain::to_string(c.state.result)));
    CHECK(row.at("talk_seconds") == std::to_string(c.state.talk_ms() / 1000));
    CHECK(row.at("message_played") == (c.state.message_played ? "true" : "false"));
    CHECK(row.at("campaign") == (c.session_id.empty() ? std::string() : db.get_session(c.session_id)->campaign_id));
    CHECK(row.at("started_at") >= previous_start);
    previous_start = row.at("started_at");
    by_id.erase(it);
  }
  CHECK(by_id.empty());
  for (const auto& row : csv.rows)
    if (row.at("call_id") == answered_id) {
      CHECK(row.at("notes") == notes);  // the comma, the quotes and the line break survive
      CHECK(row.at("outcome") == "connected");
      CHECK(row.at("kind") == "customer");
    }

  // from and to select by dial start; bad ones are a 400 naming them.
  const auto first_start = std::min_element(all.begin(), all.end(), [](auto& a, auto& b) {
                             return a.started_at_ms < b.started_at_ms;
                           })->started_at_ms;
  auto none = read_export(call(s, verb::get, "/api/calls/export?to=" + format_iso8601(from_unix_ms(first_start))));
  CHECK(none.rows.empty());
  CHECK(none.header == csv.header);
  auto later = read_export(call(s, verb::get, "/api/calls/export?from=" + format_iso8601(from_unix_ms(first_start + 1))));
  CHECK(later.rows.size() < csv.rows.size());
  CHECK(field_of(call(s, verb::get, "/api/calls/export?from=yesterday")) == "from");
  CHECK(field_of(call(s, verb::get, "/api/calls/export?to=2026-13-01T00:00:00Z")) == "to");
  CHECK(field_of(call(s, verb::get, "/api/calls/export?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z")) == "to");
}

TEST_CASE("the call export of many more calls than one page returns each exactly once") {
  stack s({.scenario_json = scenario(), .time_scale = 20});
  // 2,500 finished calls written straight into the database (dialerd reads them like its own), some
  // started in the same millisecond, so the export crosses many pages and their ties.
  constexpr int count = 2500;
  {
    SQLite::Database db(s.database(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    SQLite::Transaction tx(db);
    SQLite::Statement ins(db, "INSERT INTO calls(id, direction, kind, from_number, to_number, command_id, client_state, "
                              "status, outcome, started_at, ended_at, notes) VALUES (?, 'outbound', 'manual', "
                              "'+15550000001', ?, ?, 'cs', 'ended', 'no_answer', ?, ?, ?)");
    for (int i = 0; i < count; ++i) {
      ins.bind(1, "bulk_" + std::to_string(i));
      ins.bind(2, "+1555041" + std::to_string(10000 + i).substr(1));
      ins.bind(3, "cmd_" + std::to_string(i));
      ins.bind(4, static_cast<std::int64_t>(1'700'000'000'000 + (i / 3) * 1000));
      ins.bind(5, static_cast<std::int64_t>(1'700'000'000'000 + (i / 3) * 1000 + 15'000));
      ins.bind(6, i % 7 == 0 ? std::string("note, with \"quotes\"\r\nline ") + std::to_string(i) : std::string());
      ins.exec();
      ins.reset();
    }
    tx.commit();
  }
  auto r = call(s, verb::get, "/api/calls/export?from=2023-01-01T00:00:00Z");
  REQUIRE(r.status == 200);
  auto csv = read_export(r);
  REQUIRE(csv.rows.size() == static_cast<std::size_t>(count));
  std::set<std::string> ids;
  for (const auto& row : csv.rows) ids.insert(row.at("call_id"));
  CHECK(ids.size() == static_cast<std::size_t>(count));
  CHECK(csv.rows.front().at("call_id") == "bulk_0");
  CHECK(csv.rows.back().at("call_id") == "bulk_" + std::to_string(count - 1));
  CHECK(csv.rows[7].at("notes") == "note, with \"quotes\"\r\nline 7");
  CHECK(csv.rows[7].at("duration_seconds") == "15");
}
