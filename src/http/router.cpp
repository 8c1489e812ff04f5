// Route matching by path segment; the 404/405 replies follow the API's JSON error shape.
#include "dialer/http/router.hpp"

#include <algorithm>

#include <boost/beast/http/field.hpp>

namespace dialer::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_placeholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string_view route_params::get(std::string_view name) const {
  for (const auto& [k, v] : values)
    if (k == name) return v;
  return {};
}

void router::add(verb method, std::string pattern, route_handler h) {
  std::vector<std::string> segments;
  for (auto s : split_path(pattern)) segments.emplace_back(s);
  routes_.push_back(route{method, std::move(pattern), std::move(segments), std::move(h)});
}

bool router::matches(const route& r, const std::vector<std::string_view>& segments, route_params* params) {
  if (r.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& want = r.segments[i];
    if (is_placeholder(want)) {
      if (segments[i].empty()) return false;
      if (params) params->values.emplace_back(want.substr(1, want.size() - 2), percent_decode(segments[i], false));
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

const std::string* router::pattern_for(std::string_view target) const {
  const auto segments = split_path(path_of(target));
  for (const auto& r : routes_)
    if (matches(r, segments, nullptr)) return &r.pattern;
  return nullptr;
}

awaitable<response> router::dispatch(request& req) const {
  const auto segments = split_path(path_of(req.target()));
  std::vector<verb> allowed;
  for (const auto& r : routes_) {
    route_params params;
    if (!matches(r, segments, &params)) continue;
    if (r.method == req.method()) co_return co_await r.handler(req, params);
    if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) allowed.push_back(r.method);
  }
  if (allowed.empty()) co_return error_response(req, status::not_found, "not_found", "no such endpoint");
  auto res = error_response(req, status::method_not_allowed, "method_not_allowed", "method not allowed on this endpoint");
  std::string allow;
  for (const verb v : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += bhttp::to_string(v);
  }
  res.set(bhttp::field::allow, allow);
  co_return res;
}

std::vector<std::pair<verb, std::string>> router::routes() const {
  std::vector<std::pair<verb, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

std::map<std::string, std::string> parse_query(std::string_view target) {
  std::map<std::string, std::string> out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view query = target.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), true);
    out[std::move(key)] = std::move(value);
  }
  return out;
}

}  // namespace dialer::http
