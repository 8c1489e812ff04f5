// Test helpers for the http module: run a coroutine on a test-owned io_context with a hard bound,
// raw loopback sockets, and a throwaway self-signed TLS certificate made with OpenSSL.
#pragma once
#include <doctest/doctest.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <random>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "dialer/common/net.hpp"

namespace dialer::http::test {

using tcp = net::ip::tcp;
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Runs `f()` (returning awaitable<void>) to completion on `ioc`, at most `limit` of wall time.
// Rethrows what the coroutine threw, so REQUIRE inside it works.
template <class F>
void run_async(net::io_context& ioc, F&& f, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  bool done = false;
  std::exception_ptr failure;
  net::co_spawn(ioc, std::forward<F>(f), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(20));
  }
  REQUIRE_MESSAGE(done, "test coroutine did not finish in time");
  if (failure) std::rethrow_exception(failure);
}

inline awaitable<tcp::socket> connect_raw(unsigned short port) {
  tcp::socket s(co_await net::this_coro::executor);
  co_await s.async_connect({net::ip::address_v4::loopback(), port}, net::use_awaitable);
  co_return s;
}

inline awaitable<void> write_raw(tcp::socket& s, std::string text) {
  co_await net::async_write(s, net::buffer(text), net::use_awaitable);
}

struct read_result {
  boost::system::error_code ec;  // how the stream ended (eof: closed by the peer)
  std::string data;
};

// Reads until the peer closes (or resets) the connection.
inline awaitable<read_result> read_until_closed(tcp::socket& s) {
  read_result out;
  char buf[4096];
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(net::buffer(buf), use_tuple);
    out.data.append(buf, n);
    if (ec) {
      out.ec = ec;
      co_return out;
    }
  }
}

// A fresh directory under the system temp dir, removed on destruction.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("dialer-http-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Writes a self-signed P-256 certificate for CN=localhost (SAN localhost, 127.0.0.1) and its key.
// Returns false when OpenSSL fails.
bool write_self_signed_cert(const std::filesystem::path& cert_file, const std::filesystem::path& key_file);

}  // namespace dialer::http::test
