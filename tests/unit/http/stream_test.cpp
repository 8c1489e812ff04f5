// Streamed responses: the bounded channel on its own, then the server sending a stream over loopback
// (headers, bytes as written, keep-alive bytes while idle, the end of the stream from either side,
// server stop, and a client that does not read being cut off).
#include <doctest/doctest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <vector>

#include "dialer/http/server.hpp"
#include "dialer/http/stream.hpp"
#include "test_support.hpp"

using namespace dialer;
using namespace dialer::http;
using namespace dialer::http::test;
using namespace std::chrono_literals;

namespace {
stream_options limited(std::size_t max_buffered) {
  stream_options o;
  o.max_buffered = max_buffered;
  return o;
}
}  // namespace

TEST_CASE("a channel queues writes until taken and wakes the connection on each") {
  stream_channel ch(limited(10));
  int wakes = 0;
  ch.on_activity([&] { ++wakes; });
  CHECK(ch.write("abc"));
  CHECK(ch.write("def"));
  CHECK(ch.buffered() == 6);
  CHECK(wakes == 2);
  CHECK(ch.take() == "abcdef");
  CHECK(ch.take().empty());
  CHECK(ch.is_open());
}

TEST_CASE("a write over the buffer limit ends the stream as too slow and queues nothing") {
  stream_channel ch(limited(10));
  std::vector<stream_end> ends;
  ch.on_end([&](stream_end e) { ends.push_back(e); });
  CHECK(ch.write("12345678"));
  CHECK_FALSE(ch.write("abc"));
  CHECK(ch.state() == stream_end::too_slow);
  CHECK(ch.buffered() == 0);  // nobody will read it
  CHECK_FALSE(ch.write("x"));
  ch.end(stream_end::client_left);  // the first reason stays, the callback ran once
  CHECK(ch.state() == stream_end::too_slow);
  CHECK(ends == std::vector<stream_end>{stream_end::too_slow});
}

TEST_CASE("a finished stream keeps what is queued for the connection to flush") {
  stream_channel ch(limited(100));
  CHECK(ch.write("last words"));
  ch.end(stream_end::finished);
  CHECK_FALSE(ch.write("more"));
  CHECK(ch.take() == "last words");
}

TEST_CASE("an end callback may drop the last other reference to the channel") {
  auto ch = std::make_shared<stream_channel>(limited(4));
  std::weak_ptr<stream_channel> watch = ch;
  std::shared_ptr<stream_channel>* holder = &ch;
  ch->on_end([holder](stream_end) { holder->reset(); });
  auto* raw = ch.get();
  auto keep = ch;  // the caller's own reference keeps it alive through write()
  CHECK_FALSE(raw->write("too long"));
  CHECK(ch == nullptr);
  keep.reset();
  CHECK(watch.expired());
}

namespace {

// A server whose every request opens a stream; the test drives the channels.
struct stream_fixture {
  net::io_context ioc;
  std::unique_ptr<server> srv;
  std::vector<std::shared_ptr<stream_channel>> channels;
  std::vector<stream_end> ends;
  stream_options stream_opts{.max_buffered = 64 * 1024, .keepalive = {}, .keepalive_every = 15s};

  stream_fixture() {
    server_options opts;
    opts.listen = "127.0.0.1:0";
    opts.read_timeout = 5s;
    srv = std::make_unique<server>(ioc.get_executor(), opts, [this](request& req) -> awaitable<response> {
      auto ch = std::make_shared<stream_channel>(stream_opts);
      ch->on_end([this](stream_end e) { ends.push_back(e); });
      ch->write("hello\n");
      channels.push_back(ch);
      response res{status::ok, req.version()};
      res.set(bhttp::field::content_type, "text/event-stream");
      res.stream = ch;
      co_return res;
    });
    srv->start();
  }
};

// Reads from `s` until `data` contains `needle` or the connection ends.
awaitable<read_result> read_until(tcp::socket& s, std::string& data, std::string_view needle) {
  read_result out;
  char buf[4096];
  while (data.find(needle) == std::string::npos) {
    auto r = co_await s.async_read_some(net::buffer(buf), use_tuple);
    data.append(buf, std::get<1>(r));
    if (std::get<0>(r)) {
      out.ec = std::get<0>(r);
      break;
    }
  }
  out.data = data;
  co_return out;
}

// Runs the io_context until `done()` or `limit` passes.
template <class F>
bool run_until(net::io_context& ioc, F done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(20ms);
  }
  return done();
}

constexpr const char* get_events = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST_CASE("a streamed response sends its headers, then bytes as they are written, until it finishes") {
  stream_fixture fx;
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto s = co_await connect_raw(fx.srv->port());
    co_await write_raw(s, get_events);
    std::string data;
    co_await read_until(s, data, "hello\n");
    CHECK(data.find("HTTP/1.1 200 OK\r\n") == 0);
    CHECK(data.find("Content-Type: text/event-stream\r\n") != std::string::npos);
    CHECK(data.find("Connection: close\r\n") != std::string::npos);
    CHECK(data.find("Content-Length") == std::string::npos);
    CHECK(fx.srv->open_streams() == 1);
    REQUIRE(fx.channels.size() == 1);
    fx.channels[0]->write("event one\n");
    co_await read_until(s, data, "event one\n");
    fx.channels[0]->write("event two\n");
    fx.channels[0]->end(stream_end::finished);
    auto rest = co_await read_until_closed(s);
    CHECK((data + rest.data).find("event two\n") != std::string::npos);
    CHECK(rest.ec == net::error::eof);
  });
  CHECK(fx.ends == std::vector<stream_end>{stream_end::finished});
  CHECK(run_until(fx.ioc, [&] { return fx.srv->open_streams() == 0; }));
}

TEST_CASE("an idle stream sends its keep-alive bytes") {
  stream_fixture fx;
  fx.stream_opts.keepalive = ": ping\n\n";
  fx.stream_opts.keepalive_every = 30ms;
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto s = co_await connect_raw(fx.srv->port());
    co_await write_raw(s, get_events);
    std::string data;
    auto r = co_await read_until(s, data, ": ping\n\n: ping\n\n");  // two in a row: nothing else was sent
    CHECK_FALSE(r.ec);
  });
}

TEST_CASE("a client that closes its connection ends the stream as client_left") {
  stream_fixture fx;
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto s = co_await connect_raw(fx.srv->port());
    co_await write_raw(s, get_events);
    std::string data;
    co_await read_until(s, data, "hello\n");
    s.close();
  });
  CHECK(run_until(fx.ioc, [&] { return !fx.ends.empty() && fx.srv->open_streams() == 0; }));
  CHECK(fx.ends == std::vector<stream_end>{stream_end::client_left});
  CHECK_FALSE(fx.channels[0]->write("nobody listens"));
}

TEST_CASE("server stop ends every stream as server_stop and closes the connections") {
  stream_fixture fx;
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto a = co_await connect_raw(fx.srv->port());
    auto b = co_await connect_raw(fx.srv->port());
    co_await write_raw(a, get_events);
    co_await write_raw(b, get_events);
    std::string da, db;
    co_await read_until(a, da, "hello\n");
    co_await read_until(b, db, "hello\n");
    fx.srv->stop();
    auto ra = co_await read_until_closed(a);
    auto rb = co_await read_until_closed(b);
    CHECK(ra.ec);
    CHECK(rb.ec);
  });
  CHECK(fx.ends == std::vector<stream_end>{stream_end::server_stop, stream_end::server_stop});
  CHECK(run_until(fx.ioc, [&] { return fx.srv->open_connections() == 0; }));
}

TEST_CASE("a client that does not read is cut off once its buffer is full; the producer never waits") {
  stream_fixture fx;
  fx.stream_opts.max_buffered = 16 * 1024;
  tcp::socket idle_client(fx.ioc);
  run_async(fx.ioc, [&]() -> awaitable<void> {
    idle_client = co_await connect_raw(fx.srv->port());
    co_await write_raw(idle_client, get_events);
    // The client reads nothing more. The producer writes 1 KiB at a time, letting the server run
    // between writes, until the channel refuses: the kernel's socket buffers fill, then the channel.
    const std::string chunk(1024, 'x');
    while (fx.channels.empty()) co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    auto ch = fx.channels[0];
    int writes = 0;
    while (ch->write(chunk) && writes < 200'000) {
      ++writes;
      co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
    }
    CHECK(writes < 200'000);
    CHECK(ch->state() == stream_end::too_slow);
  }, 60s);
  CHECK(fx.ends == std::vector<stream_end>{stream_end::too_slow});
  CHECK(run_until(fx.ioc, [&] { return fx.srv->open_streams() == 0; }));
}

TEST_CASE("a stream over TLS delivers bytes as written and notices the client leave") {
  temp_dir dir;
  const auto cert = dir.path / "cert.pem";
  const auto key = dir.path / "key.pem";
  REQUIRE(write_self_signed_cert(cert, key));
  net::io_context ioc;
  std::shared_ptr<stream_channel> channel;
  std::vector<stream_end> ends;
  server srv(ioc.get_executor(), server_options{.listen = "127.0.0.1:0", .tls = tls_files{cert.string(), key.string()}},
             [&](request& req) -> awaitable<response> {
               channel = std::make_shared<stream_channel>(limited(64 * 1024));
               channel->on_end([&](stream_end e) { ends.push_back(e); });
               channel->write("hello\n");
               response res{status::ok, req.version()};
               res.stream = channel;
               co_return res;
             });
  srv.start();
  ssl::context ctx{ssl::context::tls_client};
  ctx.set_verify_mode(ssl::verify_none);
  run_async(ioc, [&]() -> awaitable<void> {
    ssl::stream<tcp::socket> tls(co_await connect_raw(srv.port()), ctx);
    co_await tls.async_handshake(ssl::stream_base::client, net::use_awaitable);
    co_await net::async_write(tls, net::buffer(std::string(get_events)), net::use_awaitable);
    std::string data;
    char buf[4096];
    while (data.find("hello\n") == std::string::npos) {
      auto n = co_await tls.async_read_some(net::buffer(buf), net::use_awaitable);
      data.append(buf, n);
    }
    REQUIRE(channel);
    channel->write("over tls\n");
    while (data.find("over tls\n") == std::string::npos) {
      auto n = co_await tls.async_read_some(net::buffer(buf), net::use_awaitable);
      data.append(buf, n);
    }
    CHECK(data.find("HTTP/1.1 200 OK\r\n") == 0);
    tls.next_layer().close();
  });
  CHECK(run_until(ioc, [&] { return !ends.empty() && srv.open_streams() == 0; }));
  CHECK(ends == std::vector<stream_end>{stream_end::client_left});
}
