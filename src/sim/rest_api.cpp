// Request handling for telnyx-sim. Routing is a handful of fixed shapes, matched here directly so every
// miss answers in Telnyx's {"errors":[...]} shape rather than the CRM router's.
#include "dialer/sim/rest_api.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <random>

#include "dialer/common/json.hpp"
#include "dialer/common/log.hpp"
#include "dialer/http/router.hpp"
#include "dialer/http/server.hpp"
#include "dialer/sim/rate_limiter.hpp"
#include "dialer/sim/report.hpp"
#include "dialer/sim/window_peak.hpp"

namespace dialer::sim {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(http::percent_decode(path.substr(i, j - i), false));
    i = j;
  }
  return out;
}

api_error simple(unsigned status, std::string code, std::string title, std::string detail, std::string pointer = {}) {
  return api_error{status, std::move(code), std::move(title), std::move(detail), std::move(pointer)};
}

// Validator problems read "<field>: <message>" ("webhook_urls[0].url: required"); the field becomes the
// JSON pointer ("/webhook_urls/0/url"). "body" problems concern the whole body and get none.
std::string pointer_of(const std::string& problem) {
  auto end = problem.find(": ");
  if (end == std::string::npos || end == 0) return {};
  std::string field = problem.substr(0, end);
  if (field == "body" || field.find(' ') != std::string::npos) return {};
  std::string pointer = "/";
  for (char ch : field) {
    if (ch == '.' || ch == '[') {
      if (pointer.back() != '/') pointer.push_back('/');
    } else if (ch != ']') {
      pointer.push_back(ch);
    }
  }
  return pointer;
}

std::string string_member(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString()) : std::string();
}

int int_member(const rapidjson::Value& o, const char* key, int fallback) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : fallback;
}

const std::vector<std::string>& known_actions() {
  // Everything the schema documents for a call; the ones a dialer uses are simulated, the rest accepted.
  static const std::vector<std::string> actions{
      "answer", "bridge", "hangup", "speak", "playback_start", "playback_stop", "transfer", "reject",
      "client_state_update", "send_dtmf", "gather_using_speak", "gather_stop", "record_start", "record_stop"};
  return actions;
}

}  // namespace

struct rest_api::impl {
  net::any_io_executor ex;
  call_world& world;
  rest_options options;
  rate_limiter dial_limiter;
  window_peak dials_1s{std::chrono::seconds(1)};          // calls created
  window_peak dial_requests_1s{std::chrono::seconds(1)};  // POST /calls received
  int dial_requests = 0;
  std::map<std::string, int> lost_commands_left;  // faults.lost_commands, counted down
  std::optional<std::chrono::steady_clock::time_point> reply_loss_until;  // dial_reply_loss window
  std::mt19937_64 rng;

  impl(net::any_io_executor e, call_world& w, rest_options o, std::uint64_t seed)
      : ex(std::move(e)), world(w), options(std::move(o)),
        dial_limiter(static_cast<std::size_t>(w.config().rate_limit.dials_per_window),
                     std::chrono::milliseconds(static_cast<long long>(w.config().rate_limit.window_s * 1000))),
        lost_commands_left(w.config().faults.lost_commands), rng(seed ^ 0x9e3779b97f4a7c15ULL) {}

  const fault_settings& faults() const { return world.config().faults; }
  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  http::response error(const http::request& req, const std::vector<api_error>& errors) {
    unsigned status = errors.empty() ? 500 : errors.front().status;
    return http::json_response(req, static_cast<http::status>(status), errors_json(errors));
  }
  http::response error(const http::request& req, const api_error& e) { return error(req, std::vector<api_error>{e}); }

  http::response ok(const http::request& req) {
    return http::json_response(req, http::status::ok, R"({"data":{"result":"ok"}})");
  }

  std::optional<api_error> check_auth(const http::request& req) const {
    auto it = req.find(boost::beast::http::field::authorization);
    std::string_view value = it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
    constexpr std::string_view prefix = "Bearer ";
    bool ok = value.size() > prefix.size() && value.substr(0, prefix.size()) == prefix;
    if (ok && !options.api_key.empty()) ok = value.substr(prefix.size()) == options.api_key;
    if (ok) return std::nullopt;
    return simple(401, "10009", "Authentication failed", "The API key provided is missing or invalid.");
  }

  // Schema problems (422, one error per problem), then the JSON body parsed; empty body = {}.
  std::optional<std::vector<api_error>> parse_body(const http::request& req, std::string_view path_template,
                                                   rapidjson::Document& doc) {
    std::string_view body = req.body();
    if (body.empty()) body = "{}";
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      return std::vector<api_error>{simple(400, "10015", "Invalid JSON", "The request body is not a valid JSON object.")};
    }
    if (options.validate) {
      auto problems = options.validate("post", path_template, body);
      if (!problems.empty()) {
        std::vector<api_error> errors;
        for (auto& p : problems) errors.push_back(simple(422, "10015", "Invalid value", p, pointer_of(p)));
        return errors;
      }
    }
    return std::nullopt;
  }

  // `arrived`: when the request reached the sim, before any injected slowness, so the pacing
  // measured is the client's, not the fault's.
  http::response dial(http::request& req, std::chrono::steady_clock::time_point arrived) {
    auto& st = world.stats();
    dial_requests_1s.add(arrived);
    st.max_dial_requests_in_1s = dial_requests_1s.peak();
    auto limit = dial_limiter.try_acquire(std::chrono::steady_clock::now());
    if (!limit.allowed) {
      auto res = error(req, simple(429, "90103", "Too many dial requests",
                                   "Dial rate limit exceeded for this account; retry after x-ratelimit-reset seconds."));
      res.set("x-ratelimit-limit", std::to_string(limit.limit));
      res.set("x-ratelimit-remaining", "0");
      res.set("x-ratelimit-reset", std::to_string(limit.reset_s));
      return res;
    }
    rapidjson::Document doc;
    if (auto errors = parse_body(req, "/calls", doc)) return error(req, *errors);
    dial_params p;
    p.to = string_member(doc, "to");
    p.from = string_member(doc, "from");
    p.connection_id = string_member(doc, "connection_id");
    std::vector<api_error> missing;
    for (auto [name, value] : {std::pair{"connection_id", &p.connection_id}, {"to", &p.to}, {"from", &p.from}}) {
      if (value->empty()) {
        missing.push_back(simple(422, "10015", "Invalid value", std::string(name) + " is required.", std::string("/") + name));
      }
    }
    if (!missing.empty()) return error(req, missing);
    p.client_state = string_member(doc, "client_state");
    p.command_id = string_member(doc, "command_id");
    p.webhook_url = string_member(doc, "webhook_url");
    p.answering_machine_detection = string_member(doc, "answering_machine_detection");
    p.timeout_secs = int_member(doc, "timeout_secs", 30);
    p.time_limit_secs = int_member(doc, "time_limit_secs", 14400);
    p.received_at = arrived;
    auto reply = world.dial(p);
    if (reply.error) return error(req, *reply.error);
    if (!reply.duplicate) {
      dials_1s.add(arrived);
      st.max_dials_in_1s = dials_1s.peak();
    }
    auto res = http::json_response(req, http::status::ok, dial_reply_json(*reply.call));
    res.set("x-ratelimit-limit", std::to_string(limit.limit));
    res.set("x-ratelimit-remaining", std::to_string(limit.remaining));
    res.set("x-ratelimit-reset", std::to_string(limit.reset_s));
    return res;
  }

  http::response action(http::request& req, const std::string& id, const std::string& action,
                        std::chrono::steady_clock::time_point arrived) {
    if (std::find(known_actions().begin(), known_actions().end(), action) == known_actions().end()) {
      return error(req, simple(404, "10005", "Resource not found", "Unknown call action '" + action + "'."));
    }
    rapidjson::Document doc;
    if (auto errors = parse_body(req, "/calls/{call_control_id}/actions/" + action, doc)) {
      // An unknown call id beats a schema complaint, as on Telnyx (the path is resolved first).
      if (!world.find_call(id)) return error(req, call_world::unknown_call_error());
      return error(req, *errors);
    }
    action_params p;
    p.command_id = string_member(doc, "command_id");
    p.client_state = string_member(doc, "client_state");
    p.other_call_control_id = string_member(doc, "call_control_id");
    p.park_after_unbridge = string_member(doc, "park_after_unbridge");
    p.text = string_member(doc, "payload");
    p.media_url = string_member(doc, "audio_url");
    p.to = string_member(doc, "to");
    p.from = string_member(doc, "from");
    p.target_leg_client_state = string_member(doc, "target_leg_client_state");
    p.timeout_secs = int_member(doc, "timeout_secs", 30);
    p.cause = string_member(doc, "cause");
    p.received_at = arrived;
    if (action == "speak" && p.text.empty() && world.find_call(id)) {
      return error(req, simple(422, "10015", "Invalid value", "payload is required.", "/payload"));
    }
    if (auto e = world.action(id, action, p)) {
      ++world.stats().rejected_actions[action + ":" + e->code];
      return error(req, *e);
    }
    return ok(req);
  }

  // The fault knobs around one /v2 request: a slow reply (the request is carried out after the
  // delay, even when the client gave up), resets before or after acting, injected 5xx and 429.
  awaitable<http::response> v2(http::request& req, const std::vector<std::string>& seg) {
    auto& injected = world.stats().faults;
    const auto arrived = std::chrono::steady_clock::now();
    if (seg.size() == 5 && seg[1] == "calls" && seg[3] == "actions" && take_lost_command(seg[4])) {
      ++injected.commands_lost;
      net::steady_timer t(ex, std::chrono::milliseconds(static_cast<long long>(faults().lost_command_hold_s * 1000)));
      co_await t.async_wait(net::as_tuple(net::use_awaitable));
      throw http::drop_connection{};
    }
    if (faults().rest_slow_s > 0 && chance(faults().rest_slow_p)) {
      ++injected.rest_slow;
      net::steady_timer t(ex, std::chrono::milliseconds(static_cast<long long>(faults().rest_slow_s * 1000)));
      co_await t.async_wait(net::as_tuple(net::use_awaitable));
    }
    if (chance(faults().rest_reset_before_p)) {
      ++injected.rest_reset_before;
      throw http::drop_connection{};
    }
    if (auto e = check_auth(req)) co_return error(req, *e);
    if (chance(faults().rest_5xx_p)) {
      ++injected.rest_5xx;
      co_return error(req, simple(500, "10007", "Unexpected error", "An unexpected error occurred."));
    }
    if (chance(faults().rest_429_p)) {
      ++injected.rest_429;
      // Telnyx's general limit: code 10011, x-ratelimit-reset = seconds until the window resets.
      auto res = error(req, simple(429, "10011", "Too many requests",
                                   "You have exceeded the maximum number of allowed requests."));
      res.set("x-ratelimit-limit", "100");
      res.set("x-ratelimit-remaining", "0");
      res.set("x-ratelimit-reset", "1");
      co_return res;
    }
    auto res = route_v2(req, seg, arrived);
    const bool is_dial = seg.size() == 2 && seg[1] == "calls" && req.method() == http::verb::post;
    if (is_dial && dial_reply_lost(arrived) && res.result_int() == 200) {
      ++injected.dial_replies_lost;
      throw http::drop_connection{};
    }
    if (chance(faults().rest_reset_after_p)) {
      ++injected.rest_reset_after;  // carried out (a dial placed, a hangup done), but the reply is lost
      throw http::drop_connection{};
    }
    co_return res;
  }

  // True for the first faults.lost_commands[action] requests of that action.
  bool take_lost_command(const std::string& action) {
    auto it = lost_commands_left.find(action);
    if (it == lost_commands_left.end() || it->second <= 0) return false;
    --it->second;
    return true;
  }

  // True while the dial_reply_loss window is open: it opens at the Nth dial request and lasts
  // dial_reply_loss_s (Telnyx placing calls while their replies are lost on the way back).
  bool dial_reply_lost(std::chrono::steady_clock::time_point arrived) {
    const auto& f = faults();
    if (f.dial_reply_loss_after <= 0) return false;
    if (++dial_requests == f.dial_reply_loss_after) {
      reply_loss_until = arrived + std::chrono::milliseconds(static_cast<long long>(f.dial_reply_loss_s * 1000));
    }
    return reply_loss_until && arrived < *reply_loss_until;
  }

  http::response route_v2(http::request& req, const std::vector<std::string>& seg,
                          std::chrono::steady_clock::time_point arrived) {
    auto method = req.method();
    // seg[0] == "v2"
    if (seg.size() == 2 && seg[1] == "calls") {
      if (method == http::verb::post) return dial(req, arrived);
      return error(req, simple(405, "10006", "Method not allowed", "Use POST on /v2/calls."));
    }
    if (seg.size() == 3 && seg[1] == "calls") {
      if (method != http::verb::get) return error(req, simple(405, "10006", "Method not allowed", "Use GET."));
      const sim_call* c = world.find_call(seg[2]);
      if (!c) return error(req, call_world::unknown_call_error());
      return http::json_response(req, http::status::ok, call_status_json(*c));
    }
    if (seg.size() == 5 && seg[1] == "calls" && seg[3] == "actions") {
      if (method != http::verb::post) return error(req, simple(405, "10006", "Method not allowed", "Use POST."));
      return action(req, seg[2], seg[4], arrived);
    }
    return error(req, simple(404, "10005", "Resource not found", "The requested resource does not exist."));
  }

  // POST /sim/inbound {"from", "to", "connection_id"?, "talk_s"?, "give_up_s"?}: an incoming call.
  http::response inbound(http::request& req) {
    rapidjson::Document doc;
    doc.Parse(req.body().data(), req.body().size());
    if (doc.HasParseError() || !doc.IsObject()) {
      return error(req, simple(400, "10015", "Invalid JSON", "The request body is not a valid JSON object."));
    }
    incoming_params p;
    p.from = string_member(doc, "from");
    p.to = string_member(doc, "to");
    p.connection_id = string_member(doc, "connection_id");
    if (p.from.empty()) return error(req, simple(422, "10015", "Invalid value", "from is required.", "/from"));
    if (p.to.empty()) return error(req, simple(422, "10015", "Invalid value", "to is required.", "/to"));
    auto number = [&](const char* name, double min) -> std::optional<std::optional<double>> {
      auto it = doc.FindMember(name);
      if (it == doc.MemberEnd() || it->value.IsNull()) return std::optional<double>{};
      if (!it->value.IsNumber() || it->value.GetDouble() < min) return std::nullopt;
      return std::optional<double>{it->value.GetDouble()};
    };
    auto talk = number("talk_s", 0);
    if (!talk) return error(req, simple(422, "10015", "Invalid value", "talk_s must be a number >= 0.", "/talk_s"));
    p.talk_s = *talk;
    auto give_up = number("give_up_s", 1);
    if (!give_up) return error(req, simple(422, "10015", "Invalid value", "give_up_s must be a number >= 1.", "/give_up_s"));
    if (*give_up) p.give_up_s = **give_up;
    return http::json_response(req, http::status::ok, dial_reply_json(world.incoming(p)));
  }

  http::response sim(http::request& req, const std::vector<std::string>& seg) {
    auto method = req.method();
    if (seg.size() == 2 && seg[1] == "report" && method == http::verb::get) {
      return http::json_response(req, http::status::ok, report_json(world));
    }
    if (seg.size() == 2 && seg[1] == "calls" && method == http::verb::get) {
      return http::json_response(req, http::status::ok, calls_json(world));
    }
    if (seg.size() == 2 && seg[1] == "inbound" && method == http::verb::post) return inbound(req);
    if (seg.size() == 3 && seg[1] == "latency" && seg[2] == "restart" && method == http::verb::post) {
      world.probe().restart_samples();  // POST /sim/latency/restart: a benchmark's warm-up is over
      return ok(req);
    }
    if (seg.size() == 4 && seg[1] == "calls" && seg[3] == "hangup" && method == http::verb::post) {
      if (auto e = world.far_end_hangup(seg[2])) return error(req, *e);
      return ok(req);
    }
    return error(req, simple(404, "10005", "Resource not found", "Unknown simulator endpoint."));
  }
};

rest_api::rest_api(net::any_io_executor ex, call_world& world, rest_options options, std::uint64_t seed)
    : impl_(std::make_unique<impl>(std::move(ex), world, std::move(options), seed)) {}

rest_api::~rest_api() = default;

awaitable<http::response> rest_api::handle(http::request& req) {
  auto seg = split_path(http::path_of(std::string_view(req.target().data(), req.target().size())));
  http::response res;
  if (!seg.empty() && seg[0] == "v2") {
    res = co_await impl_->v2(req, seg);
    if (res.result_int() >= 400) ++impl_->world.stats().rejected_requests_by_status[std::to_string(res.result_int())];
  } else if (!seg.empty() && seg[0] == "sim") {
    res = impl_->sim(req, seg);
  } else {
    res = impl_->error(req, simple(404, "10005", "Resource not found", "The requested resource does not exist."));
  }
  log::debug("sim.rest", "request",
             {{"method", std::string(http::bhttp::to_string(req.method()))},
              {"target", std::string(req.target())},
              {"status", std::to_string(res.result_int())}});
  co_return res;
}

}  // namespace dialer::sim
