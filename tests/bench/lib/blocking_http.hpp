// A synchronous HTTP client for the bench programs (setup and polling, never the measured load):
// one io_context and one keep-alive pool per origin, each call runs it until the reply.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dialer/common/net.hpp"
#include "dialer/http/client.hpp"

namespace dialer::bench {

struct http_reply {
  unsigned status = 0;   // 0: transport failure or no reply in time
  std::string body;
  std::string error;     // the transport error, empty otherwise
};

class blocking_http {
 public:
  // origin: "http://127.0.0.1:8080". `bearer` (optional) is sent as Authorization: Bearer.
  explicit blocking_http(const std::string& origin, std::string bearer = {});
  ~blocking_http();
  http_reply send(http::verb method, const std::string& target, const std::string& body = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
  http_reply get(const std::string& target) { return send(http::verb::get, target); }
  // Runs `requests` concurrently (at most `parallel` at once); replies in the same order.
  std::vector<http_reply> send_all(const std::vector<http::client_request>& requests, std::size_t parallel,
                                   std::chrono::milliseconds timeout);

 private:
  net::io_context io_;
  std::unique_ptr<http::client> client_;
  std::string bearer_;
};

}  // namespace dialer::bench
