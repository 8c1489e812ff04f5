// The server and the pooled client against each other over real loopback sockets: round trips,
// keep-alive, limits, timeouts, the connection cap, handler failures and graceful stop.
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "dialer/http/client.hpp"
#include "dialer/http/server.hpp"
#include "test_support.hpp"

using namespace dialer;
using namespace dialer::http;
using namespace dialer::http::test;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

// A server on 127.0.0.1:0 whose handler answers a few fixed paths; it records what it saw.
struct fixture {
  net::io_context ioc;
  std::vector<request> seen;
  std::unique_ptr<server> srv;

  explicit fixture(server_options opts = {}) {
    opts.listen = "127.0.0.1:0";
    srv = std::make_unique<server>(ioc.get_executor(), opts, [this](request& req) { return handle(req); });
    srv->start();
  }

  awaitable<response> handle(request& req) {
    seen.push_back(req);
    const auto target = req.target();
    if (target == "/boom") throw std::runtime_error("secret-db-password leaked in exception");
    if (target == "/slow") {
      net::steady_timer t(co_await net::this_coro::executor, 30s);
      co_await t.async_wait(use_tuple);
    }
    if (target == "/stop-then-answer") srv->stop();
    auto res = json_response(req, status::ok, req.body());
    res.set("x-method", req.method_string());
    co_return res;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(srv->port()); }
};

}  // namespace

TEST_CASE("a GET and a POST round trip with body, headers and the base path") {
  fixture fx;
  client c(fx.ioc.get_executor(), fx.url() + "/v2");
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto [ec1, r1] = co_await c.send({verb::get, "/echo", "", {}});
    REQUIRE_FALSE(ec1);
    CHECK(r1.status == 200);
    CHECK(r1.header("x-method") == "GET"s);
    CHECK(r1.header("content-type") == "application/json"s);

    // Built outside the co_await: GCC 12 rejects nested braced literals inside a co_await expression.
    client_request post{verb::post, "/echo?x=1", R"({"a":"b"})", {}};
    post.headers.emplace_back("X-Custom", "yes");
    auto [ec2, r2] = co_await c.send(std::move(post));
    REQUIRE_FALSE(ec2);
    CHECK(r2.status == 200);
    CHECK(r2.body == R"({"a":"b"})"s);
    CHECK(r2.header("x-method") == "POST"s);
  });
  REQUIRE(fx.seen.size() == 2);
  CHECK(std::string(fx.seen[0].target()) == "/v2/echo"s);
  CHECK(fx.seen[0].find(bhttp::field::content_type) == fx.seen[0].end());
  CHECK(std::string(fx.seen[1].target()) == "/v2/echo?x=1"s);
  CHECK(std::string(fx.seen[1][bhttp::field::content_type]) == "application/json"s);
  CHECK(std::string(fx.seen[1][bhttp::field::user_agent]) == "dialer/0.1"s);
  CHECK(std::string(fx.seen[1][bhttp::field::host]) == "127.0.0.1:" + std::to_string(fx.srv->port()));
  CHECK(std::string(fx.seen[1]["x-custom"]) == "yes"s);
}

TEST_CASE("sequential requests reuse one keep-alive connection") {
  fixture fx;
  client c(fx.ioc.get_executor(), fx.url());
  run_async(fx.ioc, [&]() -> awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      auto [ec, r] = co_await c.send({verb::post, "/echo", std::to_string(i), {}});
      REQUIRE_FALSE(ec);
      CHECK(r.body == std::to_string(i));
    }
  });
  CHECK(fx.srv->accepted_connections() == 1);
}

TEST_CASE("concurrent requests beyond the pool size wait for a free connection") {
  fixture fx;
  client c(fx.ioc.get_executor(), fx.url(), client_options{.max_connections = 1});
  int finished = 0;
  auto one = [&](int i) -> awaitable<void> {
    auto [ec, r] = co_await c.send({verb::post, "/echo", std::to_string(i), {}});
    CHECK_FALSE(ec);
    CHECK(r.body == std::to_string(i));
    ++finished;
  };
  run_async(fx.ioc, [&]() -> awaitable<void> {
    using namespace net::experimental::awaitable_operators;
    co_await (one(0) && one(1) && one(2) && one(3));
  });
  CHECK(finished == 4);
  CHECK(fx.srv->accepted_connections() == 1);
}

TEST_CASE("a body over the limit gets 413 and the next request still works") {
  fixture fx(server_options{.body_limit = 1000});
  client c(fx.ioc.get_executor(), fx.url());
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto [ec, r] = co_await c.send({verb::post, "/echo", std::string(2000, 'x'), {}});
    REQUIRE_FALSE(ec);
    CHECK(r.status == 413);
    CHECK(r.body.find("body_too_large") != std::string::npos);
    auto [ec2, r2] = co_await c.send({verb::post, "/echo", "ok", {}});
    REQUIRE_FALSE(ec2);
    CHECK(r2.status == 200);
  });
  CHECK(fx.seen.size() == 1);
}

TEST_CASE("malformed requests get 400 and oversized headers get 431, then the server closes") {
  fixture fx(server_options{.header_limit = 1024});
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto s = co_await connect_raw(fx.srv->port());
    co_await write_raw(s, "NOT HTTP AT ALL\r\n\r\n");
    auto got = co_await read_until_closed(s);
    CHECK(got.data.starts_with("HTTP/1.1 400"));
    CHECK(got.data.find("bad_request") != std::string::npos);

    auto s2 = co_await connect_raw(fx.srv->port());
    co_await write_raw(s2, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
    auto got2 = co_await read_until_closed(s2);
    CHECK(got2.data.starts_with("HTTP/1.1 431"));
  });
  CHECK(fx.seen.empty());
}

TEST_CASE("a client that stops sending mid-request is disconnected after the read timeout") {
  fixture fx(server_options{.read_timeout = 200ms});
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto s = co_await connect_raw(fx.srv->port());
    co_await write_raw(s, "GET /echo HTTP/1.1\r\nHost: x\r\n");
    auto got = co_await read_until_closed(s);
    CHECK(got.data.empty());
    CHECK(got.ec == net::error::eof);
  });
  CHECK(fx.seen.empty());
}

TEST_CASE("connections over the cap are closed at once while existing ones keep working") {
  fixture fx(server_options{.max_connections = 1});
  run_async(fx.ioc, [&]() -> awaitable<void> {
    const std::string get = "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n";
    auto a = co_await connect_raw(fx.srv->port());
    co_await write_raw(a, get);
    beast::flat_buffer buf;
    response first;
    co_await bhttp::async_read(a, buf, first, net::use_awaitable);  // the server now holds `a`
    CHECK(first.result() == status::ok);

    auto b = co_await connect_raw(fx.srv->port());
    co_await write_raw(b, get);
    auto refused = co_await read_until_closed(b);
    CHECK(refused.data.empty());

    co_await write_raw(a, get);
    response second;
    co_await bhttp::async_read(a, buf, second, net::use_awaitable);
    CHECK(second.result() == status::ok);
    CHECK(fx.srv->open_connections() == 1);
  });
  CHECK(fx.srv->accepted_connections() == 2);
}

TEST_CASE("a handler exception becomes a 500 without the exception text") {
  fixture fx;
  client c(fx.ioc.get_executor(), fx.url());
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto [ec, r] = co_await c.send({verb::get, "/boom", "", {}});
    REQUIRE_FALSE(ec);
    CHECK(r.status == 500);
    CHECK(r.body == R"({"error":{"code":"internal","message":"internal error"}})"s);
    CHECK(r.body.find("secret") == std::string::npos);
    auto [ec2, r2] = co_await c.send({verb::get, "/echo", "", {}});  // the connection survives
    CHECK_FALSE(ec2);
    CHECK(r2.status == 200);
  });
  CHECK(fx.srv->accepted_connections() == 1);
}

TEST_CASE("a request the server does not answer in time fails with timed_out") {
  fixture fx;
  client c(fx.ioc.get_executor(), fx.url(), client_options{.timeout = 200ms});
  run_async(fx.ioc, [&]() -> awaitable<void> {
    auto [ec, r] = co_await c.send({verb::get, "/slow", "", {}});
    CHECK(ec == net::error::timed_out);
    CHECK(r.status == 0);
  });
}

TEST_CASE("a refused port is an error value, not an exception") {
  net::io_context ioc;
  unsigned short port = 0;
  {
    tcp::acceptor probe(ioc, {net::ip::address_v4::loopback(), 0});
    port = probe.local_endpoint().port();
  }
  client c(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(port));
  run_async(ioc, [&]() -> awaitable<void> {
    auto [ec, r] = co_await c.send({verb::get, "/", "", {}});
    CHECK(ec == net::error::connection_refused);
  });
}

TEST_CASE("a pooled connection closed by the peer is retried once on a fresh connection") {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::address_v4::loopback(), 0});
  int accepted = 0;
  // A server that answers one request per connection but claims keep-alive, like one whose idle
  // timeout fired just before the client reused the connection.
  auto fake = [&]() -> awaitable<void> {
    for (;;) {
      auto [ec, s] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      ++accepted;
      beast::flat_buffer buf;
      request req;
      co_await bhttp::async_read(s, buf, req, net::use_awaitable);
      co_await write_raw(s, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + std::to_string(accepted));
      s.close();
    }
  };
  net::co_spawn(ioc, fake, [](std::exception_ptr) {});
  client c(ioc.get_executor(), "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()));
  run_async(ioc, [&]() -> awaitable<void> {
    auto [ec1, r1] = co_await c.send({verb::get, "/", "", {}});
    REQUIRE_FALSE(ec1);
    CHECK(r1.body == "1"s);
    auto [ec2, r2] = co_await c.send({verb::get, "/", "", {}});
    REQUIRE_FALSE(ec2);
    CHECK(r2.body == "2"s);
  });
  CHECK(accepted == 2);
}

TEST_CASE("stop closes idle keep-alive connections and finishes the request in progress") {
  fixture fx;
  run_async(fx.ioc, [&]() -> awaitable<void> {
    const std::string get = "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n";
    auto idle = co_await connect_raw(fx.srv->port());
    co_await write_raw(idle, get);
    beast::flat_buffer buf;
    response first;
    co_await bhttp::async_read(idle, buf, first, net::use_awaitable);
    CHECK(first.keep_alive());

    auto busy = co_await connect_raw(fx.srv->port());
    co_await write_raw(busy, "GET /stop-then-answer HTTP/1.1\r\nHost: x\r\n\r\n");
    auto busy_got = co_await read_until_closed(busy);
    CHECK(busy_got.data.starts_with("HTTP/1.1 200"));
    CHECK(busy_got.data.find("Connection: close") != std::string::npos);

    auto idle_got = co_await read_until_closed(idle);
    CHECK(idle_got.data.empty());
    CHECK(idle_got.ec == net::error::eof);
    CHECK(fx.srv->open_connections() == 0);
  });
}

TEST_CASE("bad listen addresses and base URLs are rejected with the offending text") {
  net::io_context ioc;
  auto h = [](request& req) -> awaitable<response> { co_return json_response(req, status::ok, "{}"); };
  CHECK_THROWS_WITH_AS(server(ioc.get_executor(), server_options{.listen = "nonsense"}, h),
                       doctest::Contains("nonsense"), std::runtime_error);
  CHECK_THROWS_AS(server(ioc.get_executor(), server_options{.listen = "127.0.0.1:99999"}, h), std::runtime_error);
  CHECK_THROWS_AS(server(ioc.get_executor(), server_options{.listen = "::1:80"}, h), std::runtime_error);
  CHECK_NOTHROW(server(ioc.get_executor(), server_options{.listen = "[::1]:0"}, h));
  CHECK_THROWS_WITH_AS(client(ioc.get_executor(), "ftp://x"), doctest::Contains("ftp://x"), std::invalid_argument);
  CHECK_THROWS_AS(client(ioc.get_executor(), "http://:80"), std::invalid_argument);
  CHECK_THROWS_AS(client(ioc.get_executor(), "http://host:0"), std::invalid_argument);
  CHECK_NOTHROW(client(ioc.get_executor(), "https://[::1]:8443/v2/"));
}
