// `GET /api/events` (SPEC §6): the engine's live events as Server-Sent Events, per client filtered by
// `?sessionId=`, resumable with `Last-Event-ID` from a bounded ring of recent events, with heartbeat
// comments while idle. Each client has a bounded buffer; one that falls behind is disconnected, so a
// slow client never slows the engine.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialer/config/config.hpp"
#include "dialer/engine/events.hpp"
#include "dialer/http/message.hpp"
#include "dialer/http/router.hpp"
#include "dialer/http/stream.hpp"

namespace dialer::api {

struct event_stream_options {
  std::chrono::milliseconds heartbeat{15000};  // a ": heartbeat" comment after this long without a write
  std::size_t replay_events = 1000;            // recent events kept for Last-Event-ID
  std::size_t client_buffer_bytes = 1024 * 1024;  // unsent bytes per client before it is disconnected
  // The configured values (api.events_heartbeat_s), defaults for the rest.
  static event_stream_options from(const config::config& cfg);
};

// One event in SSE framing: "id: <seq>\nevent: <type>\ndata: <json>\n\n" (a data line per line of
// the JSON, which RapidJSON writes on one line anyway).
std::string sse_frame(const engine::event& ev);

// The most recent events, oldest first, at most `capacity`.
class event_replay {
 public:
  explicit event_replay(std::size_t capacity) : capacity_(capacity) {}
  void add(const engine::event& ev);
  // The kept events with seq > last_id, oldest first; nullopt when some event after last_id is no
  // longer kept (or was never seen here, e.g. an id from before a restart): the client cannot resume.
  // `next_seq` is the seq the bus will give its next event.
  std::optional<std::vector<const engine::event*>> since(std::uint64_t last_id, std::uint64_t next_seq) const;
  std::size_t size() const { return events_.size(); }

 private:
  std::size_t capacity_;
  std::deque<engine::event> events_;
};

class event_stream {
 public:
  // True when a session with this id exists (for `?sessionId=`).
  using session_lookup = std::function<bool(const std::string& session_id)>;
  // Subscribes to `bus` for as long as it lives.
  event_stream(engine::event_bus& bus, session_lookup session_exists, event_stream_options options);
  ~event_stream();  // unsubscribes and ends every client's stream (server_stop)
  event_stream(const event_stream&) = delete;
  event_stream& operator=(const event_stream&) = delete;

  // Adds `GET /api/events` to `r` (authorization is checked by the caller for every /api/* path).
  void add_routes(http::router& r);

  // Opens a stream for an authorized request: 200 text/event-stream with the replayed events queued,
  // or 404 when `?sessionId=` names no session, 400 when Last-Event-ID is not a number.
  http::response open(const http::request& req);

  // SSE clients connected now (for /metrics).
  std::size_t clients() const { return clients_.size(); }
  // Clients disconnected because they fell behind, since start (for /metrics).
  std::uint64_t dropped_slow_clients() const { return dropped_slow_; }

 private:
  struct client {
    std::shared_ptr<http::stream_channel> channel;
    std::string session_filter;  // empty: every event
  };
  void publish(const engine::event& ev);
  void forget(std::uint64_t client_id, http::stream_end why);

  engine::event_bus& bus_;
  session_lookup session_exists_;
  event_stream_options options_;
  event_replay replay_;
  std::uint64_t subscription_ = 0;
  std::uint64_t next_client_ = 1;
  std::uint64_t dropped_slow_ = 0;
  std::map<std::uint64_t, client> clients_;
};

}  // namespace dialer::api
