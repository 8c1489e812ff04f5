// What the simulator counts for /sim/report: filled by the call model, webhook delivery and the REST
// layer, all on the one I/O thread.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace dialer::sim {

struct counters {
  std::uint64_t dials = 0;                       // accepted POST /calls that created a call
  std::uint64_t webhooks_sent = 0;               // events delivered (2xx), each data.id once
  std::uint64_t webhook_attempts = 0;            // every POST attempt, successful or not
  std::uint64_t webhook_failures = 0;            // attempts that failed (non-2xx, transport, timeout)
  std::uint64_t webhooks_redelivered = 0;        // attempts with meta.attempt > 1
  std::uint64_t webhooks_dropped = 0;            // events abandoned after the last retry
  std::uint64_t webhooks_duplicated = 0;         // extra deliveries injected by faults
  std::uint64_t duplicate_commands_ignored = 0;  // repeated command_id within 60 s (dials and actions)
  std::uint64_t double_dials = 0;                // a new dial with the client_state of a live call
  std::map<std::string, std::uint64_t> actions_by_type;
  std::map<std::string, std::uint64_t> rejected_requests_by_status;  // "401", "422", "429", ...
  std::map<std::string, std::uint64_t> calls_by_outcome;   // planned destination behaviour ("agent" too)
  std::map<std::string, std::uint64_t> hangups_by_cause;
  std::map<std::string, int> max_concurrent_customer_calls_by_session;
  std::map<std::string, int> max_concurrent_calls_per_from_number;  // customer legs only
  int max_live_calls = 0;
};

}  // namespace dialer::sim
