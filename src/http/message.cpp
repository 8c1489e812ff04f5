// JSON response helpers shared by every endpoint; error bodies go through RapidJSON's Writer so
// codes and messages are always escaped.
#include "dialer/http/message.hpp"

#include <boost/beast/http/field.hpp>

#include "dialer/common/json.hpp"

namespace dialer::http {

response json_response(const request& req, status s, std::string body) {
  response res{s, req.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response error_response(const request& req, status s, std::string_view code, std::string_view message,
                        std::string_view field) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  if (!field.empty()) {
    w.Key("field");
    w.String(field.data(), static_cast<rapidjson::SizeType>(field.size()));
  }
  w.EndObject();
  w.EndObject();
  return json_response(req, s, std::string(out.GetString(), out.GetSize()));
}

}  // namespace dialer::http
