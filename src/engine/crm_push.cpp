// The CRM push dispatcher: claims due outbox rows, POSTs them as coroutines on the engine's thread and
// records each result, so a slow or dead CRM never holds up webhooks and nothing is lost on a restart.
#include "dialer/engine/crm_push.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "dialer/common/log.hpp"
#include "dialer/http/client.hpp"
#include "dialer/store/store.hpp"

namespace dialer::engine {
namespace {

constexpr std::int64_t keep_delivered_ms = 7LL * 24 * 3600 * 1000;
// The longest the timer sleeps without looking at the outbox (wall-clock jumps, rows added elsewhere).
constexpr std::int64_t max_sleep_ms = 30'000;

// "https://host:port/path?q" -> {"https://host:port", "/path?q"}.
std::pair<std::string, std::string> split_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_start = scheme_end == std::string::npos ? std::string::npos : url.find_first_of("/?", scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  std::string target = url.substr(path_start);
  if (target.front() == '?') target.insert(target.begin(), '/');
  return {url.substr(0, path_start), std::move(target)};
}

http::client_options client_options_for(const config::crm_settings& s) {
  http::client_options o;
  o.max_connections = static_cast<std::size_t>(s.max_in_flight);
  o.timeout = s.timeout;
  o.verify_peer = s.verify_tls_peer;
  return o;
}

std::unique_ptr<http::client> make_client(net::any_io_executor ex, const config::crm_settings& s,
                                          const std::string& origin) {
  try {
    return std::make_unique<http::client>(ex, origin, client_options_for(s));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("crm.webhook_url: ") + e.what());
  }
}

}  // namespace

struct crm_push::impl : std::enable_shared_from_this<crm_push::impl> {
  impl(net::any_io_executor ex, const config::crm_settings& s, store::store& db, const clock& clk)
      : ex_(ex), settings_(s), db_(db), clock_(clk), timer_(ex) {
    auto [origin, target] = split_url(s.webhook_url);
    target_ = std::move(target);
    client_ = make_client(ex, s, origin);
  }

  net::any_io_executor ex_;
  const config::crm_settings settings_;  // a copy: coroutine frames may outlive the config's owner
  store::store& db_;
  const clock& clock_;
  std::unique_ptr<http::client> client_;
  std::string target_;
  net::steady_timer timer_;
  std::set<std::int64_t> in_flight_;  // seqs
  bool started_ = false;
  bool stopped_ = false;
  bool alive_ = true;  // false once the crm_push is destroyed: db_ and clock_ may be gone
  bool scan_posted_ = false;
  counters counters_;

  std::int64_t now_ms() const { return to_unix_ms(clock_.now()); }

  void post_scan() {
    if (scan_posted_ || stopped_) return;
    scan_posted_ = true;
    net::post(ex_, [self = shared_from_this()] {
      self->scan_posted_ = false;
      self->scan();
    });
  }

  // Claims what is due (one transaction), starts those deliveries, and sets the timer for the next row.
  void scan() {
    if (stopped_ || !started_) return;
    try {
      const int free = settings_.max_in_flight - static_cast<int>(in_flight_.size());
      if (free > 0) {
        const auto now = now_ms();
        std::vector<store::outbox_record> claimed;
        auto tx = db_.begin();
        for (auto& row : db_.due_outbox(now, free + static_cast<int>(in_flight_.size()))) {
          if (in_flight_.count(row.seq) || static_cast<int>(claimed.size()) >= free) continue;
          claimed.push_back(crm_claim(std::move(row), settings_, now));
          db_.update_outbox(claimed.back());
        }
        tx.commit();
        for (auto& row : claimed) {
          in_flight_.insert(row.seq);
          net::co_spawn(ex_, deliver(shared_from_this(), std::move(row)), net::detached);
        }
      }
      arm_timer();
    } catch (const std::exception& e) {
      // The database is unavailable: try again later; rows stay pending.
      log::error("crm", "outbox scan failed", {{"error", e.what()}});
      arm_timer_in(1000);
    }
  }

  void arm_timer() {
    // Full: the next delivery to finish scans again.
    if (static_cast<int>(in_flight_.size()) >= settings_.max_in_flight) return;
    auto next = db_.next_outbox_at();
    if (!next) return;  // nothing pending: notify() wakes us
    arm_timer_in(std::clamp<std::int64_t>(*next - now_ms(), 1, max_sleep_ms));
  }

  void arm_timer_in(std::int64_t ms) {
    timer_.expires_after(std::chrono::milliseconds(ms));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->scan();
    });
  }

  static awaitable<void> deliver(std::shared_ptr<impl> self, store::outbox_record row) {
    http::client_request req(http::verb::post, self->target_, row.body,
                             {{crm_signature_header, crm_signature(self->settings_.secret, row.body)},
                              {crm_event_id_header, row.event_id},
                              {crm_event_type_header, row.event_type},
                              {crm_attempt_header, std::to_string(row.attempts)}});
    auto reply = co_await self->client_->send(std::move(req));
    const auto& [ec, res] = reply;
    const bool ok = !ec && res.status >= 200 && res.status < 300;
    std::string error = ec ? ec.message() : ok ? std::string() : "HTTP " + std::to_string(res.status);
    self->record(std::move(row), ok, std::move(error));
  }

  void record(store::outbox_record row, bool ok, std::string error) {
    in_flight_.erase(row.seq);
    if (!alive_) return;  // unrecorded: the claim's lease makes the row due again on the next start
    try {
      auto settled = crm_settle(row, settings_, ok, error, now_ms());
      auto tx = db_.begin();
      db_.update_outbox(settled);
      tx.commit();
      const std::string attempts = std::to_string(settled.attempts);
      if (ok) {
        ++counters_.delivered;
        log::info("crm", "event delivered", {{"event", settled.event_id}, {"type", settled.event_type},
                                             {"attempts", attempts}});
      } else if (settled.state == store::outbox_state::failed) {
        ++counters_.failed;
        log::error("crm", "event given up", {{"event", settled.event_id}, {"type", settled.event_type},
                                             {"attempts", attempts}, {"error", error}});
      } else {
        ++counters_.retries;
        log::warn("crm", "delivery failed, will retry",
                  {{"event", settled.event_id}, {"attempts", attempts}, {"error", error},
                   {"retry_in_ms", std::to_string(settled.next_attempt_at_ms - now_ms())}});
      }
    } catch (const std::exception& e) {
      // Not recorded: the claim's lease makes the row due again later (a repeat the receiver de-duplicates).
      log::error("crm", "recording a delivery failed", {{"event", row.event_id}, {"error", e.what()}});
    }
    if (!stopped_) scan();
  }
};

crm_push::crm_push(net::any_io_executor ex, const config::crm_settings& settings, store::store& db, const clock& clk)
    : impl_(std::make_shared<impl>(ex, settings, db, clk)) {}

crm_push::~crm_push() {
  stop();
  impl_->alive_ = false;
}

void crm_push::start() {
  auto& m = *impl_;
  if (m.started_ || m.stopped_) return;
  m.started_ = true;
  try {
    auto tx = m.db_.begin();
    const int pruned = m.db_.prune_outbox(m.now_ms() - keep_delivered_ms);
    tx.commit();
    const auto counts = m.db_.count_outbox();
    log::info("crm", "push started", {{"pending", std::to_string(counts.pending)},
                                      {"failed", std::to_string(counts.failed)},
                                      {"pruned", std::to_string(pruned)}});
  } catch (const std::exception& e) {
    log::error("crm", "outbox start-up failed", {{"error", e.what()}});
  }
  m.scan();
}

void crm_push::notify() { impl_->post_scan(); }

void crm_push::stop() {
  auto& m = *impl_;
  m.stopped_ = true;
  m.timer_.cancel();
}

std::size_t crm_push::in_flight() const { return impl_->in_flight_.size(); }

crm_push::counters crm_push::stats() const { return impl_->counters_; }

}  // namespace dialer::engine
