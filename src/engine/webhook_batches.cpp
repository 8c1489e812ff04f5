// Group commit of webhooks. Verification and parsing happen per request; the engine work of every
// webhook that arrived while the engine was busy runs as one batch: one transaction, each webhook in
// its own savepoint (a webhook that fails is undone alone), one commit for the burst, the dials of the
// lines it freed and the Telnyx command replies that came meanwhile included. Replies, Telnyx
// commands and live events wait for that commit to be on disk (with synchronous=FULL, an fdatasync on
// the store's sync thread); the engine's thread applies the next batch meanwhile.
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <utility>

#include "dialer/common/log.hpp"
#include "engine_impl.hpp"

namespace dialer::engine {

namespace {
// A batch is bounded so one burst cannot hold every reply behind a very long transaction.
constexpr std::size_t max_webhook_batch = 512;
}  // namespace

awaitable<webhook_outcome> engine::handle_webhook_batched(telnyx::webhook_event ev) {
  auto& m = *impl_;
  return net::async_initiate<decltype(net::use_awaitable), void(std::exception_ptr, webhook_outcome)>(
      [&m](auto handler, telnyx::webhook_event event) {
        m.webhook_queue_.push_back({std::move(event), std::move(handler), std::chrono::steady_clock::now()});
        m.post_webhook_flush();
      },
      net::use_awaitable, std::move(ev));
}

std::size_t engine::webhooks_waiting() const { return impl_->webhook_queue_.size(); }

void engine::on_batch(std::function<void(const batch_report&)> observer) {
  impl_->batch_observer_ = std::move(observer);
}

void engine::impl::post_webhook_flush() {
  if (webhook_flush_posted_) return;
  webhook_flush_posted_ = true;
  // Posted, so the requests already read by the other connections join this batch first.
  net::post(ex_, [this] { flush_webhooks(); });
}

void engine::impl::apply_reply_in_batch(const char* what, std::function<void()> work) {
  reply_queue_.emplace_back(what, std::move(work));
  post_webhook_flush();
}

void engine::impl::flush_webhooks() {
  using steady = std::chrono::steady_clock;
  const auto started = steady::now();
  webhook_flush_posted_ = false;
  const auto n = std::min(webhook_queue_.size(), max_webhook_batch);
  awaiting_disk batch;
  batch.webhooks.reserve(n);  // move-constructed from the front (see webhook_queue_)
  for (std::size_t i = 0; i < n; ++i) {
    batch.webhooks.push_back(std::move(webhook_queue_.front()));
    webhook_queue_.pop_front();
  }
  if (!webhook_queue_.empty()) post_webhook_flush();
  auto replies = std::exchange(reply_queue_, {});

  batch.errors.resize(n);
  batch.outcomes.assign(n, webhook_outcome::ignored);
  std::set<std::string> pumps;
  last_commit_ = {};
  try {
    in_batch(
        [&] {
          for (auto& [what, work] : replies) guarded(what, work);
          for (std::size_t i = 0; i < n; ++i) {
            try {
              batch.outcomes[i] = apply_webhook(batch.webhooks[i].event);
            } catch (...) {
              batch.errors[i] = std::current_exception();  // its savepoint is rolled back; the rest go on
            }
          }
          // The dials of the lines the burst freed commit with it: one fsync from hangup to next dial.
          for (auto& fx : batch.deferred) {
            pumps.merge(fx.pump_sessions);
            fx.pump_sessions.clear();
          }
          for (const auto& id : pumps) pump(id);
        },
        batch.deferred);
  } catch (const std::exception& e) {
    log::error("engine", "webhook batch failed", {{"webhooks", std::to_string(n)}, {"error", e.what()}});
    for (auto& error : batch.errors)
      if (!error) error = std::current_exception();
    for (const auto& id : pumps) pump_later(id);
    release(batch);  // nothing was committed: no effect to wait for, every webhook answered with its error
    return;
  }

  batch.committed_at = steady::now();
  if (batch_observer_ && n > 0) {
    batch_report report;
    report.queue_waits.reserve(n);
    for (const auto& w : batch.webhooks) report.queue_waits.push_back(started - w.queued_at);
    report.commit = last_commit_;
    report.apply = batch.committed_at - started - last_commit_;
    batch.report = std::move(report);
  }
  release_when_durable(std::move(batch));
}

void engine::impl::in_batch(const std::function<void()>& work, std::vector<effects>& deferred) {
  if (deferred_ != nullptr) throw std::logic_error("batches do not nest");
  deferred_ = &deferred;
  try {
    auto tx = db_.begin();
    work();
    const auto commit_started = std::chrono::steady_clock::now();
    tx.commit_leaving_sync();  // release_when_durable() waits for the disk, the engine's thread does not
    last_commit_ = std::chrono::steady_clock::now() - commit_started;
  } catch (...) {
    deferred_ = nullptr;
    deferred.clear();  // nothing of the batch is durable: no command, event or timer for it
    rebuild_lines();   // lines taken or freed in memory during the batch
    throw;
  }
  deferred_ = nullptr;
}

void engine::impl::pump_in_batch(const std::set<std::string>& session_ids) {
  awaiting_disk batch;
  try {
    in_batch(
        [&] {
          for (const auto& id : session_ids) pump(id);
        },
        batch.deferred);
  } catch (const std::exception& e) {
    log::error("engine", "dial batch failed", {{"sessions", std::to_string(session_ids.size())}, {"error", e.what()}});
    for (const auto& id : session_ids) pump_later(id);
    return;
  }
  release_when_durable(std::move(batch));
}

void engine::impl::release_when_durable(awaiting_disk batch) {
  if (!db_.syncs_in_background()) {  // nothing to wait for
    release(batch);
    return;
  }
  awaiting_disk_.push_back(std::move(batch));
  // Called on the store's sync thread: only hand the release to the engine's thread.
  db_.after_durable([this, alive = alive_] {
    net::post(ex_, [this, alive] {
      if (!*alive || awaiting_disk_.empty()) return;
      auto front = std::move(awaiting_disk_.front());
      awaiting_disk_.pop_front();
      release(front);
    });
  });
}

void engine::impl::release(awaiting_disk& batch) {
  const auto durable_at = std::chrono::steady_clock::now();
  for (auto& fx : batch.deferred) run_now(std::move(fx));  // bridges, hangups and dials go out now
  if (batch.report && batch_observer_) {
    batch.report->sync = durable_at - batch.committed_at;
    batch.report->send = std::chrono::steady_clock::now() - durable_at;
    batch_observer_(*batch.report);
  }
  for (std::size_t i = 0; i < batch.webhooks.size(); ++i) {
    // Posted: each request's coroutine resumes after this function, not inside it.
    net::post(ex_, [done = std::move(batch.webhooks[i].done), error = batch.errors[i], outcome = batch.outcomes[i]]() mutable {
      std::move(done)(error, outcome);
    });
  }
}

void engine::impl::rebuild_lines() {
  for (auto& [id, rt] : runtimes_) rt.lines.clear();
  for (const auto& call : db_.live_calls())
    if (call.kind == domain::call_kind::customer) runtime(call.session_id).lines[call.from] = call.id;
}

}  // namespace dialer::engine
