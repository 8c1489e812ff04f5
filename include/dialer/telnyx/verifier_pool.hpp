// Webhook signature checks on worker threads. Ed25519 verification is most of a webhook's cost (SPEC §9:
// about 1.55M of 1.78M instructions per request), so running it beside the engine's thread, not on it,
// leaves that thread to the store and the logic.
#pragma once
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <string_view>

#include "dialer/common/net.hpp"
#include "dialer/telnyx/signature.hpp"

namespace dialer::telnyx {

class verifier_pool {
 public:
  // `threads` workers (at least 1) share `verifier`, whose verify() is const and reentrant.
  verifier_pool(std::unique_ptr<signature_verifier> verifier, unsigned threads);
  ~verifier_pool();  // stops the workers and joins them
  verifier_pool(const verifier_pool&) = delete;
  verifier_pool& operator=(const verifier_pool&) = delete;

  // signature_verifier::verify on a worker; the caller resumes on its own executor. The views must
  // stay valid until it completes (the caller's coroutine frame holds the request).
  awaitable<signature_error> verify(std::string_view signature_b64, std::string_view timestamp,
                                    std::string_view body, sys_time now) const;

  // One fewer worker than the machine has cores (the engine's thread keeps one), from 1 to 4.
  static unsigned default_threads();

 private:
  std::unique_ptr<signature_verifier> verifier_;
  mutable net::thread_pool workers_;
};

}  // namespace dialer::telnyx
