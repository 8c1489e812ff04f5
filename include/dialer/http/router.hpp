// A small endpoint table: "/api/sessions/{id}" style patterns matched per path segment, with 404 for
// unknown paths and 405 + Allow for a known path with another method. Plus target/query helpers.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialer/common/net.hpp"
#include "dialer/http/message.hpp"

namespace dialer::http {

struct route_params {
  std::vector<std::pair<std::string, std::string>> values;  // placeholder name -> percent-decoded segment
  // The value bound to `{name}`, or empty when the pattern has no such placeholder.
  std::string_view get(std::string_view name) const;
};

using route_handler = std::function<awaitable<response>(request&, const route_params&)>;

class router {
 public:
  // Registers `h` for `method` on `pattern`: literal segments and `{name}` placeholders that match
  // one non-empty segment ("/api/power-dialer/sessions/{id}/queue/{itemId}"). Routes are tried in
  // the order added, so add literal routes before overlapping placeholder routes.
  void add(verb method, std::string pattern, route_handler h);

  // Runs the first route whose pattern matches the request path (query string ignored) and method.
  // Unknown path: 404 error "not_found". Known path, other method: 405 "method_not_allowed" with an
  // `Allow` header listing the methods of that path. Handler exceptions propagate to the server.
  awaitable<response> dispatch(request& req) const;

  // The pattern of the first route whose pattern matches the path of `target` (any method), or
  // nullptr when none does (the 404 case). For metrics labels: a pattern, never the raw path.
  const std::string* pattern_for(std::string_view target) const;

  // Every (method, pattern) in the order added.
  std::vector<std::pair<verb, std::string>> routes() const;

 private:
  struct route {
    verb method;
    std::string pattern;
    std::vector<std::string> segments;
    route_handler handler;
  };
  // True when `segments` fit r's pattern; binds the placeholders into `params` when not null.
  static bool matches(const route& r, const std::vector<std::string_view>& segments, route_params* params);
  std::vector<route> routes_;
};

// The path part of a request target ("/a/b?x=1" -> "/a/b").
std::string_view path_of(std::string_view target);

// The query parameters of a request target, percent-decoded with '+' as space; a repeated key keeps
// its last value; malformed escapes are kept literally.
std::map<std::string, std::string> parse_query(std::string_view target);

// Percent-decodes `text` ('+' becomes a space only when plus_as_space); malformed escapes are kept.
std::string percent_decode(std::string_view text, bool plus_as_space);

}  // namespace dialer::http
