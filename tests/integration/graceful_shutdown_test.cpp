// SIGTERM while requests are on their way in: an API call and a webhook half received when the signal
// arrives are still read, applied and answered; dialerd then exits 0 with a consistent database.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

#include "dialer/store/store.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;
using tcp = net::ip::tcp;

namespace {

// A blocking loopback connection that sends a request in two parts.
struct split_request {
  net::io_context io;
  tcp::socket socket{io};
  std::string rest;
  split_request(unsigned short port, const std::string& head_and_body) {
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    const auto half = head_and_body.size() - 20;  // the headers and most of the body
    net::write(socket, net::buffer(head_and_body.substr(0, half)));
    rest = head_and_body.substr(half);
  }
  // Sends the rest and reads the reply until the server closes the connection.
  std::string finish() {
    boost::system::error_code ec;
    net::write(socket, net::buffer(rest), ec);
    std::string out;
    net::read(socket, net::dynamic_buffer(out), ec);
    return out;
  }
};

std::string post(const std::string& target, const std::string& body, const test::header_list& headers) {
  std::string out = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  return out + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string read_all(const std::filesystem::path& p) {
  std::stringstream ss;
  ss << std::ifstream(p).rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("SIGTERM lets half-received API and webhook requests complete, then dialerd exits 0 with a consistent database") {
  test::stack s({.scenario_json = R"({"outcomes": {"no_answer": 1, "answer": 0, "busy": 0, "invalid": 0},
                                      "agent": {"answer_after_s": 1}})",
                 .time_scale = 5});
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 2, "contacts": [
                           {"phone": "+15550801001"}, {"phone": "+15550801002"}, {"phone": "+15550801003"}]})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string running = created.json()["id"].GetString();
  REQUIRE(s.api(verb::patch, "/api/power-dialer/sessions/" + running, R"({"action": "start"})").status == 200);
  REQUIRE(test::eventually([&] {
    return s.api(verb::get, "/api/power-dialer/sessions/" + running).json()["linesInUse"].GetInt() == 2;
  }, 20s));

  const std::string create_body = R"({"agentId": "bob", "contacts": [{"phone": "+15550801009"}]})";
  split_request api(s.dialerd_port(), post("/api/power-dialer/sessions", create_body,
                                           {{"Authorization", std::string("Bearer ") + test::stack::token}}));
  const auto ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch()).count());
  const std::string event = R"({"data": {"record_type": "event", "event_type": "call.hangup", "id": "evt-drain-1",
      "occurred_at": "2026-12-01T08:00:00Z", "payload": {"call_control_id": "v3:not-ours", "hangup_cause": "normal_clearing"}},
      "meta": {"attempt": 1}})";
  split_request webhook(s.dialerd_port(), post("/webhooks/telnyx", event,
                                               {{"telnyx-signature-ed25519", s.sim_signer().sign(ts, event)},
                                                {"telnyx-timestamp", ts}}));

  REQUIRE(::kill(s.dialerd().pid(), SIGTERM) == 0);
  REQUIRE(test::eventually([&] { return read_all(s.dir() / "dialerd.log").find("msg=stopping") != std::string::npos; }, 10s));
  const auto api_reply = api.finish();
  const auto webhook_reply = webhook.finish();
  CHECK_MESSAGE(api_reply.rfind("HTTP/1.1 201", 0) == 0, api_reply);
  CHECK_MESSAGE(webhook_reply.rfind("HTTP/1.1 200", 0) == 0, webhook_reply);
  CHECK(api_reply.find("Connection: close") != std::string::npos);
  CHECK(s.dialerd().stop(0, 15s) == 0);  // signal 0: only waits for the exit status

  {
    SQLite::Database raw(s.database(), SQLite::OPEN_READWRITE);
    SQLite::Statement check(raw, "PRAGMA integrity_check");
    REQUIRE(check.executeStep());
    CHECK(check.getColumn(0).getString() == "ok");
  }
  store::store db(s.database(), "NORMAL");
  CHECK(db.list_sessions({}).size() == 2);  // the half-received create was applied
  CHECK(db.get_session(running)->stats == db.recount_stats(running));
  auto tx = db.begin();  // rolled back: only asks whether the webhook was recorded
  CHECK_FALSE(db.record_webhook("evt-drain-1", "call.hangup", "v3:not-ours", 0));
}
