// Real database faults under a running session: another connection holding the write lock, and a
// file-size limit (prlimit RLIMIT_FSIZE) that makes every write fail like a full disk. Webhooks and
// API writes answer 503 (Telnyx retries), nothing is half-written, and when the fault clears the
// session finishes with every attempt counted once.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sys/resource.h>

#include <fstream>
#include <sstream>

#include "dialer/store/store.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

namespace {

constexpr int contacts = 8;

std::string unix_now() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

test::reply deliver(test::stack& s, const std::string& id) {
  const std::string body = R"({"data": {"record_type": "event", "event_type": "call.hangup", "id": ")" + id +
                           R"(", "occurred_at": "2026-12-01T08:00:00Z", "payload": {"call_control_id": "v3:not-ours",
                              "hangup_cause": "normal_clearing"}}, "meta": {"attempt": 1}})";
  const auto ts = unix_now();
  return s.raw(verb::post, "/webhooks/telnyx", body,
               {{"telnyx-signature-ed25519", s.sim_signer().sign(ts, body)}, {"telnyx-timestamp", ts}});
}

std::string read_all(const std::filesystem::path& p) {
  std::stringstream ss;
  ss << std::ifstream(p).rdbuf();
  return ss.str();
}

// A session just started: its agent leg's dial is on its way (the sim takes 0.3 s to answer it), and
// its contacts will ring out (3 s each at time scale 5), two at a time.
std::string start_session(test::stack& s) {
  std::string list;
  for (int i = 0; i < contacts; ++i) list += (i ? "," : "") + std::string(R"({"phone": "+155509010)") + std::to_string(10 + i) + "\"}";
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 2, "contacts": [)" + list + "]}");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);
  return id;
}

// What must hold while the fault lasts: every write is refused whole.
void check_writes_refused(test::stack& s, const std::string& session_id) {
  const auto sessions_before = s.api(verb::get, "/api/power-dialer/sessions").json()["sessions"].Size();
  auto hook = deliver(s, "evt-fault-1");
  CHECK_MESSAGE(hook.status == 503, hook.body);
  auto create = s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "bob", "contacts": [{"phone": "+15550902001"}]})");
  CHECK_MESSAGE(create.status == 503, create.body);
  CHECK(create.body.find("SQLITE") == std::string::npos);  // no internals
  auto add = s.api(verb::post, "/api/power-dialer/sessions/" + session_id + "/queue",
                   R"({"contacts": [{"phone": "+15550902002"}, {"phone": "+15550902003"}]})");
  CHECK_MESSAGE(add.status == 503, add.body);
  // Telnyx's own deliveries are refused too, and it will retry them.
  const auto failures = s.sim(verb::get, "/sim/report").json()["webhook_failures"].GetInt();
  CHECK(test::eventually([&] { return s.sim(verb::get, "/sim/report").json()["webhook_failures"].GetInt() > failures; }, 30s));
  // Reads still work (healthz answers from the database).
  CHECK(s.api(verb::get, "/api/power-dialer/sessions").json()["sessions"].Size() == sessions_before);
}

// After the fault: the refused writes go through, and the session completes with nothing lost.
void check_resumed(test::stack& s, const std::string& session_id) {
  INFO("after the fault");
  CHECK(deliver(s, "evt-fault-1").status == 200);
  CHECK(deliver(s, "evt-fault-1").status == 200);  // and is a duplicate now
  auto add = s.api(verb::post, "/api/power-dialer/sessions/" + session_id + "/queue",
                   R"({"contacts": [{"phone": "+15550902002"}, {"phone": "+15550902003"}]})");
  CHECK_MESSAGE(add.status == 201, add.body);
  CHECK(s.api(verb::post, "/api/power-dialer/sessions", R"({"agentId": "bob", "contacts": [{"phone": "+15550902001"}]})").status == 201);
  REQUIRE(test::eventually([&] {
    return std::string(s.api(verb::get, "/api/power-dialer/sessions/" + session_id).json()["status"].GetString()) == "completed";
  }, 90s));
  REQUIRE(s.stop_dialerd() == 0);
  INFO("dialerd stopped");
  {
    SQLite::Database raw(s.database(), SQLite::OPEN_READWRITE);
    SQLite::Statement check(raw, "PRAGMA integrity_check");
    REQUIRE(check.executeStep());
    CHECK(check.getColumn(0).getString() == "ok");
  }
  store::store db(s.database(), "NORMAL");
  CHECK(db.get_session(session_id)->stats == db.recount_stats(session_id));
  const auto items = db.list_items(session_id);
  CHECK(items.size() == contacts + 2);  // the two added once, not twice
  std::map<std::string, int> rows;
  for (const auto& c : db.list_session_calls(session_id, 10000))
    if (c.kind == domain::call_kind::customer) ++rows[c.queue_item_id];
  for (const auto& item : items) {
    CAPTURE(item.phone);
    CHECK(item.state.status == domain::item_status::failed);  // rang out max_attempts times
    CHECK(item.state.attempts == rows[item.id]);
  }
  auto report = s.sim(verb::get, "/sim/report").json();
  CHECK(report["double_dials"].GetInt() == 0);
  CHECK(report["max_concurrent_customer_calls_by_session"][session_id.c_str()].GetInt() <= 2);
}

constexpr const char* ringing = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                    "agent": {"answer_after_s": 1},
                                    "faults": {"rest_slow_s": 0.3, "webhook_retry": {"max_attempts": 100, "initial_backoff_s": 0.2,
                                                                 "max_backoff_s": 1, "timeout_s": 2}}})";

}  // namespace

TEST_CASE("while another connection holds the database's write lock, writes answer 503 and resume when it is released") {
  test::stack s({.scenario_json = ringing, .time_scale = 5, .max_attempts = 2, .status_check_after_s = 5});
  const auto id = start_session(s);
  {
    INFO("holding the lock");
    SQLite::Database locker(s.database(), SQLite::OPEN_READWRITE);
    locker.exec("BEGIN EXCLUSIVE");
    check_writes_refused(s, id);
    // The agent leg's dial reply came while the lock was held, so applying it failed; the session
    // must still get going once the lock is released (check_resumed).
    CHECK(test::eventually([&] {
      return read_all(s.dir() / "dialerd.log").find("component=engine msg=failed step=\"dial reply\"") != std::string::npos;
    }, 20s));
    locker.exec("ROLLBACK");
  }
  check_resumed(s, id);
}

TEST_CASE("when the disk is full (a file-size limit on dialerd), writes answer 503 and resume when space returns") {
  test::stack s({.scenario_json = ringing, .time_scale = 5, .max_attempts = 2, .status_check_after_s = 5});
  const auto id = start_session(s);
  const pid_t pid = s.dialerd().pid();
  rlimit full{1, RLIM_INFINITY};  // no file of dialerd's may grow past (or be written beyond) 1 byte
  REQUIRE(::prlimit(pid, RLIMIT_FSIZE, &full, nullptr) == 0);
  check_writes_refused(s, id);
  rlimit room{RLIM_INFINITY, RLIM_INFINITY};
  REQUIRE(::prlimit(pid, RLIMIT_FSIZE, &room, nullptr) == 0);
  check_resumed(s, id);
}

TEST_CASE("a retry that falls due while the database is locked is dialed once the lock is released") {
  // One contact, two attempts 2 s apart: the second is placed by the retry timer, nothing else.
  test::stack s({.scenario_json = ringing, .time_scale = 5, .max_attempts = 2, .retry_delay_s = 2});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 1, "contacts": [{"phone": "+15550903001"}]})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})").status == 200);
  auto queue = [&] { return s.api(verb::get, "/api/power-dialer/sessions/" + id + "/queue").json(); };
  REQUIRE(test::eventually([&] {
    auto q = queue();
    const auto& item = q["items"][0];
    return item["attempts"].GetInt() == 1 && item["status"] == "pending";
  }, 30s));
  {
    SQLite::Database locker(s.database(), SQLite::OPEN_READWRITE);
    locker.exec("BEGIN EXCLUSIVE");
    // The retry timer fires and its dial cannot be written.
    REQUIRE(test::eventually([&] {
      return read_all(s.dir() / "dialerd.log").find("component=engine msg=failed") != std::string::npos;
    }, 20s));
    locker.exec("ROLLBACK");
  }
  REQUIRE(test::eventually([&] {
    return std::string(s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["status"].GetString()) == "completed";
  }, 60s));
  auto q = queue();
  CHECK(q["items"][0]["attempts"].GetInt() == 2);
  CHECK(q["items"][0]["status"] == "failed");
  CHECK(s.sim(verb::get, "/sim/report").json()["dials"].GetInt() == 3);  // the agent leg and two attempts
}
