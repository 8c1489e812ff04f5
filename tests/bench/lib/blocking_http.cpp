// Each request is a coroutine on the private io_context; run_for bounds every call.
#include "blocking_http.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace dialer::bench {

blocking_http::blocking_http(const std::string& origin, std::string bearer) : bearer_(std::move(bearer)) {
  http::client_options o;
  o.max_connections = 32;
  o.timeout = std::chrono::seconds(60);
  client_ = std::make_unique<http::client>(io_.get_executor(), origin, o);
}

// Coroutines still pending after a timed-out call are destroyed with io_, never resumed.
blocking_http::~blocking_http() { client_->close(); }

http_reply blocking_http::send(http::verb method, const std::string& target, const std::string& body,
                               std::chrono::milliseconds timeout) {
  http::client_request req(method, target, body);
  return send_all({req}, 1, timeout).front();
}

std::vector<http_reply> blocking_http::send_all(const std::vector<http::client_request>& requests,
                                                std::size_t parallel, std::chrono::milliseconds timeout) {
  std::vector<http_reply> replies(requests.size());
  for (auto& r : replies) r.error = "no reply in time";
  std::size_t next = 0;
  auto worker = [&]() -> awaitable<void> {
    while (next < requests.size()) {
      std::size_t i = next++;
      http::client_request req = requests[i];
      if (!bearer_.empty()) req.headers.emplace_back("Authorization", "Bearer " + bearer_);
      auto r = co_await client_->send(std::move(req));
      replies[i].error.clear();
      if (r.first) {
        replies[i].error = r.first.message();
      } else {
        replies[i].status = r.second.status;
        replies[i].body = std::move(r.second.body);
      }
    }
  };
  for (std::size_t w = 0; w < std::max<std::size_t>(1, std::min(parallel, requests.size())); ++w)
    net::co_spawn(io_, worker(), net::detached);
  io_.restart();
  io_.run_for(timeout);
  return replies;
}

}  // namespace dialer::bench
