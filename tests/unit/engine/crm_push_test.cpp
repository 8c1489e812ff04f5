// CRM push: the HMAC-SHA256 signature (RFC 4231 vectors), the body, the retry policy, and the dispatcher
// against a real HTTP receiver on 127.0.0.1 that fails, stalls or holds deliveries.
#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "dialer/common/json.hpp"
#include "dialer/engine/crm_push.hpp"
#include "dialer/http/server.hpp"
#include "dialer/store/store.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using engine::crm_push;

namespace {

const std::string secret = "crm-test-secret-0123456789";

// A directory under the system temp dir, removed with its files on destruction.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("dialer-crm-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string db() const { return (path / "dialer.db").string(); }
};

// What the receiver does with one delivery.
enum class reply_kind {
  accept,  // 204
  fail,    // 503
  stall,   // answers 200 only after far longer than the dispatcher's timeout
  hold,    // waits until release() and then answers 200
};

// A CRM on 127.0.0.1:0: checks each delivery's signature, answers as `policy` says, records everything.
struct receiver {
  struct delivery {
    std::string id;     // X-Dialer-Event-Id
    std::string body;
    std::string attempt;
    bool signature_ok = false;
    bool body_id_matches = false;  // the body's "id" equals the header's
    reply_kind reply = reply_kind::accept;
  };
  net::io_context& ioc;
  std::function<reply_kind(std::size_t n)> policy = [](std::size_t) { return reply_kind::accept; };  // n: 0-based
  std::vector<delivery> seen;
  std::map<std::string, int> accepted;  // event id -> 2xx answers
  int holding = 0;
  int max_holding = 0;
  std::unique_ptr<net::steady_timer> gate;
  std::unique_ptr<http::server> srv;

  explicit receiver(net::io_context& io) : ioc(io), gate(std::make_unique<net::steady_timer>(io)) {
    gate->expires_at(net::steady_timer::time_point::max());
    http::server_options o;
    o.listen = "127.0.0.1:0";
    srv = std::make_unique<http::server>(ioc.get_executor(), o, [this](http::request& req) { return handle(req); });
    srv->start();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(srv->port()) + "/hooks/dialer"; }

  void release() { gate->cancel(); }

  awaitable<http::response> handle(http::request& req) {
    delivery d;
    d.id = std::string(req["X-Dialer-Event-Id"]);
    d.body = req.body();
    d.attempt = std::string(req["X-Dialer-Delivery-Attempt"]);
    d.signature_ok = req["X-Dialer-Signature"] == engine::crm_signature(secret, req.body()) &&
                     req.target() == "/hooks/dialer" && req.method() == http::verb::post &&
                     req[http::bhttp::field::content_type] == "application/json";
    rapidjson::Document doc;
    doc.Parse(d.body.c_str());
    d.body_id_matches = !doc.HasParseError() && json::string_member(doc, "id") == d.id;
    d.reply = policy(seen.size());
    seen.push_back(d);
    if (d.reply == reply_kind::fail) co_return http::error_response(req, http::status::service_unavailable, "down", "down");
    if (d.reply == reply_kind::stall) {
      net::steady_timer t(co_await net::this_coro::executor, 3s);
      co_await t.async_wait(net::as_tuple(net::use_awaitable));
    }
    if (d.reply == reply_kind::hold) {
      ++holding;
      max_holding = std::max(max_holding, holding);
      co_await gate->async_wait(net::as_tuple(net::use_awaitable));
      --holding;
    }
    ++accepted[d.id];
    http::response res{http::status::no_content, req.version()};
    res.keep_alive(req.keep_alive());
    co_return res;
  }
};

config::crm_settings settings_for(const std::string& url) {
  config::crm_settings s;
  s.webhook_url = url;
  s.secret = secret;
  s.max_attempts = 5;
  s.timeout = 300ms;
  s.retry_initial = 10ms;
  s.retry_max = 40ms;
  s.max_in_flight = 4;
  return s;
}

std::string insert_event(store::store& db, int n, std::int64_t now_ms) {
  const std::string id = "evt_test_" + std::to_string(n);
  auto tx = db.begin();
  db.insert_outbox(id, "call.ended", engine::crm_event_body(id, "call.ended", now_ms, R"({"callId":"call_)" + std::to_string(n) + R"("})"), now_ms);
  tx.commit();
  return id;
}

// Runs `ioc` until `done()` or 15 s of wall time; returns done().
template <class F>
bool run_until(net::io_context& ioc, F done) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(20ms);
  }
  return done();
}

std::int64_t now_ms() { return to_unix_ms(std::chrono::system_clock::now()); }

}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test cases 1 and 2") {
  CHECK(engine::hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(engine::hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(engine::crm_signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(engine::crm_signature("Jefe", "what do ya want for nothing!") !=
        engine::crm_signature("Jefe", "what do ya want for nothing?"));
}

TEST_CASE("the pushed body carries id, type, occurredAt in ISO 8601 and the event's data unchanged") {
  const auto body = engine::crm_event_body("evt_1", "call.connected", 1'764'584'130'123,
                                           R"({"callId":"call_1","contact":{"name":"Ann \"A\""}})");
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(json::string_member(doc, "id") == "evt_1");
  CHECK(json::string_member(doc, "type") == "call.connected");
  CHECK(json::string_member(doc, "occurredAt") == "2025-12-01T10:15:30.123Z");
  REQUIRE(doc["data"].IsObject());
  CHECK(json::string_member(doc["data"], "callId") == "call_1");
  CHECK(json::string_member(doc["data"]["contact"], "name") == "Ann \"A\"");
  CHECK(doc.MemberCount() == 4);
}

TEST_CASE("only call.connected and call.ended are pushed") {
  CHECK(engine::crm_pushes("call.connected"));
  CHECK(engine::crm_pushes("call.ended"));
  CHECK_FALSE(engine::crm_pushes("call.updated"));
  CHECK_FALSE(engine::crm_pushes("session.updated"));
  CHECK_FALSE(engine::crm_pushes("call.dropped"));
}

TEST_CASE("the retry wait doubles from retry_initial and stops at retry_max") {
  config::crm_settings s;
  s.retry_initial = 1000ms;
  s.retry_max = 5000ms;
  CHECK(engine::crm_retry_delay(s, 1) == 1000ms);
  CHECK(engine::crm_retry_delay(s, 2) == 2000ms);
  CHECK(engine::crm_retry_delay(s, 3) == 4000ms);
  CHECK(engine::crm_retry_delay(s, 4) == 5000ms);
  CHECK(engine::crm_retry_delay(s, 100) == 5000ms);
}

TEST_CASE("a claimed row counts the attempt and is leased past the timeout, and settling delivers, retries or gives up") {
  config::crm_settings s;
  s.max_attempts = 2;
  s.timeout = 500ms;
  s.retry_initial = 100ms;
  s.retry_max = 1000ms;
  store::outbox_record r;
  r.seq = 1;
  r.next_attempt_at_ms = 1000;
  auto claimed = engine::crm_claim(r, s, 2000);
  CHECK(claimed.attempts == 1);
  CHECK(claimed.next_attempt_at_ms == 2000 + 500 + 100);

  SUBCASE("a 2xx delivers") {
    auto done = engine::crm_settle(claimed, s, true, "", 2100);
    CHECK(done.state == store::outbox_state::delivered);
    CHECK(done.finished_at_ms == 2100);
  }
  SUBCASE("a failure with attempts left waits and stays pending") {
    auto retry = engine::crm_settle(claimed, s, false, "HTTP 503", 2100);
    CHECK(retry.state == store::outbox_state::pending);
    CHECK(retry.next_attempt_at_ms == 2200);
    CHECK(retry.last_error == "HTTP 503");
    CHECK_FALSE(retry.finished_at_ms);
    SUBCASE("the last allowed attempt failing marks it failed") {
      auto second = engine::crm_claim(retry, s, 2200);
      CHECK(second.attempts == 2);
      auto failed = engine::crm_settle(second, s, false, "Connection refused", 2300);
      CHECK(failed.state == store::outbox_state::failed);
      CHECK(failed.finished_at_ms == 2300);
      CHECK(failed.last_error == "Connection refused");
    }
  }
}

TEST_CASE("events left pending are delivered once each, signed, with the same id after the receiver fails the first deliveries") {
  temp_dir dir;
  net::io_context ioc;
  receiver crm(ioc);
  crm.policy = [](std::size_t n) { return n < 5 ? reply_kind::fail : reply_kind::accept; };
  store::store db(dir.db());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(insert_event(db, i, now_ms()));
  system_clock clk;
  auto s = settings_for(crm.url());
  crm_push push(ioc.get_executor(), s, db, clk);
  push.start();
  REQUIRE(run_until(ioc, [&] { return db.count_outbox().delivered == 3; }));

  CHECK(crm.seen.size() == 3 + 5);
  for (const auto& id : ids) CHECK(crm.accepted[id] == 1);
  std::map<std::string, std::string> body_of;
  std::map<std::string, int> attempts_seen;
  for (const auto& d : crm.seen) {
    CAPTURE(d.id);
    CHECK(d.signature_ok);
    CHECK(d.body_id_matches);
    auto [it, fresh] = body_of.emplace(d.id, d.body);
    CHECK(it->second == d.body);  // every attempt sends the same bytes
    CHECK(d.attempt == std::to_string(++attempts_seen[d.id]));
  }
  int attempts = 0;
  for (const auto& id : ids) {
    auto row = db.get_outbox(id);
    REQUIRE(row);
    CHECK(row->state == store::outbox_state::delivered);
    CHECK(row->attempts == attempts_seen[id]);
    attempts += row->attempts;
  }
  CHECK(attempts == 8);
  CHECK(push.stats().delivered == 3);
  CHECK(push.stats().retries == 5);
  CHECK(push.stats().failed == 0);
}

TEST_CASE("a row is marked failed after max_attempts and is never sent again") {
  temp_dir dir;
  net::io_context ioc;
  receiver crm(ioc);
  crm.policy = [](std::size_t) { return reply_kind::fail; };
  store::store db(dir.db());
  const auto id = insert_event(db, 1, now_ms());
  system_clock clk;
  auto s = settings_for(crm.url());
  s.max_attempts = 3;
  crm_push push(ioc.get_executor(), s, db, clk);
  push.start();
  REQUIRE(run_until(ioc, [&] { return db.count_outbox().failed == 1; }));
  auto row = *db.get_outbox(id);
  CHECK(row.attempts == 3);
  CHECK(row.last_error == "HTTP 503");
  CHECK(row.finished_at_ms);
  CHECK(crm.seen.size() == 3);
  CHECK(push.stats().failed == 1);

  // A new row after that still goes out; the failed one does not come back.
  crm.policy = [](std::size_t) { return reply_kind::accept; };
  const auto fresh = insert_event(db, 2, now_ms());
  push.notify();
  REQUIRE(run_until(ioc, [&] { return db.count_outbox().delivered == 1; }));
  CHECK(crm.seen.size() == 4);
  CHECK(crm.seen.back().id == fresh);
}

TEST_CASE("a delivery that times out is retried and the receiver de-duplicates on the id") {
  temp_dir dir;
  net::io_context ioc;
  receiver crm(ioc);
  crm.policy = [](std::size_t n) { return n == 0 ? reply_kind::stall : reply_kind::accept; };
  store::store db(dir.db());
  const auto id = insert_event(db, 1, now_ms());
  system_clock clk;
  auto s = settings_for(crm.url());
  s.timeout = 300ms;
  crm_push push(ioc.get_executor(), s, db, clk);
  push.start();
  REQUIRE(run_until(ioc, [&] { return db.count_outbox().delivered == 1; }));
  // Only the first is stalled; on a loaded machine a later try can time out too (seen with every
  // suite running at once), so the count is what the receiver saw, at least two.
  auto row = *db.get_outbox(id);
  REQUIRE(crm.seen.size() >= 2);
  CHECK(row.attempts == static_cast<int>(crm.seen.size()));
  for (const auto& try_seen : crm.seen) {
    CHECK(try_seen.id == crm.seen[0].id);
    CHECK(try_seen.body == crm.seen[0].body);
  }
}

TEST_CASE("no more than max_in_flight deliveries are in progress at once") {
  temp_dir dir;
  net::io_context ioc;
  receiver crm(ioc);
  crm.policy = [](std::size_t) { return reply_kind::hold; };
  store::store db(dir.db());
  for (int i = 0; i < 5; ++i) insert_event(db, i, now_ms());
  system_clock clk;
  auto s = settings_for(crm.url());
  s.max_in_flight = 2;
  s.timeout = 10'000ms;  // held deliveries must not time out here
  crm_push push(ioc.get_executor(), s, db, clk);
  push.start();
  REQUIRE(run_until(ioc, [&] { return crm.holding == 2; }));
  CHECK(push.in_flight() == 2);
  ioc.poll();
  int claimed = 0;
  for (const auto& row : db.due_outbox(now_ms() + 3'600'000, 10)) claimed += row.attempts > 0 ? 1 : 0;
  CHECK(claimed == 2);  // rows are claimed (attempts + 1) synchronously before they are sent
  CHECK(crm.seen.size() == 2);
  crm.release();
  crm.policy = [](std::size_t) { return reply_kind::accept; };
  REQUIRE(run_until(ioc, [&] { return db.count_outbox().delivered == 5; }));
  CHECK(crm.max_holding == 2);
  CHECK(crm.seen.size() == 5);
}

TEST_CASE("a row committed while the dispatcher idles goes out after notify") {
  temp_dir dir;
  net::io_context ioc;
  receiver crm(ioc);
  store::store db(dir.db());
  system_clock clk;
  auto s = settings_for(crm.url());
  crm_push push(ioc.get_executor(), s, db, clk);
  push.start();
  const auto id = insert_event(db, 7, now_ms());
  push.notify();
  REQUIRE(run_until(ioc, [&] { return db.count_outbox().delivered == 1; }));
  REQUIRE(crm.seen.size() == 1);
  CHECK(crm.seen[0].id == id);
  CHECK(crm.seen[0].signature_ok);
}

TEST_CASE("a stopped dispatcher starts no delivery") {
  temp_dir dir;
  net::io_context ioc;
  receiver crm(ioc);
  store::store db(dir.db());
  const auto id = insert_event(db, 1, now_ms());
  system_clock clk;
  auto s = settings_for(crm.url());
  crm_push push(ioc.get_executor(), s, db, clk);
  push.stop();
  push.start();
  push.notify();
  ioc.poll();
  CHECK(push.in_flight() == 0);
  CHECK(db.get_outbox(id)->attempts == 0);  // never claimed
  CHECK(db.count_outbox().pending == 1);
}
