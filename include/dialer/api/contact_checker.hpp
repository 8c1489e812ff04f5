// Checking the CRM's contacts (engine::check_contacts: libphonenumber, ~60 µs a number) off the engine's
// thread when a batch is big, so a 10,000-contact upload does not hold every webhook behind it for ~1 s.
#pragma once
#include <boost/asio/thread_pool.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dialer/common/net.hpp"
#include "dialer/config/config.hpp"
#include "dialer/engine/engine.hpp"

namespace dialer::api {

class contact_checker {
 public:
  explicit contact_checker(const config::config& cfg);
  ~contact_checker();  // stops the worker and joins it
  contact_checker(const contact_checker&) = delete;
  contact_checker& operator=(const contact_checker&) = delete;

  // engine::check_contacts on the worker thread for `offload_from` contacts or more, inline for fewer
  // (a thread hop costs about what checking one number does); the caller resumes on its own executor.
  // Called from one thread only (the engine's).
  awaitable<engine::result<engine::checked_contacts>> check(std::vector<engine::contact> contacts,
                                                            std::string field_prefix);

  static constexpr std::size_t offload_from = 64;
  std::uint64_t offloaded() const { return offloaded_; }  // batches checked on the worker

 private:
  const config::config& cfg_;
  net::thread_pool worker_{1};
  std::uint64_t offloaded_ = 0;
};

}  // namespace dialer::api
