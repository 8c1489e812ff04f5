// An HTTP/1.1 server (plain or TLS) on Beast: one coroutine per connection, keep-alive, header and
// body limits, read timeouts and a connection cap. Requests are handed to one async handler.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dialer/common/net.hpp"
#include "dialer/http/message.hpp"

namespace dialer::http {

struct tls_files {
  std::string cert_chain_file;  // PEM
  std::string private_key_file;  // PEM
};

struct server_options {
  std::string listen = "127.0.0.1:8080";  // "host:port"; port 0 picks a free port (see server::port)
  std::optional<tls_files> tls{};        // none: plain HTTP
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;  // bigger bodies get 413
  std::chrono::milliseconds read_timeout{30000};  // per request (headers + body) and keep-alive idle
  std::size_t max_connections = 1024;             // more are accepted then closed at once
};

// Called once per request on the server's executor. It may suspend (co_await) before answering.
// An exception escaping it becomes a 500 with no internals, logged.
using handler = std::function<awaitable<response>(request&)>;

class server {
 public:
  // Throws std::runtime_error naming the problem (bad listen address, unreadable TLS files).
  server(net::any_io_executor ex, server_options options, handler h);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // All members are called on the executor's thread (the server is single-threaded by design).

  // Binds and starts accepting. Throws boost::system::system_error when the address cannot be bound.
  void start();
  // The bound port (after start(); 0 before).
  unsigned short port() const;
  // Stops accepting and closes idle keep-alive connections and streamed responses (their channels
  // end with server_stop); a connection whose request is being handled finishes that response (with
  // `Connection: close`) and then closes. Idempotent.
  void stop();
  // Connections being served now (those closed at once by the cap are not counted).
  std::size_t open_connections() const;
  // Connections accepted since start(), including those closed at once by the cap.
  std::size_t accepted_connections() const;
  // Streamed responses being sent now (see response::stream in http/message.hpp).
  std::size_t open_streams() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace dialer::http
