// Webhook signature checks on worker threads. Ed25519 verification is most of a webhook's cost (SPEC §9:
// about 1.55M of 1.78M instructions per request), so running it beside the engine's thread, not on it,
// leaves that thread to the store and the logic. A webhook arriving alone (none in the pool, none in
// the last 2 ms) is checked on the caller's thread: the two thread hops cost about 0.17 ms of
// wake-ups on this VM, most of what the check itself costs, and a quiet engine has the time.
#pragma once
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "dialer/common/net.hpp"
#include "dialer/telnyx/signature.hpp"

namespace dialer::telnyx {

class verifier_pool {
 public:
  // `threads` workers (at least 1) share `verifier`, whose verify() is const and reentrant. A check is
  // inline when no other is in the pool and none started within `quiet_gap`.
  verifier_pool(std::unique_ptr<signature_verifier> verifier, unsigned threads,
                std::chrono::microseconds quiet_gap = default_quiet_gap);
  ~verifier_pool();  // stops the workers and joins them
  verifier_pool(const verifier_pool&) = delete;
  verifier_pool& operator=(const verifier_pool&) = delete;

  // signature_verifier::verify on a worker (or inline when quiet, see above); the caller resumes on
  // its own executor. The views must stay valid until it completes (the caller's coroutine frame holds
  // the request). Called from one thread only (the engine's).
  awaitable<signature_error> verify(std::string_view signature_b64, std::string_view timestamp,
                                    std::string_view body, sys_time now);

  // 2 ms: inline only under ~500 webhooks/s; under load every check goes to the workers.
  static constexpr std::chrono::microseconds default_quiet_gap{2000};
  struct counts {
    std::uint64_t inline_checks = 0;  // on the caller's thread
    std::uint64_t pooled_checks = 0;  // on a worker
  };
  counts checks() const { return counts_; }

  // One fewer worker than the machine has cores (the engine's thread keeps one), from 1 to 4.
  static unsigned default_threads();

 private:
  std::unique_ptr<signature_verifier> verifier_;
  net::thread_pool workers_;
  std::chrono::microseconds quiet_gap_;
  std::size_t in_pool_ = 0;                                            // checks on the workers now
  std::optional<std::chrono::steady_clock::time_point> last_check_;  // when the latest check started
  counts counts_;
};

}  // namespace dialer::telnyx
