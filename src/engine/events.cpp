// The event bus: ordered fan-out to listeners that may unsubscribe while being called.
#include "dialer/engine/events.hpp"

#include <vector>

namespace dialer::engine {

std::uint64_t event_bus::subscribe(event_listener listener) {
  const auto id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void event_bus::unsubscribe(std::uint64_t id) { listeners_.erase(id); }

std::uint64_t event_bus::publish(event ev) {
  ev.seq = next_seq_++;
  // Listeners may unsubscribe (themselves or others) while called: iterate over a snapshot of ids.
  std::vector<std::uint64_t> ids;
  ids.reserve(listeners_.size());
  for (const auto& [id, l] : listeners_) ids.push_back(id);
  for (auto id : ids)
    if (auto it = listeners_.find(id); it != listeners_.end()) it->second(ev);
  return ev.seq;
}

}  // namespace dialer::engine
