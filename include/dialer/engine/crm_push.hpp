// CRM push: call.connected and call.ended events, written to the store's outbox in the transaction of
// the change that made them, POSTed to crm.webhook_url signed with HMAC-SHA256, retried with capped
// exponential backoff until a 2xx or crm.max_attempts, and resumed after a restart.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dialer/common/clock.hpp"
#include "dialer/common/net.hpp"
#include "dialer/config/config.hpp"
#include "dialer/store/crm_outbox.hpp"

namespace dialer::store {
class store;
}

namespace dialer::engine {

// Header names of a delivery (documented in the README).
inline constexpr const char* crm_signature_header = "X-Dialer-Signature";  // "sha256=<hex>"
inline constexpr const char* crm_event_id_header = "X-Dialer-Event-Id";
inline constexpr const char* crm_event_type_header = "X-Dialer-Event-Type";
inline constexpr const char* crm_attempt_header = "X-Dialer-Delivery-Attempt";  // 1, 2, ...

// True for the event types pushed to the CRM (call.connected, call.ended).
bool crm_pushes(std::string_view event_type);

// Lower-case hex of HMAC-SHA256(key, data) (OpenSSL). Throws std::runtime_error if OpenSSL fails.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// The X-Dialer-Signature value for `body`: "sha256=" + hmac_sha256_hex(secret, body).
std::string crm_signature(std::string_view secret, std::string_view body);

// The pushed JSON: {"id": id, "type": type, "occurredAt": ISO 8601 of at_ms, "data": data_json}.
// data_json must be a JSON object; it is copied in unchanged.
std::string crm_event_body(std::string_view id, std::string_view type, std::int64_t at_ms, std::string_view data_json);

// The wait after `failed_attempts` (>= 1) failed deliveries: retry_initial * 2^(failed_attempts - 1),
// capped at retry_max.
std::chrono::milliseconds crm_retry_delay(const config::crm_settings& s, int failed_attempts);

// The row as it is claimed for one more delivery at now_ms: attempts + 1, and next_attempt_at pushed
// past the delivery's timeout and the retry wait, so a crash mid-delivery retries it later, not never.
store::outbox_record crm_claim(store::outbox_record r, const config::crm_settings& s, std::int64_t now_ms);

// The row after the delivery it was claimed for ended at now_ms: `delivered` (a 2xx), or else failed
// with `error` and retried after crm_retry_delay, or marked failed when max_attempts are used up.
store::outbox_record crm_settle(store::outbox_record r, const config::crm_settings& s, bool delivered,
                                std::string error, std::int64_t now_ms);

// The dispatcher: sends due outbox rows with http::client on the executor's thread, at most
// max_in_flight at once, and records every result in the store. All members run on that thread.
class crm_push {
 public:
  // Throws std::runtime_error naming crm.webhook_url when the URL cannot be used.
  crm_push(net::any_io_executor ex, const config::crm_settings& settings, store::store& db, const clock& clk);
  ~crm_push();
  crm_push(const crm_push&) = delete;
  crm_push& operator=(const crm_push&) = delete;

  // Deletes delivered rows older than a week, then sends whatever is pending and due (rows left by an
  // earlier run included) and keeps a timer for the rest.
  void start();
  // New rows were committed: look for due rows soon (posted, never inline).
  void notify();
  // Starts no new delivery; deliveries in flight still record their result. Idempotent.
  void stop();

  std::size_t in_flight() const;
  // Results since construction.
  struct counters {
    std::uint64_t delivered = 0;  // rows delivered
    std::uint64_t retries = 0;    // failed attempts that will be retried
    std::uint64_t failed = 0;     // rows given up
  };
  counters stats() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace dialer::engine
