// Webhook signature checks on worker threads. Ed25519 verification is most of a webhook's cost (SPEC §9:
// about 1.55M of 1.78M instructions per request), so when the engine's thread falls behind (a burst:
// ring timeouts of dials placed together all end at once, or a load generator's 64 connections),
// running it beside that thread, not on it, leaves the thread to the store and the logic. Otherwise
// a check runs on the caller's thread: the two thread hops cost about 0.17 ms of wake-ups on this VM
// and two waits in the engine's queue. At 1,000 calls in flight (~230 webhooks/s) hopping on every check
// that came within 2 ms of another gave answer-to-bridge p99 26-53 ms, inline 11 ms
// (scripts/bench --full --rows latency).
#pragma once
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "dialer/common/net.hpp"
#include "dialer/telnyx/signature.hpp"

namespace dialer::telnyx {

class verifier_pool {
 public:
  // `threads` workers (at least 1) share `verifier`, whose verify() is const and reentrant. A check goes
  // to a worker when the caller's backlog (see verify) is `backlog_threshold` or more.
  verifier_pool(std::unique_ptr<signature_verifier> verifier, unsigned threads,
                std::size_t backlog_threshold = default_backlog_threshold);
  ~verifier_pool();  // stops the workers and joins them
  verifier_pool(const verifier_pool&) = delete;
  verifier_pool& operator=(const verifier_pool&) = delete;

  // signature_verifier::verify, inline or on a worker (see above); the caller resumes on its own
  // executor. `backlog`: the webhooks ahead of this one on the caller's thread (others being verified,
  // others waiting for the engine), not those only waiting for the disk. The views must stay valid
  // until it completes (the caller's coroutine frame holds the request). Called from one thread only
  // (the engine's).
  awaitable<signature_error> verify(std::string_view signature_b64, std::string_view timestamp,
                                    std::string_view body, sys_time now, std::size_t backlog);

  // With 4 webhooks ahead the engine's thread is behind: the second core pays for the next checks.
  static constexpr std::size_t default_backlog_threshold = 4;
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
  std::size_t backlog_threshold_;
  counts counts_;
};

}  // namespace dialer::telnyx
