// The do-not-call routes: parse, hand to the engine, answer with counts or a page of the list.
#include "dialer/api/dnc_routes.hpp"

#include "dialer/api/errors.hpp"
#include "dialer/api/query_params.hpp"
#include "dialer/api/request_bodies.hpp"
#include "dialer/common/json_writer.hpp"

namespace dialer::api {
namespace {

std::string counts_json(const char* changed_key, const char* unchanged_key, const engine::dnc_change& c) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key(changed_key); w.Int(c.changed);
  w.Key(unchanged_key); w.Int(c.unchanged);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

std::string dnc_list_json(const std::vector<store::dnc_entry>& entries, const std::string& next) {
  rapidjson::StringBuffer buf;
  json::writer w(buf);
  w.StartObject();
  w.Key("entries");
  w.StartArray();
  for (const auto& e : entries) {
    w.StartObject();
    json::str(w, "phone", e.phone);
    json::time_or_null(w, "addedAt", e.added_at_ms);
    w.EndObject();
  }
  w.EndArray();
  json::str_or_null(w, "next", next);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

void add_dnc_routes(http::router& router, engine::engine& eng) {
  router.add(http::verb::get, "/api/dnc", [&eng](http::request& req, const http::route_params&) -> awaitable<http::response> {
    auto q = http::parse_query(req.target());
    if (auto it = q.find("phone"); it != q.end()) {
      auto phone = eng.dnc_phone(it->second, "phone");
      if (!phone) co_return error_reply(req, phone.err());
      std::vector<store::dnc_entry> found;
      if (auto e = eng.db().get_dnc(phone.value())) found.push_back(*e);
      co_return http::json_response(req, http::status::ok, dnc_list_json(found, {}));
    }
    auto limit = limit_param(q, 100, 1000);
    if (!limit) co_return error_reply(req, limit.err());
    std::string after;
    if (auto it = q.find("after"); it != q.end()) after = it->second;
    auto entries = eng.db().list_dnc(after, limit.value() + 1);  // one more: is there a next page?
    std::string next;
    if (static_cast<int>(entries.size()) > limit.value()) {
      entries.resize(static_cast<std::size_t>(limit.value()));
      next = entries.back().phone;
    }
    co_return http::json_response(req, http::status::ok, dnc_list_json(entries, next));
  });
  router.add(http::verb::post, "/api/dnc", [&eng](http::request& req, const http::route_params&) -> awaitable<http::response> {
    auto phones = parse_phone_list(req.body());
    if (!phones) co_return error_reply(req, phones.err());
    auto r = eng.add_dnc(phones.value());
    if (!r) co_return error_reply(req, r.err());
    co_return http::json_response(req, http::status::ok, counts_json("added", "alreadyListed", r.value()));
  });
  router.add(http::verb::delete_, "/api/dnc", [&eng](http::request& req, const http::route_params&) -> awaitable<http::response> {
    auto phones = parse_phone_list(req.body());
    if (!phones) co_return error_reply(req, phones.err());
    auto r = eng.remove_dnc(phones.value());
    if (!r) co_return error_reply(req, r.err());
    co_return http::json_response(req, http::status::ok, counts_json("removed", "notListed", r.value()));
  });
}

}  // namespace dialer::api
