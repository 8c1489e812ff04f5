// Group commit with more webhooks waiting than one batch takes (512): every one is answered, in
// batches, each exactly once. With the queue as a vector, the erase after the first batch
// move-assigned the waiting handlers, and Boost 1.81's any_completion_handler move assignment
// recursed until the stack overflowed (dialerd crashed at 2,500 sessions x 4 lines).
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <map>
#include <vector>

#include "unit/engine/engine_fixture.hpp"

using namespace dialer;
using namespace std::chrono_literals;

namespace {

telnyx::webhook_event ignored_event(std::string id) {
  telnyx::webhook_event ev;
  ev.id = std::move(id);
  ev.event_type = "call.recording.saved";  // an event type the dialer does not act on
  ev.kind = telnyx::event_kind::other;
  return ev;
}

}  // namespace

TEST_CASE_FIXTURE(test::engine_fixture, "three batches' worth of waiting webhooks are each answered once") {
  const int waiting = 3 * 512 + 7;
  std::map<engine::webhook_outcome, int> outcomes;
  int answered = 0;
  std::vector<std::size_t> batch_sizes;
  eng.on_batch([&](const engine::batch_report& r) {
    batch_sizes.push_back(r.queue_waits.size());
    CHECK(r.commit > engine::batch_report::duration::zero());
  });
  for (int i = 0; i < waiting; ++i) {
    // Every request reaches the queue before the first batch is flushed (the flush is posted after them).
    auto request = [&, i]() -> awaitable<void> {
      auto ev = ignored_event("evt-" + std::to_string(i % (waiting - 1)));  // the last one repeats the first id
      auto outcome = co_await eng.handle_webhook_batched(std::move(ev));
      outcomes[outcome] += 1;
      answered += 1;
    };
    net::co_spawn(io, request, net::detached);
  }
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (answered < waiting && std::chrono::steady_clock::now() < deadline) io.run_one_for(50ms);
  CHECK(answered == waiting);
  CHECK(outcomes[engine::webhook_outcome::ignored] == waiting - 1);
  CHECK(outcomes[engine::webhook_outcome::duplicate] == 1);
  CHECK(batch_sizes == std::vector<std::size_t>{512, 512, 512, 7});
}
