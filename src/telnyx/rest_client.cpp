// Telnyx Call Control REST client: request bodies, the retry loop over dialer::http::client, and
// reply parsing. The API key only ever goes into the Authorization header, never into a log line.
#include "dialer/telnyx/rest_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "dialer/common/json.hpp"
#include "dialer/common/log.hpp"
#include "dialer/http/client.hpp"
#include "dialer/telnyx/dial_pacer.hpp"

namespace dialer::telnyx {
namespace {
using value = rapidjson::Value;
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

using json::member;
using json::string_member;

void put(writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

std::string finish(const rapidjson::StringBuffer& buf) { return std::string(buf.GetString(), buf.GetSize()); }

// Parses a reply body as JSON; a Null document when it is not JSON.
rapidjson::Document parse_json(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) doc.SetNull();
  return doc;
}

bool retryable_status(unsigned status) { return status == 429 || status >= 500; }

// The wait a 429 asks for through x-ratelimit-reset: Unix seconds, or (small values) seconds from now.
std::optional<std::chrono::milliseconds> ratelimit_wait(const std::string& header) {
  if (header.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(header.data(), header.data() + header.size(), v);
  if (ec != std::errc{} || ptr != header.data() + header.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  double seconds = v;
  if (v >= 1e9) {
    auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    seconds = v - now;
  }
  if (seconds <= 0) return std::chrono::milliseconds{0};
  if (seconds > 1e6) seconds = 1e6;  // the caller caps it anyway; keep the cast defined
  return std::chrono::milliseconds{static_cast<long long>(std::ceil(seconds * 1000))};
}

std::chrono::milliseconds backoff_for(const rest_options& o, int failed_tries) {
  auto d = o.initial_backoff;
  for (int i = 1; i < failed_tries && d < o.max_backoff; ++i) d *= 2;
  return std::min(d, o.max_backoff);
}

const char* verb_name(http::verb v) { return v == http::verb::get ? "GET" : "POST"; }
}  // namespace

bool command_result::has_error_code(std::string_view code) const {
  return std::any_of(errors.begin(), errors.end(), [&](const api_error& e) { return e.code == code; });
}

std::string command_result::summary() const {
  if (!errors.empty()) {
    std::string s;
    for (const auto& e : errors) {
      if (!s.empty()) s += "; ";
      s += e.code;
      const std::string& text = e.title.empty() ? e.detail : e.title;
      if (!text.empty()) s += " " + text;
    }
    return s;
  }
  if (ok) return "ok";
  if (http_status == 0) return "no reply after " + std::to_string(tries) + (tries == 1 ? " try" : " tries");
  return "HTTP " + std::to_string(http_status);
}

std::string rest_client::dial_body(const dial_request& req) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  put(w, "connection_id", req.connection_id);
  put(w, "to", req.to);
  put(w, "from", req.from);
  w.Key("timeout_secs");
  w.Int(req.timeout_secs);
  if (!req.client_state.empty()) put(w, "client_state", req.client_state);
  if (!req.command_id.empty()) put(w, "command_id", req.command_id);
  if (!req.answering_machine_detection.empty() && req.answering_machine_detection != "disabled")
    put(w, "answering_machine_detection", req.answering_machine_detection);
  if (!req.webhook_url.empty()) put(w, "webhook_url", req.webhook_url);
  w.EndObject();
  return finish(buf);
}

std::string rest_client::bridge_body(const std::string& other_call_control_id, bool park_after_unbridge_self,
                                     const std::string& command_id) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  put(w, "call_control_id", other_call_control_id);
  if (park_after_unbridge_self) put(w, "park_after_unbridge", "self");
  if (!command_id.empty()) put(w, "command_id", command_id);
  w.EndObject();
  return finish(buf);
}

std::string rest_client::hangup_body(const std::string& command_id) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();  // Telnyx requires a body on every action: at least {}
  if (!command_id.empty()) put(w, "command_id", command_id);
  w.EndObject();
  return finish(buf);
}

std::string rest_client::answer_body(const std::string& command_id) { return hangup_body(command_id); }

std::string rest_client::transfer_body(const transfer_request& req) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  put(w, "to", req.to);
  w.Key("timeout_secs");
  w.Int(req.timeout_secs);
  if (!req.target_leg_client_state.empty()) put(w, "target_leg_client_state", req.target_leg_client_state);
  if (!req.command_id.empty()) put(w, "command_id", req.command_id);
  w.EndObject();
  return finish(buf);
}

std::string rest_client::reject_body(const std::string& cause, const std::string& command_id) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  put(w, "cause", cause);
  if (!command_id.empty()) put(w, "command_id", command_id);
  w.EndObject();
  return finish(buf);
}

std::string rest_client::speak_body(const speak_request& req) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  put(w, "payload", req.payload);
  put(w, "voice", req.voice);
  if (!req.language.empty()) put(w, "language", req.language);
  if (!req.command_id.empty()) put(w, "command_id", req.command_id);
  w.EndObject();
  return finish(buf);
}

std::string rest_client::playback_body(const playback_request& req) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  put(w, "audio_url", req.audio_url);
  if (!req.command_id.empty()) put(w, "command_id", req.command_id);
  w.EndObject();
  return finish(buf);
}

std::string rest_client::escape_path_segment(std::string_view segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char ch : segment) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '.' || c == '_' || c == '~' || c == ':';
    if (keep) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::vector<api_error> rest_client::parse_errors(std::string_view body) {
  std::vector<api_error> out;
  try {
    auto doc = parse_json(body);
    const value* errors = member(doc, "errors");
    if (!errors || !errors->IsArray()) return out;
    for (const auto& e : errors->GetArray()) {
      if (!e.IsObject()) continue;
      api_error err;
      if (const value* code = member(e, "code")) {
        if (code->IsString()) err.code.assign(code->GetString(), code->GetStringLength());
        else if (code->IsInt64()) err.code = std::to_string(code->GetInt64());
        else if (code->IsUint64()) err.code = std::to_string(code->GetUint64());
      }
      err.title = string_member(e, "title");
      err.detail = string_member(e, "detail");
      out.push_back(std::move(err));
    }
  } catch (const std::exception&) {
    // A RapidJSON assertion on a hostile reply: keep what was parsed.
  }
  return out;
}

struct rest_client::impl {
  impl(net::any_io_executor e, rest_options o)
      : ex(e),
        options(std::move(o)),
        client(e, options.api_base,
               http::client_options{options.max_connections, options.request_timeout, options.verify_peer}) {}

  net::any_io_executor ex;
  rest_options options;
  http::client client;
  dial_pacer pacer{options.dials_per_second};  // one thread: no lock

  // Waits for the dial's slot. A retried dial sent outside the engine's pacing would otherwise land
  // between two paced dials and push a second over dials_per_second (the REST faults test measured
  // 11 dials in one second at 8/s).
  awaitable<void> wait_for_dial_slot() {
    if (options.dials_per_second <= 0) co_return;
    const auto slot = pacer.take(std::chrono::steady_clock::now());
    for (;;) {  // the schedule may slip while this dial waits
      const auto due = pacer.due(slot);
      const auto now = std::chrono::steady_clock::now();
      if (now >= due) {
        pacer.left(slot, now);
        co_return;
      }
      net::steady_timer timer(ex);
      timer.expires_at(due);
      co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    }
  }

  // One logical command: sends it up to max_tries times with the same body, waiting between tries.
  // `name`, `call_control_id` and `command_id` are only for log lines.
  awaitable<command_result> execute(http::verb method, std::string target, std::string body, std::string_view name,
                                    std::string_view call_control_id, std::string_view command_id) {
    command_result result;
    const int max_tries = std::max(1, options.max_tries);
    bool got_reply = false;
    for (int attempt = 1;; ++attempt) {
      result.tries = attempt;
      http::client_request req;
      req.method = method;
      req.target = target;
      req.body = body;
      req.headers.emplace_back("authorization", "Bearer " + options.api_key);
      req.headers.emplace_back("accept", "application/json");
      if (method != http::verb::get && req.body.empty()) req.body = "{}";
      if (name == "dial") co_await wait_for_dial_slot();

      // Not a structured binding: GCC 12 destroys a co_awaited structured binding twice on `break`.
      std::pair<boost::system::error_code, http::client_response> reply = co_await client.send(std::move(req));
      const boost::system::error_code& ec = reply.first;
      http::client_response& resp = reply.second;
      std::optional<std::chrono::milliseconds> wait;
      std::string outcome;
      if (ec) {
        outcome = ec == net::error::timed_out ? "timeout" : ec.message();
        wait = backoff_for(options, attempt);
      } else {
        got_reply = true;
        result.http_status = resp.status;
        result.body = std::move(resp.body);
        outcome = std::to_string(resp.status);
        if (resp.status >= 200 && resp.status < 300) {
          result.ok = true;
          result.errors.clear();
          break;
        }
        result.errors = parse_errors(result.body);
        if (!retryable_status(resp.status)) break;
        wait = backoff_for(options, attempt);
        if (resp.status == 429) {
          // The server says when the window resets; waiting less just earns another 429.
          if (auto reset = ratelimit_wait(resp.header("x-ratelimit-reset"))) wait = *reset;
        }
      }
      if (attempt >= max_tries) break;
      wait = std::min(*wait, options.max_backoff);
      log::warn("telnyx", "retrying command",
                {{"command", std::string(name)},
                 {"call_control_id", std::string(call_control_id)},
                 {"command_id", std::string(command_id)},
                 {"outcome", outcome},
                 {"tries", std::to_string(attempt)},
                 {"wait_ms", std::to_string(wait->count())}});
      if (wait->count() > 0) {
        net::steady_timer timer(ex);
        timer.expires_after(*wait);
        co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      }
    }
    result.transport_failure = !got_reply;
    bool benign = result.ok || result.has_error_code("90018");
    log::write(benign ? log::level::info : log::level::warn, "telnyx", result.ok ? "command ok" : "command failed",
               {{"command", std::string(name)},
                {"method", verb_name(method)},
                {"call_control_id", std::string(call_control_id)},
                {"command_id", std::string(command_id)},
                {"status", std::to_string(result.http_status)},
                {"tries", std::to_string(result.tries)},
                {"result", result.summary()}});
    co_return result;
  }

  awaitable<command_result> action(std::string call_control_id, const char* action, std::string body,
                                   std::string command_id) {
    auto target = "/calls/" + escape_path_segment(call_control_id) + "/actions/" + action;
    co_return co_await execute(http::verb::post, std::move(target), std::move(body), action, call_control_id,
                               command_id);
  }
};

rest_client::rest_client(net::any_io_executor ex, rest_options options)
    : impl_(std::make_shared<impl>(ex, std::move(options))) {}

rest_client::~rest_client() {
  if (impl_) impl_->client.close();
}

awaitable<dial_result> rest_client::dial(dial_request req) {
  auto self = impl_;  // commands in flight outlive the rest_client object
  dial_result out;
  out.result = co_await self->execute(http::verb::post, "/calls", dial_body(req), "dial", "", req.command_id);
  if (out.result.ok) {
    try {
      auto doc = parse_json(out.result.body);
      if (const value* data = member(doc, "data"); data && data->IsObject()) {
        out.call_control_id = string_member(*data, "call_control_id");
        out.call_leg_id = string_member(*data, "call_leg_id");
        out.call_session_id = string_member(*data, "call_session_id");
      }
    } catch (const std::exception&) {
    }
    if (out.call_control_id.empty()) {
      // A 2xx without the id is useless to the caller: report it as a failed command.
      out.result.ok = false;
      log::warn("telnyx", "dial reply without data.call_control_id",
                {{"command_id", req.command_id}, {"status", std::to_string(out.result.http_status)}});
    }
  }
  co_return out;
}

awaitable<command_result> rest_client::bridge(std::string call_control_id, std::string other_call_control_id,
                                              bool park_after_unbridge_self, std::string command_id) {
  auto self = impl_;
  co_return co_await self->action(std::move(call_control_id), "bridge",
                                  bridge_body(other_call_control_id, park_after_unbridge_self, command_id),
                                  std::move(command_id));
}

awaitable<command_result> rest_client::hangup(std::string call_control_id, std::string command_id) {
  auto self = impl_;
  co_return co_await self->action(std::move(call_control_id), "hangup", hangup_body(command_id),
                                  std::move(command_id));
}

awaitable<command_result> rest_client::speak(std::string call_control_id, speak_request req) {
  auto self = impl_;
  auto body = speak_body(req);
  co_return co_await self->action(std::move(call_control_id), "speak", std::move(body), std::move(req.command_id));
}

awaitable<command_result> rest_client::playback_start(std::string call_control_id, playback_request req) {
  auto self = impl_;
  auto body = playback_body(req);
  co_return co_await self->action(std::move(call_control_id), "playback_start", std::move(body),
                                  std::move(req.command_id));
}

awaitable<command_result> rest_client::answer(std::string call_control_id, std::string command_id) {
  auto self = impl_;
  co_return co_await self->action(std::move(call_control_id), "answer", answer_body(command_id),
                                  std::move(command_id));
}

awaitable<command_result> rest_client::transfer(std::string call_control_id, transfer_request req) {
  auto self = impl_;
  auto body = transfer_body(req);
  co_return co_await self->action(std::move(call_control_id), "transfer", std::move(body), std::move(req.command_id));
}

awaitable<command_result> rest_client::reject(std::string call_control_id, std::string cause, std::string command_id) {
  auto self = impl_;
  co_return co_await self->action(std::move(call_control_id), "reject", reject_body(cause, command_id),
                                  std::move(command_id));
}

awaitable<call_status> rest_client::get_call(std::string call_control_id) {
  auto self = impl_;
  call_status out;
  out.result = co_await self->execute(http::verb::get, "/calls/" + escape_path_segment(call_control_id), "",
                                      "get_call", call_control_id, "");
  if (out.result.ok) {
    try {
      auto doc = parse_json(out.result.body);
      if (const value* data = member(doc, "data"); data && data->IsObject()) {
        if (const value* alive = member(*data, "is_alive"); alive && alive->IsBool()) out.is_alive = alive->GetBool();
        if (auto end = string_member(*data, "end_time"); !end.empty()) out.end_time = std::move(end);
      }
    } catch (const std::exception&) {
    }
  }
  co_return out;
}

}  // namespace dialer::telnyx
