// The event bus: order, seq numbering, and listeners that leave while being called.
#include <doctest/doctest.h>

#include <vector>

#include "dialer/engine/events.hpp"

using dialer::engine::event;
using dialer::engine::event_bus;

TEST_CASE("events reach every listener in order with increasing seq") {
  event_bus bus;
  std::vector<std::uint64_t> a, b;
  bus.subscribe([&](const event& e) { a.push_back(e.seq); });
  bus.subscribe([&](const event& e) { b.push_back(e.seq); });
  CHECK(bus.publish({0, "call.updated", "ses_1", 1, "{}"}) == 1);
  CHECK(bus.publish({0, "call.ended", "ses_1", 2, "{}"}) == 2);
  CHECK(a == std::vector<std::uint64_t>{1, 2});
  CHECK(b == a);
  CHECK(bus.next_seq() == 3);
}

TEST_CASE("a listener that unsubscribes itself while called gets no later events") {
  event_bus bus;
  int calls = 0;
  std::uint64_t id = 0;
  id = bus.subscribe([&](const event&) {
    ++calls;
    bus.unsubscribe(id);
  });
  int other = 0;
  bus.subscribe([&](const event&) { ++other; });
  bus.publish({0, "session.updated", "s", 0, "{}"});
  bus.publish({0, "session.updated", "s", 0, "{}"});
  CHECK(calls == 1);
  CHECK(other == 2);
  CHECK(bus.listeners() == 1);
}
