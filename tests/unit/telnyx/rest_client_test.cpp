// The REST client against a scripted loopback HTTP server: auth header, bodies, retries with the
// same command_id, rate-limit waits, error parsing, timeouts and refused connections.
#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <vector>

#include "dialer/common/json.hpp"
#include "dialer/http/server.hpp"
#include "dialer/telnyx/rest_client.hpp"

using namespace dialer;
using namespace dialer::telnyx;
using namespace std::chrono_literals;

namespace {
struct scripted_reply {
  unsigned status = 200;
  std::string body = R"({"data":{"result":"ok"}})";
  std::string ratelimit_reset;  // x-ratelimit-reset header when not empty
  bool hang = false;            // never answer (until the test ends)
};

scripted_reply reply(unsigned status, std::string body = R"({"data":{"result":"ok"}})", std::string reset = {}) {
  scripted_reply r;
  r.status = status;
  r.body = std::move(body);
  r.ratelimit_reset = std::move(reset);
  return r;
}

struct recorded_request {
  std::string method;
  std::string target;
  std::string authorization;
  std::string content_type;
  std::string body;
};

// A loopback server that answers the n-th request with script[n] (the last entry repeats).
struct fake_telnyx {
  net::io_context ctx;
  std::vector<scripted_reply> script;
  std::vector<recorded_request> requests;
  net::steady_timer hold{ctx, net::steady_timer::time_point::max()};
  http::server server;

  static http::server_options loopback_options() {
    http::server_options o;
    o.listen = "127.0.0.1:0";
    return o;
  }

  explicit fake_telnyx(std::vector<scripted_reply> s)
      : script(std::move(s)),
        server(ctx.get_executor(), loopback_options(),
               [this](http::request& req) { return handle(req); }) {
    server.start();
  }

  awaitable<http::response> handle(http::request& req) {
    requests.push_back({std::string(req.method_string()), std::string(req.target()),
                        std::string(req[http::bhttp::field::authorization]),
                        std::string(req[http::bhttp::field::content_type]), req.body()});
    const auto& r = script[std::min(requests.size(), script.size()) - 1];
    if (r.hang) co_await hold.async_wait(net::as_tuple(net::use_awaitable));
    auto res = http::json_response(req, static_cast<http::status>(r.status), r.body);
    if (!r.ratelimit_reset.empty()) res.set("x-ratelimit-reset", r.ratelimit_reset);
    co_return res;
  }

  rest_options options() const {
    rest_options o;
    o.api_base = "http://127.0.0.1:" + std::to_string(server.port()) + "/v2";
    o.api_key = "KEY_secret123";
    o.request_timeout = 2000ms;
    o.max_tries = 4;
    o.initial_backoff = 1ms;
    return o;
  }

  // Runs one client coroutine to completion. The run_for bound is a watchdog, not a wait: a test
  // whose command is still pending when it fires fails at the REQUIRE.
  template <class T>
  T run(std::function<awaitable<T>()> f, std::chrono::seconds watchdog = 20s) {
    std::optional<T> out;
    std::exception_ptr error;
    net::co_spawn(
        ctx, [&]() -> awaitable<void> { out = co_await f(); },
        [&](std::exception_ptr e) {
          error = e;
          hold.cancel();
          server.stop();
        });
    ctx.run_for(watchdog);
    hold.cancel();
    server.stop();
    if (error) std::rethrow_exception(error);
    REQUIRE(out.has_value());
    return std::move(*out);
  }
};

rapidjson::Document parse(const std::string& s) {
  rapidjson::Document d;
  d.Parse(s.c_str(), s.size());
  REQUIRE_FALSE(d.HasParseError());
  REQUIRE(d.IsObject());
  return d;
}

std::string str(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  REQUIRE(it != obj.MemberEnd());
  REQUIRE(it->value.IsString());
  return it->value.GetString();
}

const rapidjson::Document& openapi() {
  static rapidjson::Document doc = [] {
    std::ifstream in(std::string(TELNYX_SHARED_DIR) + "/call-control-openapi.json", std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    rapidjson::Document d;
    d.Parse(ss.str().c_str());
    REQUIRE_FALSE(d.HasParseError());
    return d;
  }();
  return doc;
}

// Every member of `body` is a property of components.schemas.<schema> with the declared JSON type,
// and every required property is present.
void check_against_schema(const std::string& body, const char* schema) {
  CAPTURE(schema);
  CAPTURE(body);
  auto doc = parse(body);
  const auto& s = openapi()["components"]["schemas"][schema];
  REQUIRE(s.IsObject());
  const auto& props = s["properties"];
  for (const auto& m : doc.GetObject()) {
    std::string key = m.name.GetString();
    CAPTURE(key);
    REQUIRE(props.HasMember(m.name));
    const auto& p = props[m.name];
    if (!p.HasMember("type")) continue;
    std::string type = p["type"].GetString();
    if (type == "string") CHECK(m.value.IsString());
    else if (type == "integer") CHECK(m.value.IsInt());
    else if (type == "boolean") CHECK(m.value.IsBool());
    else if (type == "object") CHECK(m.value.IsObject());
    else if (type == "array") CHECK(m.value.IsArray());
  }
  if (s.HasMember("required")) {
    for (const auto& r : s["required"].GetArray()) {
      CAPTURE(r.GetString());
      CHECK(doc.HasMember(r));
    }
  }
}

dial_request sample_dial() {
  dial_request d;
  d.to = "+15550100002";
  d.from = "+15550100001";
  d.connection_id = "2811212257810187875";
  d.timeout_secs = 20;
  d.client_state = "eyJzIjoxfQ==";
  d.command_id = "cmd-dial-1";
  return d;
}
}  // namespace

TEST_CASE("dial body carries the required CallRequest fields with the schema's types") {
  auto req = sample_dial();
  auto body = rest_client::dial_body(req);
  check_against_schema(body, "CallRequest");
  auto d = parse(body);
  CHECK(str(d, "to") == "+15550100002");
  CHECK(str(d, "from") == "+15550100001");
  CHECK(str(d, "connection_id") == "2811212257810187875");
  CHECK(str(d, "client_state") == "eyJzIjoxfQ==");
  CHECK(str(d, "command_id") == "cmd-dial-1");
  REQUIRE(d["timeout_secs"].IsInt());
  CHECK(d["timeout_secs"].GetInt() == 20);
  CHECK_FALSE(d.HasMember("answering_machine_detection"));
  CHECK_FALSE(d.HasMember("webhook_url"));
}

TEST_CASE("dial body sends AMD and webhook_url only when set, and never AMD disabled") {
  auto req = sample_dial();
  req.answering_machine_detection = "disabled";
  CHECK_FALSE(parse(rest_client::dial_body(req)).HasMember("answering_machine_detection"));
  req.answering_machine_detection = "detect";
  req.webhook_url = "https://dialer.example.com/webhooks/telnyx";
  auto body = rest_client::dial_body(req);
  check_against_schema(body, "CallRequest");
  auto d = parse(body);
  CHECK(str(d, "answering_machine_detection") == "detect");
  CHECK(str(d, "webhook_url") == "https://dialer.example.com/webhooks/telnyx");
  req.client_state.clear();
  req.command_id.clear();
  auto bare = parse(rest_client::dial_body(req));
  CHECK_FALSE(bare.HasMember("client_state"));
  CHECK_FALSE(bare.HasMember("command_id"));
}

TEST_CASE("dial body escapes hostile strings into valid JSON") {
  auto req = sample_dial();
  req.to = "sip:\"a\\b\"@x\n";
  auto d = parse(rest_client::dial_body(req));
  CHECK(str(d, "to") == "sip:\"a\\b\"@x\n");
}

TEST_CASE("bridge body names the other leg and parks with the string self") {
  auto body = rest_client::bridge_body("v3:customer", true, "cmd-b");
  check_against_schema(body, "BridgeRequest");
  auto d = parse(body);
  CHECK(str(d, "call_control_id") == "v3:customer");
  CHECK(str(d, "park_after_unbridge") == "self");
  CHECK(str(d, "command_id") == "cmd-b");
  auto plain = parse(rest_client::bridge_body("v3:customer", false, "cmd-b"));
  CHECK_FALSE(plain.HasMember("park_after_unbridge"));
}

TEST_CASE("hangup body is an object even without a command_id") {
  CHECK(rest_client::hangup_body("") == "{}");
  auto body = rest_client::hangup_body("cmd-h");
  check_against_schema(body, "HangupRequest");
  CHECK(str(parse(body), "command_id") == "cmd-h");
}

TEST_CASE("speak body carries payload and voice as SpeakRequest requires") {
  auto body = rest_client::speak_body({"Hello there", "female", "", "cmd-s"});
  check_against_schema(body, "SpeakRequest");
  auto d = parse(body);
  CHECK(str(d, "payload") == "Hello there");
  CHECK(str(d, "voice") == "female");
  CHECK_FALSE(d.HasMember("language"));
}

TEST_CASE("speak body with a language validates against SpeakRequest's language enum") {
  auto body = rest_client::speak_body({"This is Acme \"Sales\", call 312 555 0100.", "female", "en-US", "cmd-s"});
  check_against_schema(body, "SpeakRequest");
  auto d = parse(body);
  CHECK(str(d, "language") == "en-US");
  CHECK(str(d, "payload") == "This is Acme \"Sales\", call 312 555 0100.");
  CHECK(str(d, "command_id") == "cmd-s");
}

TEST_CASE("playback_start body carries audio_url as PlayAudioUrlRequest describes") {
  auto body = rest_client::playback_body({"https://media.example.com/drop.mp3", "cmd-p"});
  check_against_schema(body, "PlayAudioUrlRequest");
  auto d = parse(body);
  CHECK(str(d, "audio_url") == "https://media.example.com/drop.mp3");
  CHECK(str(d, "command_id") == "cmd-p");
  CHECK_FALSE(parse(rest_client::playback_body({"https://media.example.com/drop.mp3", ""})).HasMember("command_id"));
}

TEST_CASE("call_control_ids go into the path as-is except characters outside unreserved and colon") {
  CHECK(rest_client::escape_path_segment("v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg") ==
        "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg");
  CHECK(rest_client::escape_path_segment("a-b.c~d") == "a-b.c~d");
  CHECK(rest_client::escape_path_segment("a/b?c#d e%") == "a%2Fb%3Fc%23d%20e%25");
  CHECK(rest_client::escape_path_segment("\xff") == "%FF");
}

TEST_CASE("errors arrays parse with string or numeric codes and tolerate junk") {
  auto e = rest_client::parse_errors(
      R"({"errors":[{"code":"90018","title":"Call has already ended","detail":"d"},{"code":10016},7,{"title":1}]})");
  REQUIRE(e.size() == 3);
  CHECK(e[0].code == "90018");
  CHECK(e[0].title == "Call has already ended");
  CHECK(e[0].detail == "d");
  CHECK(e[1].code == "10016");
  CHECK(e[2].code.empty());
  CHECK(rest_client::parse_errors("not json").empty());
  CHECK(rest_client::parse_errors(R"({"errors":{}})").empty());
  CHECK(rest_client::parse_errors(R"([1,2])").empty());
}

TEST_CASE("command_result summary names the Telnyx error, never the body") {
  command_result r;
  r.http_status = 422;
  r.errors = {{"90018", "Call has already ended", "detail"}};
  CHECK(r.summary() == "90018 Call has already ended");
  CHECK(r.has_error_code("90018"));
  CHECK_FALSE(r.has_error_code("9001"));
  command_result none;
  none.tries = 3;
  CHECK(none.summary() == "no reply after 3 tries");
  command_result http;
  http.http_status = 404;
  CHECK(http.summary() == "HTTP 404");
}

TEST_CASE("dial posts to /calls with the Bearer key and returns the new call's ids") {
  fake_telnyx fake({reply(200, R"({"data":{"call_control_id":"v3:new","call_leg_id":"leg-1","call_session_id":"ses-1",
                               "is_alive":false,"record_type":"call"}})")});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto r = fake.run<dial_result>([&] { return client.dial(sample_dial()); });
  CHECK(r.result.ok);
  CHECK(r.result.tries == 1);
  CHECK(r.result.http_status == 200);
  CHECK(r.call_control_id == "v3:new");
  CHECK(r.call_leg_id == "leg-1");
  CHECK(r.call_session_id == "ses-1");
  REQUIRE(fake.requests.size() == 1);
  CHECK(fake.requests[0].method == "POST");
  CHECK(fake.requests[0].target == "/v2/calls");
  CHECK(fake.requests[0].authorization == "Bearer KEY_secret123");
  CHECK(fake.requests[0].content_type.starts_with("application/json"));
  CHECK(fake.requests[0].body == rest_client::dial_body(sample_dial()));
}

TEST_CASE("a 503 then 200 is retried once with the byte-identical body and the same command_id") {
  fake_telnyx fake({reply(503, R"({"errors":[{"code":"50000","title":"busy"}]})"),
                    reply(200, R"({"data":{"call_control_id":"v3:new"}})")});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto r = fake.run<dial_result>([&] { return client.dial(sample_dial()); });
  CHECK(r.result.ok);
  CHECK(r.result.tries == 2);
  CHECK(r.result.errors.empty());
  CHECK(r.call_control_id == "v3:new");
  REQUIRE(fake.requests.size() == 2);
  CHECK(fake.requests[0].body == fake.requests[1].body);
  CHECK(str(parse(fake.requests[1].body), "command_id") == "cmd-dial-1");
  CHECK(fake.requests[1].authorization == "Bearer KEY_secret123");
}

TEST_CASE("a dial 200 without data.call_control_id is reported as not ok") {
  fake_telnyx fake({reply(200, R"({"data":{}})")});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto r = fake.run<dial_result>([&] { return client.dial(sample_dial()); });
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.http_status == 200);
  CHECK(r.result.tries == 1);
}

TEST_CASE("a persistent 500 stops after max_tries and keeps the last status") {
  fake_telnyx fake({reply(500, "{}")});
  auto options = fake.options();
  options.max_tries = 3;
  rest_client client(fake.ctx.get_executor(), options);
  auto r = fake.run<command_result>([&] { return client.hangup("v3:abc", "cmd-h"); });
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.transport_failure);
  CHECK(r.http_status == 500);
  CHECK(r.tries == 3);
  CHECK(fake.requests.size() == 3);
  for (const auto& q : fake.requests) CHECK(q.body == R"({"command_id":"cmd-h"})");
}

TEST_CASE("a 429 waits for x-ratelimit-reset instead of the much longer backoff") {
  for (std::string reset : {"0", "1700000000"}) {
    CAPTURE(reset);
    fake_telnyx fake({reply(429, R"({"errors":[{"code":"10011","title":"Too many requests"}]})", reset), reply(200)});
    auto options = fake.options();
    options.initial_backoff = 60s;  // if the header were ignored the watchdog below would expire first
    options.max_backoff = 60s;
    rest_client client(fake.ctx.get_executor(), options);
    auto r = fake.run<command_result>([&] { return client.bridge("v3:agent", "v3:cust", true, "cmd-b"); }, 10s);
    CHECK(r.ok);
    CHECK(r.tries == 2);
    REQUIRE(fake.requests.size() == 2);
    CHECK(fake.requests[0].body == fake.requests[1].body);
  }
}

TEST_CASE("a 429 on the last try is returned with its error code") {
  fake_telnyx fake({reply(429, R"({"errors":[{"code":"90103","title":"Too many dials"}]})", "0")});
  auto options = fake.options();
  options.max_tries = 2;
  rest_client client(fake.ctx.get_executor(), options);
  auto r = fake.run<dial_result>([&] { return client.dial(sample_dial()); });
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.http_status == 429);
  CHECK(r.result.tries == 2);
  CHECK(r.result.has_error_code("90103"));
}

TEST_CASE("a 422 is not retried and its errors are parsed") {
  fake_telnyx fake({reply(422, R"({"errors":[{"code":"10016","title":"Phone number must be in +E.164 format",
                              "detail":"The 'to' parameter must be in E.164 format.","source":{"pointer":"/to"}}]})")});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto r = fake.run<dial_result>([&] { return client.dial(sample_dial()); });
  CHECK_FALSE(r.result.ok);
  CHECK(r.result.http_status == 422);
  CHECK(r.result.tries == 1);
  CHECK(fake.requests.size() == 1);
  CHECK(r.result.has_error_code("10016"));
  CHECK(r.result.summary() == "10016 Phone number must be in +E.164 format");
  CHECK(r.call_control_id.empty());
}

TEST_CASE("hangup of an ended call reports 90018 without retrying") {
  fake_telnyx fake({reply(422, R"({"errors":[{"code":"90018","title":"Call has already ended"}]})")});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto r = fake.run<command_result>([&] { return client.hangup("v3:gone", "cmd-h"); });
  CHECK(r.has_error_code("90018"));
  CHECK(r.tries == 1);
  REQUIRE(fake.requests.size() == 1);
  CHECK(fake.requests[0].target == "/v2/calls/v3:gone/actions/hangup");
}

TEST_CASE("bridge and speak post to the leg's action path with their bodies") {
  fake_telnyx fake({reply(200)});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto r = fake.run<command_result>([&]() -> awaitable<command_result> {
    auto b = co_await client.bridge("v3:agent/x", "v3:cust", true, "cmd-b");
    if (!b.ok) co_return b;
    speak_request sr{"Please hold", "female", "en-US", "cmd-s"};
    co_return co_await client.speak("v3:cust", sr);
  });
  CHECK(r.ok);
  REQUIRE(fake.requests.size() == 2);
  CHECK(fake.requests[0].target == "/v2/calls/v3:agent%2Fx/actions/bridge");
  CHECK(fake.requests[0].body == rest_client::bridge_body("v3:cust", true, "cmd-b"));
  CHECK(fake.requests[1].target == "/v2/calls/v3:cust/actions/speak");
  auto speak = parse(fake.requests[1].body);
  CHECK(str(speak, "payload") == "Please hold");
  CHECK(str(speak, "voice") == "female");
  CHECK(str(speak, "command_id") == "cmd-s");
}

TEST_CASE("get_call is a GET without a body and reads data.is_alive") {
  fake_telnyx fake({reply(502, "bad gateway"),
                    reply(200, R"({"data":{"call_control_id":"v3:a","is_alive":true,"record_type":"call"}})")});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto s = fake.run<call_status>([&] { return client.get_call("v3:a"); });
  CHECK(s.result.ok);
  CHECK(s.result.tries == 2);
  CHECK(s.is_alive);
  CHECK_FALSE(s.end_time);
  REQUIRE(fake.requests.size() == 2);
  CHECK(fake.requests[0].method == "GET");
  CHECK(fake.requests[0].target == "/v2/calls/v3:a");
  CHECK(fake.requests[0].body.empty());
  CHECK(fake.requests[0].authorization == "Bearer KEY_secret123");
}

TEST_CASE("get_call of an ended call reports not alive with its end_time") {
  fake_telnyx fake({reply(200, R"({"data":{"is_alive":false,"end_time":"2025-11-23T03:30:30.816307Z"}})")});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto s = fake.run<call_status>([&] { return client.get_call("v3:a"); });
  CHECK(s.result.ok);
  CHECK_FALSE(s.is_alive);
  REQUIRE(s.end_time);
  CHECK(*s.end_time == "2025-11-23T03:30:30.816307Z");
}

TEST_CASE("a server that never answers times out on every try as a transport failure") {
  scripted_reply hang;
  hang.hang = true;
  fake_telnyx fake({hang});
  auto options = fake.options();
  options.request_timeout = 150ms;
  options.max_tries = 2;
  rest_client client(fake.ctx.get_executor(), options);
  auto r = fake.run<command_result>([&] { return client.hangup("v3:abc", "cmd-h"); });
  CHECK_FALSE(r.ok);
  CHECK(r.transport_failure);
  CHECK(r.http_status == 0);
  CHECK(r.tries == 2);
  REQUIRE(fake.requests.size() == 2);
  CHECK(str(parse(fake.requests[0].body), "command_id") == "cmd-h");
  CHECK(fake.requests[0].body == fake.requests[1].body);
}

TEST_CASE("a refused port is a transport failure after max_tries") {
  net::io_context ctx;
  unsigned short port = 0;
  {
    net::ip::tcp::acceptor a(ctx, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  rest_options options;
  options.api_base = "http://127.0.0.1:" + std::to_string(port) + "/v2";
  options.api_key = "k";
  options.max_tries = 3;
  options.initial_backoff = 1ms;
  options.request_timeout = 2000ms;
  rest_client client(ctx.get_executor(), options);
  std::optional<dial_result> out;
  net::co_spawn(ctx, [&]() -> awaitable<void> { out = co_await client.dial(sample_dial()); },
                [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
  ctx.run_for(20s);
  REQUIRE(out);
  CHECK_FALSE(out->result.ok);
  CHECK(out->result.transport_failure);
  CHECK(out->result.http_status == 0);
  CHECK(out->result.tries == 3);
  CHECK(out->call_control_id.empty());
}

TEST_CASE("answer, transfer and reject bodies match the official AnswerRequest, TransferCallRequest and RejectRequest") {
  CHECK(rest_client::answer_body("") == "{}");
  check_against_schema(rest_client::answer_body("cmd-a"), "AnswerRequest");
  transfer_request t;
  t.to = "sip:desk@office.example.com";
  t.timeout_secs = 25;
  t.target_leg_client_state = "eyJrIjoidCJ9";
  t.command_id = "cmd-t";
  auto transfer = rest_client::transfer_body(t);
  check_against_schema(transfer, "TransferCallRequest");
  auto d = parse(transfer);
  CHECK(str(d, "to") == "sip:desk@office.example.com");
  CHECK(d["timeout_secs"].GetInt() == 25);
  CHECK(str(d, "target_leg_client_state") == "eyJrIjoidCJ9");
  t.target_leg_client_state.clear();
  CHECK_FALSE(parse(rest_client::transfer_body(t)).HasMember("target_leg_client_state"));
  auto reject = rest_client::reject_body("USER_BUSY", "cmd-r");
  check_against_schema(reject, "RejectRequest");
  CHECK(str(parse(reject), "cause") == "USER_BUSY");
}

TEST_CASE("answer, transfer and reject post to the call's action paths") {
  fake_telnyx fake({reply(200)});
  rest_client client(fake.ctx.get_executor(), fake.options());
  auto r = fake.run<command_result>([&]() -> awaitable<command_result> {
    auto a = co_await client.answer("v3:in", "cmd-a");
    if (!a.ok) co_return a;
    transfer_request t;
    t.to = "+15557654321";
    t.command_id = "cmd-t";
    auto x = co_await client.transfer("v3:in", t);
    if (!x.ok) co_return x;
    co_return co_await client.reject("v3:other", "USER_BUSY", "cmd-r");
  });
  CHECK(r.ok);
  REQUIRE(fake.requests.size() == 3);
  CHECK(fake.requests[0].target == "/v2/calls/v3:in/actions/answer");
  CHECK(str(parse(fake.requests[0].body), "command_id") == "cmd-a");
  CHECK(fake.requests[1].target == "/v2/calls/v3:in/actions/transfer");
  CHECK(str(parse(fake.requests[1].body), "to") == "+15557654321");
  CHECK(fake.requests[2].target == "/v2/calls/v3:other/actions/reject");
  CHECK(str(parse(fake.requests[2].body), "cause") == "USER_BUSY");
}
