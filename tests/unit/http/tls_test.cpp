// HTTPS: the server with a self-signed certificate generated in the test, the client with and
// without peer verification.
#include <doctest/doctest.h>

#include "dialer/http/client.hpp"
#include "dialer/http/server.hpp"
#include "test_support.hpp"

using namespace dialer;
using namespace dialer::http;
using namespace dialer::http::test;
using namespace std::string_literals;

TEST_CASE("requests round trip over TLS and keep the connection alive") {
  temp_dir dir;
  const auto cert = dir.path / "cert.pem";
  const auto key = dir.path / "key.pem";
  REQUIRE(write_self_signed_cert(cert, key));

  net::io_context ioc;
  server srv(ioc.get_executor(),
             server_options{.listen = "127.0.0.1:0", .tls = tls_files{cert.string(), key.string()}},
             [](request& req) -> awaitable<response> { co_return json_response(req, status::ok, req.body()); });
  srv.start();
  const std::string url = "https://127.0.0.1:" + std::to_string(srv.port());

  client insecure(ioc.get_executor(), url, client_options{.verify_peer = false});
  client strict(ioc.get_executor(), url, client_options{.verify_peer = true});
  run_async(ioc, [&]() -> awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      auto [ec, r] = co_await insecure.send({verb::post, "/echo", R"({"n":)" + std::to_string(i) + "}", {}});
      REQUIRE_FALSE(ec);
      CHECK(r.status == 200);
      CHECK(r.body == R"({"n":)" + std::to_string(i) + "}");
    }
    // The self-signed certificate is not in the system store, so verification must refuse it.
    auto [ec, r] = co_await strict.send({verb::get, "/", "", {}});
    CHECK(ec);
    CHECK(r.status == 0);
  });
  CHECK(srv.accepted_connections() == 2);
}

TEST_CASE("a TLS server with unreadable certificate files fails to construct, naming the file") {
  net::io_context ioc;
  auto h = [](request& req) -> awaitable<response> { co_return json_response(req, status::ok, "{}"); };
  CHECK_THROWS_WITH_AS(server(ioc.get_executor(),
                              server_options{.listen = "127.0.0.1:0", .tls = tls_files{"/nonexistent/c.pem", "/nonexistent/k.pem"}},
                              h),
                       doctest::Contains("/nonexistent/c.pem"), std::runtime_error);
}
