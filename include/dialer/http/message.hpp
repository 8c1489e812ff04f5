// HTTP message types shared by the server, the client, the API and the simulator.
#pragma once
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "dialer/common/net.hpp"

namespace dialer::http {

namespace bhttp = boost::beast::http;
using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;
using status = bhttp::status;
using verb = bhttp::verb;

// A response with `content-type: application/json`, the request's keep-alive and version.
response json_response(const request& req, status s, std::string body);
// A response with a JSON body of shape {"error":{"code","message"[,"field"]}}.
response error_response(const request& req, status s, std::string_view code, std::string_view message,
                        std::string_view field = {});

}  // namespace dialer::http
