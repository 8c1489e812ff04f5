// Hostile input against a real dialerd, beyond webhook_endpoint_test and api_errors_test: forged and
// replayed signatures, malformed JSON at every nesting level, huge numbers, wrong types and non-UTF-8
// bytes, header limits, slow clients and the connection cap from the config. Each gets its 4xx and
// leaves the database byte-for-byte as it was.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <map>

#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using test::stack;
using tcp = net::ip::tcp;

namespace {

// No session runs, so nothing but the requests under test could change the database.
constexpr const char* idle_scenario = R"({"agent": {"answer_after_s": 1}})";

// Every row of every table, as text: equal snapshots mean nothing was written.
std::map<std::string, std::vector<std::string>> snapshot(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::map<std::string, std::vector<std::string>> out;
  SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (tables.executeStep()) {
    const std::string name = tables.getColumn(0).getString();
    SQLite::Statement rows(db, "SELECT * FROM \"" + name + "\"");
    auto& list = out[name];
    while (rows.executeStep()) {
      std::string row;
      for (int i = 0; i < rows.getColumnCount(); ++i) row += rows.getColumn(i).getString() + "\x1f";
      list.push_back(row);
    }
    std::sort(list.begin(), list.end());
  }
  return out;
}

std::string unix_now(std::chrono::seconds shift = 0s) {
  auto t = std::chrono::system_clock::now() + shift;
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::string hangup_json(const std::string& id, const std::string& cause) {
  return R"({"data": {"record_type": "event", "event_type": "call.hangup", "id": ")" + id +
         R"(", "occurred_at": "2026-12-01T08:00:00.000000Z", "payload": {"call_control_id": "v3:unknown-)" + id +
         R"(", "hangup_cause": ")" + cause + R"(", "sip_hangup_cause": "486", "client_state": null}},
            "meta": {"attempt": 1, "delivered_to": "http://127.0.0.1/webhooks/telnyx"}})";
}

test::reply deliver_signed(stack& s, const std::string& body, const std::string& timestamp) {
  return s.raw(verb::post, "/webhooks/telnyx", body,
               {{"telnyx-signature-ed25519", s.sim_signer().sign(timestamp, body)}, {"telnyx-timestamp", timestamp}});
}

std::string create_session(stack& s) {
  auto r = s.api(verb::post, "/api/power-dialer/sessions",
                 R"({"agentId": "alice", "concurrentLines": 1, "contacts": [{"phone": "+15550501001"}]})");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.json()["id"].GetString();
}

// `valid` cut short just inside each of its objects and arrays, and with a stray comma put at each
// of those levels: malformed at every nesting depth.
std::vector<std::string> malformed_at_every_level(const std::string& valid) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < valid.size(); ++i) {
    if (valid[i] != '{' && valid[i] != '[') continue;
    out.push_back(valid.substr(0, i + 1));
    out.push_back(valid.substr(0, i + 1) + ",," + valid.substr(i + 1));
  }
  out.push_back(valid + "}");       // trailing garbage
  out.push_back(valid + " x");
  out.push_back("");
  out.push_back(std::string(100000, '['));  // deep nesting must not crash the parser
  return out;
}

// A blocking loopback connection to dialerd for requests the HTTP client would not send.
struct raw_connection {
  net::io_context io;
  tcp::socket socket{io};
  explicit raw_connection(unsigned short port) { socket.connect({net::ip::make_address("127.0.0.1"), port}); }
  // Sends `bytes`; false when the server has closed the connection.
  bool send(const std::string& bytes) {
    boost::system::error_code ec;
    net::write(socket, net::buffer(bytes), ec);
    return !ec;
  }
  // Everything until the server closes the connection (bounded by dialerd's own read timeout).
  std::string read_to_end() {
    std::string out;
    boost::system::error_code ec;
    net::read(socket, net::dynamic_buffer(out), ec);
    return out;
  }
};

}  // namespace

TEST_CASE("forged, malformed and stale webhook signatures get 401 and change nothing") {
  stack s({.scenario_json = idle_scenario});
  create_session(s);
  const auto body = hangup_json("evt-sig-1", "user_busy");
  const auto now = unix_now();
  const auto good = s.sim_signer().sign(now, body);
  const auto before = snapshot(s.database());
  const std::vector<std::pair<std::string, test::header_list>> cases = {
      {"a signature that is not base64", {{"telnyx-signature-ed25519", "!!not base64!!"}, {"telnyx-timestamp", now}}},
      {"an empty signature", {{"telnyx-signature-ed25519", ""}, {"telnyx-timestamp", now}}},
      {"a signature cut short", {{"telnyx-signature-ed25519", good.substr(0, good.size() / 2)}, {"telnyx-timestamp", now}}},
      {"a signature with bytes appended", {{"telnyx-signature-ed25519", good + "AAAA"}, {"telnyx-timestamp", now}}},
      {"a good signature under another timestamp", {{"telnyx-signature-ed25519", good},
                                                    {"telnyx-timestamp", std::to_string(std::stoll(now) + 1)}}},
      {"a timestamp that is not a number", {{"telnyx-signature-ed25519", s.sim_signer().sign("soon", body)},
                                            {"telnyx-timestamp", "soon"}}},
      {"a timestamp beyond any integer", {{"telnyx-signature-ed25519", s.sim_signer().sign("99999999999999999999999", body)},
                                          {"telnyx-timestamp", "99999999999999999999999"}}},
      {"a negative timestamp", {{"telnyx-signature-ed25519", s.sim_signer().sign("-1", body)}, {"telnyx-timestamp", "-1"}}},
      {"a replay signed 301 s ago", {{"telnyx-signature-ed25519", s.sim_signer().sign(unix_now(-301s), body)},
                                     {"telnyx-timestamp", unix_now(-301s)}}},
      {"no timestamp", {{"telnyx-signature-ed25519", good}}},
  };
  for (const auto& [what, headers] : cases) {
    CAPTURE(what);
    auto r = s.raw(verb::post, "/webhooks/telnyx", body, headers);
    CHECK_MESSAGE(r.status == 401, r.body);
    CHECK(r.body.find("\"error\"") != std::string::npos);
  }
  CHECK(snapshot(s.database()) == before);
  // The same body, properly signed, is accepted: the refusals above were about the signatures.
  CHECK(deliver_signed(s, body, unix_now()).status == 200);
  CHECK(snapshot(s.database()) != before);
}

TEST_CASE("a known data.id re-signed with a fresh timestamp and another payload is a duplicate and changes nothing") {
  stack s({.scenario_json = idle_scenario});
  REQUIRE(deliver_signed(s, hangup_json("evt-replay-1", "user_busy"), unix_now()).status == 200);
  const auto before = snapshot(s.database());
  auto r = deliver_signed(s, hangup_json("evt-replay-1", "normal_clearing"), unix_now(5s));
  CHECK_MESSAGE(r.status == 200, r.body);  // acknowledged so Telnyx stops retrying, but not applied again
  CHECK(snapshot(s.database()) == before);
}

TEST_CASE("signed webhooks malformed at every nesting level, with wrong types or huge numbers get 400 and change nothing") {
  stack s({.scenario_json = idle_scenario});
  const auto before = snapshot(s.database());
  auto bodies = malformed_at_every_level(hangup_json("evt-bad-1", "user_busy"));
  for (const auto* wrong : {R"([])", R"(null)", R"(17)", R"("event")", R"({"data": []})", R"({"data": "x"})",
                            R"({"data": {"id": 5, "event_type": "call.hangup"}})",
                            R"({"data": {"id": "evt-bad-2", "event_type": ["call.hangup"]}})",
                            R"({"data": {"id": "evt-bad-3", "event_type": "call.hangup", "payload": {"x": 1e400}}})",
                            R"({"data": {"id": "evt-bad-4", "event_type": "call.hangup"}, "meta": {"attempt": -1e999}})"})
    bodies.emplace_back(wrong);
  for (const auto& body : bodies) {
    CAPTURE(body.substr(0, 120));
    auto r = deliver_signed(s, body, unix_now());
    CHECK_MESSAGE(r.status == 400, r.body);
  }
  CHECK(snapshot(s.database()) == before);
}

TEST_CASE("a signed webhook carrying bytes that are not UTF-8 gets 400 and changes nothing") {
  stack s({.scenario_json = idle_scenario});
  const auto before = snapshot(s.database());
  for (const auto* bad : {"\xff\xfe", "\xc3(", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80"}) {
    auto body = hangup_json(std::string("evt-utf8-") + bad, std::string("busy") + bad);
    CAPTURE(body.substr(0, 60));
    auto r = deliver_signed(s, body, unix_now());
    CHECK_MESSAGE(r.status == 400, r.body);
  }
  CHECK(snapshot(s.database()) == before);
}

TEST_CASE("API bodies malformed at every nesting level, with wrong types, huge numbers or non-UTF-8 get 400 and change nothing") {
  stack s({.scenario_json = idle_scenario});
  const auto id = create_session(s);
  const auto before = snapshot(s.database());
  const std::string create_path = "/api/power-dialer/sessions";
  const std::string queue_path = "/api/power-dialer/sessions/" + id + "/queue";
  struct attempt {
    std::string path;
    verb method;
    std::string body;
    std::string field;  // the field the error must name, or empty
  };
  std::vector<attempt> attempts;
  for (auto& b : malformed_at_every_level(R"({"agentId": "alice", "contacts": [{"phone": "+15550501002", "name": "N"}]})"))
    attempts.push_back({create_path, verb::post, b, ""});
  for (auto& b : malformed_at_every_level(R"({"contacts": [{"phone": "+15550501003"}]})"))
    attempts.push_back({queue_path, verb::post, b, ""});
  attempts.push_back({create_path, verb::post, R"({"agentId": 7})", "agentId"});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "concurrentLines": "2"})", "concurrentLines"});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "concurrentLines": 99999999999999999999})", "concurrentLines"});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "concurrentLines": 1.5})", "concurrentLines"});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "maxAttempts": -4294967297})", "maxAttempts"});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "concurrentLines": 1e400})", ""});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "contacts": {"phone": "+15550501004"}})", "contacts"});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "contacts": [{"phone": 15550501005}]})", "contacts[0].phone"});
  attempts.push_back({create_path, verb::post, R"({"agentId": "alice", "selectedNumbers": "+15550000001"})", "selectedNumbers"});
  attempts.push_back({create_path, verb::post, "{\"agentId\": \"ali\xff\xfe" "ce\"}", ""});
  attempts.push_back({queue_path, verb::post, "{\"contacts\": [{\"phone\": \"+15550501006\", \"name\": \"\xc3(\"}]}", ""});
  attempts.push_back({queue_path, verb::post, R"({"contacts": [{"phone": "+15550501007"}, {"phone": null}]})", "contacts[1].phone"});
  attempts.push_back({"/api/power-dialer/sessions/" + id, verb::patch, R"({"action": 1})", "action"});
  attempts.push_back({"/api/power-dialer/sessions/" + id, verb::patch, R"({"concurrentLines": 1e300})", "concurrentLines"});
  for (const auto& a : attempts) {
    if (a.body.empty()) continue;  // sent without Content-Type: that is a 415 (api_errors_test)
    CAPTURE(a.path);
    CAPTURE(a.body.substr(0, 120));
    auto r = s.api(a.method, a.path, a.body);
    CHECK_MESSAGE(r.status == 400, r.body);
    auto doc = r.json();
    REQUIRE(doc.HasMember("error"));
    if (!a.field.empty()) {
      REQUIRE(doc["error"].HasMember("field"));
      CHECK(std::string(doc["error"]["field"].GetString()) == a.field);
    }
  }
  // A body over the configured 1 MiB is refused before it is read in full.
  auto huge = s.api(verb::post, queue_path, R"({"contacts": [], "pad": ")" + std::string(1024 * 1024, 'x') + "\"}");
  CHECK(huge.status == 413);
  CHECK(snapshot(s.database()) == before);
}

TEST_CASE("oversized headers get 431, a client sending headers byte by byte is cut off, and connections over the cap are closed") {
  stack s({.scenario_json = idle_scenario,
           .server_extra = R"(, "header_limit_bytes": 4096, "read_timeout_ms": 1500, "max_connections": 4)"});
  const auto before = snapshot(s.database());

  SUBCASE("a header block over header_limit_bytes gets 431") {
    auto r = s.raw(verb::get, "/healthz", "", {{"x-padding", std::string(8192, 'a')}});
    CHECK(r.status == 431);
    auto ok = s.raw(verb::get, "/healthz", "", {{"x-padding", std::string(1024, 'a')}});
    CHECK(ok.status == 200);
  }

  SUBCASE("a slow client is disconnected by the read timeout before it finishes its headers") {
    raw_connection slow(s.dialerd_port());
    const std::string request = "POST /webhooks/telnyx HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " +
                                std::string(2000, 'z') + "\r\n\r\n";
    // One byte every 20 ms: the whole header would take 40 s, far beyond the 1.5 s read timeout, so
    // the server must close the connection while the header is still coming.
    std::size_t sent = 0;
    while (sent < request.size() && slow.send(request.substr(sent, 1))) {
      ++sent;
      std::this_thread::sleep_for(20ms);  // the attack's pace, not a timing assumption of the test
    }
    CHECK(sent < request.size());
    CHECK(s.api(verb::get, "/healthz").status == 200);  // the server itself is fine
  }

  SUBCASE("connections beyond max_connections are closed at once; the first ones are still served") {
    std::vector<std::unique_ptr<raw_connection>> held;
    for (int i = 0; i < 4; ++i) {
      held.push_back(std::make_unique<raw_connection>(s.dialerd_port()));
      REQUIRE(held.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));  // headers not finished
    }
    // Every accepted connection is counted before the next is accepted, so a fifth is over the cap.
    raw_connection extra(s.dialerd_port());
    extra.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    CHECK(extra.read_to_end().empty());  // closed without a response
    // The held ones finish their request and are answered.
    for (auto& c : held) {
      REQUIRE(c->send("Connection: close\r\n\r\n"));
      CHECK(c->read_to_end().rfind("HTTP/1.1 200", 0) == 0);
    }
    CHECK(test::eventually([&] { return s.raw(verb::get, "/healthz", "", {}).status == 200; }, 10s));
  }
  CHECK(snapshot(s.database()) == before);
}
