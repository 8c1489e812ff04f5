// GET /api/events without sockets: SSE framing, the replay ring, filters, Last-Event-ID resume and
// the slow-client policy, driven through a bare event bus and the streams' channels.
#include <doctest/doctest.h>

#include "dialer/api/event_stream.hpp"

using namespace dialer;
using namespace dialer::api;
using dialer::engine::event;
using dialer::engine::event_bus;

namespace {

event ev(const char* type, const char* session, std::string data = "{}") { return {0, type, session, 1, std::move(data)}; }

http::request get(const std::string& target, const std::string& last_event_id = {}) {
  http::request req{http::verb::get, target, 11};
  if (!last_event_id.empty()) req.set("Last-Event-ID", last_event_id);
  return req;
}

struct fixture {
  event_bus bus;
  event_stream_options opts;
  std::unique_ptr<event_stream> stream;
  explicit fixture(event_stream_options o = {}) : opts(o) {
    stream = std::make_unique<event_stream>(bus, [](const std::string& id) { return id == "ses_a" || id == "ses_b"; }, opts);
  }
};

}  // namespace

TEST_CASE("an event is framed as id, event and data lines ended by a blank line") {
  event e = ev("call.connected", "ses_a", R"({"callId":"call_1"})");
  e.seq = 42;
  CHECK(sse_frame(e) == "id: 42\nevent: call.connected\ndata: {\"callId\":\"call_1\"}\n\n");
}

TEST_CASE("a newline inside the data becomes a second data line") {
  event e = ev("call.updated", "", "{\"a\":1,\n\"b\":2}");
  e.seq = 1;
  CHECK(sse_frame(e) == "id: 1\nevent: call.updated\ndata: {\"a\":1,\ndata: \"b\":2}\n\n");
}

TEST_CASE("the replay ring keeps the newest events and knows when a resume is impossible") {
  event_replay ring(3);
  for (std::uint64_t i = 1; i <= 5; ++i) {
    event e = ev("queue.updated", "ses_a");
    e.seq = i;
    ring.add(e);
  }
  CHECK(ring.size() == 3);
  auto after2 = ring.since(2, 6);
  REQUIRE(after2);
  REQUIRE(after2->size() == 3);
  CHECK((*after2)[0]->seq == 3);
  CHECK(ring.since(4, 6)->size() == 1);
  CHECK(ring.since(5, 6)->empty());   // up to date
  CHECK_FALSE(ring.since(1, 6));      // event 2 is gone
  CHECK_FALSE(ring.since(900, 6));    // an id from an earlier run
}

TEST_CASE("a stream opens as text/event-stream and receives every later event") {
  fixture fx;
  auto res = fx.stream->open(get("/api/events"));
  CHECK(res.result() == http::status::ok);
  CHECK(res[http::bhttp::field::content_type] == "text/event-stream");
  CHECK(res[http::bhttp::field::cache_control] == "no-cache");
  REQUIRE(res.stream);
  CHECK(fx.stream->clients() == 1);
  CHECK(res.stream->take() == "retry: 3000\n\n");
  fx.bus.publish(ev("session.updated", "ses_a", R"({"status":"running"})"));
  fx.bus.publish(ev("call.updated", "", R"({"kind":"manual"})"));
  CHECK(res.stream->take() ==
        "id: 1\nevent: session.updated\ndata: {\"status\":\"running\"}\n\n"
        "id: 2\nevent: call.updated\ndata: {\"kind\":\"manual\"}\n\n");
  CHECK(res.stream->options().keepalive == ": heartbeat\n\n");
  CHECK(res.stream->options().keepalive_every == fx.opts.heartbeat);
}

TEST_CASE("?sessionId= passes only that session's events") {
  fixture fx;
  auto res = fx.stream->open(get("/api/events?sessionId=ses_b"));
  REQUIRE(res.stream);
  res.stream->take();
  fx.bus.publish(ev("call.connected", "ses_a"));
  fx.bus.publish(ev("call.dropped", "ses_b"));
  fx.bus.publish(ev("call.updated", ""));
  CHECK(res.stream->take() == "id: 2\nevent: call.dropped\ndata: {}\n\n");
}

TEST_CASE("an unknown sessionId is 404 and a non-numeric Last-Event-ID is 400, with no client kept") {
  fixture fx;
  auto unknown = fx.stream->open(get("/api/events?sessionId=ses_zzz"));
  CHECK(unknown.result() == http::status::not_found);
  CHECK(unknown.body().find("\"field\":\"sessionId\"") != std::string::npos);
  CHECK_FALSE(unknown.stream);
  auto bad = fx.stream->open(get("/api/events", "abc"));
  CHECK(bad.result() == http::status::bad_request);
  CHECK(bad.body().find("Last-Event-ID") != std::string::npos);
  CHECK(fx.stream->clients() == 0);
}

TEST_CASE("Last-Event-ID replays the missed events, filtered, before the live ones") {
  fixture fx;
  fx.bus.publish(ev("call.updated", "ses_a"));    // 1
  fx.bus.publish(ev("call.connected", "ses_a"));  // 2
  fx.bus.publish(ev("call.updated", "ses_b"));    // 3
  fx.bus.publish(ev("call.ended", "ses_a"));      // 4
  auto res = fx.stream->open(get("/api/events?sessionId=ses_a", "1"));
  REQUIRE(res.stream);
  fx.bus.publish(ev("session.updated", "ses_a"));  // 5
  CHECK(res.stream->take() ==
        "retry: 3000\n\n"
        "id: 2\nevent: call.connected\ndata: {}\n\n"
        "id: 4\nevent: call.ended\ndata: {}\n\n"
        "id: 5\nevent: session.updated\ndata: {}\n\n");

  SUBCASE("the same resume through the lastEventId query parameter") {
    auto q = fx.stream->open(get("/api/events?sessionId=ses_a&lastEventId=4"));
    REQUIRE(q.stream);
    CHECK(q.stream->take() == "retry: 3000\n\nid: 5\nevent: session.updated\ndata: {}\n\n");
  }
}

TEST_CASE("a resume from an event no longer kept gets stream.reset with the id to resume from") {
  event_stream_options o;
  o.replay_events = 2;
  fixture fx(o);
  for (int i = 0; i < 5; ++i) fx.bus.publish(ev("call.updated", "ses_a"));
  auto res = fx.stream->open(get("/api/events", "1"));
  REQUIRE(res.stream);
  CHECK(res.stream->take() ==
        "retry: 3000\n\nid: 5\nevent: stream.reset\ndata: {\"reason\":\"events_missed\",\"lastEventId\":1}\n\n");
}

TEST_CASE("a client that falls behind is disconnected; the others and the publisher carry on") {
  event_stream_options o;
  o.client_buffer_bytes = 200;
  fixture fx(o);
  auto slow = fx.stream->open(get("/api/events"));
  auto fast = fx.stream->open(get("/api/events"));
  REQUIRE(slow.stream);
  REQUIRE(fast.stream);
  CHECK(fx.stream->clients() == 2);
  const std::string data = R"({"pad":")" + std::string(60, 'x') + R"("})";
  int published = 0;
  for (; published < 10; ++published) {
    fx.bus.publish(ev("queue.updated", "ses_a", data));
    fast.stream->take();  // this one keeps up; the slow one never reads
  }
  CHECK(slow.stream->state() == http::stream_end::too_slow);
  CHECK(fast.stream->is_open());
  CHECK(fx.stream->clients() == 1);
  CHECK(fx.stream->dropped_slow_clients() == 1);
  fx.bus.publish(ev("queue.updated", "ses_a", data));
  CHECK(fast.stream->take().find("id: 11\n") == 0);
}

TEST_CASE("a client whose connection ends is forgotten") {
  fixture fx;
  auto res = fx.stream->open(get("/api/events"));
  REQUIRE(res.stream);
  res.stream->end(http::stream_end::client_left);
  CHECK(fx.stream->clients() == 0);
  CHECK(fx.stream->dropped_slow_clients() == 0);
}

TEST_CASE("destroying the event stream ends every client's stream and leaves the bus") {
  fixture fx;
  auto res = fx.stream->open(get("/api/events"));
  REQUIRE(res.stream);
  CHECK(fx.bus.listeners() == 1);
  fx.stream.reset();
  CHECK(res.stream->state() == http::stream_end::server_stop);
  CHECK(fx.bus.listeners() == 0);
}
