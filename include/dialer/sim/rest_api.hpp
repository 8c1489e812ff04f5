// The simulator's HTTP surface: Telnyx's /v2 Call Control endpoints (Bearer auth, schema validation,
// dial rate limit, Telnyx error bodies) and the unauthenticated /sim control endpoints.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialer/common/net.hpp"
#include "dialer/http/message.hpp"
#include "dialer/sim/call_world.hpp"

namespace dialer::sim {

// Checks a request body against the official schema; returns one human-readable problem per issue
// (empty = valid). `path_template` is the OpenAPI path, e.g. "/calls/{call_control_id}/actions/bridge".
using request_validator =
    std::function<std::vector<std::string>(std::string_view method, std::string_view path_template, std::string_view body)>;

struct rest_options {
  std::string api_key;         // empty: any non-empty Bearer token is accepted
  request_validator validate;  // empty: only the simulator's own checks
};

class rest_api {
 public:
  // `world` must outlive this object.
  rest_api(net::any_io_executor ex, call_world& world, rest_options options, std::uint64_t seed);
  ~rest_api();

  // Answers one request; never throws for bad input (4xx with a Telnyx error body instead).
  awaitable<http::response> handle(http::request& req);

  struct impl;  // public only so the .cpp's helpers can name it

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace dialer::sim
