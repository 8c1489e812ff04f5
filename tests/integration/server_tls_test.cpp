// dialerd with server.tls from its config file: a throwaway certificate made with the openssl CLI at
// test time, real HTTPS requests over 127.0.0.1 for the API and the webhook endpoint, and no plain HTTP.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dialer/http/client.hpp"

#include "support/stack.hpp"

using namespace dialer;
using namespace std::chrono_literals;
using http::verb;

namespace {

// A self-signed certificate for 127.0.0.1 in `dir`; false when openssl failed.
bool make_certificate(const std::filesystem::path& dir) {
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout '" + (dir / "key.pem").string() +
                          "' -out '" + (dir / "cert.pem").string() + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0 && std::filesystem::exists(dir / "cert.pem");
}

}  // namespace

TEST_CASE("dialerd configured with server.tls serves the API and webhooks over HTTPS and refuses plain HTTP") {
  const auto certs = test::make_scratch_dir();
  REQUIRE(make_certificate(certs));
  {
    test::stack s({.scenario_json = R"({"agent": {"answer_after_s": 1}})",
                   .server_extra = R"(, "tls": {"cert": ")" + (certs / "cert.pem").string() + R"(", "key": ")" +
                                   (certs / "key.pem").string() + R"("})",
                   .https = true});
    auto health = s.api(verb::get, "/healthz");
    CHECK(health.status == 200);
    CHECK(health.body.find("\"ok\"") != std::string::npos);
    auto created = s.api(verb::post, "/api/power-dialer/sessions",
                         R"({"agentId": "alice", "contacts": [{"phone": "+15550601001"}]})");
    CHECK_MESSAGE(created.status == 201, created.body);
    CHECK(s.api(verb::get, "/api/power-dialer/sessions").json()["sessions"].Size() == 1);
    // The webhook endpoint sits behind the same TLS listener: an unsigned delivery is refused by the
    // signature check, i.e. it got through TLS and HTTP parsing.
    CHECK(s.raw(verb::post, "/webhooks/telnyx", R"({"data": {}})", {}).status == 401);

    // Plain HTTP on the TLS port never gets an HTTP answer.
    net::io_context io;
    http::client plain(io.get_executor(), "http://127.0.0.1:" + std::to_string(s.dialerd_port()),
                       http::client_options{.timeout = std::chrono::milliseconds(5000)});
    boost::system::error_code error;
    unsigned status = 0;
    net::co_spawn(io, [&]() -> awaitable<void> {
      http::client_request req(verb::get, "/healthz");
      auto r = co_await plain.send(req);
      error = r.first;
      status = r.second.status;
    }, net::detached);
    io.run_for(10s);
    CHECK(error);
    CHECK(status == 0);
    CHECK(s.api(verb::get, "/healthz").status == 200);  // and the listener still serves HTTPS
    // The plain-HTTP warning is for configs without server.tls only.
    std::stringstream log;
    log << std::ifstream(s.dir() / "dialerd.log").rdbuf();
    CHECK(log.str().find("serving plain HTTP") == std::string::npos);
  }
  std::filesystem::remove_all(certs);
}
