// Webhooks that arrive after the engine already settled their attempt: a call Telnyx placed even though
// its dial was written off must be hung up, once, on a real HTTP request to a loopback "Telnyx".
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <random>
#include <vector>

#include "dialer/common/ids.hpp"
#include "dialer/engine/engine.hpp"
#include "dialer/http/server.hpp"
#include "dialer/store/store.hpp"
#include "dialer/telnyx/base64.hpp"
#include "dialer/telnyx/rest_client.hpp"
#include "unit/engine/engine_fixture.hpp"

using namespace dialer;
using namespace std::chrono_literals;

namespace {

// Answers every Call Control command with Telnyx's {"data":{"result":"ok"}} and keeps the targets.
struct fake_telnyx {
  std::vector<std::string> targets;
  std::unique_ptr<http::server> srv;
  explicit fake_telnyx(net::io_context& io) {
    http::server_options o;
    o.listen = "127.0.0.1:0";
    srv = std::make_unique<http::server>(io.get_executor(), o, [this](http::request& req) -> awaitable<http::response> {
      targets.emplace_back(req.target());
      co_return http::json_response(req, http::status::ok, R"({"data":{"result":"ok"}})");
    });
    srv->start();
  }
};

template <class F>
bool run_until(net::io_context& io, F done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(20ms);
  }
  return done();
}

telnyx::webhook_event event_for(const std::string& id, telnyx::event_kind kind, const std::string& type,
                                const std::string& client_state) {
  telnyx::webhook_event ev;
  ev.id = id;
  ev.kind = kind;
  ev.event_type = type;
  ev.call_control_id = "v3:placed-after-all";
  ev.client_state = client_state;
  return ev;
}

}  // namespace

TEST_CASE("a call placed after its attempt was settled as failed is hung up when its first webhook arrives") {
  auto dir = test::engine_fixture::fresh_dir();
  auto cfg = test::engine_fixture::load_config();
  store::store db((dir / "dialer.db").string(), "NORMAL");
  net::io_context io(1);
  fake_telnyx telnyx_api(io);
  telnyx::rest_options ro;
  ro.api_base = "http://127.0.0.1:" + std::to_string(telnyx_api.srv->port()) + "/v2";
  ro.api_key = "KEY-unit";
  telnyx::rest_client rest(io.get_executor(), ro);
  manual_clock clk{from_unix_ms(1'800'000'000'000)};
  sequential_id_generator ids;
  engine::engine eng(io.get_executor(), cfg, db, rest, clk, ids);

  // The attempt as the engine leaves it when its dial was written off: ended, failed, no call_control_id.
  store::call_record c;
  c.id = "call_written_off";
  c.from = "+15550000001";
  c.to = "+15550100001";
  c.command_id = "cmd-1";
  c.client_state = telnyx::base64_encode(R"({"s":"","q":"","c":"call_written_off","a":1,"k":"customer"})");
  c.state.status = domain::call_status::ended;
  c.state.result = domain::outcome::failed;
  {
    auto tx = db.begin();
    db.insert_call(c);
    tx.commit();
  }

  SUBCASE("its call.initiated brings a hangup on that call_control_id") {
    eng.handle_webhook(event_for("evt-1", telnyx::event_kind::call_initiated, "call.initiated", c.client_state));
    REQUIRE(run_until(io, [&] { return !telnyx_api.targets.empty(); }));
    CHECK(telnyx_api.targets.front() == "/v2/calls/v3:placed-after-all/actions/hangup");
    // The attempt stays what it was: settled once, counted once.
    auto after = db.get_call(c.id);
    REQUIRE(after);
    CHECK(after->state.result == domain::outcome::failed);
    CHECK(after->call_control_id == "v3:placed-after-all");
  }
  SUBCASE("its call.hangup needs nothing sent") {
    eng.handle_webhook(event_for("evt-2", telnyx::event_kind::call_hangup, "call.hangup", c.client_state));
    io.restart();
    io.run_for(200ms);  // bounded: anything the engine would send has gone out by then on loopback
    CHECK(telnyx_api.targets.empty());
  }
  eng.shutdown();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
