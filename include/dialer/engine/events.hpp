// Live events for the CRM (SPEC §6 `GET /api/events`, CRM push): what the engine changed, published on
// the engine's thread only after the transaction that made the change has committed.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace dialer::engine {

// One event. `data` is a JSON object (camelCase) that consumers send on unchanged.
struct event {
  std::uint64_t seq = 0;   // set by event_bus::publish: increases by one per event within a run
  std::string type;        // session.updated | queue.updated | call.updated | call.connected | call.dropped | call.ended
  std::string session_id;  // empty for manual and inbound calls
  std::int64_t at_ms = 0;  // when it happened (Unix ms)
  std::string data;        // JSON object
};

using event_listener = std::function<void(const event&)>;

// Fan-out of events to listeners (SSE clients, metrics, CRM push). Single-threaded like the engine.
class event_bus {
 public:
  // Registers `listener`; it is called for every later event, in order, and must not block.
  // Returns the id that unsubscribe() takes.
  std::uint64_t subscribe(event_listener listener);
  // Removes a listener; unknown ids are ignored. Safe to call from inside a listener.
  void unsubscribe(std::uint64_t id);
  // Assigns the next seq and calls every listener. Returns the seq assigned.
  std::uint64_t publish(event ev);
  // The seq the next event will get.
  std::uint64_t next_seq() const { return next_seq_; }
  std::size_t listeners() const { return listeners_.size(); }

 private:
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, event_listener> listeners_;
};

}  // namespace dialer::engine
