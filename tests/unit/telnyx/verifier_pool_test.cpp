// The verifier pool: signatures are checked inline, or on a worker thread when the caller has a backlog of
// webhooks, and the caller resumes on its own executor's thread with the same verdicts as
// signature_verifier::verify.
#include "dialer/telnyx/verifier_pool.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>
#include <vector>

using namespace dialer;
using namespace dialer::telnyx;
using namespace std::chrono_literals;

TEST_CASE("a check with a backlog at the threshold runs on a worker, below it inline, all resuming the caller's thread") {
  auto signer = signature_signer::generate();
  const sys_time now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  const std::string body = R"({"data":{"event_type":"call.initiated"}})";
  const std::string good = signer->sign(timestamp, body);
  const std::string forged = signer->sign(timestamp, body + " ");

  verifier_pool pool(signature_verifier::from_base64(signer->public_key_base64(), 300s), 2, 4);
  net::io_context io(1);
  std::vector<signature_error> verdicts;
  std::vector<std::thread::id> resumed_on;
  net::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (const std::string* sig : {&good, &forged}) {
          auto verdict = co_await pool.verify(*sig, timestamp, body, now, 4);
          verdicts.push_back(verdict);
          resumed_on.push_back(std::this_thread::get_id());
        }
        auto missing = co_await pool.verify("", timestamp, body, now, 3);
        verdicts.push_back(missing);
      },
      net::detached);
  io.run_for(10s);  // returns as soon as the coroutine ends; the bound only stops a hang
  REQUIRE(verdicts.size() == 3);
  CHECK(verdicts[0] == signature_error::none);
  CHECK(verdicts[1] == signature_error::invalid_signature);
  CHECK(verdicts[2] == signature_error::missing_header);
  for (auto id : resumed_on) CHECK(id == std::this_thread::get_id());
  CHECK(pool.checks().inline_checks == 1);
  CHECK(pool.checks().pooled_checks == 2);
}

TEST_CASE("with the default threshold a webhook alone and a few together are checked inline") {
  auto signer = signature_signer::generate();
  const sys_time now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  const std::string body = R"({"data":{"event_type":"call.hangup"}})";
  verifier_pool pool(signature_verifier::from_base64(signer->public_key_base64(), 300s), 1);
  net::io_context io(1);
  std::vector<signature_error> verdicts;
  net::co_spawn(
      io,
      [&]() -> awaitable<void> {
        for (std::size_t backlog : {std::size_t{0}, std::size_t{1}, verifier_pool::default_backlog_threshold - 1})
          verdicts.push_back(co_await pool.verify(signer->sign(timestamp, body), timestamp, body, now, backlog));
      },
      net::detached);
  io.run_for(10s);
  REQUIRE(verdicts.size() == 3);
  for (auto v : verdicts) CHECK(v == signature_error::none);
  CHECK(pool.checks().inline_checks == 3);
  CHECK(pool.checks().pooled_checks == 0);
}

TEST_CASE("the default worker count leaves a core to the engine and stays between 1 and 4") {
  const unsigned n = verifier_pool::default_threads();
  CHECK(n >= 1);
  CHECK(n <= 4);
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 1 && cores <= 5) CHECK(n == cores - 1);
}
