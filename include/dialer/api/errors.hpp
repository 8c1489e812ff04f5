// The one place where business errors become HTTP statuses and error bodies.
#pragma once
#include "dialer/engine/errors.hpp"
#include "dialer/http/message.hpp"

namespace dialer::api {

http::status status_of(engine::errc e);
http::response error_reply(const http::request& req, const engine::error& e);

}  // namespace dialer::api
