// HTTP message types shared by the server, the client, the API and the simulator.
#pragma once
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "dialer/common/net.hpp"

namespace dialer::http {

namespace bhttp = boost::beast::http;
using request = bhttp::request<bhttp::string_body>;
using status = bhttp::status;
using verb = bhttp::verb;

class stream_channel;  // dialer/http/stream.hpp

// A Beast string-body response that may instead be streamed: when `stream` is set, the server sends
// the headers (no Content-Length, `Connection: close`) and then whatever the producer writes to the
// channel (the body is not sent), until the channel ends, the client leaves or the server stops
// (http/stream.hpp).
struct response : bhttp::response<bhttp::string_body> {
  using base = bhttp::response<bhttp::string_body>;
  using base::base;
  response() = default;
  response(base&& b) : base(std::move(b)) {}  // implicit: what Beast parsers return converts
  std::shared_ptr<stream_channel> stream;
};

// A response with `content-type: application/json`, the request's keep-alive and version.
response json_response(const request& req, status s, std::string body);
// A response with a JSON body of shape {"error":{"code","message"[,"field"]}}.
response error_response(const request& req, status s, std::string_view code, std::string_view message,
                        std::string_view field = {});

}  // namespace dialer::http
