// A big batch of contacts is checked on one worker thread; the result comes back to the awaiting
// coroutine's executor (the engine's), which then writes it.
#include "dialer/api/contact_checker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <utility>

namespace dialer::api {

contact_checker::contact_checker(const config::config& cfg) : cfg_(cfg) {}

contact_checker::~contact_checker() {
  worker_.stop();
  worker_.join();
}

awaitable<engine::result<engine::checked_contacts>> contact_checker::check(std::vector<engine::contact> contacts,
                                                                           std::string field_prefix) {
  if (contacts.size() < offload_from) co_return engine::check_contacts(std::move(contacts), field_prefix, cfg_);
  ++offloaded_;
  const config::config& cfg = cfg_;
  // In an optional: co_spawn needs a default-constructible result.
  using checked = std::optional<engine::result<engine::checked_contacts>>;
  auto work = [&cfg, &contacts, &field_prefix]() -> awaitable<checked> {
    co_return engine::check_contacts(std::move(contacts), field_prefix, cfg);
  };
  checked out = co_await net::co_spawn(worker_.get_executor(), std::move(work), net::use_awaitable);
  co_return std::move(*out);
}

}  // namespace dialer::api
