// A row of the CRM push outbox (schema.sql `crm_outbox`): one event to POST to the CRM, and how its
// delivery is going.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dialer::store {

enum class outbox_state {
  pending,    // not delivered yet; sent when next_attempt_at_ms is due
  delivered,  // the CRM answered 2xx
  failed,     // max attempts used up without a 2xx; never sent again
};
std::string_view to_string(outbox_state s);
// nullopt for an unknown name.
std::optional<outbox_state> outbox_state_from(std::string_view s);

struct outbox_record {
  std::int64_t seq = 0;          // assigned by the store on insert (increasing)
  std::string event_id;          // unique; the body's "id"
  std::string event_type;        // call.connected | call.ended
  std::string body;              // the exact JSON sent and signed
  outbox_state state = outbox_state::pending;
  int attempts = 0;              // deliveries started
  std::int64_t next_attempt_at_ms = 0;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> finished_at_ms;  // delivered or failed at
  std::string last_error;
};

// Rows per state (for logs and metrics).
struct outbox_counts {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
};

}  // namespace dialer::store
