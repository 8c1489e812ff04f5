// Business error -> HTTP status and {"error":{...}} body.
#include "dialer/api/errors.hpp"

namespace dialer::api {

http::status status_of(engine::errc e) {
  switch (e) {
    case engine::errc::invalid_input: return http::status::bad_request;
    case engine::errc::not_found: return http::status::not_found;
    case engine::errc::conflict: return http::status::conflict;
    case engine::errc::unavailable: return http::status::service_unavailable;
  }
  return http::status::internal_server_error;
}

http::response error_reply(const http::request& req, const engine::error& e) {
  static constexpr const char* codes[] = {"invalid_input", "not_found", "conflict", "unavailable"};
  return http::error_response(req, status_of(e.code), codes[static_cast<int>(e.code)], e.message, e.field);
}

}  // namespace dialer::api
