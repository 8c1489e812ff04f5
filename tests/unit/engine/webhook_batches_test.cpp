// Group commit with more webhooks waiting than one batch takes (512): every one is answered, in
// batches, each exactly once. With the queue as a vector, the erase after the first batch
// move-assigned the waiting handlers, and Boost 1.81's any_completion_handler move assignment
// recursed until the stack overflowed (dialerd crashed at 2,500 sessions x 4 lines).
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <algorithm>
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

struct answers {
  std::map<engine::webhook_outcome, int> outcomes;
  std::vector<int> order;  // request indices as their answers came
  std::vector<std::size_t> batch_sizes;
};

// `waiting` webhooks, all queued before the first batch is flushed (the flush is posted after them);
// the last repeats the first one's id.
answers answer_waiting_webhooks(test::engine_fixture& f, int waiting) {
  answers out;
  f.eng.on_batch([&](const engine::batch_report& r) {
    out.batch_sizes.push_back(r.queue_waits.size());
    CHECK(r.commit > engine::batch_report::duration::zero());
  });
  for (int i = 0; i < waiting; ++i) {
    auto request = [&, i]() -> awaitable<void> {
      auto ev = ignored_event("evt-" + std::to_string(i % (waiting - 1)));
      auto outcome = co_await f.eng.handle_webhook_batched(std::move(ev));
      out.outcomes[outcome] += 1;
      out.order.push_back(i);
    };
    net::co_spawn(f.io, request, net::detached);
  }
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (static_cast<int>(out.order.size()) < waiting && std::chrono::steady_clock::now() < deadline) f.io.run_one_for(50ms);
  f.eng.on_batch(nullptr);
  return out;
}

struct full_sync_fixture : test::engine_fixture {
  full_sync_fixture() : engine_fixture("FULL") {}
};

}  // namespace

TEST_CASE_FIXTURE(test::engine_fixture, "three batches' worth of waiting webhooks are each answered once") {
  const int waiting = 3 * 512 + 7;
  auto a = answer_waiting_webhooks(*this, waiting);
  CHECK(a.order.size() == waiting);
  CHECK(a.outcomes[engine::webhook_outcome::ignored] == waiting - 1);
  CHECK(a.outcomes[engine::webhook_outcome::duplicate] == 1);
  CHECK(a.batch_sizes == std::vector<std::size_t>{512, 512, 512, 7});
}

TEST_CASE_FIXTURE(full_sync_fixture, "with synchronous FULL, batches waiting for the disk are answered once each, in commit order") {
  REQUIRE(db.syncs_in_background());
  const int waiting = 2 * 512 + 3;
  auto a = answer_waiting_webhooks(*this, waiting);
  REQUIRE(a.order.size() == waiting);
  CHECK(std::is_sorted(a.order.begin(), a.order.end()));
  CHECK(a.outcomes[engine::webhook_outcome::ignored] == waiting - 1);
  CHECK(a.outcomes[engine::webhook_outcome::duplicate] == 1);
  CHECK(a.batch_sizes == std::vector<std::size_t>{512, 512, 3});
}
