// Signature checks on a small thread pool; results come back to the awaiting coroutine's executor.
#include "dialer/telnyx/verifier_pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <thread>

namespace dialer::telnyx {

verifier_pool::verifier_pool(std::unique_ptr<signature_verifier> verifier, unsigned threads,
                             std::size_t backlog_threshold)
    : verifier_(std::move(verifier)), workers_(std::max(1u, threads)), backlog_threshold_(backlog_threshold) {}

verifier_pool::~verifier_pool() {
  workers_.stop();
  workers_.join();
}

awaitable<signature_error> verifier_pool::verify(std::string_view signature_b64, std::string_view timestamp,
                                                 std::string_view body, sys_time now, std::size_t backlog) {
  if (backlog < backlog_threshold_) {
    ++counts_.inline_checks;
    co_return verifier_->verify(signature_b64, timestamp, body, now);
  }
  ++counts_.pooled_checks;
  const signature_verifier& v = *verifier_;
  auto check = [&v, signature_b64, timestamp, body, now]() -> awaitable<signature_error> {
    co_return v.verify(signature_b64, timestamp, body, now);
  };
  signature_error verdict = co_await net::co_spawn(workers_.get_executor(), std::move(check), net::use_awaitable);
  co_return verdict;
}

unsigned verifier_pool::default_threads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp(cores > 1 ? cores - 1 : 1u, 1u, 4u);
}

}  // namespace dialer::telnyx
