// CRM push end to end: dialerd and telnyx-sim as real processes, a CRM receiver on 127.0.0.1 in this
// process. A whole session delivers call.connected / call.ended signed and once each; events made while
// the CRM is down survive a dialerd restart and arrive when it comes back.
#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <fstream>
#include <future>
#include <limits>
#include <sstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "dialer/engine/crm_push.hpp"
#include "dialer/http/server.hpp"
#include "dialer/store/store.hpp"
#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

namespace {

const std::string crm_secret = "integration-crm-secret-0123456789";

// A CRM webhook receiver on its own thread: verifies each delivery's signature, answers 200 and keeps
// what arrived. down() stops listening (connections refused); up() listens again on the same port.
class crm_receiver {
 public:
  struct delivery {
    std::string id;    // X-Dialer-Event-Id
    std::string type;  // body "type"
    std::string call_id;  // body "data.callId"
    std::string body;
    bool signed_ok = false;
    bool id_matches = false;  // body "id" == header
  };

  // The port is picked below Linux's ephemeral range (32768+): while the receiver is down, an ephemeral
  // port could be handed to some outgoing connection (even dialerd's own connect to it, a TCP
  // self-connect) and the port could not be bound again.
  crm_receiver() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {
    std::random_device rd;
    for (int i = 0; i < 50 && !srv_; ++i) {
      port_ = static_cast<unsigned short>(20000 + rd() % 12000);
      try {
        up();
      } catch (const boost::system::system_error&) {
        // taken: try another
      }
    }
    if (!srv_) throw std::runtime_error("no free port for the CRM receiver");
  }
  ~crm_receiver() {
    on_thread([this] { srv_.reset(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  void up() {
    on_thread([this] {
      http::server_options o;
      o.listen = "127.0.0.1:" + std::to_string(port_);
      auto srv = std::make_unique<http::server>(io_.get_executor(), o, [this](http::request& req) { return handle(req); });
      srv->start();  // throws when the port is taken
      port_ = srv->port();
      srv_ = std::move(srv);
    });
  }
  void down() {
    on_thread([this] {
      if (srv_) srv_->stop();
      srv_.reset();
    });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/crm/events"; }
  std::vector<delivery> deliveries() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  template <class F>
  void on_thread(F f) {
    std::promise<void> done;
    net::post(io_, [&] {
      try {
        f();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
    done.get_future().get();
  }

  awaitable<http::response> handle(http::request& req) {
    delivery d;
    d.id = std::string(req["X-Dialer-Event-Id"]);
    d.body = req.body();
    d.signed_ok = req.target() == "/crm/events" &&
                  req["X-Dialer-Signature"] == engine::crm_signature(crm_secret, req.body());
    rapidjson::Document doc;
    doc.Parse(d.body.c_str());
    if (!doc.HasParseError()) {
      d.type = json::string_member(doc, "type");
      if (const auto* data = json::member(doc, "data")) d.call_id = json::string_member(*data, "callId");
      d.id_matches = json::string_member(doc, "id") == d.id && json::member(doc, "data") &&
                     doc["data"].IsObject() && !json::string_member(doc, "occurredAt").empty();
    }
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(std::move(d));
    }
    co_return http::json_response(req, http::status::ok, "{}");
  }

  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  std::unique_ptr<http::server> srv_;
  unsigned short port_ = 0;
  std::mutex mutex_;
  std::vector<delivery> seen_;
};

std::string crm_block(const std::string& url) {
  return R"({"webhook_url": ")" + url + R"(", "secret": ")" + crm_secret +
         R"(", "max_attempts": 100, "timeout_ms": 1000, "retry_initial_ms": 50, "retry_max_ms": 400})";
}

// Every contact answers; the agent answers at once; calls are short.
const std::string answering_scenario = R"({"outcomes": {"answer": 1, "no_answer": 0, "busy": 0, "invalid": 0},
  "ring_s": {"min": 1, "max": 2}, "talk_s": {"min": 2, "max": 4}, "agent": {"answer_after_s": 1}})";

std::string run_session(test::stack& s, const std::string& first_phone_suffix, int contacts) {
  std::string list;
  for (int i = 0; i < contacts; ++i)
    list += (i ? "," : "") + std::string(R"({"name": "Contact )") + std::to_string(i) + R"(", "phone": "+155503)" +
            first_phone_suffix + std::to_string(1000 + i) + "\"}";
  auto created = s.api(verb::post, "/api/power-dialer/sessions",
                       R"({"agentId": "alice", "concurrentLines": 1, "contacts": [)" + list + "]}");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"].GetString();
  auto started = s.api(verb::patch, "/api/power-dialer/sessions/" + id, R"({"action": "start"})");
  REQUIRE_MESSAGE(started.status == 200, started.body);
  REQUIRE(test::eventually([&] {
    return std::string(s.api(verb::get, "/api/power-dialer/sessions/" + id).json()["status"].GetString()) == "completed";
  }, 120s));
  return id;
}

// The outbox as dialerd left it: event id -> state.
std::map<std::string, store::outbox_record> outbox(const test::stack& s, const std::set<std::string>& ids) {
  store::store db(s.database(), "NORMAL");
  std::map<std::string, store::outbox_record> out;
  for (const auto& id : ids)
    if (auto r = db.get_outbox(id)) out.emplace(id, *r);
  return out;
}

}  // namespace

TEST_CASE("a whole session pushes call.connected and call.ended to the CRM, signed, once each") {
  crm_receiver crm;
  test::stack s({.scenario_json = answering_scenario, .time_scale = 10, .crm_json = crm_block(crm.url())});
  const auto session = run_session(s, "1", 3);
  // Three bridged calls: each connects and ends once.
  auto counted = [&] {
    int connected = 0, ended = 0;
    for (const auto& d : crm.deliveries()) (d.type == "call.connected" ? connected : ended) += 1;
    return std::pair{connected, ended};
  };
  REQUIRE(test::eventually([&] { return counted().first >= 3 && counted().second >= 3; }, 30s));
  store::store db(s.database(), "NORMAL");
  REQUIRE(test::eventually([&] { return db.count_outbox().pending == 0; }, 30s));

  auto got = crm.deliveries();
  std::map<std::string, int> per_id;
  for (const auto& d : got) {
    CAPTURE(d.body);
    CHECK(d.signed_ok);
    CHECK(d.id_matches);
    CHECK((d.type == "call.connected" || d.type == "call.ended"));
    ++per_id[d.id];
  }
  for (const auto& [id, n] : per_id) {
    CAPTURE(id);
    CHECK(n == 1);  // the CRM answered 200 the first time: nothing sent twice
    auto row = db.get_outbox(id);
    REQUIRE(row);
    CHECK(row->state == store::outbox_state::delivered);
    CHECK(row->attempts == 1);
  }
  const auto counts = db.count_outbox();
  CHECK(counts.delivered == static_cast<std::int64_t>(per_id.size()));
  CHECK(counts.failed == 0);
  CHECK(counted().first == 3);
  // call.connected names each bridged customer call, and each of them also ends.
  std::set<std::string> bridged, connected_events, ended_events;
  auto calls = s.api(verb::get, "/api/power-dialer/sessions/" + session + "/calls").json();
  const auto& list = calls.IsArray() ? calls : calls["calls"];
  for (const auto& c : list.GetArray())
    if (json::string_member(c, "kind") == "customer" && json::string_member(c, "outcome") == "connected")
      bridged.insert(json::string_member(c, "id"));
  for (const auto& d : got) (d.type == "call.connected" ? connected_events : ended_events).insert(d.call_id);
  CHECK(bridged.size() == 3);
  CHECK(connected_events == bridged);
  for (const auto& id : bridged) CHECK(ended_events.count(id) == 1);
  // The secret is never logged.
  std::ifstream log(s.dir() / "dialerd.log");
  std::stringstream text;
  text << log.rdbuf();
  CHECK(text.str().find(crm_secret) == std::string::npos);
  CHECK(text.str().find("event delivered") != std::string::npos);
}

TEST_CASE("events made while the CRM is down survive a dialerd restart and are delivered when it is back") {
  crm_receiver crm;
  test::stack s({.scenario_json = answering_scenario, .time_scale = 10, .crm_json = crm_block(crm.url())});
  crm.down();
  run_session(s, "2", 2);
  std::set<std::string> ids;
  {
    store::store db(s.database(), "NORMAL");
    // Both calls connected and ended; their events wait in the outbox, each tried at least once.
    REQUIRE(test::eventually([&] {
      auto c = db.count_outbox();
      return c.pending >= 4;
    }, 30s));
    REQUIRE(test::eventually([&] {
      for (const auto& r : db.due_outbox(std::numeric_limits<std::int64_t>::max(), 100))
        if (r.attempts == 0) return false;
      return true;
    }, 30s));
    for (const auto& r : db.due_outbox(std::numeric_limits<std::int64_t>::max(), 100)) ids.insert(r.event_id);
  }
  REQUIRE(ids.size() >= 4);
  REQUIRE(s.stop_dialerd() == 0);
  CHECK(crm.deliveries().empty());

  s.restart_dialerd();
  crm.up();
  REQUIRE(test::eventually([&] {
    auto rows = outbox(s, ids);
    return std::all_of(rows.begin(), rows.end(),
                       [](const auto& r) { return r.second.state == store::outbox_state::delivered; }) &&
           rows.size() == ids.size();
  }, 60s));
  std::map<std::string, int> per_id;
  for (const auto& d : crm.deliveries()) {
    CHECK(d.signed_ok);
    CHECK(d.id_matches);
    ++per_id[d.id];
  }
  for (const auto& id : ids) {
    CAPTURE(id);
    CHECK(per_id[id] == 1);
  }
  for (const auto& [id, row] : outbox(s, ids)) CHECK(row.attempts >= 2);  // failed before the restart
}
