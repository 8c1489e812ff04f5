// One coroutine per call with pending events (a "lane") keeps that call's order; the shared impl lets
// lanes outlive a stop() without touching freed state.
#include "dialer/sim/webhook_dispatcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <date/date.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "dialer/common/ids.hpp"
#include "dialer/common/json.hpp"
#include "dialer/common/log.hpp"
#include "dialer/http/client.hpp"
#include "dialer/telnyx/signature.hpp"

namespace dialer::sim {

struct webhook_dispatcher::impl {
  impl(net::any_io_executor e, std::shared_ptr<const telnyx::signature_signer> s, fault_settings f, counters& c,
       std::uint64_t seed)
      : ex(std::move(e)), signer(std::move(s)), faults(std::move(f)), stats(c), rng(seed) {}

  net::any_io_executor ex;
  std::shared_ptr<const telnyx::signature_signer> signer;
  fault_settings faults;
  counters& stats;
  std::mt19937_64 rng;
  bool stopped = false;
  std::size_t in_flight = 0;
  std::unordered_map<std::string, std::deque<webhook_out>> lanes;  // present = a lane coroutine runs
  std::unordered_map<std::string, net::steady_timer*> holds;        // lanes holding an event for reorder
  std::unordered_map<std::string, bool> lost_calls;                 // call -> its webhooks are lost forever
  std::map<std::string, std::unique_ptr<http::client>> clients;    // by origin
  std::set<net::steady_timer*> waits;                              // cancelled by stop()
  std::function<void(const webhook_out&, int)> on_post;            // the latency probe

  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  http::client& client_for(const std::string& origin) {
    auto& c = clients[origin];
    if (!c) {
      http::client_options o;
      o.max_connections = 64;
      o.timeout = std::chrono::milliseconds(static_cast<long long>(faults.webhook_retry.timeout_s * 1000));
      o.verify_peer = true;
      c = std::make_unique<http::client>(ex, origin, o);
    }
    return *c;
  }
};

namespace {

using error_code = boost::system::error_code;

awaitable<void> pause(std::shared_ptr<webhook_dispatcher::impl> self, double seconds) {
  net::steady_timer timer(self->ex);
  timer.expires_after(std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
  self->waits.insert(&timer);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  self->waits.erase(&timer);
}

// One POST; true on a 2xx reply.
awaitable<bool> post(std::shared_ptr<webhook_dispatcher::impl> self, const webhook_out& ev, const std::string& id,
                     int attempt) {
  auto [origin, target] = webhook_dispatcher::split_url(ev.url);
  http::client* client = nullptr;
  try {
    client = &self->client_for(origin);
  } catch (const std::exception& e) {
    log::warn("sim.webhooks", "bad webhook url", {{"url", ev.url}, {"error", e.what()}});
    co_return false;
  }
  http::client_request req;
  req.method = http::verb::post;
  req.target = target;
  req.body = webhook_dispatcher::envelope(ev, id, attempt);
  auto ts = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  req.headers.emplace_back("telnyx-signature-ed25519", self->signer->sign(ts, req.body));
  req.headers.emplace_back("telnyx-timestamp", ts);
  ++self->stats.webhook_attempts;
  if (self->on_post) self->on_post(ev, attempt);
  auto [ec, res] = co_await client->send(std::move(req));
  if (ec) {
    log::debug("sim.webhooks", "delivery failed", {{"event", ev.event_type}, {"error", ec.message()}});
    co_return false;
  }
  co_return res.status >= 200 && res.status < 300;
}

awaitable<void> deliver(std::shared_ptr<webhook_dispatcher::impl> self, webhook_out ev) {
  const auto& policy = self->faults.webhook_retry;
  std::string id = random_uuid();
  if (self->faults.webhook_delay_max_s > 0 && self->chance(self->faults.webhook_delay_p)) {
    ++self->stats.faults.webhook_delayed;
    co_await pause(self, std::uniform_real_distribution<double>(0, self->faults.webhook_delay_max_s)(self->rng));
  }
  double backoff = policy.initial_backoff_s;
  for (int attempt = 1; attempt <= policy.max_attempts && !self->stopped; ++attempt) {
    if (attempt > 1) ++self->stats.webhooks_redelivered;
    bool ok;
    if (attempt == 1 && self->chance(self->faults.webhook_drop_first_p)) {
      ++self->stats.webhook_attempts;  // "lost in the network": the receiver never sees it
      ++self->stats.faults.webhook_dropped_first;
      ok = false;
    } else {
      ok = co_await post(self, ev, id, attempt);
    }
    if (self->stopped) co_return;
    if (ok) {
      ++self->stats.webhooks_sent;
      if (self->chance(self->faults.webhook_duplicate_p)) {
        ++self->stats.webhooks_duplicated;
        co_await post(self, ev, id, attempt);
      }
      co_return;
    }
    ++self->stats.webhook_failures;
    if (attempt < policy.max_attempts) {
      co_await pause(self, backoff);
      backoff = std::min(backoff * 2, policy.max_backoff_s);
    }
  }
  if (!self->stopped) {
    ++self->stats.webhooks_dropped;
    log::warn("sim.webhooks", "webhook dropped after retries",
              {{"event", ev.event_type}, {"call_control_id", ev.call_control_id}, {"url", ev.url}});
  }
}

// Waits up to webhook_reorder_hold_s for another event of `call_id`; enqueue() ends the wait early.
awaitable<void> hold(std::shared_ptr<webhook_dispatcher::impl> self, const std::string& call_id) {
  net::steady_timer timer(self->ex);
  timer.expires_after(std::chrono::milliseconds(static_cast<long long>(self->faults.webhook_reorder_hold_s * 1000)));
  self->waits.insert(&timer);
  self->holds[call_id] = &timer;
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  self->holds.erase(call_id);
  self->waits.erase(&timer);
}

awaitable<void> run_lane(std::shared_ptr<webhook_dispatcher::impl> self, std::string call_id) {
  for (;;) {
    auto it = self->lanes.find(call_id);
    if (it == self->lanes.end()) co_return;
    if (it->second.empty() || self->stopped) {
      self->in_flight -= it->second.size();
      self->lanes.erase(it);
      co_return;
    }
    webhook_out ev = std::move(it->second.front());
    it->second.pop_front();
    try {
      if (self->chance(self->faults.webhook_reorder_p)) {
        // Hold this event until the call's next one exists, deliver that one first, then this one.
        if (self->lanes[call_id].empty()) co_await hold(self, call_id);
        auto& lane = self->lanes[call_id];
        if (!lane.empty() && !self->stopped) {
          webhook_out next = std::move(lane.front());
          lane.pop_front();
          ++self->stats.faults.webhook_reordered;
          co_await deliver(self, std::move(next));
          --self->in_flight;
        }
      }
      co_await deliver(self, std::move(ev));
    } catch (const std::exception& e) {
      log::error("sim.webhooks", "delivery crashed", {{"error", e.what()}});
    }
    --self->in_flight;
  }
}

std::string iso_micro(sys_time t) { return date::format("%FT%TZ", std::chrono::floor<std::chrono::microseconds>(t)); }

}  // namespace

webhook_dispatcher::webhook_dispatcher(net::any_io_executor ex, std::shared_ptr<const telnyx::signature_signer> signer,
                                       fault_settings faults, counters& stats, std::uint64_t seed)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(signer), std::move(faults), stats, seed)) {}

webhook_dispatcher::~webhook_dispatcher() { stop(); }

void webhook_dispatcher::enqueue(webhook_out event) {
  if (impl_->stopped) return;
  std::string id = event.call_control_id;
  if (event.customer_leg) {
    // Decided once per call, at its first event: this call's webhooks never leave (Telnyx gave up).
    auto [lost, first] = impl_->lost_calls.try_emplace(id, false);
    if (first && impl_->chance(impl_->faults.webhook_lose_call_p)) {
      lost->second = true;
      ++impl_->stats.faults.webhook_lost_calls;
    }
    if (lost->second) {
      ++impl_->stats.faults.webhook_lost_events;
      return;
    }
  }
  ++impl_->in_flight;
  auto [it, fresh] = impl_->lanes.try_emplace(id);
  it->second.push_back(std::move(event));
  if (auto h = impl_->holds.find(id); h != impl_->holds.end()) h->second->cancel();
  if (fresh) net::co_spawn(impl_->ex, run_lane(impl_, std::move(id)), net::detached);
}

void webhook_dispatcher::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  for (auto* t : impl_->waits) t->cancel();
  for (auto& [origin, c] : impl_->clients) c->close();
}

void webhook_dispatcher::on_post(std::function<void(const webhook_out&, int)> observer) {
  impl_->on_post = std::move(observer);
}

std::size_t webhook_dispatcher::in_flight() const { return impl_->in_flight; }

std::string webhook_dispatcher::envelope(const webhook_out& ev, const std::string& event_id, int attempt) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto occurred = iso_micro(ev.occurred_at);
  w.StartObject();
  w.Key("data");
  w.StartObject();
  w.Key("event_type");
  w.String(ev.event_type.data(), static_cast<rapidjson::SizeType>(ev.event_type.size()));
  w.Key("id");
  w.String(event_id.data(), static_cast<rapidjson::SizeType>(event_id.size()));
  w.Key("occurred_at");
  w.String(occurred.data(), static_cast<rapidjson::SizeType>(occurred.size()));
  w.Key("payload");
  w.RawValue(ev.payload_json.data(), ev.payload_json.size(), rapidjson::kObjectType);
  w.Key("record_type");
  w.String("event");
  w.EndObject();
  w.Key("meta");
  w.StartObject();
  w.Key("attempt");
  w.Int(attempt);
  w.Key("delivered_to");
  w.String(ev.url.data(), static_cast<rapidjson::SizeType>(ev.url.size()));
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

std::pair<std::string, std::string> webhook_dispatcher::split_url(const std::string& url) {
  auto scheme = url.find("://");
  auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return {url, "/"};
  return {url.substr(0, path), url.substr(path)};
}

}  // namespace dialer::sim
