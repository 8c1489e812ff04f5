// bench_ceiling: the throughput ceiling for the webhook benchmark. A bare Beast keep-alive server that
// does exactly the signature check dialerd does (telnyx::signature_verifier) and answers 200: no router,
// no JSON, no store. With --verify 0 it skips the check too (bare Beast keep-alive, to show what the
// signature costs). Prints "bench-ceiling ready port=N"; SIGTERM/SIGINT stop it.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <iostream>

#include "dialer/common/net.hpp"
#include "dialer/telnyx/signature.hpp"
#include "lib/args.hpp"

namespace {

using namespace dialer;
using tcp = net::ip::tcp;
namespace bhttp = boost::beast::http;
constexpr auto token = net::as_tuple(net::use_awaitable);

constexpr const char* usage =
    "usage: bench_ceiling --public-key BASE64 [--listen-port 0] [--tolerance-s 300] [--verify 1]\n";

awaitable<void> serve(tcp::socket socket, const telnyx::signature_verifier* verifier, std::uint64_t& rejected) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request<bhttp::string_body> req;
    stream.expires_after(std::chrono::seconds(30));
    auto read = co_await bhttp::async_read(stream, buffer, req, token);
    if (std::get<0>(read)) break;
    auto header = [&](const char* name) {
      auto it = req.find(name);
      return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
    };
    bool ok = !verifier || verifier->verify(header("telnyx-signature-ed25519"), header("telnyx-timestamp"),
                                            req.body(), std::chrono::system_clock::now()) == telnyx::signature_error::none;
    if (!ok) ++rejected;
    bhttp::response<bhttp::string_body> res{ok ? bhttp::status::ok : bhttp::status::unauthorized, req.version()};
    res.set(bhttp::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = ok ? "{}" : R"({"error":{"code":"invalid_signature","message":"bad signature"}})";
    res.prepare_payload();
    auto written = co_await bhttp::async_write(stream, res, token);
    if (std::get<0>(written) || !res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

awaitable<void> accept_loop(tcp::acceptor& acceptor, const telnyx::signature_verifier* verifier,
                            std::uint64_t& rejected) {
  for (;;) {
    auto accepted = co_await acceptor.async_accept(token);
    if (std::get<0>(accepted)) co_return;
    net::co_spawn(acceptor.get_executor(), serve(std::move(std::get<1>(accepted)), verifier, rejected),
                  net::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::args a(argc, argv, usage);
  auto verifier = telnyx::signature_verifier::from_base64(a.required("public-key"),
                                                          std::chrono::seconds(a.num("tolerance-s", 300)));
  if (!verifier) {
    std::cerr << "bench_ceiling: --public-key is not base64 of a 32-byte Ed25519 key\n";
    return 2;
  }
  net::io_context io(1);
  tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(a.num("listen-port", 0))});
  std::uint64_t rejected = 0;
  net::co_spawn(io, accept_loop(acceptor, a.num("verify", 1) ? verifier.get() : nullptr, rejected), net::detached);
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    std::fprintf(stderr, "bench_ceiling: stopping; %llu requests had a bad signature\n",
                 static_cast<unsigned long long>(rejected));
    io.stop();
  });
  std::printf("bench-ceiling ready port=%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);
  io.run();
  return 0;
}
