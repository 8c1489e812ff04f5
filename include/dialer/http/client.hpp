// An async HTTP/1.1 client with a keep-alive connection pool to one origin (http:// or https://).
// Used for the Telnyx REST API (dialerd), for webhook delivery (telnyx-sim) and by tests.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/error_code.hpp>

#include "dialer/common/net.hpp"
#include "dialer/http/message.hpp"

namespace dialer::http {

struct client_options {
  std::size_t max_connections = 16;             // per origin; extra requests wait for a free one
  std::chrono::milliseconds timeout{10000};     // connect + write + read of one request
  bool verify_peer = true;                      // https only: verify the certificate chain and host name
};

struct client_request {
  // Constructors (not an aggregate) on purpose: GCC 12 corrupts aggregate temporaries written inline
  // in a co_await expression, e.g. `co_await c.send({verb::get, "/x", "", {}})`.
  client_request() = default;
  client_request(verb m, std::string t, std::string b = {}, std::vector<std::pair<std::string, std::string>> h = {})
      : method(m), target(std::move(t)), body(std::move(b)), headers(std::move(h)) {}

  verb method = verb::get;
  std::string target;  // path and query, appended to the base URL's path ("/calls")
  std::string body;    // sent as application/json when not empty
  std::vector<std::pair<std::string, std::string>> headers;
};

struct client_response {
  unsigned status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  // The value of header `name` (lower-case), or empty.
  std::string header(std::string_view name) const;
};

class client {
 public:
  // base_url: "http://127.0.0.1:9000/v2" or "https://api.telnyx.com/v2". Throws std::invalid_argument
  // naming the problem when the URL is not http(s)://host[:port][/path].
  client(net::any_io_executor ex, std::string base_url, client_options options = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // All members are called on the executor's thread (the pool is single-threaded by design).

  // Sends one request. Transport failures (refused, reset, timeout, TLS) come back as an error code
  // (timeouts as net::error::timed_out), never as an exception. A connection that failed is dropped
  // from the pool; the request is NOT retried here (retry policy belongs to the caller), except that a
  // pooled keep-alive connection found closed by the peer before any response byte is retried once on
  // a fresh connection. Safe to destroy the client while a request is in flight.
  awaitable<std::pair<boost::system::error_code, client_response>> send(client_request req);

  // Closes idle connections; in-flight requests complete. The client stays usable.
  void close();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace dialer::http
