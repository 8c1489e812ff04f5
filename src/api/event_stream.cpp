// GET /api/events: one bus subscription fans each event out, as an SSE frame, to the clients whose
// filter matches; each client's bounded channel decides whether it keeps up.
#include "dialer/api/event_stream.hpp"

#include <boost/beast/http/field.hpp>

#include <charconv>

#include "dialer/common/log.hpp"

namespace dialer::api {
namespace {

// The Last-Event-ID to resume after (header, or `lastEventId` in the query for clients that cannot
// set headers); 0 when absent; nullopt when not a number.
std::optional<std::uint64_t> last_event_id(const http::request& req, const std::map<std::string, std::string>& query) {
  std::string_view text = req["Last-Event-ID"];
  if (text.empty())
    if (auto it = query.find("lastEventId"); it != query.end()) text = it->second;
  if (text.empty()) return 0;
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return id;
}

// Sent instead of the missed events when they can no longer be replayed: the client should reload
// what it shows through the REST API. Its id lets the next reconnect resume from here.
std::string reset_frame(std::uint64_t last_seq, std::uint64_t asked) {
  return "id: " + std::to_string(last_seq) + "\nevent: stream.reset\ndata: {\"reason\":\"events_missed\",\"lastEventId\":" +
         std::to_string(asked) + "}\n\n";
}

}  // namespace

event_stream_options event_stream_options::from(const config::config& cfg) {
  event_stream_options o;
  o.heartbeat = cfg.events_heartbeat;
  return o;
}

std::string sse_frame(const engine::event& ev) {
  std::string out = "id: " + std::to_string(ev.seq) + "\nevent: " + ev.type + "\n";
  std::string_view data = ev.data;
  for (;;) {  // a newline inside data would end the field: each line is its own data line
    const auto nl = data.find('\n');
    out += "data: ";
    out += data.substr(0, nl);
    out += '\n';
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  out += '\n';
  return out;
}

void event_replay::add(const engine::event& ev) {
  if (capacity_ == 0) return;
  if (events_.size() == capacity_) events_.pop_front();
  events_.push_back(ev);
}

std::optional<std::vector<const engine::event*>> event_replay::since(std::uint64_t last_id,
                                                                     std::uint64_t next_seq) const {
  std::vector<const engine::event*> out;
  if (last_id + 1 >= next_seq) {
    if (last_id + 1 == next_seq) return out;  // up to date
    return std::nullopt;                      // an id this run never gave (an earlier run's)
  }
  if (events_.empty() || events_.front().seq > last_id + 1) return std::nullopt;  // the next one is gone
  for (const auto& ev : events_)
    if (ev.seq > last_id) out.push_back(&ev);
  return out;
}

event_stream::event_stream(engine::event_bus& bus, session_lookup session_exists, event_stream_options options)
    : bus_(bus), session_exists_(std::move(session_exists)), options_(options), replay_(options.replay_events) {
  subscription_ = bus_.subscribe([this](const engine::event& ev) { publish(ev); });
}

event_stream::~event_stream() {
  bus_.unsubscribe(subscription_);
  auto clients = std::move(clients_);
  clients_.clear();
  for (auto& [id, c] : clients) {
    c.channel->on_end(nullptr);
    c.channel->end(http::stream_end::server_stop);
  }
}

void event_stream::add_routes(http::router& r) {
  r.add(http::verb::get, "/api/events", [this](http::request& req, const http::route_params&) -> awaitable<http::response> {
    co_return open(req);
  });
}

http::response event_stream::open(const http::request& req) {
  const auto query = http::parse_query(req.target());
  std::string filter;
  if (auto it = query.find("sessionId"); it != query.end()) {
    filter = it->second;
    if (filter.empty() || !session_exists_(filter))
      return http::error_response(req, http::status::not_found, "not_found", "session not found", "sessionId");
  }
  const auto last_id = last_event_id(req, query);
  if (!last_id)
    return http::error_response(req, http::status::bad_request, "invalid_input", "must be an event id (a number)",
                                "Last-Event-ID");

  http::stream_options so;
  so.max_buffered = options_.client_buffer_bytes;
  so.keepalive = ": heartbeat\n\n";
  so.keepalive_every = options_.heartbeat;
  auto channel = std::make_shared<http::stream_channel>(so);
  // Tells EventSource how long to wait before reconnecting.
  channel->write("retry: 3000\n\n");
  if (*last_id > 0) {
    const auto missed = replay_.since(*last_id, bus_.next_seq());
    std::string frames;
    if (missed)
      for (const auto* ev : *missed)
        if (filter.empty() || ev->session_id == filter) frames += sse_frame(*ev);
    // Too much to replay into the client's buffer is as good as lost: the client reloads instead.
    if (!missed || frames.size() > so.max_buffered / 2)
      frames = reset_frame(bus_.next_seq() - 1, *last_id);
    channel->write(frames);
  }
  const auto id = next_client_++;
  clients_.emplace(id, client{channel, filter});
  channel->on_end([this, id](http::stream_end why) { forget(id, why); });
  log::info("api", "event stream opened", {{"client", std::to_string(id)}, {"session", filter},
                                           {"last_event_id", std::to_string(*last_id)},
                                           {"clients", std::to_string(clients_.size())}});

  http::response res{http::status::ok, req.version()};
  res.set(http::bhttp::field::content_type, "text/event-stream");
  res.set(http::bhttp::field::cache_control, "no-cache");
  res.set("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
  res.stream = std::move(channel);
  return res;
}

void event_stream::publish(const engine::event& ev) {
  replay_.add(ev);
  if (clients_.empty()) return;
  const std::string frame = sse_frame(ev);
  // A client that falls behind ends (and leaves clients_) inside write(): iterate over a snapshot.
  std::vector<std::shared_ptr<http::stream_channel>> targets;
  targets.reserve(clients_.size());
  for (const auto& [id, c] : clients_)
    if (c.session_filter.empty() || c.session_filter == ev.session_id) targets.push_back(c.channel);
  for (const auto& ch : targets) ch->write(frame);
}

void event_stream::forget(std::uint64_t client_id, http::stream_end why) {
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return;
  const auto session = it->second.session_filter;
  clients_.erase(it);
  if (why == http::stream_end::too_slow) {
    ++dropped_slow_;
    log::warn("api", "event stream client fell behind, disconnected",
              {{"client", std::to_string(client_id)}, {"session", session},
               {"limit_bytes", std::to_string(options_.client_buffer_bytes)}});
  } else {
    log::info("api", "event stream closed", {{"client", std::to_string(client_id)}, {"session", session},
                                             {"reason", std::string(http::to_string(why))}});
  }
}

}  // namespace dialer::api
