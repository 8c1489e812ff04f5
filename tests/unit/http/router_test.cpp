// The endpoint table: matching with placeholders, 404/405 replies, and target/query helpers.
#include <doctest/doctest.h>

#include "dialer/http/router.hpp"
#include "test_support.hpp"

using namespace dialer;
using namespace dialer::http;
using namespace dialer::http::test;
using namespace std::string_literals;

namespace {

route_handler answer(std::string name, route_params* captured = nullptr) {
  return [name, captured](request& req, const route_params& p) -> awaitable<response> {
    if (captured) *captured = p;
    co_return json_response(req, status::ok, name);
  };
}

response dispatch(const router& r, verb method, std::string target) {
  net::io_context ioc;
  request req{method, target, 11};
  response out;
  run_async(ioc, [&]() -> awaitable<void> { out = co_await r.dispatch(req); });
  return out;
}

}  // namespace

TEST_CASE("the router dispatches by path and method and binds placeholders") {
  router r;
  route_params params;
  r.add(verb::get, "/api/power-dialer/sessions", answer("list"));
  r.add(verb::get, "/api/power-dialer/sessions/{id}", answer("get", &params));
  r.add(verb::patch, "/api/power-dialer/sessions/{id}/queue/{itemId}", answer("patch-item", &params));

  CHECK(dispatch(r, verb::get, "/api/power-dialer/sessions?status=running").body() == "list"s);
  CHECK(dispatch(r, verb::get, "/api/power-dialer/sessions/s%201").body() == "get"s);
  CHECK(params.get("id") == "s 1"s);

  auto res = dispatch(r, verb::patch, "/api/power-dialer/sessions/s1/queue/q9");
  CHECK(res.body() == "patch-item"s);
  CHECK(params.get("id") == "s1"s);
  CHECK(params.get("itemId") == "q9"s);
  CHECK(params.get("missing").empty());
  CHECK(r.routes().size() == 3);
  CHECK(r.routes()[2] == std::pair{verb::patch, std::string("/api/power-dialer/sessions/{id}/queue/{itemId}")});
}

TEST_CASE("an unknown path is a 404 not_found and an empty placeholder segment does not match") {
  router r;
  r.add(verb::get, "/api/sessions/{id}", answer("get"));
  auto res = dispatch(r, verb::get, "/api/nothing");
  CHECK(res.result() == status::not_found);
  CHECK(res.body().find(R"("code":"not_found")") != std::string::npos);
  CHECK(dispatch(r, verb::get, "/api/sessions/").result() == status::not_found);
  CHECK(dispatch(r, verb::get, "/api/sessions/a/b").result() == status::not_found);
}

TEST_CASE("a known path with another method is a 405 listing the allowed methods once") {
  router r;
  r.add(verb::get, "/api/sessions/{id}", answer("get"));
  r.add(verb::patch, "/api/sessions/{id}", answer("patch"));
  r.add(verb::get, "/api/sessions/{other}", answer("shadowed"));
  auto res = dispatch(r, verb::post, "/api/sessions/1");
  CHECK(res.result() == status::method_not_allowed);
  CHECK(std::string(res[bhttp::field::allow]) == "GET, PATCH"s);
  CHECK(res.body().find(R"("code":"method_not_allowed")") != std::string::npos);
}

TEST_CASE("path_of drops the query and parse_query decodes percent escapes and plus signs") {
  CHECK(path_of("/a/b?x=1") == "/a/b"s);
  CHECK(path_of("/a/b") == "/a/b"s);
  const auto q = parse_query("/api/stats?agentId=a%2Fb&name=John+Doe&flag&empty=&bad=%zz&dup=1&dup=2");
  CHECK(q.at("agentId") == "a/b"s);
  CHECK(q.at("name") == "John Doe"s);
  CHECK(q.at("flag").empty());
  CHECK(q.at("empty").empty());
  CHECK(q.at("bad") == "%zz"s);
  CHECK(q.at("dup") == "2"s);
  CHECK(parse_query("/no-query").empty());
  CHECK(percent_decode("a+b%20c%", false) == "a+b c%"s);
}

TEST_CASE("error responses escape their strings and carry the field only when given") {
  request req{verb::get, "/", 11};
  auto plain = error_response(req, status::bad_request, "bad_input", "say \"hi\"\n");
  CHECK(plain.body() == R"({"error":{"code":"bad_input","message":"say \"hi\"\n"}})"s);
  CHECK(std::string(plain[bhttp::field::content_type]) == "application/json"s);
  auto with_field = error_response(req, status::bad_request, "bad_input", "invalid", "contacts[0].phone");
  CHECK(with_field.body() == R"({"error":{"code":"bad_input","message":"invalid","field":"contacts[0].phone"}})"s);
  CHECK(with_field.result() == status::bad_request);
}

TEST_CASE("pattern_for names the pattern a target matches, whatever the method, and nothing for an unknown path") {
  router r;
  r.add(verb::get, "/api/calls", answer("list"));
  r.add(verb::patch, "/api/calls/{id}", answer("patch"));
  r.add(verb::delete_, "/api/power-dialer/sessions/{id}/queue/{itemId}", answer("delete"));
  REQUIRE(r.pattern_for("/api/calls?limit=3"));
  CHECK(*r.pattern_for("/api/calls?limit=3") == "/api/calls");
  CHECK(*r.pattern_for("/api/calls/call_123") == "/api/calls/{id}");
  CHECK(*r.pattern_for("/api/power-dialer/sessions/s1/queue/i9") == "/api/power-dialer/sessions/{id}/queue/{itemId}");
  CHECK(r.pattern_for("/api/calls/call_123/more") == nullptr);
  CHECK(r.pattern_for("/api/calls/") == nullptr);  // an empty segment fills no placeholder
  CHECK(r.pattern_for("/nope") == nullptr);
}
