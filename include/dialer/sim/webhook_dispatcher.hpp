// Webhook delivery like Telnyx's: the v2 envelope, Ed25519-signed, POSTed to the call's webhook URL,
// one call's events in order (different calls in parallel), failures retried with backoff and the
// SAME data.id and a growing meta.attempt. Fault knobs (duplicates, dropped first attempts, delays)
// are applied here.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "dialer/common/net.hpp"
#include "dialer/sim/call_world.hpp"
#include "dialer/sim/counters.hpp"
#include "dialer/sim/scenario.hpp"

namespace dialer::telnyx {
class signature_signer;
}

namespace dialer::sim {

class webhook_dispatcher {
 public:
  // `stats` must outlive the dispatcher's work (the app owns both).
  webhook_dispatcher(net::any_io_executor ex, std::shared_ptr<const telnyx::signature_signer> signer,
                     fault_settings faults, counters& stats, std::uint64_t seed);
  ~webhook_dispatcher();
  webhook_dispatcher(const webhook_dispatcher&) = delete;
  webhook_dispatcher& operator=(const webhook_dispatcher&) = delete;

  // Queues one event behind the earlier events of the same call.
  void enqueue(webhook_out event);
  // Drops queued events, ends retries and closes connections; deliveries in flight finish quietly.
  void stop();
  // `observer` is called just before every POST attempt of an event (attempt 1 = first delivery).
  void on_post(std::function<void(const webhook_out&, int attempt)> observer);
  // Events queued or being delivered.
  std::size_t in_flight() const;

  // The delivered body: {"data":{event_type,id,occurred_at,payload,record_type},"meta":{attempt,delivered_to}}.
  static std::string envelope(const webhook_out& event, const std::string& event_id, int attempt);
  // "http://host:port/path?q" -> {"http://host:port", "/path?q"}; the target is "/" when the URL has none.
  static std::pair<std::string, std::string> split_url(const std::string& url);

  struct impl;  // public only so the delivery coroutines in the .cpp can name it

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace dialer::sim
