// contact_checker: a big batch is checked on its worker thread and the caller resumes on its own
// executor's thread; a small one is checked inline; the results and errors are check_contacts'.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <optional>
#include <thread>

#include "dialer/api/contact_checker.hpp"
#include "unit/engine/engine_fixture.hpp"

using namespace dialer;

namespace {

std::vector<engine::contact> numbered_contacts(std::size_t n) {
  std::vector<engine::contact> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto digits = std::to_string(1000 + i);
    out.push_back({"c" + std::to_string(i), "", "(312) 555-" + digits, ""});
  }
  return out;
}

struct run_result {
  std::optional<engine::result<engine::checked_contacts>> checked;
  std::thread::id resumed_on;
};

// Runs one check on `io`'s thread (this one) and returns what it gave.
run_result check_on(net::io_context& io, api::contact_checker& checker, std::vector<engine::contact> contacts) {
  run_result out;
  auto task = [&]() -> awaitable<void> {
    std::string field = "contacts";
    auto r = co_await checker.check(std::move(contacts), std::move(field));
    out.resumed_on = std::this_thread::get_id();
    out.checked.emplace(std::move(r));
  };
  net::co_spawn(io, task, net::detached);
  io.run();
  io.restart();
  return out;
}

}  // namespace

TEST_CASE("a big batch is checked off the caller's thread, which resumes with every phone in E.164") {
  test::engine_fixture f;
  api::contact_checker checker(f.cfg);
  auto got = check_on(f.io, checker, numbered_contacts(api::contact_checker::offload_from));
  CHECK(checker.offloaded() == 1);
  CHECK(got.resumed_on == std::this_thread::get_id());
  REQUIRE(got.checked.has_value());
  REQUIRE(got.checked->ok());
  const auto& list = got.checked->value().list();
  REQUIRE(list.size() == api::contact_checker::offload_from);
  CHECK(list.front().phone == "+13125551000");
  CHECK(list.back().phone == "+1312555" + std::to_string(1000 + api::contact_checker::offload_from - 1));
}

TEST_CASE("a small batch is checked inline") {
  test::engine_fixture f;
  api::contact_checker checker(f.cfg);
  auto got = check_on(f.io, checker, numbered_contacts(api::contact_checker::offload_from - 1));
  CHECK(checker.offloaded() == 0);
  REQUIRE(got.checked.has_value());
  REQUIRE(got.checked->ok());
  CHECK(got.checked->value().list().size() == api::contact_checker::offload_from - 1);
}

TEST_CASE("a bad phone deep in a big batch is refused naming its index") {
  test::engine_fixture f;
  api::contact_checker checker(f.cfg);
  auto contacts = numbered_contacts(200);
  contacts[150].phone = "12";
  contacts[170].timezone = "Mars/Olympus";
  auto got = check_on(f.io, checker, std::move(contacts));
  CHECK(checker.offloaded() == 1);
  REQUIRE(got.checked.has_value());
  REQUIRE_FALSE(got.checked->ok());
  CHECK(got.checked->err().code == engine::errc::invalid_input);
  CHECK(got.checked->err().field == "contacts[150].phone");
}
